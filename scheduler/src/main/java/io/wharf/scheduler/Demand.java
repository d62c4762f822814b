package io.wharf.scheduler;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What each task of one RunTask (or one service step) asks of an instance.
 *
 * @param cpu CPU units per task (task-level {@code cpu}, else the containers' sum)
 * @param memory MiB per task (task-level {@code memory}, else the containers' reservations)
 * @param fixedPorts fixed host ports per task as {@code tcp:80} or {@code udp:53}; dynamic ports
 *     are not listed (they never block placement)
 * @param group the task group, such as {@code family:web} or {@code service:web}: what
 *     distinctInstance and spread count
 * @param requiredAttributes attribute names every instance must have ({@code requiresAttributes})
 * @param constraints the task definition's and the request's constraints together (at most 10,
 *     checked by {@link Placement#validate})
 * @param strategies in order, first primary (at most 5); empty means ECS's RunTask default, random
 */
public record Demand(
    long cpu,
    long memory,
    List<String> fixedPorts,
    String group,
    List<String> requiredAttributes,
    List<Constraint> constraints,
    List<Strategy> strategies) {

  private static final Pattern PORT = Pattern.compile("(tcp|udp):([1-9][0-9]{0,4})");

  public Demand {
    if (cpu < 0 || memory < 0) {
      throw new IllegalArgumentException("cpu and memory must not be negative");
    }
    fixedPorts = List.copyOf(fixedPorts);
    for (String port : fixedPorts) {
      var m = PORT.matcher(port);
      if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
        throw new IllegalArgumentException("fixed port must look like tcp:80 or udp:53: " + port);
      }
    }
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("group is required");
    }
    requiredAttributes = List.copyOf(requiredAttributes);
    constraints = List.copyOf(constraints);
    strategies = List.copyOf(strategies);
  }

  /** A demand without ports, attributes, constraints or strategies, for the common simple case. */
  public static Demand of(long cpu, long memory, String group) {
    return new Demand(cpu, memory, List.of(), group, List.of(), List.of(), List.of());
  }

  public Demand withFixedPorts(List<String> ports) {
    return new Demand(cpu, memory, ports, group, requiredAttributes, constraints, strategies);
  }

  public Demand withRequiredAttributes(List<String> names) {
    return new Demand(cpu, memory, fixedPorts, group, names, constraints, strategies);
  }

  public Demand withConstraints(List<Constraint> newConstraints) {
    return new Demand(
        cpu, memory, fixedPorts, group, requiredAttributes, newConstraints, strategies);
  }

  public Demand withStrategies(List<Strategy> newStrategies) {
    return new Demand(
        cpu, memory, fixedPorts, group, requiredAttributes, constraints, newStrategies);
  }
}
