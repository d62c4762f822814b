package io.wharf.scheduler;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed cluster query: a tree of boolean combinators over comparisons. Immutable and safe to
 * share between threads. Evaluating allocates nothing on the common paths (equality, lists,
 * existence, counts, dates); a regex needs a matcher, and the orderings on agent versions and
 * attribute values parse their operands.
 *
 * <p>Every term is evaluated against an instance plus the tasks placed on it earlier in the same
 * placement call ({@code placedCount} tasks of {@code placedGroup}), so that {@code task:group}
 * sees them; outside placement both are {@code null} and 0.
 */
sealed interface Term {
  boolean test(InstanceView instance, String placedGroup, int placedCount);

  /** The comparison operators, each with its ECS symbol (the word forms are aliases). */
  enum Op {
    EQ("=="),
    NE("!="),
    GT(">"),
    GE(">="),
    LT("<"),
    LE("<="),
    EXISTS("exists"),
    NOT_EXISTS("!exists"),
    IN("in"),
    NOT_IN("!in"),
    MATCHES("=~"),
    NOT_MATCHES("!~");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    boolean isOrdering() {
      return this == GT || this == GE || this == LT || this == LE;
    }

    /** Whether {@code comparison} (negative, zero, positive as from compareTo) satisfies this. */
    boolean holds(int comparison) {
      return switch (this) {
        case EQ -> comparison == 0;
        case NE -> comparison != 0;
        case GT -> comparison > 0;
        case GE -> comparison >= 0;
        case LT -> comparison < 0;
        case LE -> comparison <= 0;
        default -> throw new IllegalStateException("not an ordering: " + this);
      };
    }
  }

  record And(Term left, Term right) implements Term {
    @Override
    public boolean test(InstanceView instance, String placedGroup, int placedCount) {
      return left.test(instance, placedGroup, placedCount)
          && right.test(instance, placedGroup, placedCount);
    }
  }

  record Or(Term left, Term right) implements Term {
    @Override
    public boolean test(InstanceView instance, String placedGroup, int placedCount) {
      return left.test(instance, placedGroup, placedCount)
          || right.test(instance, placedGroup, placedCount);
    }
  }

  record Not(Term term) implements Term {
    @Override
    public boolean test(InstanceView instance, String placedGroup, int placedCount) {
      return !term.test(instance, placedGroup, placedCount);
    }
  }

  /** The single-valued text subjects; attributes are handled by {@link Text} with a name. */
  enum Field {
    AGENT_CONNECTED,
    AGENT_VERSION,
    EC2_INSTANCE_ID,
    ATTRIBUTE
  }

  /**
   * A comparison on a single-valued text subject. An absent subject (an attribute the instance does
   * not have, an unknown agent version) satisfies only {@code !exists}: ECS documents {@code
   * attribute:stack != prod} as "instances with the attribute stack unless its value is prod".
   *
   * @param attribute the attribute name when {@code field} is {@link Field#ATTRIBUTE}
   * @param argument the value for ==, != and the orderings
   * @param list the values for in and !in
   * @param pattern the regex for =~ and !~
   */
  record Text(
      Field field, String attribute, Op op, String argument, Set<String> list, Pattern pattern)
      implements Term {
    @Override
    public boolean test(InstanceView instance, String placedGroup, int placedCount) {
      String value = valueOf(instance);
      return switch (op) {
        case EXISTS -> value != null;
        case NOT_EXISTS -> value == null;
        case EQ -> value != null && value.equals(argument);
        case NE -> value != null && !value.equals(argument);
        case IN -> value != null && list.contains(value);
        case NOT_IN -> value != null && !list.contains(value);
        case MATCHES -> value != null && pattern.matcher(value).matches();
        case NOT_MATCHES -> value != null && !pattern.matcher(value).matches();
        case GT, GE, LT, LE ->
            value != null
                && op.holds(
                    field == Field.AGENT_VERSION
                        ? compareVersions(value, argument)
                        : compareValues(value, argument));
      };
    }

    private String valueOf(InstanceView instance) {
      return switch (field) {
        case AGENT_CONNECTED -> instance.agentConnected() ? "true" : "false";
        case AGENT_VERSION -> instance.agentVersion();
        case EC2_INSTANCE_ID -> instance.ec2InstanceId();
        case ATTRIBUTE -> {
          Map<String, String> attributes = instance.attributes();
          String value = attributes.get(attribute);
          // A valueless attribute (ecs.capability.*) exists; it compares as the empty string.
          yield value != null ? value : attributes.containsKey(attribute) ? "" : null;
        }
      };
    }
  }

  /** {@code runningTasksCount} against a whole number. */
  record Count(Op op, long argument) implements Term {
    @Override
    public boolean test(InstanceView instance, String placedGroup, int placedCount) {
      // Tasks placed in this call are PENDING, not RUNNING: they do not change the count.
      return op.holds(Long.compare(instance.runningTasksCount(), argument));
    }
  }

  /**
   * {@code registeredAt} against a date or a date-time, compared at the argument's precision: a
   * date means the whole UTC day ({@code registeredAt == 2018-06-18} is any time that day), a
   * date-time means that second.
   *
   * @param argument epoch day for a date, epoch second for a date-time
   */
  record Registered(Op op, boolean wholeDay, long argument) implements Term {
    private static final long SECONDS_PER_DAY = 86_400;

    @Override
    public boolean test(InstanceView instance, String placedGroup, int placedCount) {
      long seconds = instance.registeredAt().getEpochSecond();
      long value = wholeDay ? Math.floorDiv(seconds, SECONDS_PER_DAY) : seconds;
      return op.holds(Long.compare(value, argument));
    }
  }

  /**
   * {@code task:group}, a subject with many values: the groups of the tasks on the instance. The
   * positive operators hold when some group qualifies; the negative ones ({@code !=}, {@code !in},
   * {@code !~}) need the instance to run tasks, none of whose groups qualifies, as an attribute
   * must exist for {@code !=}. So for "not near a database" write {@code not(task:group ==
   * database)}, as ECS's docs do, which an empty instance also satisfies.
   */
  record Group(Op op, String argument, List<String> list, Pattern pattern) implements Term {
    @Override
    public boolean test(InstanceView instance, String placedGroup, int placedCount) {
      return switch (op) {
        case EXISTS -> runsAny(instance, placedCount);
        case NOT_EXISTS -> !runsAny(instance, placedCount);
        case EQ, IN, MATCHES -> qualifies(instance, placedGroup, placedCount);
        case NE, NOT_IN, NOT_MATCHES ->
            runsAny(instance, placedCount) && !qualifies(instance, placedGroup, placedCount);
        default -> throw new IllegalStateException("not valid for task:group: " + op);
      };
    }

    private boolean qualifies(InstanceView instance, String placedGroup, int placedCount) {
      switch (op) {
        case EQ, NE -> {
          return runs(instance, argument, placedGroup, placedCount);
        }
        case IN, NOT_IN -> {
          for (int i = 0; i < list.size(); i++) {
            if (runs(instance, list.get(i), placedGroup, placedCount)) {
              return true;
            }
          }
          return false;
        }
        default -> {
          if (placedCount > 0 && pattern.matcher(placedGroup).matches()) {
            return true;
          }
          for (Map.Entry<String, Integer> e : instance.taskGroups().entrySet()) {
            if (e.getValue() > 0 && pattern.matcher(e.getKey()).matches()) {
              return true;
            }
          }
          return false;
        }
      }
    }

    private static boolean runs(
        InstanceView instance, String group, String placedGroup, int placedCount) {
      return instance.tasksOfGroup(group) > 0 || (placedCount > 0 && group.equals(placedGroup));
    }

    private static boolean runsAny(InstanceView instance, int placedCount) {
      if (placedCount > 0) {
        return true;
      }
      for (int n : instance.taskGroups().values()) {
        if (n > 0) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Orders agent versions segment by segment ({@code 1.9.0 < 1.14.5}): numeric segments as numbers,
   * others as text; a missing segment counts as 0 ({@code 1.14} orders as {@code 1.14.0}). Only the
   * orderings use this (agent versions are rare in queries, so splitting is fine).
   */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.", -1);
    String[] y = b.split("\\.", -1);
    for (int k = 0; k < Math.max(x.length, y.length); k++) {
      String p = k < x.length ? x[k] : "0";
      String q = k < y.length ? y[k] : "0";
      int c = isDigits(p) && isDigits(q) ? compareDigits(p, q) : p.compareTo(q);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** Compares two digit strings as numbers of any size. */
  private static int compareDigits(String p, String q) {
    String a = stripZeros(p);
    String b = stripZeros(q);
    return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
  }

  private static String stripZeros(String digits) {
    int k = 0;
    while (k < digits.length() - 1 && digits.charAt(k) == '0') {
      k++;
    }
    return digits.substring(k);
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) < '0' || s.charAt(k) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * Orders attribute values: as numbers when both are numbers ({@code 9 < 10}), otherwise as text.
   */
  static int compareValues(String a, String b) {
    if (looksNumeric(a) && looksNumeric(b)) {
      return new BigDecimal(a).compareTo(new BigDecimal(b));
    }
    return a.compareTo(b);
  }

  static boolean looksNumeric(String s) {
    int n = s.length();
    int k = 0;
    if (k < n && (s.charAt(k) == '-' || s.charAt(k) == '+')) {
      k++;
    }
    int digits = 0;
    boolean dot = false;
    for (; k < n; k++) {
      char c = s.charAt(k);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        return false;
      }
    }
    return digits > 0;
  }
}
