package io.wharf.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;
import software.amazon.awssdk.services.ecs.model.CreateServiceResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The real-Docker half of {@link ServiceBench}: a service scaled from 0 to N tasks (20) by {@code
 * wharf server} and {@code wharf agent}, each in a child JVM as {@code ./wharf} runs them, against
 * N × the median {@code docker run -d} of the same container measured in the same run.
 *
 * <pre>
 *  each repeat, in alternating order:
 *    Wharf:    CreateService(desiredCount N), DescribeServices every 50 ms until ServicesStable's
 *              condition; then DeleteService(force), wait STOPPED, docker rm -f     (untimed)
 *    baseline: N × docker run -d, one after the other, each timed; docker rm -f     (untimed)
 *              N × docker run -d at once, timed together; docker rm -f             (untimed)
 * </pre>
 *
 * <p>It removes only containers it made: those labelled with its own agent's instance id (a new one
 * each run) and those labelled {@code io.wharf.bench.run=<this run's id>}; also on Ctrl-C.
 *
 * <p>Threading: the benchmark's main thread, and one platform thread per concurrent {@code docker
 * run -d} of the parallel baseline.
 */
final class DockerServices implements AutoCloseable {
  private static final String CLUSTER = "svcbench";
  private static final String TEST_IMAGE = "wharf-test/busybox:latest";
  private static final String FAMILY = "wharf-bench-service";
  private static final String CONTAINER = "main";
  private static final List<String> COMMAND = List.of("sleep", "3600");
  private static final int TASK_MEMORY_MIB = 16;

  // Busybox's sleep runs as PID 1 and ignores SIGTERM: one second instead of ECS's 30 keeps the
  // untimed stops short (as in TaskStartBench).
  private static final int STOP_TIMEOUT_SECONDS = 1;

  // An address of its own (TaskStartBench uses 127.0.0.9, the ITs 127.0.0.4/5); the tasks map no
  // ports, so it only names the instance. CPU and memory enough that placement never refuses.
  private static final String INSTANCE_ADDRESS = "127.0.0.10";
  private static final long AGENT_CPU = 65_536;
  private static final long AGENT_MEMORY_MIB = 16_384;

  private static final String INSTANCE_LABEL = "io.wharf.instance-id";
  private static final String RUN_LABEL = "io.wharf.bench.run";

  /** The target: at most 1.2 times N × the median docker run -d. */
  static final double TARGET_TIMES_DOCKER = 1.2;

  private static final Duration STEADY_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration AGENT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
  private static final int DESCRIBE_TASKS_MAX = 100;

  // Before each timed part: lets the previous part's tail (the engine's clean-up after rm -f, the
  // agent's last reports) finish rather than overlap it.
  private static final Duration PAUSE = Duration.ofSeconds(1);

  private final ServiceSettings settings;
  private final Path root;
  private final Consumer<String> progress;
  private final String runId = HexFormat.of().formatHex(randomBytes(4));
  private final AtomicBoolean closed = new AtomicBoolean();
  private WharfServer server;
  private WharfAgent agent;
  private EcsClient ecs;
  private volatile String instanceId;
  private String docker;

  // The baseline.
  private final Samples dockerRun = new Samples("`docker run -d`, one container");
  private final Samples dockerSerial = new Samples("N × `docker run -d`, one after the other");
  private final Samples dockerParallel = new Samples("N × `docker run -d`, all at once");
  private final Samples dockerRunEngine = new Samples("engine `Created` → `State.StartedAt`");
  private final Samples dockerParallelEngine =
      new Samples("engine `Created` → `State.StartedAt`, all at once");
  // Wharf's service.
  private final Samples toSteady =
      new Samples("CreateService → ServicesStable condition seen by the client");
  private final Samples toLastStarted =
      new Samples("CreateService sent → the last task's `startedAt`");
  private final Samples serverSide =
      new Samples("service `createdAt` → the last task's `startedAt`");
  // Where Wharf's time goes (host clock: client, control plane, agent and engine share it).
  private final Samples sentToCreated = new Samples("CreateService sent → service `createdAt`");
  private final Samples createdToFirstTask =
      new Samples("service `createdAt` → first task `createdAt` (the controller's pass)");
  private final Samples tasksCreatedSpread =
      new Samples("first → last task `createdAt` (tasks launched in the same pass: 0)");
  private final Samples lastTaskToFirstEngine =
      new Samples("last task `createdAt` → first engine `Created`");
  private final Samples engineSpan = new Samples("first engine `Created` → last `State.StartedAt`");
  private final Samples engineCreatedSpread =
      new Samples("first → last engine `Created` (overlaps the row above)");
  private final Samples engineToStartedAt =
      new Samples("last engine `State.StartedAt` → last task `startedAt`");
  private final Samples startedAtToSeen =
      new Samples("last task `startedAt` → steady seen by the client");
  private final Samples wharfEngine = new Samples("engine `Created` → `State.StartedAt`");

  DockerServices(ServiceSettings settings, Path root, Consumer<String> progress) {
    this.settings = settings;
    this.root = root;
    this.progress = progress;
  }

  /** Starts the control plane and the agent, then runs the warm-up and the measured repeats. */
  void run() throws Exception {
    docker = DockerCli.describe();
    progress.accept(docker);
    DockerCli.ensureImage(settings.image(), TEST_IMAGE, settings.testImageScript(), progress);
    progress.accept("control plane: java -jar " + settings.serverJar() + " server");
    server = WharfServer.start(root.resolve("server"), settings.serverJar());
    ecs = Clients.ecs(server.endpoint());
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    progress.accept("agent: java -jar " + settings.serverJar() + " agent --cluster " + CLUSTER);
    agent =
        WharfAgent.start(
            settings.serverJar(),
            server.endpoint(),
            CLUSTER,
            root.resolve("agent"),
            INSTANCE_ADDRESS,
            AGENT_CPU,
            AGENT_MEMORY_MIB);
    ContainerInstance instance = agent.awaitConnected(ecs, CLUSTER, AGENT_CONNECT_TIMEOUT);
    instanceId = instance.ec2InstanceId();
    progress.accept(
        "agent connected: " + instance.containerInstanceArn() + " (" + instanceId + ")");
    ecs.registerTaskDefinition(
        b ->
            b.family(FAMILY)
                .containerDefinitions(
                    ContainerDefinition.builder()
                        .name(CONTAINER)
                        .image(settings.image())
                        .command(COMMAND)
                        .memory(TASK_MEMORY_MIB)
                        .essential(true)
                        .stopTimeout(STOP_TIMEOUT_SECONDS)
                        .build()));
    int n = settings.dockerTasks();
    int total = settings.dockerWarmup() + settings.dockerRepeats();
    for (int i = 0; i < total; i++) {
      boolean recorded = i >= settings.dockerWarmup();
      String label =
          recorded ? "repeat " + (i - settings.dockerWarmup() + 1) : "warm-up " + (i + 1);
      // Alternate which goes first, so that neither always runs right after the other's tail.
      if (i % 2 == 0) {
        service(i, n, recorded, label);
        baseline(i, n, recorded, label);
      } else {
        baseline(i, n, recorded, label);
        service(i, n, recorded, label);
      }
    }
  }

  // ---- Wharf ----

  /**
   * CreateService with N tasks, then DescribeServices every poll interval until the ServicesStable
   * waiter's condition holds: the timed part. Then DeleteService(force), every task STOPPED and its
   * container removed (untimed).
   */
  private void service(int round, int n, boolean recorded, String label) throws Exception {
    pause();
    String name = "bench-" + round;
    Instant sentWall = Instant.now();
    long sent = System.nanoTime();
    CreateServiceResponse created =
        ecs.createService(
            b -> b.cluster(CLUSTER).serviceName(name).taskDefinition(FAMILY).desiredCount(n));
    long answered = System.nanoTime();
    long seen = awaitSteady(name, answered);
    Instant seenWall = sentWall.plusNanos(seen - sent);
    List<Task> tasks = tasksOf(name);
    if (tasks.size() != n || !tasks.stream().allMatch(t -> "RUNNING".equals(t.lastStatus()))) {
      throw new IllegalStateException(
          "Steady, yet %d tasks of %d are RUNNING".formatted(running(tasks), n));
    }
    Instant serviceCreated = created.service().createdAt();
    Instant firstTaskCreated = min(tasks.stream().map(Task::createdAt).toList());
    Instant lastTaskCreated = max(tasks.stream().map(Task::createdAt).toList());
    Instant lastStarted = max(tasks.stream().map(Task::startedAt).toList());
    List<Instant[]> engine = new ArrayList<>();
    for (Task t : tasks) {
      engine.add(DockerCli.createdAndStarted(t.containers().getFirst().runtimeId()));
    }
    Instant firstEngineCreated = min(engine.stream().map(e -> e[0]).toList());
    Instant lastEngineCreated = max(engine.stream().map(e -> e[0]).toList());
    Instant lastEngineStarted = max(engine.stream().map(e -> e[1]).toList());
    progress.accept(
        "  %s: service of %d steady (seen) %.0f ms after CreateService; last task started %.0f ms after it"
            .formatted(
                label,
                n,
                (seen - sent) / 1e6,
                Duration.between(sentWall, lastStarted).toNanos() / 1e6));
    if (recorded) {
      toSteady.addNanos(seen - sent);
      toLastStarted.addNanos(between(sentWall, lastStarted));
      serverSide.addNanos(between(serviceCreated, lastStarted));
      sentToCreated.addNanos(between(sentWall, serviceCreated));
      createdToFirstTask.addNanos(between(serviceCreated, firstTaskCreated));
      tasksCreatedSpread.addNanos(between(firstTaskCreated, lastTaskCreated));
      lastTaskToFirstEngine.addNanos(between(lastTaskCreated, firstEngineCreated));
      engineSpan.addNanos(between(firstEngineCreated, lastEngineStarted));
      engineCreatedSpread.addNanos(between(firstEngineCreated, lastEngineCreated));
      engineToStartedAt.addNanos(between(lastEngineStarted, lastStarted));
      startedAtToSeen.addNanos(between(lastStarted, seenWall));
      for (Instant[] e : engine) {
        wharfEngine.addNanos(between(e[0], e[1]));
      }
    }
    ecs.deleteService(b -> b.cluster(CLUSTER).service(name).force(true));
    awaitStopped(tasks.stream().map(Task::taskArn).toList());
    DockerCli.removeForcibly(DockerCli.containersLabelled(INSTANCE_LABEL, instanceId));
  }

  /**
   * Asks DescribeServices every poll interval, from {@code from} on (fixed rate: a slow answer
   * skips the slots it overran), until the ServicesStable waiter's condition holds; returns when
   * the answer that said so arrived.
   */
  private long awaitSteady(String name, long from) throws InterruptedException {
    long poll = settings.poll().toNanos();
    long next = from + poll;
    while (true) {
      long now = System.nanoTime();
      if (next > now) {
        TimeUnit.NANOSECONDS.sleep(next - now);
      }
      Service s =
          ecs.describeServices(b -> b.cluster(CLUSTER).services(name)).services().getFirst();
      long at = System.nanoTime();
      if (s.deployments().size() == 1 && s.runningCount().equals(s.desiredCount())) {
        return at;
      }
      if (at - from > STEADY_TIMEOUT.toNanos()) {
        throw new IllegalStateException(
            "Service %s not steady within %s: %d running of %d, events %s\n%s"
                .formatted(
                    name,
                    STEADY_TIMEOUT,
                    s.runningCount(),
                    s.desiredCount(),
                    s.events().stream().limit(3).toList(),
                    agent.outputTail()));
      }
      while (next <= at) {
        next += poll;
      }
    }
  }

  private List<Task> tasksOf(String name) {
    List<String> arns = new ArrayList<>();
    ecs.listTasksPaginator(b -> b.cluster(CLUSTER).serviceName(name)).taskArns().forEach(arns::add);
    return describe(arns);
  }

  private List<Task> describe(List<String> arns) {
    List<Task> tasks = new ArrayList<>(arns.size());
    for (int i = 0; i < arns.size(); i += DESCRIBE_TASKS_MAX) {
      List<String> chunk = arns.subList(i, Math.min(arns.size(), i + DESCRIBE_TASKS_MAX));
      var answer = ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(chunk));
      if (!answer.failures().isEmpty()) {
        throw new IllegalStateException("DescribeTasks failed: " + answer.failures());
      }
      tasks.addAll(answer.tasks());
    }
    return tasks;
  }

  private void awaitStopped(List<String> arns) throws InterruptedException {
    long deadline = System.nanoTime() + STEADY_TIMEOUT.toNanos();
    while (!describe(arns).stream().allMatch(t -> "STOPPED".equals(t.lastStatus()))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Tasks not STOPPED within " + STEADY_TIMEOUT);
      }
      Thread.sleep(200);
    }
  }

  // ---- the baseline ----

  /**
   * N × {@code docker run -d} of the same container as the agent creates (image, command, memory
   * limit, stop timeout), one after the other, each timed as the CLI process; then the same N all
   * at once, timed from the first spawn to the last exit. Each followed by {@code docker rm -f}
   * (untimed).
   */
  private void baseline(int round, int n, boolean recorded, String label) throws Exception {
    pause();
    long serial = 0;
    List<Long> each = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      DockerCli.Result r = dockerRun("s" + round + "-" + k);
      each.add(r.nanos());
      serial += r.nanos();
      ids.add(r.lastLine());
    }
    List<Instant[]> engine = new ArrayList<>();
    for (String id : ids) {
      engine.add(DockerCli.createdAndStarted(id));
    }
    DockerCli.removeForcibly(ids);

    pause();
    List<DockerCli.Result> results = new ArrayList<>();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      String suffix = "p" + round + "-" + k;
      // Platform threads: each blocks on its child process (see DockerCli).
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    DockerCli.Result r = dockerRun(suffix);
                    synchronized (results) {
                      results.add(r);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    long parallel = System.nanoTime() - start;
    if (results.size() != n) {
      throw new IllegalStateException("A concurrent docker run -d failed; see above");
    }
    List<String> parallelIds = results.stream().map(DockerCli.Result::lastLine).toList();
    List<Instant[]> parallelEngine = new ArrayList<>();
    for (String id : parallelIds) {
      parallelEngine.add(DockerCli.createdAndStarted(id));
    }
    DockerCli.removeForcibly(parallelIds);
    progress.accept(
        "  %s: %d × docker run -d one after the other %.0f ms (median one %.0f ms), all at once %.0f ms"
            .formatted(
                label,
                n,
                serial / 1e6,
                each.stream().sorted().toList().get(n / 2) / 1e6,
                parallel / 1e6));
    if (recorded) {
      each.forEach(dockerRun::addNanos);
      dockerSerial.addNanos(serial);
      dockerParallel.addNanos(parallel);
      for (Instant[] e : engine) {
        dockerRunEngine.addNanos(between(e[0], e[1]));
      }
      for (Instant[] e : parallelEngine) {
        dockerParallelEngine.addNanos(between(e[0], e[1]));
      }
    }
  }

  /** One {@code docker run -d} as TaskStartBench's baseline runs it; a failure is an error. */
  private DockerCli.Result dockerRun(String suffix) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--name",
                "wharf-bench-service-" + runId + "-" + suffix,
                "--label",
                RUN_LABEL + "=" + runId,
                "--memory",
                TASK_MEMORY_MIB + "m",
                "--memory-swap",
                TASK_MEMORY_MIB + "m",
                "--cpu-shares",
                "2",
                "--stop-timeout",
                Integer.toString(STOP_TIMEOUT_SECONDS),
                settings.image()));
    args.addAll(COMMAND);
    DockerCli.Result r = DockerCli.run(args.toArray(String[]::new));
    if (r.exitCode() != 0) {
      throw new IllegalStateException("docker run -d failed (" + r.exitCode() + "): " + r.output());
    }
    return r;
  }

  // ---- report ----

  String report() {
    int n = settings.dockerTasks();
    double unit = dockerRun.median();
    double target = n * unit;
    StringBuilder out = new StringBuilder();
    out.append("\n### On real Docker: a service of %d tasks\n\n".formatted(n));
    out.append("- ").append(docker).append('\n');
    out.append(
        ("- Wharf: `wharf server` and `wharf agent --instance-address %s --cpu %d --memory %d` in two"
                + " child JVMs (`java -jar app/target/wharf.jar`, same JDK, default heap settings),"
                + " SQLite WAL with synchronous=FULL, data dirs on the temp file system\n")
            .formatted(INSTANCE_ADDRESS, AGENT_CPU, AGENT_MEMORY_MIB));
    out.append(
        ("- Container: `%s` running `%s`, memory %d MiB, stopTimeout %d s; the image is local (no"
                + " pull); the service has the default deployment configuration and placement\n")
            .formatted(
                settings.image(),
                String.join(" ", COMMAND),
                TASK_MEMORY_MIB,
                STOP_TIMEOUT_SECONDS));
    out.append(
        ("- %d warm-up repeat(s) (not recorded), then %d repeats, each a new service of %d tasks"
                + " (DescribeServices every %d ms until steady) and %d `docker run -d` one after the"
                + " other, then %d at once, in alternating order\n\n")
            .formatted(
                settings.dockerWarmup(),
                settings.dockerRepeats(),
                n,
                settings.poll().toMillis(),
                n,
                n));

    MarkdownTable table =
        new MarkdownTable(
            "Series",
            "Repeats",
            "Median ms",
            "Min ms",
            "Max ms",
            "Median × %d × docker run".formatted(n));
    table.row(
        "`docker run -d`, one container (median of all %d × %d)"
            .formatted(n, dockerRun.count() / n),
        Integer.toString(dockerRun.count()),
        "%.0f".formatted(unit),
        "%.0f".formatted(dockerRun.min()),
        "%.0f".formatted(dockerRun.max()),
        "");
    table.row(
        "%d × the median `docker run -d` (the baseline)".formatted(n),
        "",
        "%.0f".formatted(target),
        "",
        "",
        "1.00");
    for (Samples s : List.of(dockerSerial, dockerParallel, toLastStarted, serverSide, toSteady)) {
      table.row(
          s.label().replace("N ×", n + " ×"),
          Integer.toString(s.count()),
          "%.0f".formatted(s.median()),
          "%.0f".formatted(s.min()),
          "%.0f".formatted(s.max()),
          "%.2f".formatted(s.median() / target));
    }
    out.append(table.render());
    double ratio = toSteady.median() / target;
    out.append(
        ("\nCreateService to %d tasks RUNNING and the service steady, as a client polling"
                + " DescribeServices sees it: **%.2f×** %d × the median `docker run -d` (target: at"
                + " most 1.2×, %s); to the last task's `startedAt`: **%.2f×**.\n\n")
            .formatted(
                n,
                ratio,
                n,
                ratio <= TARGET_TIMES_DOCKER ? "met in this run" : "not met in this run",
                toLastStarted.median() / target));

    out.append("#### Where the time goes (medians of each segment, host clock)\n\n");
    MarkdownTable segments = new MarkdownTable("CreateService → steady", "Median ms", "Max ms");
    for (Samples s :
        List.of(
            sentToCreated,
            createdToFirstTask,
            tasksCreatedSpread,
            lastTaskToFirstEngine,
            engineSpan,
            engineToStartedAt,
            startedAtToSeen,
            engineCreatedSpread)) {
      segments.row(s.label(), "%.1f".formatted(s.median()), "%.1f".formatted(s.max()));
    }
    out.append(segments.render());
    out.append('\n');
    MarkdownTable engine =
        new MarkdownTable(
            "One container's engine `Created` → `State.StartedAt`",
            "Containers",
            "Median ms",
            "p90 ms");
    engine.row(
        "started by the agent, %d at once".formatted(n),
        Integer.toString(wharfEngine.count()),
        "%.0f".formatted(wharfEngine.median()),
        "%.0f".formatted(wharfEngine.p90()));
    engine.row(
        "`docker run -d`, %d at once".formatted(n),
        Integer.toString(dockerParallelEngine.count()),
        "%.0f".formatted(dockerParallelEngine.median()),
        "%.0f".formatted(dockerParallelEngine.p90()));
    engine.row(
        "`docker run -d`, one after the other",
        Integer.toString(dockerRunEngine.count()),
        "%.0f".formatted(dockerRunEngine.median()),
        "%.0f".formatted(dockerRunEngine.p90()));
    out.append(engine.render());
    return out.toString();
  }

  /** The target: CreateService to steady at most 1.2 × N × the median docker run -d. */
  String[] againstTarget() {
    int n = settings.dockerTasks();
    double ratio = toSteady.median() / (n * dockerRun.median());
    return new String[] {
      "real Docker, CreateService → %d RUNNING and steady (client): ≤ %.1f× %d × `docker run -d`"
          .formatted(n, TARGET_TIMES_DOCKER, n),
      "%.2f×".formatted(ratio),
      ratio <= TARGET_TIMES_DOCKER ? "met" : "**not met**"
    };
  }

  // ---- set-up and clean-up ----

  /**
   * Stops the agent and the control plane, then removes every container this run made. Idempotent:
   * called at the end, on failure, and from the shutdown hook on Ctrl-C.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (ecs != null) {
      ecs.close();
    }
    try {
      if (agent != null) {
        agent.close();
      }
    } catch (RuntimeException e) {
      System.err.println("bench: stopping the agent failed: " + e.getMessage());
    }
    try {
      if (server != null) {
        server.close();
      }
    } catch (RuntimeException e) {
      System.err.println("bench: stopping the control plane failed: " + e.getMessage());
    }
    try {
      List<String> ours = new ArrayList<>(DockerCli.containersLabelled(RUN_LABEL, runId));
      if (instanceId != null) {
        ours.addAll(DockerCli.containersLabelled(INSTANCE_LABEL, instanceId));
      }
      DockerCli.removeForcibly(ours);
    } catch (RuntimeException e) {
      System.err.println(
          "bench: removing containers failed (labels %s=%s, %s=%s): %s"
              .formatted(RUN_LABEL, runId, INSTANCE_LABEL, instanceId, e.getMessage()));
    }
  }

  // ---- helpers ----

  private static int running(List<Task> tasks) {
    return (int) tasks.stream().filter(t -> "RUNNING".equals(t.lastStatus())).count();
  }

  private static Instant min(List<Instant> times) {
    return times.stream().min(Comparator.naturalOrder()).orElseThrow();
  }

  private static Instant max(List<Instant> times) {
    return times.stream().max(Comparator.naturalOrder()).orElseThrow();
  }

  private static long between(Instant from, Instant to) {
    if (from == null || to == null) {
      throw new IllegalStateException("A timestamp is missing: " + from + " → " + to);
    }
    return Duration.between(from, to).toNanos();
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(PAUSE.toMillis());
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
