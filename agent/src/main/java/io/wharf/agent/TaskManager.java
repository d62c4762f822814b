package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerSpec;
import io.wharf.runtime.ContainerState;
import io.wharf.runtime.HealthCheck;
import io.wharf.runtime.PortBinding;
import io.wharf.runtime.Ulimit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of one task on this instance: only this class changes the task's containers and
 * reports its status, from its own thread, so no two actors ever race on a task.
 *
 * <pre>
 *  adopt existing containers (labels) ─▶ pull ─▶ create/start in dependsOn order ─▶ RUNNING
 *        │                                   (waiting on START/COMPLETE/SUCCESS/HEALTHY)      │
 *        └────────── essential exit, failure, or desired STOPPED ◀──────── events ◀───────────┘
 *                          │
 *                          ▼ stop in reverse order (SIGTERM, then SIGKILL after stopTimeout)
 *                        STOPPED (reported with exit codes and reasons) ─▶ cleanup later
 * </pre>
 *
 * <p>Signals (desired status from the manifest, container events from Docker) arrive on a queue
 * from other threads; the manager's thread handles them one at a time. Statuses only move forward:
 * PENDING, RUNNING, STOPPED.
 */
final class TaskManager {
  private static final Logger log = LoggerFactory.getLogger(TaskManager.class);

  /** ECS waits this long for a dependency condition when the container sets no startTimeout. */
  private static final Duration DEFAULT_DEPENDENCY_WAIT = Duration.ofMinutes(3);

  /** What the agent gives every task manager. */
  record Context(
      ContainerRuntime runtime,
      Reporter reporter,
      PortAllocator ports,
      AgentConfig config,
      String instanceId,
      String clusterName,
      java.util.concurrent.ScheduledExecutorService cleanup,
      java.util.Set<String> knownImages,
      java.time.Clock clock,
      AwslogsDeliveries awslogs) {}

  /** One container of the task, as this manager knows it. */
  private static final class Run {
    final String name;
    final String containerArn;
    final JsonNode definition;
    final boolean essential;
    String runtimeId;
    String status = "PENDING"; // PENDING, RUNNING, STOPPED
    Integer exitCode;
    String reason;
    String health = "UNKNOWN";
    boolean started;
    final List<PortBinding> bindings = new ArrayList<>();
    final List<Integer> dynamicPorts = new ArrayList<>();
    String logStream;

    Run(String name, String containerArn, JsonNode definition) {
      this.name = name;
      this.containerArn = containerArn;
      this.definition = definition;
      this.essential = definition.path("essential").asBoolean(true);
    }
  }

  private sealed interface Signal {
    record Desired(String status) implements Signal {}

    record Event(ContainerEvent event) implements Signal {}
  }

  private final Context ctx;
  private final String taskArn;
  private final String family;
  private final String revision;
  private final JsonNode definition;
  private final JsonNode overrides;
  private final Map<String, Run> runs = new LinkedHashMap<>();
  private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
  private final List<ContainerState> adopted;
  private volatile String desired;
  private volatile boolean done;
  private String taskStatus = "PENDING";
  private Instant pullStartedAt;
  private Instant pullStoppedAt;

  TaskManager(Context ctx, JsonNode manifestTask, List<ContainerState> adopted) {
    this.ctx = ctx;
    this.taskArn = manifestTask.path("taskArn").asText();
    String tdArn = manifestTask.path("taskDefinitionArn").asText();
    String familyRevision = tdArn.substring(tdArn.indexOf('/') + 1);
    this.family = familyRevision.substring(0, familyRevision.lastIndexOf(':'));
    this.revision = familyRevision.substring(familyRevision.lastIndexOf(':') + 1);
    this.definition = manifestTask.path("taskDefinition");
    this.overrides = manifestTask.path("overrides");
    this.desired = manifestTask.path("desiredStatus").asText("RUNNING");
    this.adopted = List.copyOf(adopted);
    Map<String, String> arns = new LinkedHashMap<>();
    for (JsonNode c : manifestTask.path("containers")) {
      arns.put(c.path("name").asText(), c.path("containerArn").asText());
    }
    for (JsonNode c : definition.path("containerDefinitions")) {
      String name = c.path("name").asText();
      runs.put(name, new Run(name, arns.getOrDefault(name, ""), c));
    }
  }

  String taskArn() {
    return taskArn;
  }

  boolean isDone() {
    return done;
  }

  boolean owns(String containerId) {
    return runs.values().stream().anyMatch(r -> containerId.equals(r.runtimeId));
  }

  /** Starts the manager's thread. */
  void start() {
    Thread.ofVirtual()
        .name("task-" + taskArn.substring(taskArn.lastIndexOf('/') + 1))
        .start(this::run);
  }

  void desired(String status) {
    if (!status.equals(desired)) {
      desired = status;
      signals.add(new Signal.Desired(status));
    }
  }

  void event(ContainerEvent event) {
    signals.add(new Signal.Event(event));
  }

  private void run() {
    try {
      adopt();
      if (!taskStatus.equals("STOPPED") && desired.equals("RUNNING")) {
        launch();
      }
      while (!taskStatus.equals("STOPPED")) {
        Signal s = signals.poll(1, TimeUnit.SECONDS);
        if (s != null) {
          handle(s);
        }
        if (desired.equals("STOPPED") && !taskStatus.equals("STOPPED")) {
          stopTask(null);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("Task {} failed unexpectedly", taskArn, e);
      if (!taskStatus.equals("STOPPED")) {
        stopTask("InternalError: " + e.getMessage());
      }
    } finally {
      done = true;
    }
  }

  // ---- adoption (after an agent restart) ------------------------------------------------------

  private void adopt() {
    for (ContainerState listed : adopted) {
      // Look again now that this manager is registered for the task's events: whatever happened
      // before this inspect shows in it, whatever happens after arrives as an event.
      ContainerState state = inspectOr(listed);
      Run run = runs.get(state.labels().get(Labels.CONTAINER_NAME));
      if (run == null) {
        continue;
      }
      run.runtimeId = state.id();
      run.started = state.startedAt() != null;
      state.ports().forEach(run.bindings::add);
      String dynamic = state.labels().getOrDefault(Labels.DYNAMIC_PORTS, "");
      for (String p : dynamic.split(",")) {
        if (!p.isBlank()) {
          run.dynamicPorts.add(Integer.parseInt(p));
          ctx.ports().taken(Integer.parseInt(p));
        }
      }
      if (run.started) {
        resumeDelivery(run);
      }
      if (state.status() == ContainerState.Status.RUNNING) {
        run.status = "RUNNING";
        run.health = health(state.health());
      } else if (run.started) {
        markExited(run, state.exitCode(), state.oomKilled());
      }
    }
    if (adopted.isEmpty()) {
      return;
    }
    log.info("Task {} re-adopted {} containers from Docker", taskArn, adopted.size());
    boolean essentialExited =
        runs.values().stream().anyMatch(r -> r.essential && r.status.equals("STOPPED"));
    boolean allRunning =
        runs.values().stream()
            .allMatch(
                r -> r.status.equals("RUNNING") || (r.status.equals("STOPPED") && !r.essential));
    if (essentialExited) {
      stopTask("Essential container in task exited");
    } else if (allRunning) {
      taskStatus = "RUNNING";
      reportTask("RUNNING", null);
    }
  }

  private ContainerState inspectOr(ContainerState listed) {
    try {
      return ctx.runtime().inspect(listed.id()).orElse(listed);
    } catch (RuntimeException e) {
      return listed;
    }
  }

  // ---- launch -----------------------------------------------------------------------------------

  private void launch() throws InterruptedException {
    pullStartedAt = ctx.clock().instant();
    for (Run run : runs.values()) {
      if (run.runtimeId != null) {
        continue;
      }
      String image = run.definition.path("image").asText();
      try {
        // Images this agent has seen present are not checked again (a check is a round trip to
        // the engine on every start); if one was removed meanwhile, create says so and it is
        // pulled then.
        if (!ctx.knownImages().contains(image)) {
          if (!ctx.runtime().hasImage(image)) {
            ctx.runtime().pull(image);
          }
          ctx.knownImages().add(image);
        }
      } catch (ContainerRuntimeException e) {
        fail(run, "CannotPullContainerError: " + e.getMessage());
        return;
      }
    }
    // The pull times travel with the RUNNING (or STOPPED) report; a separate PENDING report would
    // only delay it, as reports are delivered in order.
    pullStoppedAt = ctx.clock().instant();
    for (Run run : order()) {
      if (run.started) {
        continue;
      }
      if (!awaitDependencies(run)) {
        return;
      }
      if (taskStatus.equals("STOPPED") || desired.equals("STOPPED")) {
        return;
      }
      try {
        if (run.runtimeId == null) {
          run.runtimeId = create(run);
        }
        String unready = prepareDelivery(run);
        if (unready != null) {
          fail(run, unready);
          return;
        }
        ctx.runtime().start(run.runtimeId);
        run.started = true;
        startDelivery(run);
        run.status = "RUNNING";
        if (!run.definition.path("portMappings").isEmpty()) {
          refreshBindings(run);
        }
      } catch (ContainerRuntimeException e) {
        fail(run, e.ecsErrorName() + ": " + e.getMessage());
        return;
      }
    }
    if (!taskStatus.equals("STOPPED")) {
      taskStatus = "RUNNING";
      reportTask("RUNNING", null);
    }
  }

  // ---- awslogs ----------------------------------------------------------------------------------

  /** How often the group and stream are tried while the control plane cannot be reached. */
  private static final int PREPARE_ATTEMPTS = 5;

  /**
   * Makes the container's log group (when it may) and stream ready before it starts, as Docker's
   * awslogs driver does when the container is created; returns the task's stopped reason when that
   * fails, null when ready (or not an awslogs container).
   */
  private String prepareDelivery(Run run) throws InterruptedException {
    AwslogsOptions options;
    try {
      options = AwslogsOptions.of(run.definition).orElse(null);
    } catch (IllegalArgumentException e) {
      return "ResourceInitializationError: failed to validate logger args: " + e.getMessage();
    }
    if (options == null) {
      return null;
    }
    run.logStream = options.streamName(run.name, taskId(), run.runtimeId);
    Backoff backoff = Backoff.reconnect();
    for (int attempt = 1; ; attempt++) {
      try {
        ctx.awslogs().prepare(options, run.logStream);
        return null;
      } catch (AwslogsDelivery.NotReady e) {
        return e.getMessage();
      } catch (ControlPlaneClient.CallFailed e) {
        if (attempt == PREPARE_ATTEMPTS) {
          return "ResourceInitializationError: failed to validate logger args: " + e.getMessage();
        }
        Thread.sleep(backoff.next());
      }
    }
  }

  private void startDelivery(Run run) {
    if (run.logStream == null) {
      return;
    }
    AwslogsOptions.of(run.definition)
        .ifPresent(o -> ctx.awslogs().start(run.runtimeId, o, run.logStream));
  }

  /** An adopted container: delivery goes on from its cursor (or finishes what it had left). */
  private void resumeDelivery(Run run) {
    try {
      AwslogsOptions.of(run.definition)
          .ifPresent(
              o -> {
                run.logStream = o.streamName(run.name, taskId(), run.runtimeId);
                ctx.awslogs().start(run.runtimeId, o, run.logStream);
              });
    } catch (IllegalArgumentException e) {
      log.warn("Task {} container {}: bad awslogs options: {}", taskArn, run.name, e.getMessage());
    }
  }

  private String taskId() {
    return taskArn.substring(taskArn.lastIndexOf('/') + 1);
  }

  /** Creates the container; an image removed since it was last seen is pulled, once. */
  private String create(Run run) {
    ContainerSpec spec = spec(run);
    try {
      return ctx.runtime().create(spec);
    } catch (ContainerRuntimeException e) {
      if (e.kind() != ContainerRuntimeException.Kind.IMAGE_NOT_FOUND) {
        throw e;
      }
      ctx.knownImages().remove(spec.image());
      try {
        ctx.runtime().pull(spec.image());
      } catch (ContainerRuntimeException pullFailure) {
        throw new ContainerRuntimeException(
            ContainerRuntimeException.Kind.IMAGE_PULL_FAILED,
            "CannotPullContainerError",
            pullFailure.getMessage(),
            pullFailure);
      }
      ctx.knownImages().add(spec.image());
      return ctx.runtime().create(spec);
    }
  }

  /** Containers in an order that starts every dependency before its dependents. */
  private List<Run> order() {
    List<Run> ordered = new ArrayList<>();
    java.util.Set<String> placed = new java.util.HashSet<>();
    while (ordered.size() < runs.size()) {
      boolean progress = false;
      for (Run run : runs.values()) {
        if (placed.contains(run.name)) {
          continue;
        }
        boolean ready = true;
        for (JsonNode d : run.definition.path("dependsOn")) {
          ready &=
              placed.contains(d.path("containerName").asText())
                  || !runs.containsKey(d.path("containerName").asText());
        }
        if (ready) {
          ordered.add(run);
          placed.add(run.name);
          progress = true;
        }
      }
      if (!progress) {
        // A cycle: registration refuses them, so this is only a guard.
        runs.values().stream().filter(r -> !placed.contains(r.name)).forEach(ordered::add);
        break;
      }
    }
    return ordered;
  }

  /** Waits until every dependsOn condition of {@code run} holds; false when the task failed. */
  private boolean awaitDependencies(Run run) throws InterruptedException {
    long waitMs =
        run.definition.has("startTimeout")
            ? run.definition.get("startTimeout").asLong() * 1000
            : DEFAULT_DEPENDENCY_WAIT.toMillis();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    while (true) {
      String unmet = null;
      for (JsonNode d : run.definition.path("dependsOn")) {
        Run dep = runs.get(d.path("containerName").asText());
        if (dep == null) {
          continue;
        }
        String condition = d.path("condition").asText("START");
        Boolean met = conditionMet(dep, condition);
        if (met == null) {
          fail(run, "DependencyError: container " + dep.name + " can no longer reach " + condition);
          return false;
        }
        if (!met) {
          unmet = dep.name + " " + condition;
        }
      }
      if (unmet == null) {
        return true;
      }
      if (taskStatus.equals("STOPPED") || desired.equals("STOPPED")) {
        return false;
      }
      if (System.nanoTime() > deadline) {
        fail(run, "DependencyTimeoutError: timed out waiting for " + unmet);
        return false;
      }
      Signal s = signals.poll(200, TimeUnit.MILLISECONDS);
      if (s != null) {
        handle(s);
      }
    }
  }

  /** True when met, false when not yet, null when it can never be met. */
  private static Boolean conditionMet(Run dep, String condition) {
    return switch (condition) {
      case "START" -> dep.started ? Boolean.TRUE : Boolean.FALSE;
      case "COMPLETE" -> dep.status.equals("STOPPED") ? Boolean.TRUE : Boolean.FALSE;
      case "SUCCESS" ->
          !dep.status.equals("STOPPED")
              ? Boolean.FALSE
              : Integer.valueOf(0).equals(dep.exitCode) ? Boolean.TRUE : null;
      case "HEALTHY" ->
          dep.health.equals("HEALTHY")
              ? Boolean.TRUE
              : dep.status.equals("STOPPED") ? null : Boolean.FALSE;
      default -> Boolean.TRUE;
    };
  }

  // ---- events
  // -------------------------------------------------------------------------------------

  private void handle(Signal signal) {
    switch (signal) {
      case Signal.Desired d -> {
        // Acted on by the main loop (or the dependency wait) through the desired field.
      }
      case Signal.Event(ContainerEvent e) -> onEvent(e);
    }
  }

  private void onEvent(ContainerEvent e) {
    Run run =
        runs.values().stream()
            .filter(r -> e.containerId().equals(r.runtimeId))
            .findFirst()
            .orElse(null);
    if (run == null) {
      return;
    }
    switch (e.kind()) {
      case DIED -> {
        if (run.status.equals("STOPPED")) {
          return;
        }
        ContainerState state = ctx.runtime().inspect(run.runtimeId).orElse(null);
        markExited(
            run,
            state != null ? state.exitCode() : e.exitCode(),
            state != null && state.oomKilled());
        if (taskStatus.equals("STOPPED") || desired.equals("STOPPED")) {
          return;
        }
        if (run.essential) {
          stopTask("Essential container in task exited");
        } else {
          reportContainer(run);
        }
      }
      case HEALTHY, UNHEALTHY -> {
        String health = e.kind() == ContainerEvent.Kind.HEALTHY ? "HEALTHY" : "UNHEALTHY";
        if (!health.equals(run.health)) {
          run.health = health;
          if (!taskStatus.equals("STOPPED")) {
            reportContainer(run);
          }
        }
      }
      default -> {}
    }
  }

  private void markExited(Run run, Integer exitCode, boolean oomKilled) {
    run.status = "STOPPED";
    run.exitCode = exitCode;
    if (oomKilled && run.reason == null) {
      run.reason = "OutOfMemoryError: Container killed due to memory usage";
    }
  }

  // ---- stopping
  // -----------------------------------------------------------------------------------

  /** A container could not be started: the task stops with the container's reason. */
  private void fail(Run run, String reason) {
    run.reason = reason;
    log.info("Task {} container {} failed: {}", taskArn, run.name, reason);
    stopTask(reason);
  }

  /** Stops every container, dependents first, then reports the task STOPPED. */
  private void stopTask(String reason) {
    List<Run> reverse = new ArrayList<>(order());
    java.util.Collections.reverse(reverse);
    for (Run run : reverse) {
      if (run.runtimeId == null || run.status.equals("STOPPED")) {
        if (run.runtimeId == null) {
          run.status = "STOPPED";
        }
        continue;
      }
      try {
        ctx.runtime().stop(run.runtimeId, stopTimeout(run));
        ContainerState state = ctx.runtime().inspect(run.runtimeId).orElse(null);
        markExited(
            run, state != null ? state.exitCode() : null, state != null && state.oomKilled());
      } catch (ContainerRuntimeException e) {
        log.warn("Stopping {} of {} failed: {}", run.name, taskArn, e.getMessage());
        run.status = "STOPPED";
        if (run.reason == null) {
          run.reason = "CannotStopContainerError: " + e.getMessage();
        }
      }
    }
    taskStatus = "STOPPED";
    reportTask("STOPPED", reason);
    for (Run run : runs.values()) {
      run.dynamicPorts.forEach(ctx.ports()::release);
      if (run.runtimeId != null) {
        String id = run.runtimeId;
        var unused =
            ctx.cleanup()
                .schedule(
                    () -> removeQuietly(id),
                    ctx.config().cleanupAfter().toMillis(),
                    TimeUnit.MILLISECONDS);
      }
    }
  }

  private void removeQuietly(String id) {
    try {
      ctx.runtime().remove(id);
      ctx.awslogs().forget(id);
    } catch (RuntimeException e) {
      log.debug("Removing container {} failed", id, e);
    }
  }

  private Duration stopTimeout(Run run) {
    return run.definition.has("stopTimeout")
        ? Duration.ofSeconds(run.definition.get("stopTimeout").asLong())
        : ctx.config().stopTimeout();
  }

  // ---- container spec
  // -----------------------------------------------------------------------------

  private ContainerSpec spec(Run run) {
    JsonNode c = run.definition;
    JsonNode override = containerOverride(run.name);
    String networkMode = definition.path("networkMode").asText("bridge");
    List<PortBinding> ports = new ArrayList<>();
    if (networkMode.equals("bridge")) {
      for (JsonNode p : c.path("portMappings")) {
        if (!p.has("containerPort")) {
          continue;
        }
        int hostPort = p.path("hostPort").asInt(0);
        if (hostPort == 0) {
          hostPort = ctx.ports().allocate();
          if (hostPort < 0) {
            throw new ContainerRuntimeException(
                ContainerRuntimeException.Kind.PORT_IN_USE,
                "CannotStartContainerError",
                "no free port left in the dynamic port range",
                null);
          }
          run.dynamicPorts.add(hostPort);
        }
        ports.add(
            new PortBinding(
                p.get("containerPort").asInt(),
                hostPort,
                p.path("protocol").asText("tcp"),
                ctx.config().instanceAddress()));
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode e : c.path("environment")) {
      env.put(e.path("name").asText(), e.path("value").asText(""));
    }
    if (override != null) {
      for (JsonNode e : override.path("environment")) {
        env.put(e.path("name").asText(), e.path("value").asText(""));
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    c.path("dockerLabels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    labels.put(Labels.CLUSTER, ctx.clusterName());
    labels.put(Labels.TASK_ARN, taskArn);
    labels.put(Labels.CONTAINER_NAME, run.name);
    labels.put(Labels.FAMILY, family);
    labels.put(Labels.REVISION, revision);
    labels.put(Labels.INSTANCE, ctx.instanceId());
    labels.put(Labels.CONTAINER_ARN, run.containerArn);
    labels.put(
        Labels.DYNAMIC_PORTS,
        String.join(",", run.dynamicPorts.stream().map(String::valueOf).toList()));
    long memory = number(override, c, "memory");
    long reservation = number(override, c, "memoryReservation");
    if (memory == 0 && definition.hasNonNull("memory")) {
      // Task-level memory bounds a container that sets no limit of its own.
      memory = Long.parseLong(definition.get("memory").asText());
    }
    int cpu = (int) number(override, c, "cpu");
    HealthCheck health = null;
    JsonNode hc = c.get("healthCheck");
    if (hc != null && hc.has("command")) {
      List<String> command = strings(hc.get("command"));
      health =
          new HealthCheck(
              command,
              hc.path("interval").asInt(30),
              hc.path("timeout").asInt(5),
              hc.path("retries").asInt(3),
              hc.path("startPeriod").asInt(0));
    }
    List<Ulimit> ulimits = new ArrayList<>();
    for (JsonNode u : c.path("ulimits")) {
      ulimits.add(
          new Ulimit(
              u.path("name").asText(), u.path("softLimit").asLong(), u.path("hardLimit").asLong()));
    }
    String name =
        ("ecs-"
                + family
                + "-"
                + revision
                + "-"
                + run.name
                + "-"
                + HexFormat.of().formatHex(randomBytes(8)))
            .replaceAll("[^a-zA-Z0-9_.-]", "-");
    return new ContainerSpec(
        name,
        c.path("image").asText(),
        override != null && override.has("command")
            ? strings(override.get("command"))
            : c.has("command") ? strings(c.get("command")) : null,
        c.has("entryPoint") ? strings(c.get("entryPoint")) : null,
        env,
        c.path("workingDirectory").asText(null),
        c.path("user").asText(null),
        labels,
        cpu > 0 ? Math.max(2, cpu) : 2,
        memory,
        reservation,
        ports,
        networkMode,
        health,
        ulimits,
        c.path("linuxParameters").path("initProcessEnabled").asBoolean(false),
        c.path("readonlyRootFilesystem").asBoolean(false),
        (int) stopTimeout(run).toSeconds());
  }

  private JsonNode containerOverride(String name) {
    for (JsonNode o : overrides.path("containerOverrides")) {
      if (name.equals(o.path("name").asText())) {
        return o;
      }
    }
    return null;
  }

  private static long number(JsonNode override, JsonNode definition, String member) {
    if (override != null && override.hasNonNull(member)) {
      return override.get(member).asLong();
    }
    return definition.path(member).asLong(0);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  private void refreshBindings(Run run) {
    ctx.runtime()
        .inspect(run.runtimeId)
        .ifPresent(
            state -> {
              run.bindings.clear();
              run.bindings.addAll(state.ports());
            });
  }

  private static String health(ContainerState.Health health) {
    return switch (health) {
      case HEALTHY -> "HEALTHY";
      case UNHEALTHY -> "UNHEALTHY";
      default -> "UNKNOWN";
    };
  }

  // ---- reports
  // ------------------------------------------------------------------------------------

  private void reportTask(String status, String reason) {
    ObjectNode body = ctx.reporter().json().createObjectNode();
    body.put("cluster", ctx.clusterName());
    body.put("task", taskArn);
    body.put("status", status);
    if (reason != null) {
      body.put("reason", reason);
    }
    ArrayNode containers = body.putArray("containers");
    runs.values().forEach(r -> containers.add(containerReport(r)));
    if (pullStartedAt != null) {
      body.put("pullStartedAt", pullStartedAt.toEpochMilli() / 1000.0);
    }
    if (pullStoppedAt != null) {
      body.put("pullStoppedAt", pullStoppedAt.toEpochMilli() / 1000.0);
    }
    if (status.equals("STOPPED")) {
      body.put("executionStoppedAt", ctx.clock().millis() / 1000.0);
    }
    ctx.reporter().report("SubmitTaskStateChange", body);
  }

  private void reportContainer(Run run) {
    ObjectNode body = containerReport(run);
    body.put("cluster", ctx.clusterName());
    body.put("task", taskArn);
    ctx.reporter().report("SubmitContainerStateChange", body);
  }

  private ObjectNode containerReport(Run r) {
    ObjectNode c = ctx.reporter().json().createObjectNode();
    c.put("containerName", r.name);
    if (r.runtimeId != null) {
      c.put("runtimeId", r.runtimeId);
    }
    c.put("status", r.status);
    if (r.exitCode != null && r.status.equals("STOPPED")) {
      c.put("exitCode", r.exitCode);
    }
    if (r.reason != null) {
      c.put("reason", r.reason.length() > 255 ? r.reason.substring(0, 255) : r.reason);
    }
    c.put("healthStatus", r.health);
    ArrayNode bindings = c.putArray("networkBindings");
    for (PortBinding b : r.bindings) {
      bindings
          .addObject()
          .put("bindIP", b.hostIp() == null ? "0.0.0.0" : b.hostIp())
          .put("containerPort", b.containerPort())
          .put("hostPort", b.hostPort())
          .put("protocol", b.protocol());
    }
    return c;
  }
}
