package io.wharf.scheduler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where tasks go: a pure function from a demand and the candidate instances to placements and
 * reasons. No I/O, no clock, no shared state; the state machine re-checks capacity when it commits
 * the placements, so concurrent callers can never oversubscribe an instance.
 *
 * <pre>
 *  demand × count, candidates ─▶ for each task: first candidate that fits ─▶ placements
 *                                 (cpu, memory, ports; capacity used up      + failures
 *                                  by earlier tasks of the same call)          (RESOURCE:*)
 * </pre>
 *
 * <p>This is first fit, in candidate order. The placement engine (constraints, strategies) replaces
 * it.
 */
public final class Placement {
  private Placement() {}

  /**
   * What one task needs.
   *
   * @param ports fixed host ports as {@code protocol:port}, e.g. {@code tcp:80}
   */
  public record Demand(long cpu, long memory, List<String> ports) {
    public Demand {
      ports = List.copyOf(ports);
    }
  }

  /**
   * An instance that may take tasks, with what it has left.
   *
   * @param usedPorts host ports taken (by tasks or reserved), as {@code protocol:port}
   */
  public record Candidate(
      String instanceArn, long remainingCpu, long remainingMemory, Set<String> usedPorts) {
    public Candidate {
      Objects.requireNonNull(instanceArn, "instanceArn");
      usedPorts = Set.copyOf(usedPorts);
    }
  }

  /** Why a task could not go to an instance, as ECS reports it in {@code failures[]}. */
  public record Failure(String arn, String reason) {}

  /**
   * The outcome.
   *
   * @param placements the instance ARN of each placed task, in order; fewer than asked when
   *     capacity ran out
   * @param failures when not every task was placed: for each candidate, the first resource it
   *     lacked
   */
  public record Result(List<String> placements, List<Failure> failures) {}

  public static Result place(Demand demand, int count, List<Candidate> candidates) {
    // Working copies: capacity taken by earlier tasks of this call counts against later ones.
    Map<String, long[]> left = new LinkedHashMap<>();
    Map<String, Set<String>> ports = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      left.put(c.instanceArn(), new long[] {c.remainingCpu(), c.remainingMemory()});
      ports.put(c.instanceArn(), new HashSet<>(c.usedPorts()));
    }
    List<String> placements = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String chosen = null;
      for (Map.Entry<String, long[]> e : left.entrySet()) {
        if (reason(demand, e.getValue(), ports.get(e.getKey())) == null) {
          chosen = e.getKey();
          break;
        }
      }
      if (chosen == null) {
        break;
      }
      long[] remaining = left.get(chosen);
      remaining[0] -= demand.cpu();
      remaining[1] -= demand.memory();
      ports.get(chosen).addAll(demand.ports());
      placements.add(chosen);
    }
    List<Failure> failures = new ArrayList<>();
    if (placements.size() < count) {
      for (Map.Entry<String, long[]> e : left.entrySet()) {
        String why = reason(demand, e.getValue(), ports.get(e.getKey()));
        if (why != null) {
          failures.add(new Failure(e.getKey(), why));
        }
      }
    }
    return new Result(placements, failures);
  }

  /** The first resource an instance lacks for the demand, or null when it fits. */
  private static String reason(Demand demand, long[] remaining, Set<String> usedPorts) {
    if (demand.cpu() > remaining[0]) {
      return "RESOURCE:CPU";
    }
    if (demand.memory() > remaining[1]) {
      return "RESOURCE:MEMORY";
    }
    for (String port : demand.ports()) {
      if (usedPorts.contains(port)) {
        return "RESOURCE:PORTS";
      }
    }
    return null;
  }
}
