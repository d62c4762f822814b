package io.wharf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.state.State;
import io.wharf.model.Deployment;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import io.wharf.simulation.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The simulated half of {@link ServiceBench}: services scaled and rolled out on the real control
 * plane with simulated container instances ({@link Simulation}), each run on a fresh simulation.
 *
 * <pre>
 *  scale:    CreateService(desiredCount N) ─▶ advance(step) … until ServicesStable's condition
 *  RunTask:  RunTask(count 10) × N/10      ─▶ advance(step) … until N RUNNING   (the baseline)
 *  rollout:  service of N, COMPLETED ─▶ UpdateService(revision 2) ─▶ advance(step) … until one
 *            deployment, COMPLETED, N RUNNING on revision 2
 *  idle:     then advance as much virtual time again, nothing to change          (the baseline)
 * </pre>
 *
 * <p>Requests are in-process calls of the ECS API ({@code Simulation.call}, as the simulation tests
 * make them): no HTTP or SigV4, for the service and its baseline alike. Nobody ticks the service
 * controller in the simulation: {@code Simulation.advance} steps every agent, sends their reports
 * concurrently, then runs one controller pass, once per step of at most one second of virtual time.
 *
 * <p>Threading: the benchmark's main thread only (the simulation's driver).
 */
final class SimulatedServices {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FAMILY = "service-bench";
  private static final String SERVICE = "bench";
  private static final String SERVICE_ARN =
      "arn:aws:ecs:us-east-1:123456789012:service/" + Simulation.CLUSTER + "/" + SERVICE;

  // The state machine's single writer: every command (controller passes, reports) runs on it.
  private static final String WRITER_THREAD = "wharf-state-machine";

  // RunTask's most tasks per call (ECS's limit), for the baseline.
  private static final int RUN_TASK_COUNT = 10;

  // A scenario not done within this much virtual time is broken, not slow.
  private static final Duration VIRTUAL_LIMIT = Duration.ofMinutes(30);

  /** What one run measures. */
  enum Kind {
    SCALE,
    RUN_TASK,
    ROLLOUT,
    IDLE
  }

  /** A point reached on the way, from the run's start. */
  record Milestone(long wallNanos, Duration virtual) {}

  /**
   * One measured run.
   *
   * @param wallNanos from just before the first request to the step after which the end condition
   *     held
   * @param virtual the simulation's clock over the same span
   * @param steps {@code advance} calls in that span
   * @param writerCpuNanos CPU time of the state machine's writer thread in that span
   * @param processCpuNanos CPU time of this whole JVM in that span
   * @param milestone scale: every task launched; RunTask: every task placed (the calls done);
   *     rollout: N tasks of the new revision RUNNING; idle: none
   * @param mostTasks rollout: the most live tasks of the service after any step (else 0)
   * @param fewestRunning rollout: the fewest RUNNING tasks wanted RUNNING after any step (else 0)
   */
  record Run(
      Kind kind,
      int tasks,
      long wallNanos,
      Duration virtual,
      int steps,
      long writerCpuNanos,
      long processCpuNanos,
      Milestone milestone,
      int mostTasks,
      int fewestRunning) {
    double tasksPerMinuteWall() {
      return tasks / (wallNanos / 6e10);
    }

    double tasksPerMinuteVirtual() {
      return tasks / (virtual.toNanos() / 6e10);
    }
  }

  /** ECS's published rate: 500 tasks launched per minute per service. */
  static final double ECS_TASKS_PER_MINUTE = 500;

  /** The target in simulation: 100 times ECS's rate. */
  static final double TARGET_TIMES_ECS = 100;

  private final ServiceSettings settings;
  private final Consumer<String> progress;
  private final List<Run> runs = new ArrayList<>();

  SimulatedServices(ServiceSettings settings, Consumer<String> progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /**
   * The warm-up (not recorded), then each repeat: every scale as a service and as RunTask, in
   * alternating order, then the rollout. Every run on a fresh simulation.
   */
  void run() throws Exception {
    int smallest =
        settings.scales().stream().mapToInt(Integer::intValue).min().orElse(settings.rollout());
    for (int i = 0; i < settings.warmup(); i++) {
      progress.accept(
          "JIT warm-up %d/%d (not recorded): a service of %,d, RunTask of %,d, a rollout of %,d"
              .formatted(i + 1, settings.warmup(), smallest, smallest, settings.rollout()));
      show(scaleService(smallest));
      show(scaleByRunTask(smallest));
      if (settings.rollout() > 0) {
        rollout(settings.rollout()).forEach(this::show);
      }
    }
    for (int r = 0; r < settings.repeats(); r++) {
      progress.accept("repeat %d/%d".formatted(r + 1, settings.repeats()));
      for (int n : settings.scales()) {
        // Odd repeats take the baseline first, so that neither always runs after the other.
        if (r % 2 == 0) {
          runs.add(show(scaleService(n)));
          runs.add(show(scaleByRunTask(n)));
        } else {
          runs.add(show(scaleByRunTask(n)));
          runs.add(show(scaleService(n)));
        }
        System.gc();
      }
      if (settings.rollout() > 0) {
        for (Run run : rollout(settings.rollout())) {
          runs.add(show(run));
        }
        System.gc();
      }
    }
  }

  private Run show(Run r) {
    progress.accept(
        "  %s %,d: %.2f s wall, %.0f s virtual, %d steps; %s; writer CPU %.2f s, JVM CPU %.2f s; %,.0f tasks/min wall"
            .formatted(
                label(r.kind()),
                r.tasks(),
                r.wallNanos() / 1e9,
                seconds(r.virtual()),
                r.steps(),
                r.milestone() == null
                    ? "-"
                    : "%s at %.2f s wall, %.0f s virtual"
                        .formatted(
                            milestoneLabel(r.kind(), r.tasks()),
                            r.milestone().wallNanos() / 1e9,
                            seconds(r.milestone().virtual())),
                r.writerCpuNanos() / 1e9,
                r.processCpuNanos() / 1e9,
                r.tasksPerMinuteWall()));
    return r;
  }

  // ---- scale: service and RunTask ----

  /**
   * A new service scaled from 0 to {@code n} tasks, until the ServicesStable waiter's condition.
   */
  Run scaleService(int n) throws Exception {
    try (Simulation sim = start()) {
      register(sim, "svc:1");
      Window w = new Window(sim);
      ObjectNode body =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("serviceName", SERVICE)
              .put("taskDefinition", FAMILY)
              .put("desiredCount", n);
      sim.call("CreateService", body);
      Milestone[] launched = new Milestone[1];
      w.advanceUntil(
          () -> {
            if (launched[0] == null && liveTasks(sim) >= n) {
              launched[0] = w.milestone();
            }
            return looksStable(sim) && stable(describe(sim));
          });
      Run run = w.finish(Kind.SCALE, n, launched[0], 0, 0);
      check(sim, n, 1);
      return run;
    }
  }

  /**
   * The baseline: the same {@code n} tasks started with RunTask (count 10, one call after the
   * other, as one client scaling by hand would), until every one is RUNNING.
   */
  Run scaleByRunTask(int n) throws Exception {
    try (Simulation sim = start()) {
      register(sim, "svc:1");
      Window w = new Window(sim);
      ObjectNode body =
          JSON.createObjectNode().put("cluster", Simulation.CLUSTER).put("taskDefinition", FAMILY);
      int placed = 0;
      while (placed < n) {
        int count = Math.min(RUN_TASK_COUNT, n - placed);
        JsonNode answer = sim.call("RunTask", body.put("count", count));
        if (answer.path("tasks").size() != count) {
          throw new IllegalStateException(
              "RunTask placed %d of %d: %s"
                  .formatted(answer.path("tasks").size(), count, answer.path("failures")));
        }
        placed += count;
      }
      Milestone calls = w.milestone();
      w.advanceUntil(() -> running(sim) == n);
      Run run = w.finish(Kind.RUN_TASK, n, calls, 0, 0);
      violations(sim);
      return run;
    }
  }

  // ---- rollout ----

  /**
   * A service of {@code n} tasks, steady and its deployment COMPLETED (untimed), rolled out to a
   * new revision with the default deployment configuration (minimumHealthyPercent 100,
   * maximumPercent 200); then, as its baseline, as much virtual time again with nothing to change.
   * Returns both.
   */
  List<Run> rollout(int n) throws Exception {
    try (Simulation sim = start()) {
      register(sim, "svc:1");
      ObjectNode create =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("serviceName", SERVICE)
              .put("taskDefinition", FAMILY)
              .put("desiredCount", n);
      sim.call("CreateService", create);
      Window setUp = new Window(sim);
      setUp.advanceUntil(
          () -> {
            if (!looksStable(sim) || !service(sim).primary().rolloutState().equals("COMPLETED")) {
              return false;
            }
            JsonNode s = describe(sim);
            return stable(s) && rolloutState(s).equals("COMPLETED");
          });
      progress.accept(
          "    set-up: %,d tasks steady and COMPLETED after %.0f s virtual, %.1f s wall"
              .formatted(n, seconds(setUp.virtual()), setUp.wallNanos() / 1e9));

      register(sim, "svc:2");
      String revision2 = definitionArn(2);
      int[] most = {0};
      int[] fewest = {Integer.MAX_VALUE};
      Window w = new Window(sim);
      ObjectNode update =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("service", SERVICE)
              .put("taskDefinition", FAMILY);
      sim.call("UpdateService", update);
      Milestone[] newRunning = new Milestone[1];
      w.advanceUntil(
          () -> {
            List<Task> live = tasksOf(sim);
            long onNew =
                live.stream()
                    .filter(
                        t ->
                            t.taskDefinitionArn().equals(revision2)
                                && t.lastStatus() == TaskStatus.RUNNING)
                    .count();
            if (newRunning[0] == null && onNew >= n) {
              newRunning[0] = w.milestone();
            }
            int wanted =
                (int)
                    live.stream()
                        .filter(
                            t ->
                                t.lastStatus() == TaskStatus.RUNNING
                                    && t.desiredStatus().equals("RUNNING"))
                        .count();
            most[0] = Math.max(most[0], live.size());
            fewest[0] = Math.min(fewest[0], wanted);
            // maximumPercent 200: never more than twice the desired count.
            if (live.size() > 2 * n) {
              throw new IllegalStateException(
                  "%,d live tasks during the rollout of %,d (maximumPercent 200)"
                      .formatted(live.size(), n));
            }
            if (live.size() != n
                || onNew != n
                || !looksStable(sim)
                || !service(sim).primary().rolloutState().equals("COMPLETED")) {
              return false;
            }
            JsonNode s = describe(sim);
            return stable(s)
                && rolloutState(s).equals("COMPLETED")
                && s.path("taskDefinition").asText().equals(revision2);
          });
      Run rollout = w.finish(Kind.ROLLOUT, n, newRunning[0], most[0], fewest[0]);
      check(sim, n, 2);

      // The baseline: the harness's own cost of that much virtual time, with the same tasks.
      Window idle = new Window(sim);
      int steps = rollout.steps();
      for (int i = 0; i < steps; i++) {
        idle.step();
      }
      Run baseline = idle.finish(Kind.IDLE, n, null, 0, 0);
      check(sim, n, 2);
      return List.of(rollout, baseline);
    }
  }

  // ---- report ----

  private static String label(Kind kind) {
    return switch (kind) {
      case SCALE -> "service, 0 →";
      case RUN_TASK -> "RunTask ×";
      case ROLLOUT -> "rolling deployment of";
      case IDLE -> "idle, as many steps, with";
    };
  }

  private static String milestoneLabel(Kind kind, int n) {
    return switch (kind) {
      case SCALE -> "all %,d launched".formatted(n);
      case RUN_TASK -> "every RunTask answered";
      case ROLLOUT -> "%,d new tasks RUNNING".formatted(n);
      case IDLE -> "-";
    };
  }

  private List<Run> of(Kind kind, int n) {
    return runs.stream().filter(r -> r.kind() == kind && r.tasks() == n).toList();
  }

  private static Samples samples(List<Run> runs, java.util.function.ToDoubleFunction<Run> millis) {
    Samples s = new Samples("");
    runs.forEach(r -> s.addMillis(millis.applyAsDouble(r)));
    return s;
  }

  private static Samples wall(List<Run> runs) {
    return samples(runs, r -> r.wallNanos() / 1e6);
  }

  private static Samples virtual(List<Run> runs) {
    return samples(runs, r -> r.virtual().toNanos() / 1e6);
  }

  /** A scenario and its baseline, as measured. */
  private record Row(String scenario, List<Run> measured, String baseline, List<Run> base) {}

  private List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (int n : settings.scales()) {
      rows.add(
          new Row(
              "service 0 → %,d tasks (steady)".formatted(n),
              of(Kind.SCALE, n),
              "RunTask × %,d, until all RUNNING".formatted(n),
              of(Kind.RUN_TASK, n)));
    }
    if (settings.rollout() > 0) {
      int n = settings.rollout();
      rows.add(
          new Row(
              "rolling deployment of %,d tasks (completed)".formatted(n),
              of(Kind.ROLLOUT, n),
              "idle: as many steps, %,d tasks, nothing to change".formatted(n),
              of(Kind.IDLE, n)));
    }
    return rows;
  }

  String report() {
    StringBuilder out = new StringBuilder();
    out.append("\n### In simulation\n\n");
    out.append(
        ("- Cluster: `Simulation.start(Options.of(%d, %d).withResources(%d, %d))`: the real control"
                + " plane (state machine, SQLite WAL with synchronous=FULL on the temp file system,"
                + " agent gateway, service controller) and %,d simulated instances of %,d CPU units"
                + " / %,d MiB in 3 availability zones, in this JVM\n")
            .formatted(
                settings.instances(),
                settings.seed(),
                settings.instanceCpu(),
                settings.instanceMemory(),
                settings.instances(),
                settings.instanceCpu(),
                settings.instanceMemory()));
    out.append(
        ("- Tasks: one container of %d CPU units / %d MiB (room for %,d per instance); services with"
                + " the default deployment configuration (100 / 200 %%) and placement (spread over"
                + " zones, then instances); no health checks, so a task counts as healthy 40 s"
                + " (virtual) after it runs\n")
            .formatted(
                settings.taskCpu(),
                settings.taskMemory(),
                Math.min(
                    settings.instanceCpu() / settings.taskCpu(),
                    settings.instanceMemory() / settings.taskMemory())));
    out.append(
        ("- Driving: requests are in-process ECS API calls (`Simulation.call`, no HTTP); then"
                + " `advance(%s)` until the end condition, checked before the first step and after"
                + " each. Each step moves the virtual clock, steps every simulated agent (a task"
                + " starts 1–2 s virtual after its agent sees it), sends their reports concurrently"
                + " and runs one service controller pass\n")
            .formatted(settings.step()));
    out.append(
        ("- %d warm-up round(s) (not recorded): the smallest scale as a service and with RunTask, and the rollout, then %d repeats; every run on a"
                + " fresh simulation; medians\n\n")
            .formatted(settings.warmup(), settings.repeats()));

    MarkdownTable main =
        new MarkdownTable(
            "Scenario",
            "Runs",
            "Wall, median s",
            "Wall, min–max s",
            "Virtual, median s",
            "Tasks/min (wall)",
            "× ECS 500/min",
            "Tasks/min (virtual)",
            "× ECS (virtual)");
    for (Row row : rows()) {
      if (row.measured().isEmpty()) {
        continue;
      }
      Samples wall = wall(row.measured());
      Samples virtual = virtual(row.measured());
      int n = row.measured().getFirst().tasks();
      double perMinuteWall = n / (wall.median() / 60_000);
      double perMinuteVirtual = n / (virtual.median() / 60_000);
      main.row(
          row.scenario(),
          Integer.toString(wall.count()),
          "%.2f".formatted(wall.median() / 1e3),
          "%.2f–%.2f".formatted(wall.min() / 1e3, wall.max() / 1e3),
          "%.0f".formatted(virtual.median() / 1e3),
          "%,.0f".formatted(perMinuteWall),
          "%.0f".formatted(perMinuteWall / ECS_TASKS_PER_MINUTE),
          "%,.0f".formatted(perMinuteVirtual),
          "%.1f".formatted(perMinuteVirtual / ECS_TASKS_PER_MINUTE));
    }
    out.append(main.render());
    out.append(
        ("\nWall: from just before CreateService (UpdateService) to the step after which the"
            + " condition held: the ServicesStable waiter's (one deployment, runningCount =="
            + " desiredCount); for the rollout, one deployment left, COMPLETED, every task"
            + " RUNNING the new revision. Tasks/min: the tasks over the median time. ECS"
            + " publishes 500 tasks per minute per service.\n\n"));

    MarkdownTable baselines =
        new MarkdownTable(
            "Scenario",
            "Wall, median s",
            "Baseline (same run, fresh simulation)",
            "Baseline wall, median s",
            "Baseline virtual, median s",
            "× baseline (wall)");
    for (Row row : rows()) {
      if (row.measured().isEmpty() || row.base().isEmpty()) {
        continue;
      }
      double wall = wall(row.measured()).median();
      double base = wall(row.base()).median();
      baselines.row(
          row.scenario(),
          "%.2f".formatted(wall / 1e3),
          row.baseline(),
          "%.2f".formatted(base / 1e3),
          "%.0f".formatted(virtual(row.base()).median() / 1e3),
          "%.2f".formatted(wall / base));
    }
    out.append(baselines.render());
    out.append(
        ("\nRunTask: the same tasks started by one client with RunTask (count 10, one call after"
                + " the other, in-process, the default RunTask placement) on a fresh simulation of"
                + " the same size, until every one is RUNNING. Idle: right after the rollout, the"
                + " same simulation advanced by as many steps again with nothing to change: what"
                + " stepping %,d agents and the controller's passes cost without the rollout.\n\n")
            .formatted(settings.instances()));

    MarkdownTable details =
        new MarkdownTable(
            "Run",
            "Milestone",
            "Milestone wall, median s",
            "Milestone virtual, median s",
            "Steps, median",
            "Writer CPU, median s",
            "JVM CPU, median s",
            "JVM cores");
    for (Row row : rows()) {
      for (List<Run> list : List.of(row.measured(), row.base())) {
        if (list.isEmpty()) {
          continue;
        }
        Run first = list.getFirst();
        boolean hasMilestone = list.stream().allMatch(r -> r.milestone() != null);
        Samples cpu = samples(list, r -> r.processCpuNanos() / 1e6);
        details.row(
            "%s %,d".formatted(label(first.kind()), first.tasks()),
            hasMilestone ? milestoneLabel(first.kind(), first.tasks()) : "",
            hasMilestone
                ? "%.2f"
                    .formatted(samples(list, r -> r.milestone().wallNanos() / 1e6).median() / 1e3)
                : "",
            hasMilestone
                ? "%.0f"
                    .formatted(
                        samples(list, r -> r.milestone().virtual().toNanos() / 1e6).median() / 1e3)
                : "",
            "%.0f".formatted(samples(list, r -> r.steps()).median()),
            "%.2f".formatted(samples(list, r -> r.writerCpuNanos() / 1e6).median() / 1e3),
            "%.2f".formatted(cpu.median() / 1e3),
            "%.2f".formatted(cpu.median() / wall(list).median()));
      }
    }
    out.append(details.render());
    out.append(
        ("\nWriter: the state machine's single writer thread (`%s`), which runs every command:"
                + " the controller's passes and the agents' reports. JVM: this whole JVM (control"
                + " plane, simulated agents, driver), out of %d cores.\n")
            .formatted(WRITER_THREAD, Machine.cores()));
    List<Run> rollouts = of(Kind.ROLLOUT, settings.rollout());
    if (!rollouts.isEmpty()) {
      out.append(
          ("\nDuring the rollouts of %,d: at most %,d live tasks after any step (maximumPercent 200"
                  + " allows %,d), at least %,d RUNNING and wanted (minimumHealthyPercent 100 asks"
                  + " %,d).\n")
              .formatted(
                  settings.rollout(),
                  rollouts.stream().mapToInt(Run::mostTasks).max().orElseThrow(),
                  2 * settings.rollout(),
                  rollouts.stream().mapToInt(Run::fewestRunning).min().orElseThrow(),
                  settings.rollout()));
    }
    return out.toString();
  }

  /** Each scenario's tasks per minute (wall) against the target: target, measured, met. */
  List<String[]> againstTarget() {
    List<String[]> rows = new ArrayList<>();
    for (Row row : rows()) {
      if (row.measured().isEmpty()) {
        continue;
      }
      int n = row.measured().getFirst().tasks();
      double perMinute = n / (wall(row.measured()).median() / 60_000);
      double times = perMinute / ECS_TASKS_PER_MINUTE;
      rows.add(
          new String[] {
            "simulation, %s: ≥ %.0f× ECS's 500 tasks/min (wall)"
                .formatted(row.scenario(), TARGET_TIMES_ECS),
            "%,.0f/min = %.0f×".formatted(perMinute, times),
            times >= TARGET_TIMES_ECS ? "met" : "**not met**"
          });
    }
    return rows;
  }

  // ---- measuring ----

  /** One measured span of a simulation: wall clock, virtual clock, steps and CPU. */
  private final class Window {
    private final Simulation sim;
    private final long startNanos = System.nanoTime();
    private final Instant startVirtual;
    private final long writerStart = Machine.threadCpuNanos(WRITER_THREAD);
    private final long processStart = Machine.processCpuNanos();
    private int steps;

    Window(Simulation sim) {
      this.sim = sim;
      this.startVirtual = sim.clock().instant();
    }

    void step() {
      sim.advance(settings.step());
      steps++;
    }

    /** Steps until {@code done} holds (checked first, then after every step). */
    void advanceUntil(BooleanSupplier done) {
      while (!done.getAsBoolean()) {
        if (virtual().compareTo(VIRTUAL_LIMIT) > 0) {
          throw new IllegalStateException("Not done within " + VIRTUAL_LIMIT + " of virtual time");
        }
        step();
      }
    }

    Milestone milestone() {
      return new Milestone(wallNanos(), virtual());
    }

    long wallNanos() {
      return System.nanoTime() - startNanos;
    }

    Duration virtual() {
      return Duration.between(startVirtual, sim.clock().instant());
    }

    Run finish(Kind kind, int tasks, Milestone milestone, int most, int fewest) {
      long wall = wallNanos();
      return new Run(
          kind,
          tasks,
          wall,
          virtual(),
          steps,
          Machine.threadCpuNanos(WRITER_THREAD) - writerStart,
          Machine.processCpuNanos() - processStart,
          milestone,
          most,
          fewest);
    }
  }

  // ---- the simulation ----

  private Simulation start() throws Exception {
    long t0 = System.nanoTime();
    Simulation sim =
        Simulation.start(
            Simulation.Options.of(settings.instances(), settings.seed())
                .withResources(settings.instanceCpu(), settings.instanceMemory()));
    progress.accept(
        "    a simulation of %,d instances started in %.1f s"
            .formatted(settings.instances(), (System.nanoTime() - t0) / 1e9));
    return sim;
  }

  private void register(Simulation sim, String image) {
    ObjectNode body = JSON.createObjectNode().put("family", FAMILY);
    body.putArray("containerDefinitions")
        .addObject()
        .put("name", "app")
        .put("image", image)
        .put("cpu", settings.taskCpu())
        .put("memory", settings.taskMemory());
    sim.call("RegisterTaskDefinition", body);
  }

  private static String definitionArn(int revision) {
    return "arn:aws:ecs:us-east-1:123456789012:task-definition/" + FAMILY + ":" + revision;
  }

  private static JsonNode describe(Simulation sim) {
    ObjectNode body = JSON.createObjectNode().put("cluster", Simulation.CLUSTER);
    body.putArray("services").add(SERVICE);
    return sim.call("DescribeServices", body).path("services").path(0);
  }

  /**
   * Whether DescribeServices would say the service is stable, from the state: a pre-check that
   * neither copies nor sorts the service's tasks, so that the run sends DescribeServices (which
   * does both, once per deployment) only when its answer can be yes, as a client polling it now and
   * then would, rather than after every step.
   */
  private static boolean looksStable(Simulation sim) {
    Service s = service(sim);
    long deployments =
        s.deployments().stream().filter(d -> !d.status().equals(Deployment.INACTIVE)).count();
    if (deployments != 1) {
      return false;
    }
    int running = 0;
    for (Task t : tasksOf(sim)) {
      if (t.lastStatus() == TaskStatus.RUNNING && t.desiredStatus().equals("RUNNING")) {
        running++;
      }
    }
    return running == s.desiredCount();
  }

  /** The ServicesStable waiter's condition: one deployment, runningCount == desiredCount. */
  private static boolean stable(JsonNode service) {
    return service.path("deployments").size() == 1
        && service.path("runningCount").asInt() == service.path("desiredCount").asInt();
  }

  private static String rolloutState(JsonNode service) {
    return service.path("deployments").path(0).path("rolloutState").asText();
  }

  private static Service service(Simulation sim) {
    return sim.state().services().get(SERVICE_ARN);
  }

  /**
   * How many tasks of the service are not STOPPED, from the state's index: no copy or sort of the
   * tasks (as {@code State.liveTasksOf} makes), so that checking costs the measured run little.
   */
  private static int liveTasks(Simulation sim) {
    State state = sim.state();
    Service s = state.services().get(SERVICE_ARN);
    var arns = state.serviceTasks().get(State.groupKey(s.clusterArn(), s.group()));
    return arns == null ? 0 : arns.size();
  }

  /** The service's tasks not STOPPED, in no particular order (see {@link #liveTasks}). */
  private static List<Task> tasksOf(Simulation sim) {
    State state = sim.state();
    Service s = state.services().get(SERVICE_ARN);
    var arns = state.serviceTasks().get(State.groupKey(s.clusterArn(), s.group()));
    if (arns == null) {
      return List.of();
    }
    List<Task> out = new ArrayList<>(arns.size());
    for (String arn : arns) {
      Task t = state.tasks().get(arn);
      if (t != null) {
        out.add(t);
      }
    }
    return out;
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

  /** After a run: exactly {@code n} tasks of the service, all RUNNING this revision. */
  private static void check(Simulation sim, int n, int revision) {
    violations(sim);
    List<Task> live = sim.state().liveTasksOf(service(sim));
    String arn = definitionArn(revision);
    if (live.size() != n
        || !live.stream()
            .allMatch(
                t -> t.lastStatus() == TaskStatus.RUNNING && t.taskDefinitionArn().equals(arn))) {
      throw new IllegalStateException(
          "Expected %,d tasks RUNNING %s, found %,d live".formatted(n, arn, live.size()));
    }
    if (sim.runningOnAgents().size() != n) {
      throw new IllegalStateException(
          "The agents run %,d tasks, the service %,d".formatted(sim.runningOnAgents().size(), n));
    }
  }

  private static void violations(Simulation sim) {
    List<String> violations = sim.violations();
    if (!violations.isEmpty()) {
      throw new IllegalStateException(
          violations.size() + " capacity violations, e.g. " + violations.getFirst());
    }
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
