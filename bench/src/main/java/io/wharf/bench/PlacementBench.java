package io.wharf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.bench.ClosedLoop.Figures;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import io.wharf.simulation.Simulation;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Placement at scale: how fast RunTask places tasks, durably, on clusters of 1,000 to 10,000
 * container instances filled to 100,000 tasks; how much memory the control plane holds with that
 * state, and how long it takes to reload it.
 *
 * <pre>
 *  warm-up: a throwaway cluster filled once (JIT), not recorded
 *  for each size N (1,000 / 5,000 / 10,000):
 *    Simulation.start(N)    the real control plane (HTTP, SigV4, state machine, SQLite, agent
 *                           gateway) with N simulated instances, in this JVM, virtual time
 *    rounds × client counts, alternating:
 *      ListClusters for 1 s       the baseline: a signed request that reads nothing
 *      RunTask (count 10) until this slice's share of N × 10 tasks is placed
 *    after each round: advance virtual time, agents report RUNNING (timed apart, not in a window)
 *  at the largest size, every task RUNNING:
 *    memory of this JVM after GC (control plane + simulated agents + load generator)
 *    restartControlPlane() × 3: reload of the state from SQLite (median)
 *    wharf server alone (child JVM) on a copy of the data dir: start-up, memory after GC
 * </pre>
 *
 * <p>Requests go over real HTTP on loopback, SigV4-signed ({@link SignedEcs}), from closed-loop
 * client threads: the latency is what a client sees. RunTask answers only once its placements are
 * committed (fsync'd) by the state machine, so placements per second are durable placements.
 *
 * <p>It prints figures and never fails on time; it fails only when the control plane answers
 * wrongly (an instance oversubscribed, a task lost by a restart). Progress goes to stderr, the
 * report (Markdown) to stdout. Settings: {@link PlacementSettings}.
 */
public final class PlacementBench {
  // The simulation's admin key: private constants of io.wharf.simulation.Simulation, copied here.
  static final String SIMULATION_KEY_ID = "AKIASIMULATION000001";
  static final String SIMULATION_SECRET = "simulation-secret";

  private static final String FAMILY = "placement-bench";

  // The state machine's single writer: every command, RunTask's placement included, runs on it.
  private static final String WRITER_THREAD = "wharf-state-machine";
  private static final ObjectMapper JSON = new ObjectMapper();

  // A simulated task starts after the simulation's start delay (1 s) plus up to as much jitter;
  // the agent reads its manifest at the first step. Three one-second steps start every task.
  private static final Duration START_ALL = Duration.ofSeconds(3);

  // The targets of the issue, compared with (never asserted).
  private static final double TARGET_PLACEMENTS_PER_SECOND = 5_000;
  private static final double TARGET_P99_MILLIS = 50;
  private static final long TARGET_RSS_BYTES = 1536L * 1024 * 1024;
  private static final double TARGET_RELOAD_SECONDS = 10;

  private final PlacementSettings settings;
  private final Path root;
  private final long began = System.nanoTime();

  private PlacementBench(PlacementSettings settings, Path root) {
    this.settings = settings;
    this.root = root;
  }

  public static void main(String[] args) throws Exception {
    // The report's numbers read the same on every machine: 10,000.5, not 10.000,5.
    Locale.setDefault(Locale.ROOT);
    PlacementSettings settings = PlacementSettings.fromSystemProperties();
    Path root = Files.createTempDirectory("wharf-placement-bench");
    int status = 0;
    try {
      System.out.print(new PlacementBench(settings, root).run());
      System.out.flush();
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    } finally {
      TempDirs.delete(root);
    }
    // Exit explicitly: not every thread the control plane and the HTTP client leave is a daemon.
    System.exit(status);
  }

  // ---- What is measured ----

  /**
   * One client count at one size, all rounds together.
   *
   * @param baseline ListClusters
   * @param runTask RunTask requests (latency per request; seconds: time spent placing)
   * @param asked tasks asked for
   * @param placed tasks placed (in the answers' {@code tasks})
   * @param unplaced tasks asked for and not placed (the answers' {@code failures})
   * @param firstFailure the first {@code failures} entry, or null
   * @param writerCpuNanos CPU time of the state machine's writer thread during the RunTask windows
   * @param processCpuNanos CPU time of this whole JVM during the RunTask windows
   */
  private record ByClients(
      int clients,
      Figures baseline,
      Figures runTask,
      long asked,
      long placed,
      long unplaced,
      String firstFailure,
      long writerCpuNanos,
      long processCpuNanos) {
    ByClients plus(ByClients o) {
      return new ByClients(
          clients,
          baseline.plus(o.baseline),
          runTask.plus(o.runTask),
          asked + o.asked,
          placed + o.placed,
          unplaced + o.unplaced,
          firstFailure != null ? firstFailure : o.firstFailure,
          writerCpuNanos + o.writerCpuNanos,
          processCpuNanos + o.processCpuNanos);
    }

    double placementsPerSecond() {
      return placed / runTask.seconds();
    }

    /** The writer's CPU per RunTask request, milliseconds: the serial part of each placement. */
    double writerMillisPerRequest() {
      return writerCpuNanos / 1e6 / runTask.requests();
    }

    /** The share of the RunTask windows' wall time during which the writer was on a CPU. */
    double writerBusy() {
      return writerCpuNanos / 1e9 / runTask.seconds();
    }

    /** Cores this JVM used on average during the RunTask windows. */
    double processCores() {
      return processCpuNanos / 1e9 / runTask.seconds();
    }
  }

  /** One slice of the fill: a round at one client count, and how full the cluster was then. */
  private record Slice(int round, long tasksBefore, ByClients measured) {}

  /**
   * One cluster size.
   *
   * @param setupNanos starting the simulation: the control plane, and N RegisterContainerInstance
   *     calls in-process, one after the other
   * @param reports RUNNING reports the agents sent between rounds
   * @param reportNanos time the agents took to send them ({@code advance}), in all
   * @param running tasks RUNNING at the end
   * @param dataBytes the data directory's size at the end
   */
  private record SizeResult(
      int instances,
      long setupNanos,
      List<ByClients> byClients,
      List<Slice> slices,
      long reports,
      long reportNanos,
      long running,
      long dataBytes) {
    long placed() {
      return byClients.stream().mapToLong(ByClients::placed).sum();
    }

    double placingSeconds() {
      return byClients.stream().mapToDouble(b -> b.runTask().seconds()).sum();
    }
  }

  /**
   * Restarts at the largest size.
   *
   * @param reloadNanos what {@code restartControlPlane()} returns: opening the store, loading and
   *     decoding the state, serving again
   * @param reconnectNanos from then until every agent has reconnected and been sent its manifest
   */
  private record Restarts(List<Long> reloadNanos, List<Long> reconnectNanos) {}

  /** {@code wharf server} alone, on a copy of the largest size's data directory. */
  private record ServerAlone(
      long readyNanos, long firstAnswerNanos, long rssAtReady, ProcessMemory afterGc) {}

  private String run() throws Exception {
    double loadBefore = Machine.loadAverage();
    progress("machine: " + Machine.describe());
    progress(
        "bench JVM: max heap %s MiB (%s); data under %s"
            .formatted(ProcessMemory.mib(Runtime.getRuntime().maxMemory()), jvmFlags(), root));
    warmUp();
    List<SizeResult> sizes = new ArrayList<>();
    ProcessMemory memory = null;
    Restarts restarts = null;
    ServerAlone alone = null;
    for (int n : settings.instances()) {
      long t0 = System.nanoTime();
      try (Simulation sim = start(n)) {
        sizes.add(fill(sim, n, System.nanoTime() - t0));
        if (n == settings.largest()) {
          progress(
              "memory of this JVM after GC, %,d instances, %,d tasks".formatted(n, tasks(sim)));
          memory = ProcessMemory.ofThisJvm();
          progress(
              "  RSS %s MiB (peak %s MiB), heap used %s MiB of %s MiB committed"
                  .formatted(
                      ProcessMemory.mib(memory.rss()),
                      ProcessMemory.mib(memory.peakRss()),
                      ProcessMemory.mib(memory.heapUsed()),
                      ProcessMemory.mib(memory.heapCommitted())));
          restarts = restart(sim);
          alone = serverAlone(sim, n);
        }
      }
      System.gc();
    }
    return report(sizes, memory, restarts, alone, loadBefore);
  }

  // ---- Phases ----

  /**
   * Fills a throwaway cluster once, with every client count, so that the JIT has compiled the
   * request path, placement, the commit and the agents' reports before anything is recorded.
   */
  private void warmUp() throws Exception {
    int n = settings.warmupInstances();
    if (n == 0) {
      return;
    }
    progress("JIT warm-up: a throwaway cluster of %,d instances, filled once".formatted(n));
    try (Simulation sim = start(n)) {
      SignedEcs ecs = client(sim);
      registerTaskDefinition(ecs);
      long target = (long) n * settings.tasksPerInstance();
      List<Integer> clients = settings.clients();
      for (int i = 0; i < clients.size(); i++) {
        long share = target / clients.size() + (i < target % clients.size() ? 1 : 0);
        int k = clients.get(i);
        ClosedLoop.runCallers(listing(ecs, k), 0, settings.baseline().toNanos());
        runTasks(ecs, k, share, Figures.none());
        sim.advance(START_ALL);
      }
    }
  }

  private Simulation start(int n) throws Exception {
    progress("starting a simulation with %,d instances".formatted(n));
    long t0 = System.nanoTime();
    Simulation sim =
        Simulation.start(
            Simulation.Options.of(n, settings.seed())
                .withResources(settings.instanceCpu(), settings.instanceMemory()));
    progress("  started in %.1f s".formatted((System.nanoTime() - t0) / 1e9));
    return sim;
  }

  /** Fills a cluster of {@code n} instances to n × tasksPerInstance tasks, measuring as it goes. */
  private SizeResult fill(Simulation sim, int n, long setup) throws Exception {
    SignedEcs ecs = client(sim);
    registerTaskDefinition(ecs);
    long target = (long) n * settings.tasksPerInstance();
    List<Integer> clients = settings.clients();
    int sliceCount = settings.rounds() * clients.size();
    progress(
        "%,d instances: placing %,d tasks in %d rounds alternating %s clients"
            .formatted(n, target, settings.rounds(), clients));
    ByClients[] totals = new ByClients[clients.size()];
    List<Slice> slices = new ArrayList<>();
    long placedSoFar = 0;
    long reports = 0;
    long reportNanos = 0;
    int slice = 0;
    for (int r = 0; r < settings.rounds(); r++) {
      // Odd rounds take the client counts in reverse, so that no count always goes first.
      for (int j = 0; j < clients.size(); j++) {
        int i = r % 2 == 0 ? j : clients.size() - 1 - j;
        int k = clients.get(i);
        long share = target / sliceCount + (slice < target % sliceCount ? 1 : 0);
        slice++;
        Figures baseline = ClosedLoop.runCallers(listing(ecs, k), 0, settings.baseline().toNanos());
        ByClients measured = runTasks(ecs, k, share, baseline);
        progress(
            "  round %d/%d, %d clients: ListClusters%s; RunTask%s; %,.0f placements/s; writer %.1f ms CPU per RunTask, busy %.0f%%, JVM %.2f cores%s"
                .formatted(
                    r + 1,
                    settings.rounds(),
                    k,
                    summary(baseline),
                    summary(measured.runTask()),
                    measured.placementsPerSecond(),
                    measured.writerMillisPerRequest(),
                    measured.writerBusy() * 100,
                    measured.processCores(),
                    measured.unplaced() == 0
                        ? ""
                        : ", %,d not placed (%s)"
                            .formatted(measured.unplaced(), measured.firstFailure())));
        totals[i] = totals[i] == null ? measured : totals[i].plus(measured);
        slices.add(new Slice(r + 1, placedSoFar, measured));
        placedSoFar += measured.placed();
      }
      // The agents report RUNNING outside the measured windows: from one thread, one report at a
      // time, each a durable commit, so they would otherwise compete with RunTask for the writer.
      long runningBefore = running(sim);
      long t0 = System.nanoTime();
      sim.advance(START_ALL);
      long took = System.nanoTime() - t0;
      long reported = running(sim) - runningBefore;
      reports += reported;
      reportNanos += took;
      progress(
          "  agents: %,d RUNNING reports in %.1f s (%,.0f/s)"
              .formatted(reported, took / 1e9, reported / (took / 1e9)));
    }
    List<String> violations = sim.violations();
    if (!violations.isEmpty()) {
      throw new IllegalStateException(
          violations.size() + " capacity violations, e.g. " + violations.getFirst());
    }
    long running = running(sim);
    return new SizeResult(
        n, setup, List.of(totals), slices, reports, reportNanos, running, sizeOf(dataDir(sim)));
  }

  /**
   * Restarts the control plane on its data, checking that nothing was lost, and reconnects every
   * agent. {@code restartControlPlane()} reconnects only the agents it finds connected, but closing
   * the old control plane closes every channel (which marks the simulated agents disconnected), so
   * the agents it leaves disconnected are reconnected here, as real agents would reconnect.
   */
  private Restarts restart(Simulation sim) throws Exception {
    long tasks = tasks(sim);
    long running = running(sim);
    long revision = sim.state().revision();
    List<String> instances = sim.instanceArns();
    List<Long> reloads = new ArrayList<>();
    List<Long> reconnects = new ArrayList<>();
    progress(
        "restarting the control plane %d times (%,d tasks, %,d instances)"
            .formatted(settings.restarts(), tasks, instances.size()));
    for (int i = 0; i < settings.restarts(); i++) {
      long t0 = System.nanoTime();
      Duration reload = sim.restartControlPlane();
      int reconnected = 0;
      for (String arn : instances) {
        if (!sim.plane().gateway().isConnected(arn)) {
          sim.reconnect(arn);
          reconnected++;
        }
      }
      long total = System.nanoTime() - t0;
      long connected = instances.stream().filter(a -> sim.plane().gateway().isConnected(a)).count();
      if (tasks(sim) != tasks
          || running(sim) != running
          || sim.state().revision() != revision
          || connected != instances.size()) {
        throw new IllegalStateException(
            "After a restart: %,d tasks (%,d RUNNING) at revision %d, %,d agents connected; before: %,d (%,d) at %d, %,d"
                .formatted(
                    tasks(sim),
                    running(sim),
                    sim.state().revision(),
                    connected,
                    tasks,
                    running,
                    revision,
                    instances.size()));
      }
      reloads.add(reload.toNanos());
      reconnects.add(total - reload.toNanos());
      progress(
          "  reload %.2f s, then every agent connected in %.2f s (%,d reconnected by the bench)"
              .formatted(reload.toNanos() / 1e9, (total - reload.toNanos()) / 1e9, reconnected));
    }
    return new Restarts(reloads, reconnects);
  }

  /**
   * Starts {@code wharf server} (a child JVM, as a user runs it) on a copy of the simulation's data
   * directory: the control plane alone, with none of this JVM's simulated agents or clients, to see
   * what it holds in memory with this state. Its agents are not connected.
   */
  private ServerAlone serverAlone(Simulation sim, int n) throws Exception {
    if (settings.serverJar() == null) {
      progress("no server jar: the control plane alone is not measured");
      return null;
    }
    Path copy = root.resolve("server-alone");
    Files.createDirectories(copy);
    // Nothing writes while the simulation idles (heartbeats and manifests are not stored), so
    // the database and its write-ahead log copied together are a consistent state. The rows are
    // encrypted: the key goes along (unless WHARF_STORE_KEY gives it to both).
    for (String file : List.of("wharf.db", "wharf.db-wal", "store.key")) {
      Path from = dataDir(sim).resolve(file);
      if (Files.exists(from)) {
        Files.copy(from, copy.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    progress("wharf server alone on a copy of the data (%s)".formatted(settings.serverJar()));
    long expectedRunning = running(sim);
    try (WharfServer server = WharfServer.start(copy, settings.serverJar())) {
      long rssAtReady = ProcessMemory.rssOf(server.pid());
      SignedEcs ecs =
          new SignedEcs(
              server.endpoint(), WharfServer.KEY_ID, WharfServer.SECRET, Clock.systemUTC());
      ObjectNode describe = JSON.createObjectNode();
      describe.putArray("clusters").add(Simulation.CLUSTER);
      JsonNode cluster = ecs.call("DescribeClusters", describe).path("clusters").path(0);
      long firstAnswer = System.nanoTime() - server.spawnedNanos();
      if (cluster.path("runningTasksCount").asLong() != expectedRunning
          || cluster.path("registeredContainerInstancesCount").asInt() != n) {
        throw new IllegalStateException("The server alone reloaded something else: " + cluster);
      }
      ProcessMemory afterGc = ProcessMemory.ofJvm(server.pid());
      progress(
          "  ready in %.2f s; RSS %s MiB at ready, %s MiB after GC (heap used %s MiB, committed %s MiB, max %s MiB)"
              .formatted(
                  server.nanosToReady() / 1e9,
                  ProcessMemory.mib(rssAtReady),
                  ProcessMemory.mib(afterGc.rss()),
                  ProcessMemory.mib(afterGc.heapUsed()),
                  ProcessMemory.mib(afterGc.heapCommitted()),
                  ProcessMemory.mib(afterGc.heapMax())));
      server.stop();
      return new ServerAlone(server.nanosToReady(), firstAnswer, rssAtReady, afterGc);
    }
  }

  // ---- Clients ----

  private static SignedEcs client(Simulation sim) {
    return new SignedEcs(sim.plane().endpoint(), SIMULATION_KEY_ID, SIMULATION_SECRET, sim.clock());
  }

  private void registerTaskDefinition(SignedEcs ecs) {
    ObjectNode body = JSON.createObjectNode().put("family", FAMILY);
    body.putArray("containerDefinitions")
        .addObject()
        .put("name", "app")
        .put("image", "app:1")
        .put("cpu", settings.taskCpu())
        .put("memory", settings.taskMemory());
    ecs.call("RegisterTaskDefinition", body);
  }

  /** {@code k} clients sending ListClusters: the bare signed request path. */
  private static List<ClosedLoop.Caller> listing(SignedEcs ecs, int k) {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    List<ClosedLoop.Caller> callers = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      callers.add(
          () -> {
            ecs.call("ListClusters", body);
            return true;
          });
    }
    return callers;
  }

  /**
   * {@code k} clients sending RunTask until {@code tasks} tasks have been asked for, each request
   * asking for up to {@code count}. A task not placed is counted, not asked for again.
   *
   * @param baseline the ListClusters figures these are compared with, carried along
   */
  private ByClients runTasks(SignedEcs ecs, int k, long tasks, Figures baseline)
      throws InterruptedException {
    AtomicLong unclaimed = new AtomicLong(tasks);
    AtomicLong asked = new AtomicLong();
    AtomicLong placed = new AtomicLong();
    AtomicLong unplaced = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    byte[][] bodies = new byte[settings.count() + 1][];
    for (int c = 1; c <= settings.count(); c++) {
      ObjectNode body =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("taskDefinition", FAMILY)
              .put("count", c);
      bodies[c] = body.toString().getBytes(StandardCharsets.UTF_8);
    }
    List<ClosedLoop.Caller> callers = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      callers.add(
          () -> {
            long left;
            int c;
            do {
              left = unclaimed.get();
              if (left == 0) {
                return false;
              }
              c = (int) Math.min(settings.count(), left);
              // Claim c tasks only if no other client claimed them first.
            } while (!unclaimed.compareAndSet(left, left - c));
            asked.addAndGet(c);
            JsonNode answer = ecs.call("RunTask", bodies[c]);
            int got = answer.path("tasks").size();
            placed.addAndGet(got);
            if (got < c) {
              unplaced.addAndGet(c - got);
              firstFailure.compareAndSet(null, answer.path("failures").path(0).toString());
            }
            return true;
          });
    }
    long writer0 = Machine.threadCpuNanos(WRITER_THREAD);
    long process0 = Machine.processCpuNanos();
    Figures figures = ClosedLoop.runCallers(callers, 0, Long.MAX_VALUE);
    long writerCpu = Machine.threadCpuNanos(WRITER_THREAD) - writer0;
    long processCpu = Machine.processCpuNanos() - process0;
    if (figures.errors() > 0) {
      throw new IllegalStateException(
          figures.errors() + " RunTask requests failed: " + figures.firstError());
    }
    return new ByClients(
        k,
        baseline,
        figures,
        asked.get(),
        placed.get(),
        unplaced.get(),
        firstFailure.get(),
        writerCpu,
        processCpu);
  }

  // ---- State ----

  private static long tasks(Simulation sim) {
    return sim.state().tasks().size();
  }

  private static long running(Simulation sim) {
    long n = 0;
    for (Task t : sim.state().tasks().values()) {
      if (t.lastStatus() == TaskStatus.RUNNING) {
        n++;
      }
    }
    return n;
  }

  private static Path dataDir(Simulation sim) {
    return sim.plane().config().dataDir();
  }

  // ---- Report ----

  private String report(
      List<SizeResult> sizes,
      ProcessMemory memory,
      Restarts restarts,
      ServerAlone alone,
      double loadBefore) {
    StringBuilder out = new StringBuilder();
    int largest = settings.largest();
    long largestTasks = (long) largest * settings.tasksPerInstance();
    out.append("\n## Wharf placement benchmark\n\n");
    out.append("- Machine: ").append(Machine.describe()).append('\n');
    out.append(
        "- Load average (1 min): %.2f at start, %.2f at end (the machine is shared: compare ratios)\n"
            .formatted(loadBefore, Machine.loadAverage()));
    out.append(
        "- Bench JVM: %s; max heap %s MiB. It holds the control plane, the simulated agents and the load generator\n"
            .formatted(jvmFlags(), ProcessMemory.mib(Runtime.getRuntime().maxMemory())));
    out.append(
        ("- Control plane: the real one (io.wharf.simulation.Simulation: ECS API over HTTP on loopback,"
                + " SigV4, state machine, SQLite WAL synchronous=FULL on the temp file system, agent"
                + " gateway), simulated instances in the same JVM, virtual time; seed %d\n")
            .formatted(settings.seed()));
    out.append(
        ("- Each instance registers %,d CPU / %,d MiB; the task definition has one container of %,d"
                + " CPU / %,d MiB, so an instance holds %,d tasks and first fit fills instances in"
                + " order; each cluster of N instances is filled to N × %d tasks\n")
            .formatted(
                settings.instanceCpu(),
                settings.instanceMemory(),
                settings.taskCpu(),
                settings.taskMemory(),
                settings.tasksThatFitOneInstance(),
                settings.tasksPerInstance()));
    out.append(
        ("- Load: RunTask with count %d, from %s closed-loop client threads (one java.net.http"
                + " client, SigV4-signed); the fill is split into %d rounds alternating the client"
                + " counts, each slice preceded by %.1f s of ListClusters (the baseline); after each"
                + " round the agents report RUNNING (not during the measured windows); a JIT warm-up"
                + " on a throwaway cluster of %,d instances comes first\n")
            .formatted(
                settings.count(),
                settings.clients().stream()
                    .map(String::valueOf)
                    .collect(Collectors.joining(" and ")),
                settings.rounds(),
                settings.baseline().toMillis() / 1e3,
                settings.warmupInstances()));
    out.append("- Run took %.0f s\n\n".formatted((System.nanoTime() - began) / 1e9));

    out.append("### Placement\n\n");
    MarkdownTable table =
        new MarkdownTable(
            "Instances",
            "Clients",
            "Tasks placed",
            "Not placed",
            "RunTask req/s",
            "Placements/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "p50 × base",
            "p99 × base");
    MarkdownTable where =
        new MarkdownTable(
            "Instances",
            "Clients",
            "ListClusters req/s",
            "Base p50 ms",
            "Base p99 ms",
            "Writer CPU ms per RunTask",
            "Writer busy",
            "JVM CPU, cores");
    for (SizeResult s : sizes) {
      for (ByClients b : s.byClients()) {
        Figures f = b.runTask();
        Figures base = b.baseline();
        table.row(
            "%,d".formatted(s.instances()),
            Integer.toString(b.clients()),
            "%,d".formatted(b.placed()),
            "%,d".formatted(b.unplaced()),
            "%,.0f".formatted(f.throughput()),
            "%,.0f".formatted(b.placementsPerSecond()),
            "%.2f".formatted(f.millisAt(50)),
            "%.2f".formatted(f.millisAt(99)),
            "%.1f".formatted(f.maxMillis()),
            "%.1f".formatted(f.millisAt(50) / base.millisAt(50)),
            "%.1f".formatted(f.millisAt(99) / base.millisAt(99)));
        where.row(
            "%,d".formatted(s.instances()),
            Integer.toString(b.clients()),
            "%,.0f".formatted(base.throughput()),
            "%.2f".formatted(base.millisAt(50)),
            "%.2f".formatted(base.millisAt(99)),
            "%.2f".formatted(b.writerMillisPerRequest()),
            "%.0f%%".formatted(b.writerBusy() * 100),
            "%.2f".formatted(b.processCores()));
      }
    }
    out.append(table.render());
    out.append(
        "\nPlacements/s: tasks placed over the time spent in RunTask windows at that client count;"
            + " every placement is committed (fsync'd) before RunTask answers. \"× base\": RunTask's"
            + " latency over ListClusters' (the baseline, below) at the same size and client"
            + " count.\n\n");
    out.append(where.render());
    out.append(
        "\nBaseline: ListClusters, a signed request that reads nothing, measured just before each"
            + " RunTask slice. Writer: the state machine's single writer thread"
            + " (`wharf-state-machine`), which runs every command, RunTask's placement included, one"
            + " at a time; its CPU time and busy share are over the RunTask windows. JVM CPU: the"
            + " whole bench JVM (control plane, agents, clients) over the same windows, out of "
            + Machine.cores()
            + " cores.");
    out.append("\n\n");

    MarkdownTable fills =
        new MarkdownTable(
            "Instances",
            "Set-up s",
            "Tasks",
            "Placing s",
            "Placements/s (all clients)",
            "RUNNING reports",
            "Reports s",
            "Reports/s",
            "RUNNING at end",
            "Data dir MiB");
    for (SizeResult s : sizes) {
      fills.row(
          "%,d".formatted(s.instances()),
          "%.1f".formatted(s.setupNanos() / 1e9),
          "%,d".formatted(s.placed()),
          "%.1f".formatted(s.placingSeconds()),
          "%,.0f".formatted(s.placed() / s.placingSeconds()),
          "%,d".formatted(s.reports()),
          "%.1f".formatted(s.reportNanos() / 1e9),
          "%,.0f".formatted(s.reports() / (s.reportNanos() / 1e9)),
          "%,d".formatted(s.running()),
          ProcessMemory.mib(s.dataBytes()));
    }
    out.append(fills.render());
    SizeResult biggest =
        sizes.stream().filter(s -> s.instances() == largest).findFirst().orElseThrow();
    out.append(
        "\nAt %,d instances, slice by slice (the cluster fills as the rounds go):\n\n"
            .formatted(largest));
    MarkdownTable bySlice =
        new MarkdownTable(
            "Round",
            "Clients",
            "Tasks before",
            "Placed",
            "Placements/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "Writer CPU ms per RunTask",
            "Writer busy");
    for (Slice slice : biggest.slices()) {
      ByClients b = slice.measured();
      bySlice.row(
          Integer.toString(slice.round()),
          Integer.toString(b.clients()),
          "%,d".formatted(slice.tasksBefore()),
          "%,d".formatted(b.placed()),
          "%,.0f".formatted(b.placementsPerSecond()),
          "%.2f".formatted(b.runTask().millisAt(50)),
          "%.2f".formatted(b.runTask().millisAt(99)),
          "%.1f".formatted(b.runTask().maxMillis()),
          "%.2f".formatted(b.writerMillisPerRequest()),
          "%.0f%%".formatted(b.writerBusy() * 100));
    }
    out.append(bySlice.render());
    out.append(
        "\nSet-up: starting the simulation (N RegisterContainerInstance calls in-process, one at a"
            + " time). Reports: the simulated agents' SubmitTaskStateChange(RUNNING) calls between"
            + " rounds, sent one at a time from one thread, each a durable commit (agents' own JSON"
            + " work included).\n\n");

    if (memory != null) {
      out.append("### Memory at %,d instances with %,d tasks\n\n".formatted(largest, largestTasks));
      MarkdownTable mem =
          new MarkdownTable(
              "Process",
              "RSS MiB",
              "Peak RSS MiB",
              "Heap used after GC MiB",
              "Heap committed MiB",
              "Max heap MiB");
      mem.row(
          "bench JVM: control plane + simulated agents + load generator",
          ProcessMemory.mib(memory.rss()),
          ProcessMemory.mib(memory.peakRss()),
          ProcessMemory.mib(memory.heapUsed()),
          ProcessMemory.mib(memory.heapCommitted()),
          ProcessMemory.mib(memory.heapMax()));
      if (alone != null) {
        mem.row(
            "`wharf server` alone, same data (agents not connected)",
            ProcessMemory.mib(alone.afterGc().rss()),
            ProcessMemory.mib(alone.afterGc().peakRss()),
            ProcessMemory.mib(alone.afterGc().heapUsed()),
            ProcessMemory.mib(alone.afterGc().heapCommitted()),
            ProcessMemory.mib(alone.afterGc().heapMax()));
      }
      out.append(mem.render());
      out.append(
          "\nRSS after a full GC (System.gc() in this JVM; `jcmd <pid> GC.run` for the server)."
              + " The bench JVM's RSS is an upper bound for the control plane: the simulated agents"
              + " (their tasks and last manifests) and the load generator share it.");
      if (alone != null) {
        out.append(
            (" `wharf server` alone is the control plane as `./wharf server` runs it (ZGC,"
                    + " soft heap limit 1 GiB, default maximum), loaded from a copy of the same data directory; its RSS was"
                    + " %s MiB when it printed its ready line, before the GC. Its agents are not"
                    + " connected: %,d agent sessions would add their WebSockets. The heap in use"
                    + " after GC differs by %s MiB between the two: about what the simulated agents"
                    + " and the load generator hold.")
                .formatted(
                    ProcessMemory.mib(alone.rssAtReady()),
                    largest,
                    ProcessMemory.mib(memory.heapUsed() - alone.afterGc().heapUsed())));
      }
      out.append("\n\n");
    }

    if (restarts != null) {
      out.append("### Restart with that state\n\n");
      MarkdownTable restart = new MarkdownTable("What", "Runs", "Median s", "Min–max s");
      restart.row(
          "restartControlPlane(): reload from SQLite, serving again",
          Integer.toString(restarts.reloadNanos().size()),
          "%.2f".formatted(median(restarts.reloadNanos()) / 1e9),
          range(restarts.reloadNanos()));
      restart.row(
          "then every agent reconnected, each sent its manifest",
          Integer.toString(restarts.reconnectNanos().size()),
          "%.2f".formatted(median(restarts.reconnectNanos()) / 1e9),
          range(restarts.reconnectNanos()));
      if (alone != null) {
        restart.row(
            "`wharf server` alone: spawn to ready line (JVM start included)",
            "1",
            "%.2f".formatted(alone.readyNanos() / 1e9),
            "");
        restart.row(
            "`wharf server` alone: spawn to first answer (DescribeClusters)",
            "1",
            "%.2f".formatted(alone.firstAnswerNanos() / 1e9),
            "");
      }
      out.append(restart.render());
      out.append('\n');
    }

    out.append("### Against the targets\n\n");
    MarkdownTable targets = new MarkdownTable("Target", "Measured", "Met");
    SizeResult big = biggest;
    for (ByClients b : big.byClients()) {
      targets.row(
          "≥ %,.0f placements/s at %,d instances (%d clients)"
              .formatted(TARGET_PLACEMENTS_PER_SECOND, largest, b.clients()),
          "%,.0f/s".formatted(b.placementsPerSecond()),
          met(b.placementsPerSecond() >= TARGET_PLACEMENTS_PER_SECOND));
    }
    for (ByClients b : big.byClients()) {
      targets.row(
          "RunTask p99 ≤ %.0f ms at %,d instances (%d clients)"
              .formatted(TARGET_P99_MILLIS, largest, b.clients()),
          "%.1f ms".formatted(b.runTask().millisAt(99)),
          met(b.runTask().millisAt(99) <= TARGET_P99_MILLIS));
    }
    if (alone != null) {
      targets.row(
          "RSS ≤ 1.5 GiB at %,d instances, %,d tasks (`wharf server` alone, after GC)"
              .formatted(largest, largestTasks),
          "%s MiB".formatted(ProcessMemory.mib(alone.afterGc().rss())),
          met(alone.afterGc().rss() <= TARGET_RSS_BYTES));
    }
    if (memory != null) {
      targets.row(
          "RSS ≤ 1.5 GiB (bench JVM, upper bound: agents and clients included)",
          "%s MiB".formatted(ProcessMemory.mib(memory.rss())),
          met(memory.rss() <= TARGET_RSS_BYTES));
    }
    if (restarts != null) {
      double reload = median(restarts.reloadNanos()) / 1e9;
      targets.row(
          "reload ≤ %.0f s with that state (median)".formatted(TARGET_RELOAD_SECONDS),
          "%.2f s".formatted(reload),
          met(reload <= TARGET_RELOAD_SECONDS));
    }
    out.append(targets.render());
    return out.toString();
  }

  private static String met(boolean met) {
    return met ? "met" : "**not met**";
  }

  private static double median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }

  private static String range(List<Long> nanos) {
    return "%.2f–%.2f"
        .formatted(
            nanos.stream().mapToLong(Long::longValue).min().orElse(0) / 1e9,
            nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e9);
  }

  private static String summary(Figures f) {
    return String.format(
        Locale.ROOT,
        " %,d in %.1f s (%,.0f/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms)",
        f.requests(),
        f.seconds(),
        f.throughput(),
        f.millisAt(50),
        f.millisAt(99),
        f.maxMillis());
  }

  /** The heap and GC flags this JVM was started with, as the report states them. */
  private static String jvmFlags() {
    List<String> flags =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-Xm") || a.startsWith("-XX:"))
            .toList();
    String gc =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(b -> b.getName())
            .collect(Collectors.joining(", "));
    return (flags.isEmpty() ? "default heap" : String.join(" ", flags)) + ", GC " + gc;
  }

  private void progress(String message) {
    System.err.printf(
        Locale.ROOT, "bench [%5.1fs] %s%n", (System.nanoTime() - began) / 1e9, message);
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // A file removed meanwhile (the WAL's shared memory) counts nothing.
                }
              })
          .sum();
    }
  }
}
