package io.wharf.scheduler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * ECS's placement engine as a pure function: which instances the tasks of one request go to, or why
 * they cannot go anywhere. No I/O, no clock, no shared state; randomness only from the generator
 * given, so a seed replays a decision. The state machine re-checks capacity when it commits the
 * placements, so concurrent callers can never oversubscribe an instance.
 *
 * <pre>
 *  for each task, every instance:
 *   filter ──────────────────────▶ resources ───────────▶ rank ──────────────▶ choose
 *   ACTIVE? agent connected?        cpu, memory, fixed     strategies in order   ties: the random
 *   required attributes? each       host ports (earlier    (binpack, spread;     generator, one
 *   constraint, in the order given  tasks of the call      random ends the       uniform pick
 *   (memberOf, distinctInstance)    count)                 ranking)
 *  no instance left ─▶ Failure: the instance that got furthest down the line, and where it stopped
 * </pre>
 *
 * <p>Each placed task uses up its CPU, memory and ports on its instance and counts in its group
 * there, so later tasks of the same call see it (distinctInstance and spread work within one call).
 *
 * <p>Cost: O(instances × strategies) per task, with the instance's filter outcome cached and
 * recomputed only for the instance that just received a task; memberOf expressions are parsed once
 * per call. No allocation per instance per task.
 */
public final class Placement {
  /** ECS's limit on constraints, the task definition's and the request's together. */
  public static final int MAX_CONSTRAINTS = 10;

  /** ECS's limit on strategies. */
  public static final int MAX_STRATEGIES = 5;

  private Placement() {}

  /**
   * Places {@code count} tasks of {@code demand} on {@code instances}.
   *
   * @param count how many tasks (0 gives an empty result)
   * @param instances the cluster's container instances, any status (only ACTIVE ones take tasks);
   *     their order matters only to make a seed reproducible
   * @param random breaks the ties the strategies leave (and is the whole of the random strategy)
   * @return one instance ARN per placed task, in order, and one failure per task that found no
   *     instance; once a task finds none, neither does any later one
   * @throws PlacementException when the constraints or strategies are invalid (see {@link
   *     #validate}); nothing is placed then
   */
  public static Result place(
      Demand demand, int count, List<InstanceView> instances, RandomGenerator random) {
    Objects.requireNonNull(demand, "demand");
    Objects.requireNonNull(instances, "instances");
    Objects.requireNonNull(random, "random");
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    Rules rules = Rules.compile(demand.constraints(), demand.strategies());
    return new Run(demand, rules, instances, random).place(count);
  }

  /**
   * Checks constraints and strategies before anything is placed: at most {@value #MAX_CONSTRAINTS}
   * constraints and {@value #MAX_STRATEGIES} strategies, and every memberOf expression parses.
   * (Types and fields are checked when the records are built.)
   *
   * @throws PlacementException (a {@link QuerySyntaxException} for an expression) with a message
   *     for the API caller
   */
  public static void validate(List<Constraint> constraints, List<Strategy> strategies) {
    Rules.compile(constraints, strategies);
  }

  /** Constraints and strategies checked and made ready to evaluate: expressions parsed once. */
  private record Rules(
      List<Constraint> constraints, ClusterQuery[] queries, List<Strategy> ranked) {
    static Rules compile(List<Constraint> constraints, List<Strategy> strategies) {
      Objects.requireNonNull(constraints, "constraints");
      Objects.requireNonNull(strategies, "strategies");
      if (constraints.size() > MAX_CONSTRAINTS) {
        throw new PlacementException(
            "Too many placement constraints: "
                + constraints.size()
                + " given (task definition and request together), at most "
                + MAX_CONSTRAINTS
                + " allowed.");
      }
      if (strategies.size() > MAX_STRATEGIES) {
        throw new PlacementException(
            "Too many placement strategies: "
                + strategies.size()
                + " given, at most "
                + MAX_STRATEGIES
                + " allowed.");
      }
      ClusterQuery[] queries = new ClusterQuery[constraints.size()];
      for (int j = 0; j < queries.length; j++) {
        Constraint c = Objects.requireNonNull(constraints.get(j), "constraint");
        if (Constraint.MEMBER_OF.equals(c.type())) {
          queries[j] = ClusterQuery.parse(c.expression());
        }
      }
      // Random orders everything: strategies after it have no ties left to break, and without
      // any strategy ECS's RunTask places at random. Both end in the random tie-break.
      List<Strategy> ranked = new ArrayList<>();
      for (Strategy s : strategies) {
        if (Objects.requireNonNull(s, "strategy").type().equals(Strategy.RANDOM)) {
          break;
        }
        ranked.add(s);
      }
      return new Rules(List.copyOf(constraints), queries, ranked);
    }
  }

  /** How a strategy ranks an instance: a number, lower is better. */
  private enum Key {
    REMAINING_CPU,
    REMAINING_MEMORY,
    TASKS_ON_INSTANCE,
    TASKS_WITH_ATTRIBUTE_VALUE
  }

  /**
   * The working state of one call: what each instance has left, how many tasks this call put on it,
   * and how far it gets down the pipeline. Arrays indexed like {@code instances}.
   */
  private static final class Run {
    // Stages of the pipeline in order; an instance's stage is the first check it fails (or FITS).
    // The number doubles as "how far it got", which picks the closest instance for a failure.
    private static final int INACTIVE = 0; // not ACTIVE: never a candidate, never "closest"
    private static final int AGENT = 1;
    private static final int ATTRIBUTE = 2;
    private static final int FIRST_CONSTRAINT = 3;

    private final Demand demand;
    private final Rules rules;
    private final List<InstanceView> instances;
    private final RandomGenerator random;
    private final int cpuStage;
    private final int memoryStage;
    private final int portsStage;
    private final int fits;

    private final long[] cpu;
    private final long[] memory;
    private final int[] groupTasks; // tasks of the demand's group, existing + placed in this call
    private final int[] placedHere; // tasks placed in this call
    private final int[] stage;

    private final Key[] keys;
    // For each spread(attribute:...) strategy: each instance's value as a bucket number, and the
    // tasks of the group per bucket over the ACTIVE instances. Null for other strategies.
    private final int[][] bucketOf;
    private final int[][] bucketTasks;

    Run(Demand demand, Rules rules, List<InstanceView> instances, RandomGenerator random) {
      this.demand = demand;
      this.rules = rules;
      this.instances = instances;
      this.random = random;
      int n = instances.size();
      cpuStage = FIRST_CONSTRAINT + rules.constraints().size();
      memoryStage = cpuStage + 1;
      portsStage = cpuStage + 2;
      fits = cpuStage + 3;
      cpu = new long[n];
      memory = new long[n];
      groupTasks = new int[n];
      placedHere = new int[n];
      stage = new int[n];
      for (int i = 0; i < n; i++) {
        InstanceView instance = instances.get(i);
        cpu[i] = instance.remainingCpu();
        memory[i] = instance.remainingMemory();
        groupTasks[i] = instance.tasksOfGroup(demand.group());
        stage[i] = evaluate(i);
      }
      List<Strategy> ranked = rules.ranked();
      keys = new Key[ranked.size()];
      bucketOf = new int[ranked.size()][];
      bucketTasks = new int[ranked.size()][];
      for (int s = 0; s < keys.length; s++) {
        Strategy strategy = ranked.get(s);
        String field = strategy.field();
        if (strategy.type().equals(Strategy.BINPACK)) {
          keys[s] = field.equals("cpu") ? Key.REMAINING_CPU : Key.REMAINING_MEMORY;
        } else if (field.startsWith(Strategy.ATTRIBUTE_PREFIX)) {
          keys[s] = Key.TASKS_WITH_ATTRIBUTE_VALUE;
          buckets(s, field.substring(Strategy.ATTRIBUTE_PREFIX.length()));
        } else {
          keys[s] = Key.TASKS_ON_INSTANCE; // instanceId or host
        }
      }
    }

    /**
     * Numbers the attribute's values and counts the group's tasks per value. Instances without the
     * attribute share bucket 0: they take tasks like any value would, neither favoured nor starved.
     * Only ACTIVE instances count: tasks on a DRAINING instance are on their way out.
     */
    private void buckets(int s, String attribute) {
      int n = instances.size();
      Map<String, Integer> numbers = new HashMap<>();
      int[] of = new int[n];
      int[] tasks = new int[n + 1];
      for (int i = 0; i < n; i++) {
        Map<String, String> attributes = instances.get(i).attributes();
        String value = attributes.get(attribute);
        if (value == null && attributes.containsKey(attribute)) {
          value = ""; // a valueless attribute is one value of its own
        }
        if (value != null) {
          Integer known = numbers.putIfAbsent(value, numbers.size() + 1);
          of[i] = known == null ? numbers.size() : known;
        }
        if (stage[i] != INACTIVE) {
          tasks[of[i]] += groupTasks[i];
        }
      }
      bucketOf[s] = of;
      bucketTasks[s] = tasks;
    }

    Result place(int count) {
      List<String> placements = new ArrayList<>(count);
      for (int t = 0; t < count; t++) {
        int chosen = choose();
        if (chosen < 0) {
          Failure failure = closest();
          return new Result(placements, Collections.nCopies(count - t, failure));
        }
        commit(chosen);
        placements.add(instances.get(chosen).arn());
      }
      return new Result(placements, List.of());
    }

    /**
     * The best instance that fits, by the strategies in order; among equals, one chosen uniformly
     * by the generator in a single pass (reservoir sampling), or -1 when none fits.
     */
    private int choose() {
      int best = -1;
      int ties = 0;
      for (int i = 0; i < stage.length; i++) {
        if (stage[i] != fits) {
          continue;
        }
        int c = best < 0 ? -1 : compare(i, best);
        if (c < 0) {
          best = i;
          ties = 1;
        } else if (c == 0 && random.nextInt(++ties) == 0) {
          best = i;
        }
      }
      return best;
    }

    /** Orders two instances by the strategies, the first deciding unless it ties. */
    private int compare(int a, int b) {
      for (int s = 0; s < keys.length; s++) {
        int c = Long.compare(key(s, a), key(s, b));
        if (c != 0) {
          return c;
        }
      }
      return 0;
    }

    private long key(int s, int i) {
      return switch (keys[s]) {
        // binpack: least left first (what is left after placing orders the same way)
        case REMAINING_CPU -> cpu[i];
        case REMAINING_MEMORY -> memory[i];
        // spread: fewest tasks of the group first
        case TASKS_ON_INSTANCE -> groupTasks[i];
        case TASKS_WITH_ATTRIBUTE_VALUE -> bucketTasks[s][bucketOf[s][i]];
      };
    }

    private void commit(int i) {
      cpu[i] -= demand.cpu();
      memory[i] -= demand.memory();
      groupTasks[i]++;
      placedHere[i]++;
      for (int s = 0; s < keys.length; s++) {
        if (keys[s] == Key.TASKS_WITH_ATTRIBUTE_VALUE) {
          bucketTasks[s][bucketOf[s][i]]++;
        }
      }
      // Only this instance changed: its resources, ports, and what task:group sees on it.
      stage[i] = evaluate(i);
    }

    /** The first pipeline check instance {@code i} fails, or {@code fits}. */
    private int evaluate(int i) {
      InstanceView instance = instances.get(i);
      if (!instance.isActive()) {
        return INACTIVE;
      }
      if (!instance.agentConnected()) {
        return AGENT;
      }
      List<String> required = demand.requiredAttributes();
      for (int k = 0; k < required.size(); k++) {
        if (!instance.attributes().containsKey(required.get(k))) {
          return ATTRIBUTE;
        }
      }
      ClusterQuery[] queries = rules.queries();
      for (int j = 0; j < queries.length; j++) {
        boolean satisfied =
            queries[j] == null
                ? groupTasks[i] == 0 // distinctInstance
                : queries[j].matches(instance, demand.group(), placedHere[i]);
        if (!satisfied) {
          return FIRST_CONSTRAINT + j;
        }
      }
      if (cpu[i] < demand.cpu()) {
        return cpuStage;
      }
      if (memory[i] < demand.memory()) {
        return memoryStage;
      }
      List<String> ports = demand.fixedPorts();
      if (!ports.isEmpty()) {
        // Every task of the call wants the same ports: a second one here always collides.
        if (placedHere[i] > 0) {
          return portsStage;
        }
        for (int k = 0; k < ports.size(); k++) {
          if (instance.usedPorts().contains(ports.get(k))) {
            return portsStage;
          }
        }
      }
      return fits;
    }

    /**
     * The failure to report: the ACTIVE instance that got furthest down the pipeline, ties going to
     * the one with the most memory left (then the first given), with the check it failed.
     */
    private Failure closest() {
      int best = -1;
      for (int i = 0; i < stage.length; i++) {
        if (stage[i] == INACTIVE) {
          continue;
        }
        if (best < 0
            || stage[i] > stage[best]
            || (stage[i] == stage[best] && memory[i] > memory[best])) {
          best = i;
        }
      }
      if (best < 0) {
        return new Failure(null, Failure.NO_CONTAINER_INSTANCES);
      }
      return new Failure(instances.get(best).arn(), reason(stage[best]));
    }

    private String reason(int failed) {
      if (failed == AGENT) {
        return Failure.AGENT;
      }
      if (failed == ATTRIBUTE) {
        return Failure.ATTRIBUTE;
      }
      if (failed == cpuStage) {
        return Failure.RESOURCE_CPU;
      }
      if (failed == memoryStage) {
        return Failure.RESOURCE_MEMORY;
      }
      if (failed == portsStage) {
        return Failure.RESOURCE_PORTS;
      }
      return rules.queries()[failed - FIRST_CONSTRAINT] == null
          ? Failure.DISTINCT_INSTANCE
          : Failure.MEMBER_OF;
    }
  }
}
