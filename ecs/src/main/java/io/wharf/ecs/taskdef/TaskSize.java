package io.wharf.ecs.taskdef;

import java.math.BigDecimal;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the task-level {@code cpu} and {@code memory} strings the way ECS does.
 *
 * <p>Both are strings in the API. ECS accepts a plain integer ({@code "1024"}) or a unit form
 * ({@code "1 vCPU"}, {@code "0.25 vcpu"}, {@code "2 GB"}, {@code "1GB"}) and stores the integer in
 * CPU units or MiB, which is what DescribeTaskDefinition returns afterwards.
 */
final class TaskSize {
  /** The smallest task-level cpu ECS accepts: 0.125 vCPU. */
  static final int MIN_CPU_UNITS = 128;

  /** The largest task-level cpu ECS accepts: 192 vCPUs. */
  static final int MAX_CPU_UNITS = 196_608;

  // One vCPU is 1024 CPU units and one GB is 1024 MiB in ECS's conversion ("1GB" registers as
  // "1024"), so both unit forms scale by the same factor.
  private static final int UNITS_PER_VCPU = 1024;
  private static final int MIB_PER_GB = 1024;

  private static final Pattern PLAIN = Pattern.compile("\\d+");
  // A number with an optional fraction ("0.25", ".5", "2"), optional spaces, then the unit.
  private static final Pattern VCPU =
      Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*vcpu", Pattern.CASE_INSENSITIVE);
  private static final Pattern GB =
      Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*gb", Pattern.CASE_INSENSITIVE);

  private TaskSize() {}

  /** CPU units for a task-level cpu string, or empty when ECS would not accept the text. */
  static OptionalInt cpuUnits(String text) {
    return parse(text, VCPU, UNITS_PER_VCPU);
  }

  /** MiB for a task-level memory string, or empty when ECS would not accept the text. */
  static OptionalInt memoryMiB(String text) {
    return parse(text, GB, MIB_PER_GB);
  }

  private static OptionalInt parse(String text, Pattern unitForm, int perUnit) {
    String trimmed = text.strip();
    BigDecimal amount;
    if (PLAIN.matcher(trimmed).matches()) {
      amount = new BigDecimal(trimmed);
    } else {
      Matcher unit = unitForm.matcher(trimmed);
      if (!unit.matches()) {
        return OptionalInt.empty();
      }
      amount = new BigDecimal(unit.group(1)).multiply(BigDecimal.valueOf(perUnit));
    }
    try {
      // Throws for a fraction that does not land on a whole unit ("0.0001 vCPU") and for values
      // beyond int; neither has an integer form ECS could store.
      return OptionalInt.of(amount.intValueExact());
    } catch (ArithmeticException notWhole) {
      return OptionalInt.empty();
    }
  }
}
