package io.wharf.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * How long RunTask takes to give a running container, next to {@code docker run -d} of the same
 * container measured in the same run; and the agent's resident memory with no tasks and with 50.
 *
 * <pre>
 *  wharf server (child JVM) ◀── SigV4 ── this JVM ── docker CLI ──▶ Docker engine
 *        │ WebSocket manifest                                          ▲
 *        ▼                                                             │
 *  wharf agent (child JVM, --instance-address 127.0.0.9) ── docker-java ┘
 *
 *  1. ensure the test image; start both; cluster "bench"; a one-container task definition
 *  2. memory, 0 tasks (just registered)
 *  3. warm-up rounds, then N rounds; each round, in alternating order:
 *       RunTask, DescribeTasks every 50 ms until RUNNING  (then StopTask, wait STOPPED, rm: untimed)
 *       docker run -d of the same image and command      (then docker rm -f: untimed)
 *  4. memory, 0 tasks (after the rounds)
 *  5. RunTask count 10 × 5, wait until all RUNNING; memory, 50 tasks; stop them all
 * </pre>
 *
 * <p>It prints figures and never fails on time; it fails only when Wharf answers wrongly or a task
 * does not run. Progress goes to stderr, the report (Markdown) to stdout. It removes only
 * containers it made: those labelled with its own agent's instance id (a new one each run) and
 * those labelled {@code io.wharf.bench.run=<this run's id>}. Settings: {@link TaskStartSettings}.
 */
public final class TaskStartBench {
  private static final String CLUSTER = "bench";
  private static final String TEST_IMAGE = "wharf-test/busybox:latest";
  private static final String FAMILY = "wharf-bench-task-start";
  private static final String CONTAINER = "main";
  private static final List<String> COMMAND = List.of("sleep", "3600");
  private static final int TASK_MEMORY_MIB = 16;

  // Busybox's sleep runs as PID 1 and so ignores SIGTERM: every stop would wait out the timeout
  // before SIGKILL. One second (instead of ECS's 30) keeps the untimed stops short.
  private static final int STOP_TIMEOUT_SECONDS = 1;

  // The agent as the issue describes it: an address of its own for host ports, and more CPU and
  // memory than 50 tasks of 16 MiB need, so placement never refuses one.
  private static final String INSTANCE_ADDRESS = "127.0.0.9";
  private static final long AGENT_CPU = 65_536;
  private static final long AGENT_MEMORY_MIB = 16_384;

  /** The label the agent puts on every container it starts (see the agent's Labels). */
  private static final String INSTANCE_LABEL = "io.wharf.instance-id";

  /** The label on the baseline's containers, with this run's id. */
  private static final String RUN_LABEL = "io.wharf.bench.run";

  // ECS's limit on RunTask's count.
  private static final int RUN_TASK_MAX_COUNT = 10;
  // ... and on DescribeTasks' tasks.
  private static final int DESCRIBE_TASKS_MAX = 100;

  // A task not RUNNING (or STOPPED) by then is reported as broken, not slow.
  private static final Duration TASK_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration AGENT_CONNECT_TIMEOUT = Duration.ofSeconds(60);

  // Before each timed start: lets the previous start's tail (the agent's last report, the
  // control plane's manifest, the engine's clean-up after rm -f) finish rather than overlap it.
  private static final Duration PAUSE = Duration.ofMillis(200);

  // Durable replacements of a small file timed to tell what one fsync costs here.
  private static final int FSYNC_PROBES = 20;

  // After a full GC, before the second memory reading: G1 returns memory to the OS concurrently.
  private static final Duration AFTER_GC = Duration.ofSeconds(1);

  private final TaskStartSettings settings;
  private final Path root;
  private final String runId = HexFormat.of().formatHex(randomBytes(4));
  private final long began = System.nanoTime();
  private final AtomicBoolean cleanedUp = new AtomicBoolean();

  private WharfServer server;
  private WharfAgent agent;
  private volatile String instanceId;

  // The three series the issue asks for.
  private final Samples dockerRun = new Samples("`docker run -d` (baseline: the CLI process)");
  private final Samples wall = new Samples("RunTask → RUNNING seen by the client (wall)");
  private final Samples createdToStarted = new Samples("RunTask's `startedAt − createdAt`");
  // The CLI's own start-up, to read the baseline by.
  private final Samples dockerVersion =
      new Samples("`docker --version` (the CLI's start-up alone)");

  // Where Wharf's time goes: consecutive segments on the host's clock (all processes share it).
  private final Samples runTaskAnswer =
      new Samples("RunTask's own latency, sent → answered (overlaps the rows above)");
  private final Samples sentToCreated = new Samples("RunTask sent → `createdAt`");
  private final Samples createdToPullStart = new Samples("`createdAt` → `pullStartedAt`");
  private final Samples pullStartToStop = new Samples("`pullStartedAt` → `pullStoppedAt`");
  private final Samples pullStopToEngineCreated = new Samples("`pullStoppedAt` → engine `Created`");
  private final Samples wharfEngineCreatedToStarted =
      new Samples("engine `Created` → `State.StartedAt`");
  private final Samples engineStartedToStartedAt =
      new Samples("engine `State.StartedAt` → `startedAt`");
  private final Samples startedAtToSeen = new Samples("`startedAt` → RUNNING seen by the client");
  // ... and the baseline's.
  private final Samples spawnToEngineCreated = new Samples("CLI spawned → engine `Created`");
  private final Samples dockerEngineCreatedToStarted =
      new Samples("engine `Created` → `State.StartedAt`");
  private final Samples engineStartedToExit = new Samples("engine `State.StartedAt` → CLI exit");
  // The whole start less the engine's own Created → StartedAt: what each path adds to the engine.
  private final Samples wharfOutsideEngine =
      new Samples("RunTask → RUNNING seen, less the engine's `Created` → `State.StartedAt`");
  private final Samples dockerOutsideEngine =
      new Samples("the CLI process, less the engine's `Created` → `State.StartedAt`");
  private Samples durableWrites;

  private TaskStartBench(TaskStartSettings settings, Path root) {
    this.settings = settings;
    this.root = root;
  }

  public static void main(String[] args) throws Exception {
    // The report's numbers read the same on every machine: 1,234.5, not 1.234,5.
    Locale.setDefault(Locale.ROOT);
    TaskStartSettings settings = TaskStartSettings.fromSystemProperties();
    Path root = Files.createTempDirectory("wharf-bench-start");
    TaskStartBench bench = new TaskStartBench(settings, root);
    // Ctrl-C must not leave containers behind either.
    Thread hook = new Thread(bench::cleanUp, "wharf-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      String report = bench.run();
      bench.cleanUp();
      System.out.print(report);
      System.out.flush();
    } finally {
      bench.cleanUp();
      Runtime.getRuntime().removeShutdownHook(hook);
      TempDirs.delete(root);
    }
  }

  /** The memory of both processes at one point of the run. */
  private record MemoryPoint(
      String label,
      int tasksRunning,
      OptionalLong agentRss,
      OptionalLong agentRssAfterGc,
      OptionalLong serverRss,
      OptionalLong serverRssAfterGc) {}

  /** One observation of the tasks being waited for, and when its answer arrived. */
  private record Observed(List<Task> tasks, long atNanos) {}

  private String run() throws Exception {
    double loadBefore = Machine.loadAverage();
    progress("machine: " + Machine.describe());
    String docker = DockerCli.describe();
    progress(docker);
    durableWrites = Machine.durableWrites(root, FSYNC_PROBES);
    progress(
        "write + fsync + rename of 1 KiB in %s: median %.1f ms"
            .formatted(root.getParent(), durableWrites.median()));
    DockerCli.ensureImage(settings.image(), TEST_IMAGE, settings.testImageScript(), this::progress);

    progress("control plane: java -jar " + settings.serverJar() + " server; data under " + root);
    server = WharfServer.start(root.resolve("server"), settings.serverJar());
    try (EcsClient ecs = Clients.ecs(server.endpoint())) {
      ecs.createCluster(b -> b.clusterName(CLUSTER));
      progress("agent: java -jar " + settings.serverJar() + " agent --cluster " + CLUSTER);
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
      progress("agent connected: " + instance.containerInstanceArn() + " (" + instanceId + ")");
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

      List<MemoryPoint> memory = new ArrayList<>();
      memory.add(memoryPoint("registered, no task run yet", 0));

      int total = settings.warmup() + settings.rounds();
      progress(
          "%d warm-up rounds (not recorded), then %d rounds: RunTask and docker run -d, alternating"
              .formatted(settings.warmup(), settings.rounds()));
      for (int i = 0; i < total; i++) {
        boolean recorded = i >= settings.warmup();
        // Alternate which goes first, so that neither always runs right after the other's tail.
        if (i % 2 == 0) {
          startTask(ecs, recorded);
          dockerRun(i, recorded);
        } else {
          dockerRun(i, recorded);
          startTask(ecs, recorded);
        }
        if (recorded) {
          progress(
              "  round %2d: RunTask→RUNNING %.0f ms (startedAt−createdAt %.0f ms), docker run -d %.0f ms"
                  .formatted(
                      i - settings.warmup() + 1,
                      wall.last(),
                      createdToStarted.last(),
                      dockerRun.last()));
        } else {
          progress("  warm-up round %d done".formatted(i + 1));
        }
      }

      memory.add(memoryPoint("after the rounds, every task stopped", 0));
      long toAllRunning = runMany(ecs, settings.memoryTasks());
      memory.add(
          memoryPoint(
              "%d tasks RUNNING".formatted(settings.memoryTasks()), settings.memoryTasks()));
      long toAllStopped = stopAll(ecs);
      return report(memory, toAllRunning, toAllStopped, docker, loadBefore);
    }
  }

  // ---- one round ----

  /**
   * RunTask, then DescribeTasks every poll interval until the task is RUNNING: the timed part. Then
   * StopTask, wait for STOPPED and remove the container (untimed).
   */
  private void startTask(EcsClient ecs, boolean recorded) throws InterruptedException {
    pause();
    Instant sentWall = Instant.now();
    long sent = System.nanoTime();
    RunTaskResponse response = ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(FAMILY).count(1));
    long answered = System.nanoTime();
    String arn = started(response, 1).getFirst();
    Observed running = await(ecs, List.of(arn), "RUNNING", answered);
    Task task = running.tasks().getFirst();
    String runtimeId = task.containers().getFirst().runtimeId();
    if (recorded) {
      Instant seenWall = sentWall.plusNanos(running.atNanos() - sent);
      Instant[] engine = DockerCli.createdAndStarted(runtimeId);
      wall.addNanos(running.atNanos() - sent);
      createdToStarted.addNanos(between(task.createdAt(), task.startedAt()));
      runTaskAnswer.addNanos(answered - sent);
      sentToCreated.addNanos(between(sentWall, task.createdAt()));
      createdToPullStart.addNanos(between(task.createdAt(), task.pullStartedAt()));
      pullStartToStop.addNanos(between(task.pullStartedAt(), task.pullStoppedAt()));
      pullStopToEngineCreated.addNanos(between(task.pullStoppedAt(), engine[0]));
      wharfEngineCreatedToStarted.addNanos(between(engine[0], engine[1]));
      engineStartedToStartedAt.addNanos(between(engine[1], task.startedAt()));
      startedAtToSeen.addNanos(between(task.startedAt(), seenWall));
      wharfOutsideEngine.addNanos(running.atNanos() - sent - between(engine[0], engine[1]));
    }
    ecs.stopTask(b -> b.cluster(CLUSTER).task(arn).reason("wharf task start benchmark"));
    await(ecs, List.of(arn), "STOPPED", System.nanoTime());
    DockerCli.removeForcibly(DockerCli.containersLabelled(INSTANCE_LABEL, instanceId));
  }

  /**
   * {@code docker run -d} of the same image, command, memory limit and stop timeout as the task's
   * container (the agent sets the same), timed as the CLI process; then {@code docker rm -f}
   * (untimed), and {@code docker --version}, timed, for the CLI's start-up alone.
   */
  private void dockerRun(int round, boolean recorded) throws InterruptedException {
    pause();
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--name",
                "wharf-bench-start-" + runId + "-" + round,
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
    DockerCli.Result run = DockerCli.run(args.toArray(String[]::new));
    if (run.exitCode() != 0) {
      throw new IllegalStateException(
          "docker run -d failed (" + run.exitCode() + "): " + run.output());
    }
    String id = run.lastLine();
    if (recorded) {
      Instant[] engine = DockerCli.createdAndStarted(id);
      Instant exited = run.spawnedAt().plusNanos(run.nanos());
      dockerRun.addNanos(run.nanos());
      spawnToEngineCreated.addNanos(between(run.spawnedAt(), engine[0]));
      dockerEngineCreatedToStarted.addNanos(between(engine[0], engine[1]));
      engineStartedToExit.addNanos(between(engine[1], exited));
      dockerOutsideEngine.addNanos(run.nanos() - between(engine[0], engine[1]));
    }
    DockerCli.removeForcibly(List.of(id));
    DockerCli.Result version = DockerCli.run("--version");
    if (recorded) {
      dockerVersion.addNanos(version.nanos());
    }
  }

  // ---- many tasks ----

  /** Starts {@code count} tasks, RunTask with count 10 at a time; returns nanos to all RUNNING. */
  private long runMany(EcsClient ecs, int count) throws InterruptedException {
    progress("starting %d tasks (RunTask, count up to %d)".formatted(count, RUN_TASK_MAX_COUNT));
    long start = System.nanoTime();
    List<String> arns = new ArrayList<>();
    while (arns.size() < count) {
      int n = Math.min(RUN_TASK_MAX_COUNT, count - arns.size());
      arns.addAll(started(ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(FAMILY).count(n)), n));
    }
    Observed running = await(ecs, arns, "RUNNING", System.nanoTime());
    long nanos = running.atNanos() - start;
    progress("  all %d RUNNING %.1f s after the first RunTask".formatted(count, nanos / 1e9));
    return nanos;
  }

  /** Stops every task of the cluster and removes their containers; returns nanos to all STOPPED. */
  private long stopAll(EcsClient ecs) throws InterruptedException {
    List<String> arns = ecs.listTasks(b -> b.cluster(CLUSTER)).taskArns();
    progress("stopping %d tasks".formatted(arns.size()));
    long start = System.nanoTime();
    for (String arn : arns) {
      ecs.stopTask(b -> b.cluster(CLUSTER).task(arn).reason("wharf task start benchmark"));
    }
    long nanos = arns.isEmpty() ? 0 : await(ecs, arns, "STOPPED", start).atNanos() - start;
    DockerCli.removeForcibly(DockerCli.containersLabelled(INSTANCE_LABEL, instanceId));
    return nanos;
  }

  // ---- waiting ----

  /** The ARNs of the tasks RunTask started; any failure, or fewer tasks, is an error. */
  private static List<String> started(RunTaskResponse response, int expected) {
    if (!response.failures().isEmpty() || response.tasks().size() != expected) {
      throw new IllegalStateException(
          "RunTask started "
              + response.tasks().size()
              + " of "
              + expected
              + " tasks: "
              + response.failures());
    }
    return response.tasks().stream().map(Task::taskArn).toList();
  }

  /**
   * Asks DescribeTasks every poll interval, from {@code from} on (fixed rate: a slow answer skips
   * the slots it overran), until every task's lastStatus is {@code status}; returns the answer that
   * said so and when it arrived.
   */
  private Observed await(EcsClient ecs, List<String> arns, String status, long from)
      throws InterruptedException {
    long poll = settings.poll().toNanos();
    long next = from + poll;
    while (true) {
      long now = System.nanoTime();
      if (next > now) {
        TimeUnit.NANOSECONDS.sleep(next - now);
      }
      List<Task> tasks = describe(ecs, arns);
      long at = System.nanoTime();
      if (tasks.stream().allMatch(t -> status.equals(t.lastStatus()))) {
        return new Observed(tasks, at);
      }
      for (Task t : tasks) {
        if ("STOPPED".equals(t.lastStatus()) && !status.equals("STOPPED")) {
          throw new IllegalStateException(
              "Task " + t.taskArn() + " stopped instead of running: " + t.stoppedReason());
        }
      }
      if (at - from > TASK_TIMEOUT.toNanos()) {
        throw new IllegalStateException(
            "Tasks not " + status + " within " + TASK_TIMEOUT + ":\n" + agent.outputTail());
      }
      while (next <= at) {
        next += poll;
      }
    }
  }

  private static List<Task> describe(EcsClient ecs, List<String> arns) {
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

  // ---- memory ----

  /**
   * After the settle time, both processes' VmRSS as they are; then again after a full collection in
   * each, which leaves out garbage not yet collected.
   */
  private MemoryPoint memoryPoint(String label, int tasksRunning) throws InterruptedException {
    progress("memory (%s): settling %s first".formatted(label, seconds(settings.settle())));
    Thread.sleep(settings.settle().toMillis());
    OptionalLong agentRss = agent.residentBytes();
    OptionalLong serverRss = server.residentBytes();
    boolean agentGc = agent.fullGc();
    boolean serverGc = server.fullGc();
    Thread.sleep(AFTER_GC.toMillis());
    MemoryPoint point =
        new MemoryPoint(
            label,
            tasksRunning,
            agentRss,
            agentGc ? agent.residentBytes() : OptionalLong.empty(),
            serverRss,
            serverGc ? server.residentBytes() : OptionalLong.empty());
    progress(
        "  agent %s MiB (%s after a full GC), control plane %s MiB (%s after a full GC)"
            .formatted(
                mib(point.agentRss()),
                mib(point.agentRssAfterGc()),
                mib(point.serverRss()),
                mib(point.serverRssAfterGc())));
    return point;
  }

  // ---- report ----

  private String report(
      List<MemoryPoint> memory,
      long toAllRunning,
      long toAllStopped,
      String docker,
      double loadBefore) {
    StringBuilder out = new StringBuilder();
    out.append("\n## Wharf task start benchmark\n\n");
    out.append("- Machine: ").append(Machine.describe()).append('\n');
    out.append("- ").append(docker).append('\n');
    out.append(
        "- Load average (1 min): %.2f at start, %.2f at end (the machine is shared: compare medians and ratios)\n"
            .formatted(loadBefore, Machine.loadAverage()));
    out.append(
        ("- Wharf: `wharf server` and `wharf agent --instance-address %s --cpu %d --memory %d` in two"
                + " child JVMs (`java -jar app/target/wharf.jar`, same JDK, default heap settings),"
                + " SQLite WAL with synchronous=FULL, data dirs on the temp file system\n")
            .formatted(INSTANCE_ADDRESS, AGENT_CPU, AGENT_MEMORY_MIB));
    out.append(
        "- Container: `%s` running `%s`, memory %d MiB, stopTimeout %d s; the image is local (no pull)\n"
            .formatted(
                settings.image(),
                String.join(" ", COMMAND),
                TASK_MEMORY_MIB,
                STOP_TIMEOUT_SECONDS));
    out.append(
        ("- %d warm-up rounds (not recorded), then %d rounds, each one RunTask (DescribeTasks every"
                + " %d ms until RUNNING) and one `docker run -d`, in alternating order\n")
            .formatted(settings.warmup(), settings.rounds(), settings.poll().toMillis()));
    out.append("- Run took %.0f s\n\n".formatted((System.nanoTime() - began) / 1e9));

    out.append("### Time to a running container\n\n");
    double base = dockerRun.median();
    double baseP90 = dockerRun.p90();
    MarkdownTable times =
        new MarkdownTable(
            "Series",
            "Rounds",
            "Median ms",
            "p90 ms",
            "Min ms",
            "Max ms",
            "Median × docker run",
            "p90 × docker run");
    for (Samples s : List.of(dockerRun, wall, createdToStarted, dockerVersion)) {
      times.row(
          s.label(),
          Integer.toString(s.count()),
          "%.0f".formatted(s.median()),
          "%.0f".formatted(s.p90()),
          "%.0f".formatted(s.min()),
          "%.0f".formatted(s.max()),
          s == dockerRun ? "" : "%.2f".formatted(s.median() / base),
          s == dockerRun ? "" : "%.2f".formatted(s.p90() / baseP90));
    }
    out.append(times.render());
    double ratio = wall.median() / base;
    out.append(
        ("\nRunTask to RUNNING as a client sees it: **%.2f×** the median `docker run -d` (target: at"
                + " most 1.15×, %s); `startedAt − createdAt`: **%.2f×**.\n\n")
            .formatted(
                ratio,
                ratio <= 1.15 ? "met in this run" : "not met in this run",
                createdToStarted.median() / base));

    out.append("### Where the time goes (medians of each segment, host clock)\n\n");
    out.append(
        ("Consecutive segments of one start, from timestamps on the host's clock (client, control"
                + " plane, agent and Docker engine share it; Wharf's are whole milliseconds). Medians"
                + " of segments need not add up to the median of the whole. A durable write (write,"
                + " fsync, rename of 1 KiB) in the temp directory took %.1f ms at the median (p90"
                + " %.1f ms) on this machine.\n\n")
            .formatted(durableWrites.median(), durableWrites.p90()));
    out.append(
        segmentTable(
            "RunTask",
            List.of(
                sentToCreated,
                createdToPullStart,
                pullStartToStop,
                pullStopToEngineCreated,
                wharfEngineCreatedToStarted,
                engineStartedToStartedAt,
                startedAtToSeen,
                runTaskAnswer,
                wharfOutsideEngine)));
    out.append('\n');
    out.append(
        segmentTable(
            "docker run -d",
            List.of(
                spawnToEngineCreated,
                dockerEngineCreatedToStarted,
                engineStartedToExit,
                dockerOutsideEngine)));

    out.append("\n### Resident memory (VmRSS)\n\n");
    out.append(
        ("Read from `/proc/<pid>/status` after %s of quiet; \"after GC\": again 1 s after `jcmd <pid>"
                + " GC.run` (garbage not yet collected left out). %d tasks: RunTask count %d × %d,"
                + " all RUNNING %.1f s after the first RunTask; stopping them all took %.1f s.\n\n")
            .formatted(
                seconds(settings.settle()),
                settings.memoryTasks(),
                RUN_TASK_MAX_COUNT,
                (settings.memoryTasks() + RUN_TASK_MAX_COUNT - 1) / RUN_TASK_MAX_COUNT,
                toAllRunning / 1e9,
                toAllStopped / 1e9));
    MarkdownTable rss =
        new MarkdownTable(
            "Point",
            "Tasks running",
            "Agent MiB",
            "Agent after GC MiB",
            "Control plane MiB",
            "Control plane after GC MiB");
    for (MemoryPoint p : memory) {
      rss.row(
          p.label(),
          Integer.toString(p.tasksRunning()),
          mib(p.agentRss()),
          mib(p.agentRssAfterGc()),
          mib(p.serverRss()),
          mib(p.serverRssAfterGc()));
    }
    out.append(rss.render());
    MemoryPoint idle = memory.get(memory.size() - 2);
    MemoryPoint loaded = memory.getLast();
    out.append(
        "\n%d running tasks against none after the rounds: agent %s MiB (%s MiB after GC), control plane %s MiB (%s MiB after GC).\n"
            .formatted(
                loaded.tasksRunning(),
                difference(loaded.agentRss(), idle.agentRss()),
                difference(loaded.agentRssAfterGc(), idle.agentRssAfterGc()),
                difference(loaded.serverRss(), idle.serverRss()),
                difference(loaded.serverRssAfterGc(), idle.serverRssAfterGc())));
    return out.toString();
  }

  private static String segmentTable(String path, List<Samples> segments) {
    MarkdownTable table = new MarkdownTable(path, "Median ms", "p90 ms");
    for (Samples s : segments) {
      table.row(s.label(), "%.1f".formatted(s.median()), "%.1f".formatted(s.p90()));
    }
    return table.render();
  }

  private static String seconds(Duration d) {
    return "%.1f s".formatted(d.toMillis() / 1e3);
  }

  private static String mib(OptionalLong bytes) {
    return bytes.isPresent() ? "%.1f".formatted(bytes.getAsLong() / (1024.0 * 1024)) : "n/a";
  }

  private static String difference(OptionalLong later, OptionalLong earlier) {
    if (later.isEmpty() || earlier.isEmpty()) {
      return "n/a";
    }
    return "%+.1f".formatted((later.getAsLong() - earlier.getAsLong()) / (1024.0 * 1024));
  }

  // ---- helpers ----

  private static long between(Instant from, Instant to) {
    if (from == null || to == null) {
      throw new IllegalStateException("A timestamp is missing: " + from + " → " + to);
    }
    return Duration.between(from, to).toNanos();
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(PAUSE.toMillis());
  }

  /**
   * Stops the agent and the control plane, then removes every container this run made. Idempotent:
   * called at the end, on failure, and from the shutdown hook on Ctrl-C.
   */
  private void cleanUp() {
    if (!cleanedUp.compareAndSet(false, true)) {
      return;
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
          "bench: removing containers failed (labels "
              + RUN_LABEL
              + "="
              + runId
              + ", "
              + INSTANCE_LABEL
              + "="
              + instanceId
              + "): "
              + e.getMessage());
    }
  }

  private void progress(String message) {
    System.err.printf(
        Locale.ROOT, "bench [%5.1fs] %s%n", (System.nanoTime() - began) / 1e9, message);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
