package io.wharf.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.controlplane.ControlPlane;
import io.wharf.core.auth.AdminCredentials;
import io.wharf.core.state.InstanceUsage;
import io.wharf.core.state.State;
import io.wharf.ecs.service.ServiceController;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Resource;
import io.wharf.model.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The simulation harness: the real control plane (ECS API, state machine, SQLite store, scheduler,
 * agent gateway) with N simulated container instances in one JVM, no Docker, virtual time, and a
 * seed that makes a run reproducible.
 *
 * <pre>
 *  test ──call(op, body)──▶ EcsApi ──▶ StateMachine ──▶ store
 *                                │ manifests (AgentGateway)
 *                                ▼
 *  advance(dt): clock += dt; every SimulatedAgent: heartbeat, act on its manifest, finish due starts
 *               ──SubmitTaskStateChange──▶ EcsApi
 * </pre>
 *
 * <p>Faults: {@link #silence} stops an agent's heartbeats (its instance goes agentConnected=false
 * after the disconnect time), {@link #disconnect} closes its channel, and {@link Options} makes
 * starts slow ({@code startDelay}) or fail ({@code startFailureRate}).
 *
 * <p>Threading: one driver thread calls everything; the control plane's own threads are real.
 */
public final class Simulation implements AutoCloseable {
  public static final String CLUSTER = "sim";
  private static final String KEY = "AKIASIMULATION000001";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param zones instances are spread round-robin over this many availability zones
   * @param startDelay how long (virtual) a task takes to start, plus up to as much again of jitter
   * @param startFailureRate the chance that a start fails
   */
  public record Options(
      int instances,
      long seed,
      long cpu,
      long memory,
      int zones,
      Duration disconnectAfter,
      Duration startDelay,
      double startFailureRate,
      Duration healthyAfter,
      Duration lostAfter) {
    public static Options of(int instances, long seed) {
      return new Options(
          instances,
          seed,
          4096,
          8192,
          3,
          Duration.ofSeconds(20),
          Duration.ofSeconds(1),
          0,
          Duration.ofSeconds(40),
          Duration.ofSeconds(60));
    }

    public Options withStartFailureRate(double rate) {
      return new Options(
          instances,
          seed,
          cpu,
          memory,
          zones,
          disconnectAfter,
          startDelay,
          rate,
          healthyAfter,
          lostAfter);
    }

    public Options withResources(long newCpu, long newMemory) {
      return new Options(
          instances,
          seed,
          newCpu,
          newMemory,
          zones,
          disconnectAfter,
          startDelay,
          startFailureRate,
          healthyAfter,
          lostAfter);
    }

    public Options withStartDelay(Duration delay) {
      return new Options(
          instances,
          seed,
          cpu,
          memory,
          zones,
          disconnectAfter,
          delay,
          startFailureRate,
          healthyAfter,
          lostAfter);
    }
  }

  private final Options options;
  private final Path dataDir;
  private final ManualClock clock;
  private ControlPlane plane;
  private final Map<String, SimulatedAgent> agents = new TreeMap<>();
  private int starts;
  private final java.util.Set<String> failingImages = new java.util.HashSet<>();
  private final String principal;

  private Simulation(Options options, Path dataDir, ManualClock clock, ControlPlane plane) {
    this.options = options;
    this.dataDir = dataDir;
    this.clock = clock;
    this.plane = plane;
    this.principal = "arn:aws:iam::123456789012:root";
  }

  /** Starts the control plane, creates the cluster and registers and connects every instance. */
  public static Simulation start(Options options) throws Exception {
    Path dir = Files.createTempDirectory("wharf-sim");
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    Simulation sim = new Simulation(options, dir, clock, startPlane(options, dir, clock, 0));
    sim.call("CreateCluster", JSON.createObjectNode().put("clusterName", CLUSTER));
    for (int i = 0; i < options.instances(); i++) {
      sim.addInstance(i);
    }
    return sim;
  }

  /**
   * Starts a control plane. Each start of a run draws from its own seed: a restarted control plane
   * that replayed its predecessor's random sequence would mint the same task and deployment ids
   * again.
   */
  private static ControlPlane startPlane(Options options, Path dir, ManualClock clock, int start)
      throws Exception {
    return ControlPlane.start(
        new ControlPlane.Config(
            "127.0.0.1",
            0,
            dir,
            "us-east-1",
            "123456789012",
            Duration.ofMinutes(15),
            options.disconnectAfter(),
            new AdminCredentials(KEY, "simulation-secret", "simulation"),
            clock,
            seeded(options.seed() * 31 + start),
            // Nobody ticks in the simulation: advance() runs the controller at each step.
            new ServiceController.Settings(null, options.healthyAfter(), options.lostAfter())));
  }

  /**
   * Stops the control plane and starts a new one on the same data directory (a control-plane
   * restart: state reloaded from the store); every agent reconnects. Returns how long the new
   * control plane took to load and start serving.
   */
  public Duration restartControlPlane() throws Exception {
    // Closing the old control plane closes every channel; remember who was connected before it.
    List<SimulatedAgent> wereConnected = agents.values().stream().filter(a -> a.connected).toList();
    plane.close();
    long start = System.nanoTime();
    plane = startPlane(options, dataDir, clock, ++starts);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    for (SimulatedAgent agent : wereConnected) {
      agent.connected = true;
      plane.gateway().opened(agent.instanceArn, agent);
    }
    return took;
  }

  private static RandomGenerator seeded(long seed) {
    return java.util.random.RandomGeneratorFactory.<RandomGenerator>of("L64X128MixRandom")
        .create(seed);
  }

  /** Registers instance number {@code i} and connects its simulated agent. */
  public String addInstance(int i) {
    ObjectNode body = JSON.createObjectNode();
    body.put("cluster", CLUSTER);
    body.put(
        "instanceIdentityDocument", "{\"instanceId\":\"i-sim" + String.format("%012d", i) + "\"}");
    ArrayNode resources = body.putArray("totalResources");
    resources
        .addObject()
        .put("name", "CPU")
        .put("type", "INTEGER")
        .put("integerValue", options.cpu());
    resources
        .addObject()
        .put("name", "MEMORY")
        .put("type", "INTEGER")
        .put("integerValue", options.memory());
    resources
        .addObject()
        .put("name", "PORTS")
        .put("type", "STRINGSET")
        .putArray("stringSetValue")
        .add("22");
    ArrayNode attributes = body.putArray("attributes");
    attributes
        .addObject()
        .put("name", "ecs.availability-zone")
        .put("value", "us-east-1" + (char) ('a' + i % options.zones()));
    attributes
        .addObject()
        .put("name", "ecs.instance-type")
        .put("value", i % 2 == 0 ? "sim.large" : "sim.xlarge");
    attributes.addObject().put("name", "ecs.os-type").put("value", "linux");
    String arn =
        call("RegisterContainerInstance", body)
            .path("containerInstance")
            .path("containerInstanceArn")
            .asText();
    SimulatedAgent agent = new SimulatedAgent(arn, this, options.seed() * 1_000_003L + i);
    agents.put(arn, agent);
    agent.connected = true;
    plane.gateway().opened(arn, agent);
    return arn;
  }

  /** Calls an ECS operation as the admin; ECS errors come out as WharfException. */
  public JsonNode call(String operation, ObjectNode body) {
    return plane.api().invoke(operation, KEY, principal, body);
  }

  /** Moves virtual time forward in steps of at most one second, letting every agent act at each. */
  public void advance(Duration total) {
    Duration left = total;
    while (!left.isNegative() && !left.isZero()) {
      Duration step = left.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : left;
      clock.advance(step);
      left = left.minus(step);
      for (SimulatedAgent agent : agents.values()) {
        agent.step(clock.instant());
      }
      flushReports();
      plane.services().reconcileAll();
    }
  }

  /** Every task some simulated agent runs now, with the instance that runs it. */
  public Map<String, String> runningOnAgents() {
    Map<String, String> out = new TreeMap<>();
    for (SimulatedAgent agent : agents.values()) {
      if (!agent.connected) {
        continue;
      }
      for (String task : agent.running()) {
        String earlier = out.put(task, agent.instanceArn);
        if (earlier != null) {
          throw new IllegalStateException(task + " runs on two agents");
        }
      }
    }
    return out;
  }

  /**
   * A report an agent makes at this step. Reports are sent once every agent has stepped, all at
   * once, as thousands of real agents would send them: concurrently, so the state machine commits
   * them in groups. Which reports a step makes follows from the seed; the order in which concurrent
   * reports commit does not (they concern different tasks, so the state they lead to is the same).
   */
  void report(String operation, ObjectNode body) {
    reports.add(new Report(operation, body));
  }

  private record Report(String operation, ObjectNode body) {}

  private final List<Report> reports = new ArrayList<>();

  /** Reports at once, at most this many in flight: a large group commit, a bounded queue. */
  private static final int REPORTS_IN_FLIGHT = 256;

  private void flushReports() {
    if (reports.isEmpty()) {
      return;
    }
    List<Report> batch = List.copyOf(reports);
    reports.clear();
    if (batch.size() == 1) {
      call(batch.getFirst().operation(), batch.getFirst().body());
      return;
    }
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(REPORTS_IN_FLIGHT);
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (Report r : batch) {
        slots.acquireUninterruptibly();
        done.add(
            pool.submit(
                () -> {
                  try {
                    call(r.operation(), r.body());
                  } finally {
                    slots.release();
                  }
                }));
      }
      for (var f : done) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("An agent's report failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Tasks whose containers use this image fail to start on every simulated agent. */
  public void failImage(String image) {
    failingImages.add(image);
  }

  boolean imageFails(String image) {
    return failingImages.contains(image);
  }

  /**
   * The task's containers exit on their own (a crash behind the control plane's back): its agent
   * reports it STOPPED at the next step.
   */
  public void crash(String taskArn) {
    for (SimulatedAgent agent : agents.values()) {
      agent.crash(taskArn);
    }
  }

  /** The task's essential containers report this health status at the next step. */
  public void health(String taskArn, String status) {
    for (SimulatedAgent agent : agents.values()) {
      agent.health(taskArn, status);
    }
  }

  /** The agent stops heartbeating but keeps its channel open (a hung agent). */
  public void silence(String instanceArn, boolean silent) {
    agents.get(instanceArn).silent = silent;
  }

  /** Closes the agent's channel (a dead agent or a partition). */
  public void disconnect(String instanceArn) {
    SimulatedAgent agent = agents.get(instanceArn);
    plane.gateway().closed(instanceArn, agent);
    agent.connected = false;
  }

  /** Opens the agent's channel again; it gets its manifest at once. */
  public void reconnect(String instanceArn) {
    SimulatedAgent agent = agents.get(instanceArn);
    agent.connected = true;
    plane.gateway().opened(instanceArn, agent);
  }

  public List<String> instanceArns() {
    return new ArrayList<>(agents.keySet());
  }

  public State state() {
    return plane.states().current();
  }

  public ControlPlane plane() {
    return plane;
  }

  public Options options() {
    return options;
  }

  public ManualClock clock() {
    return clock;
  }

  /**
   * Checks the invariants every step must keep; returns what is violated (empty when all hold). No
   * instance holds more CPU or memory than it registered.
   */
  public List<String> violations() {
    State state = state();
    List<String> out = new ArrayList<>();
    for (ContainerInstance i : state.containerInstances().values()) {
      InstanceUsage used = state.usageOf(i.arn());
      long cpu = 0;
      long memory = 0;
      for (Resource r : i.registeredResources()) {
        if (r.name().equals("CPU")) {
          cpu = r.integerValue();
        } else if (r.name().equals("MEMORY")) {
          memory = r.integerValue();
        }
      }
      if (used.cpu() > cpu) {
        out.add(i.arn() + " holds " + used.cpu() + " CPU of " + cpu);
      }
      if (used.memory() > memory) {
        out.add(i.arn() + " holds " + used.memory() + " MiB of " + memory);
      }
      int ports = 0;
      for (String arn : used.tasks()) {
        Task t = state.tasks().get(arn);
        ports += t == null ? 0 : t.reservedPorts().size();
      }
      if (ports != used.ports().size()) {
        out.add(i.arn() + " has a host port held twice");
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    plane.close();
    try (Stream<Path> paths = Files.walk(dataDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a temp dir.
    }
  }
}
