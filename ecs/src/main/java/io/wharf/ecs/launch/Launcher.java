package io.wharf.ecs.launch;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.state.State;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Document;
import io.wharf.model.ResourceArn;
import io.wharf.model.Tag;
import io.wharf.model.Task;
import io.wharf.model.TaskContainer;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskStatus;
import io.wharf.scheduler.Constraint;
import io.wharf.scheduler.Demand;
import io.wharf.scheduler.InstanceView;
import io.wharf.scheduler.Placement;
import io.wharf.scheduler.Result;
import io.wharf.scheduler.Strategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Turns "N tasks of this definition in this cluster" into placed {@link Task} records: what
 * RunTask, StartTask and the service controller share. Placement itself is the scheduler's pure
 * function; this class feeds it the cluster's instances as {@link InstanceView}s and builds the
 * tasks.
 *
 * <p>Threading: safe from any thread. Placement may run on a snapshot outside the state machine;
 * whoever commits the tasks must re-check capacity on the newest state (or place there).
 */
public final class Launcher {
  /**
   * How many instances a random placement looks at in a large cluster, in turn. A uniform sample is
   * ranked instead of every instance, as Kubernetes' scheduler scores a share of the nodes and
   * Nomad limits its candidates: a random choice among a random sample is still a random choice,
   * and it keeps a RunTask's cost from growing with the cluster. 64 instances find room for 10
   * tasks in all but a nearly full cluster; a larger sample follows when they do not (a selective
   * memberOf constraint), then the whole cluster.
   */
  static final int[] RANDOM_SAMPLES = {64, 512};

  private final ResourceArn.Builder arns;
  private final InstanceViews views;
  private final RandomGenerator random;

  /**
   * A cluster's instances, remembered for one version of the instance map (tasks don't change it).
   */
  private record Members(
      Object instanceMap, String clusterArn, List<ContainerInstance> instances) {}

  private volatile Members lastMembers;

  /**
   * @param random shared; must be safe to use from several threads
   */
  public Launcher(ResourceArn.Builder arns, InstanceViews views, RandomGenerator random) {
    this.arns = arns;
    this.views = views;
    this.random = random;
  }

  /** The instance as placement sees it now. */
  public InstanceView view(State state, ContainerInstance i) {
    return views.of(state, i);
  }

  /**
   * What each task asks of an instance: the definition's resources and ports, its {@code
   * requiresAttributes}, and its placement constraints followed by the request's.
   *
   * @param constraints the request's {@code placementConstraints} (JSON array) or null
   * @param strategies the request's {@code placementStrategy} (JSON array) or null
   */
  public static Demand demand(
      TaskShape shape,
      JsonNode definition,
      String group,
      JsonNode constraints,
      JsonNode strategies) {
    List<String> required = new ArrayList<>();
    for (JsonNode a : definition.path("requiresAttributes")) {
      required.add(a.path("name").asText());
    }
    List<Constraint> allConstraints = new ArrayList<>();
    for (JsonNode source : new JsonNode[] {definition.path("placementConstraints"), constraints}) {
      if (source == null) {
        continue;
      }
      for (JsonNode c : source) {
        allConstraints.add(new Constraint(text(c, "type"), text(c, "expression")));
      }
    }
    List<Strategy> allStrategies = new ArrayList<>();
    if (strategies != null) {
      for (JsonNode s : strategies) {
        allStrategies.add(new Strategy(text(s, "type"), text(s, "field")));
      }
    }
    return new Demand(
        shape.cpu(), shape.memory(), shape.ports(), group, required, allConstraints, allStrategies);
  }

  /**
   * As {@link #demand(TaskShape, JsonNode, String, JsonNode, JsonNode)}, for a typed request's
   * placement constraints and strategies, built (and so checked) by the caller.
   *
   * @param constraints the request's placement constraints, or null for none
   * @param strategies the request's placement strategies, or null for none
   */
  public static Demand demand(
      TaskShape shape,
      JsonNode definition,
      String group,
      List<Constraint> constraints,
      List<Strategy> strategies) {
    List<String> required = new ArrayList<>();
    for (JsonNode a : definition.path("requiresAttributes")) {
      required.add(a.path("name").asText());
    }
    List<Constraint> allConstraints = new ArrayList<>();
    for (JsonNode c : definition.path("placementConstraints")) {
      allConstraints.add(new Constraint(text(c, "type"), text(c, "expression")));
    }
    if (constraints != null) {
      allConstraints.addAll(constraints);
    }
    return new Demand(
        shape.cpu(),
        shape.memory(),
        shape.ports(),
        group,
        required,
        allConstraints,
        strategies == null ? List.of() : strategies);
  }

  private static String text(JsonNode node, String member) {
    JsonNode v = node.get(member);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The cluster's instances that are not deregistered, in ARN order. */
  public List<ContainerInstance> members(State state, Cluster cluster) {
    Members cached = lastMembers;
    if (cached != null
        && cached.instanceMap() == state.containerInstances()
        && cached.clusterArn().equals(cluster.arn())) {
      return cached.instances();
    }
    List<ContainerInstance> out = new ArrayList<>();
    for (ContainerInstance i : state.containerInstances().values()) {
      if (i.clusterArn().equals(cluster.arn()) && !i.status().isTerminal()) {
        out.add(i);
      }
    }
    List<ContainerInstance> instances = List.copyOf(out);
    lastMembers = new Members(state.containerInstances(), cluster.arn(), instances);
    return instances;
  }

  /**
   * Places tasks in a cluster. With only the random strategy (RunTask's default) and a large
   * cluster, random samples are tried first; whenever a sample cannot take every task (capacity,
   * constraints), the next is tried, and last the whole cluster is ranked, so sampling never fails
   * a task that fits somewhere.
   *
   * @throws io.wharf.scheduler.PlacementException when a constraint or strategy is invalid
   */
  public Result placeInCluster(
      State state, Cluster cluster, Demand demand, int count, RandomGenerator callRandom) {
    List<ContainerInstance> members = members(state, cluster);
    boolean onlyRandom =
        demand.strategies().stream().allMatch(s -> s.type().equals(Strategy.RANDOM));
    for (int size : RANDOM_SAMPLES) {
      if (!onlyRandom || members.size() <= size) {
        break;
      }
      List<InstanceView> sample = new ArrayList<>(size);
      // Distinct uniform draws, marked in a bit set (a stream's distinct() boxes every draw).
      java.util.BitSet drawn = new java.util.BitSet(members.size());
      while (sample.size() < size) {
        int i = callRandom.nextInt(members.size());
        if (!drawn.get(i)) {
          drawn.set(i);
          sample.add(view(state, members.get(i)));
        }
      }
      Result sampled = Placement.place(demand, count, sample, callRandom);
      if (sampled.failures().isEmpty()) {
        return sampled;
      }
    }
    List<InstanceView> all = new ArrayList<>(members.size());
    members.forEach(i -> all.add(view(state, i)));
    return Placement.place(demand, count, all, callRandom);
  }

  /** One task on one given instance, checked against that instance alone. */
  public Result placeOn(State state, ContainerInstance instance, Demand demand) {
    return Placement.place(demand, 1, List.of(view(state, instance)), random);
  }

  /** A generator of this call's own, seeded by one draw from the shared one. */
  public RandomGenerator callRandom() {
    // Placement draws once per tied instance, thousands of times a call, and must not contend on a
    // lock for each.
    return new java.util.SplittableRandom(random.nextLong());
  }

  /** What a new task is made of besides its definition, instance and shape. */
  public record Origin(
      String group, String startedBy, Document overrides, List<Tag> tags, String clientToken) {}

  /** A new PENDING task, desired RUNNING, on {@code instanceArn}. */
  public Task newTask(
      Cluster cluster,
      TaskDefinition definition,
      String instanceArn,
      TaskShape shape,
      Origin origin,
      Instant now,
      long revision) {
    String id = HexFormat.of().formatHex(randomBytes(16));
    String arn = arns.task(cluster.name(), id);
    List<TaskContainer> containers = new ArrayList<>();
    for (TaskShape.Container c : shape.containers()) {
      String containerArn = arns.container(cluster.name(), id, uuid());
      containers.add(
          new TaskContainer(
              containerArn,
              c.name(),
              c.image(),
              "PENDING",
              null,
              null,
              null,
              List.of(),
              "UNKNOWN",
              c.essential()));
    }
    String group = origin.group() != null ? origin.group() : "family:" + definition.family();
    return new Task(
        arn,
        cluster.arn(),
        definition.arn(),
        instanceArn,
        group,
        origin.startedBy(),
        "EC2",
        TaskStatus.PENDING,
        "RUNNING",
        shape.taskCpu(),
        shape.taskMemory(),
        containers,
        origin.overrides(),
        origin.tags(),
        now,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "UNKNOWN",
        1,
        shape.cpu(),
        shape.memory(),
        shape.ports(),
        origin.clientToken(),
        revision);
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  /** A random UUID-shaped id. */
  public String uuid() {
    String hex = HexFormat.of().formatHex(randomBytes(16));
    return hex.substring(0, 8)
        + "-"
        + hex.substring(8, 12)
        + "-"
        + hex.substring(12, 16)
        + "-"
        + hex.substring(16, 20)
        + "-"
        + hex.substring(20);
  }
}
