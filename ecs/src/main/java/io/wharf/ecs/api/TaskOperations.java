package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.Page;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.ecs.launch.Launcher;
import io.wharf.ecs.launch.TaskShape;
import io.wharf.ecs.service.ServiceAccounting;
import io.wharf.ecs.service.ServiceController;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.NetworkBinding;
import io.wharf.model.Tag;
import io.wharf.model.Task;
import io.wharf.model.TaskContainer;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskStatus;
import io.wharf.model.WharfException;
import io.wharf.scheduler.Demand;
import io.wharf.scheduler.Failure;
import io.wharf.scheduler.PlacementException;
import io.wharf.scheduler.Result;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * RunTask, StartTask, StopTask, DescribeTasks, ListTasks, and the agent-facing
 * DiscoverPollEndpoint, SubmitTaskStateChange, SubmitContainerStateChange.
 *
 * <p>Placement is computed on the snapshot inside the state-machine command, so capacity is checked
 * against every task committed before: concurrent RunTask calls never oversubscribe.
 */
final class TaskOperations {
  private static final int MAX_COUNT = 10;
  private static final int MAX_DESCRIBE = 100;
  private static final int MAX_CLIENT_TOKEN = 64;

  private final StateMachine states;
  private final Lookup lookup;
  private final AgentGateway gateway;
  private final Launcher launcher;
  private final String endpoint;
  private final ServiceController services;

  TaskOperations(
      StateMachine states,
      Lookup lookup,
      AgentGateway gateway,
      Launcher launcher,
      String endpoint,
      ServiceController services) {
    this.services = services;
    this.states = states;
    this.lookup = lookup;
    this.gateway = gateway;
    this.launcher = launcher;
    this.endpoint = endpoint;
  }

  void register(Map<String, Operation> ops) {
    ops.put("RunTask", this::runTask);
    ops.put("StartTask", this::startTask);
    ops.put("StopTask", this::stopTask);
    ops.put("DescribeTasks", this::describe);
    ops.put("ListTasks", this::list);
    ops.put("DiscoverPollEndpoint", this::discoverPollEndpoint);
    ops.put("SubmitTaskStateChange", this::submitTaskStateChange);
    ops.put("SubmitContainerStateChange", this::submitContainerStateChange);
  }

  // ---- RunTask / StartTask -------------------------------------------------------------------

  /** What a RunTask or StartTask request asks for, read and checked before the command runs. */
  private record Launch(
      String clusterRef,
      String taskDefinition,
      int count,
      String group,
      String startedBy,
      JsonNode overrides,
      List<Tag> tags,
      String clientToken,
      List<String> instances,
      JsonNode constraints,
      JsonNode strategies) {}

  private JsonNode runTask(Operation.Caller caller, JsonNode request) {
    int count = request.path("count").asInt(1);
    if (count < 1 || count > MAX_COUNT) {
      throw WharfException.invalidParameter(
          "count must be between 1 and " + MAX_COUNT + "; it was " + count + ".");
    }
    String launchType = Wire.text(request, "launchType", "EC2");
    if (!launchType.equals("EC2")) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf runs tasks with the EC2 launch type only so far; launchType "
              + launchType
              + " is not supported yet.");
    }
    Wire.refuseUnsupported(request, "", "capacityProviderStrategy", "networkConfiguration");
    String token = Wire.text(request, "clientToken", null);
    if (token != null && (token.isEmpty() || token.length() > MAX_CLIENT_TOKEN)) {
      throw WharfException.invalidParameter(
          "clientToken must have 1 to " + MAX_CLIENT_TOKEN + " characters.");
    }
    Launch launch =
        new Launch(
            Wire.text(request, "cluster", null),
            request.path("taskDefinition").asText(),
            count,
            group(request),
            Wire.text(request, "startedBy", null),
            request.get("overrides"),
            checkedTags(request),
            token,
            null,
            request.get("placementConstraints"),
            request.get("placementStrategy"));
    return launch(launch);
  }

  private JsonNode startTask(Operation.Caller caller, JsonNode request) {
    List<String> instances = Wire.stringList(request, "containerInstances");
    if (instances.isEmpty() || instances.size() > MAX_COUNT) {
      throw WharfException.invalidParameter(
          "containerInstances must name 1 to "
              + MAX_COUNT
              + " container instances; it named "
              + instances.size()
              + ".");
    }
    Wire.refuseUnsupported(request, "", "networkConfiguration");
    Launch launch =
        new Launch(
            Wire.text(request, "cluster", null),
            request.path("taskDefinition").asText(),
            instances.size(),
            group(request),
            Wire.text(request, "startedBy", null),
            request.get("overrides"),
            checkedTags(request),
            null,
            instances,
            null,
            null);
    return launch(launch);
  }

  /** ECS's limit on a task group's name. */
  private static final int MAX_GROUP = 255;

  /**
   * The request's task group, or null for the default ({@code family:<family>}). A group that is
   * given must name something: an empty one would put the task in no group that spread or
   * distinctInstance could see.
   */
  private static String group(JsonNode request) {
    String group = Wire.text(request, "group", null);
    if (group != null && (group.isBlank() || group.length() > MAX_GROUP)) {
      throw WharfException.invalidParameter(
          "group must have 1 to "
              + MAX_GROUP
              + " characters and not be blank; leave it out for the default family:<family>.");
    }
    return group;
  }

  private record Launched(List<Task> tasks, List<Failure> failures) {}

  /**
   * A placement worked out on a snapshot, outside the single writer. It still holds in a newer
   * state when none of the instances it chose changed since (same instance record, same usage):
   * then the writer commits it as is; otherwise the writer places again on its own state. This is
   * Nomad's plan/apply, and it keeps the expensive part (ranking thousands of instances) off the
   * writer's thread.
   */
  private record Plan(
      State basis, Cluster cluster, TaskDefinition definition, TaskShape shape, Result result) {
    boolean holdsIn(State state) {
      if (!result.failures().isEmpty()
          || state.clusters().get(cluster.name()) != cluster
          || state.taskDefinition(definition.family(), definition.revision()) != definition) {
        return false;
      }
      // No instance registered, changed or left since the snapshot (the usual case): only the
      // chosen instances' usage needs checking.
      boolean sameInstances = state.containerInstances() == basis.containerInstances();
      for (String arn : result.placements()) {
        if ((!sameInstances
                && state.containerInstances().get(arn) != basis.containerInstances().get(arn))
            || state.usageOf(arn) != basis.usageOf(arn)) {
          return false;
        }
      }
      return true;
    }
  }

  private Plan plan(State state, Launch launch) {
    Cluster cluster = lookup.activeCluster(state, launch.clusterRef());
    TaskDefinition definition = taskDefinition(state, launch.taskDefinition());
    JsonNode document = Wire.parse(definition.definition());
    TaskShape shape = TaskShape.of(document, launch.overrides());
    String group = launch.group() != null ? launch.group() : "family:" + definition.family();
    Demand demand =
        placed(
            () ->
                Launcher.demand(shape, document, group, launch.constraints(), launch.strategies()));
    Result result;
    if (launch.instances() == null) {
      if (launcher.members(state, cluster).isEmpty()) {
        throw WharfException.invalidParameter("No Container Instances were found in your cluster.");
      }
      RandomGenerator callRandom = launcher.callRandom();
      result =
          placed(() -> launcher.placeInCluster(state, cluster, demand, launch.count(), callRandom));
    } else {
      result = placed(() -> placeOnGiven(state, cluster, launch.instances(), demand));
    }
    return new Plan(state, cluster, definition, shape, result);
  }

  private JsonNode launch(Launch launch) {
    Document overrides = Wire.document(launch.overrides());
    Plan planned = launch.clientToken() == null ? plan(states.current(), launch) : null;
    Launched launched =
        states.execute(
            tx -> {
              State state = tx.state();
              if (launch.clientToken() != null) {
                Cluster cluster = lookup.activeCluster(state, launch.clusterRef());
                TaskDefinition definition = taskDefinition(state, launch.taskDefinition());
                List<Task> earlier =
                    state.tasks().values().stream()
                        .filter(
                            t ->
                                launch.clientToken().equals(t.clientToken())
                                    && t.clusterArn().equals(cluster.arn()))
                        .toList();
                if (!earlier.isEmpty()) {
                  // Idempotent retry: the same request answers the same tasks; a different one
                  // conflicts.
                  if (!earlier.getFirst().taskDefinitionArn().equals(definition.arn())
                      || earlier.size() != launch.count()) {
                    throw new WharfException(
                        ErrorCode.CONFLICT,
                        "The clientToken "
                            + launch.clientToken()
                            + " was already used with different parameters.");
                  }
                  return new Launched(earlier, List.of());
                }
              }
              // The single writer re-checks the plan against the newest state before committing.
              Plan plan = planned != null && planned.holdsIn(state) ? planned : plan(state, launch);
              List<Task> tasks = new ArrayList<>();
              for (String instanceArn : plan.result().placements()) {
                Task task =
                    launcher.newTask(
                        plan.cluster(),
                        plan.definition(),
                        instanceArn,
                        plan.shape(),
                        new Launcher.Origin(
                            launch.group(),
                            launch.startedBy(),
                            overrides,
                            launch.tags(),
                            launch.clientToken()),
                        tx.now(),
                        tx.revision());
                tx.apply(new Change.TaskPut(task));
                tasks.add(task);
              }
              return new Launched(tasks, plan.result().failures());
            });
    gateway.tasksChanged(launched.tasks());
    ObjectNode out = Wire.object();
    ArrayNode tasks = out.putArray("tasks");
    launched.tasks().forEach(t -> tasks.add(toWire(t, true)));
    ArrayNode failures = out.putArray("failures");
    launched.failures().forEach(f -> failures.add(Wire.failure(f.arn(), f.reason(), null)));
    return out;
  }

  /** StartTask: one task on each named instance, checked against that instance alone. */
  private Result placeOnGiven(State state, Cluster cluster, List<String> refs, Demand demand) {
    List<String> placements = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    Set<String> given = new LinkedHashSet<>();
    for (String ref : refs) {
      Optional<ContainerInstance> instance = lookup.containerInstance(state, cluster, ref);
      if (instance.isEmpty() || instance.get().status().isTerminal()) {
        failures.add(new Failure(ref, "MISSING"));
      } else {
        given.add(instance.get().arn());
      }
    }
    for (String arn : given) {
      Result r = launcher.placeOn(state, state.containerInstances().get(arn), demand);
      placements.addAll(r.placements());
      failures.addAll(r.failures());
    }
    return new Result(placements, failures);
  }

  /** Runs placement; its refusals of bad constraints or strategies are the caller's error. */
  private static <T> T placed(java.util.function.Supplier<T> placement) {
    try {
      return placement.get();
    } catch (PlacementException e) {
      throw WharfException.invalidParameter(e.getMessage());
    }
  }

  // ---- StopTask ------------------------------------------------------------------------------

  private JsonNode stopTask(Operation.Caller caller, JsonNode request) {
    String clusterRef = Wire.text(request, "cluster", null);
    String ref = request.path("task").asText();
    String reason = Wire.text(request, "reason", null);
    if (reason != null && reason.length() > 255) {
      throw WharfException.invalidParameter("reason can have at most 255 characters.");
    }
    Task stopped =
        states.execute(
            tx -> {
              Task t = existingTask(tx.state(), clusterRef, ref);
              if (t.desiredStatus().equals("STOPPED")) {
                return t;
              }
              Task.Builder next =
                  t.toBuilder()
                      .desiredStatus("STOPPED")
                      .stopCode("UserInitiated")
                      .stoppedReason(reason != null ? reason : "Task stopped by user");
              if (t.lastStatus() == TaskStatus.RUNNING) {
                next.lastStatus(TaskStatus.STOPPING).stoppingAt(tx.now());
              }
              Task updated = next.build(tx.revision());
              tx.apply(new Change.TaskPut(updated));
              return updated;
            });
    gateway.tasksChanged(List.of(stopped));
    if (ServiceAccounting.serviceOf(states.current(), stopped) != null) {
      services.nudge();
    }
    return Wire.object().set("task", toWire(stopped, true));
  }

  // ---- DescribeTasks / ListTasks -------------------------------------------------------------

  private JsonNode describe(Operation.Caller caller, JsonNode request) {
    List<String> refs = Wire.stringList(request, "tasks");
    if (refs.isEmpty() || refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "tasks must name 1 to " + MAX_DESCRIBE + " tasks; it named " + refs.size() + ".");
    }
    boolean tags = Wire.stringList(request, "include").contains("TAGS");
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    ArrayNode tasks = Wire.array();
    ArrayNode failures = Wire.array();
    for (String ref : refs) {
      task(state, cluster, ref)
          .ifPresentOrElse(
              t -> tasks.add(toWire(t, tags)),
              () ->
                  failures.add(
                      Wire.failure(
                          ref.startsWith("arn:") ? ref : taskArn(cluster, ref), "MISSING", null)));
    }
    ObjectNode out = Wire.object();
    out.set("tasks", tasks);
    out.set("failures", failures);
    return out;
  }

  private JsonNode list(Operation.Caller caller, JsonNode request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    String family = Wire.text(request, "family", null);
    String startedBy = Wire.text(request, "startedBy", null);
    String desired = Wire.text(request, "desiredStatus", "RUNNING");
    String launchType = Wire.text(request, "launchType", null);
    String serviceGroup = null;
    if (request.hasNonNull("serviceName")) {
      String name = request.get("serviceName").asText();
      if (name.startsWith("arn:")) {
        name = name.substring(name.lastIndexOf('/') + 1);
      }
      if (!state.services().containsKey(lookup.arns().service(cluster.name(), name))) {
        throw new WharfException(ErrorCode.SERVICE_NOT_FOUND, "Service not found.");
      }
      serviceGroup = "service:" + name;
    }
    String instance = null;
    if (request.hasNonNull("containerInstance")) {
      instance =
          lookup
              .containerInstance(state, cluster, request.get("containerInstance").asText())
              .map(ContainerInstance::arn)
              .orElseThrow(
                  () ->
                      WharfException.invalidParameter(
                          "The referenced container instance was not found."));
    }
    List<String> arns = new ArrayList<>();
    for (Task t : state.tasks().values()) {
      if (!t.clusterArn().equals(cluster.arn())
          || !t.desiredStatus().equals(desired)
          || (instance != null && !instance.equals(t.containerInstanceArn()))
          || (startedBy != null && !startedBy.equals(t.startedBy()))
          || (serviceGroup != null && !serviceGroup.equals(t.group()))
          || (launchType != null && !launchType.equals(t.launchType()))
          || (family != null
              && !t.taskDefinitionArn().contains(":task-definition/" + family + ":"))) {
        continue;
      }
      arns.add(t.arn());
    }
    Page page = Page.of(arns, request, 100);
    ObjectNode out = Wire.object();
    out.set("taskArns", Wire.strings(page.items()));
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    return out;
  }

  // ---- agent-facing --------------------------------------------------------------------------

  private JsonNode discoverPollEndpoint(Operation.Caller caller, JsonNode request) {
    Principal.Instance self = caller.instance();
    if (self != null) {
      // An instance key asks only for its own instance, in its own cluster.
      State state = states.current();
      String clusterRef = Wire.text(request, "cluster", null);
      Cluster cluster = lookup.activeCluster(state, clusterRef);
      String ref = Wire.text(request, "containerInstance", null);
      String named =
          ref == null || ref.startsWith("arn:")
              ? ref
              : lookup.arns().containerInstance(cluster.name(), ref);
      if (!cluster.arn().equals(self.key().clusterArn())) {
        throw EcsApi.accessDenied(self, "ecs:DiscoverPollEndpoint", cluster.arn());
      }
      if (named != null && !named.equals(self.containerInstanceArn())) {
        throw EcsApi.accessDenied(self, "ecs:DiscoverPollEndpoint", named);
      }
    }
    String ws = endpoint.replaceFirst("^http", "ws");
    return Wire.object()
        .put("endpoint", ws + "/")
        .put("telemetryEndpoint", ws + "/")
        .put("serviceConnectEndpoint", ws + "/");
  }

  private JsonNode submitTaskStateChange(Operation.Caller caller, JsonNode request) {
    String clusterRef = Wire.text(request, "cluster", null);
    String ref = request.path("task").asText();
    TaskStatus reported = reportedStatus(Wire.text(request, "status", null));
    String reason = Wire.text(request, "reason", null);
    Principal.Instance self = caller.instance();
    Task updated =
        states.execute(
            tx -> {
              Task t = existingTask(tx.state(), clusterRef, ref);
              checkOwnTask(self, t, "ecs:SubmitTaskStateChange");
              Task.Builder next = t.toBuilder();
              List<TaskContainer> containers = new ArrayList<>(t.containers());
              for (JsonNode c : request.path("containers")) {
                applyContainer(containers, c);
              }
              next.containers(containers);
              if (request.hasNonNull("pullStartedAt")) {
                next.pullStartedAt(Wire.instant(request.get("pullStartedAt"), "pullStartedAt"));
              }
              if (request.hasNonNull("pullStoppedAt")) {
                next.pullStoppedAt(Wire.instant(request.get("pullStoppedAt"), "pullStoppedAt"));
              }
              if (reported != null) {
                if (t.lastStatus().canMoveTo(reported)
                    || (reported == TaskStatus.STOPPED && !t.lastStatus().isTerminal())) {
                  next.lastStatus(reported);
                  if (reported == TaskStatus.RUNNING && t.startedAt() == null) {
                    next.startedAt(tx.now());
                  }
                  if (reported == TaskStatus.STOPPED) {
                    Instant executionStopped =
                        request.hasNonNull("executionStoppedAt")
                            ? Wire.instant(request.get("executionStoppedAt"), "executionStoppedAt")
                            : tx.now();
                    next.executionStoppedAt(executionStopped)
                        .stoppedAt(tx.now())
                        .desiredStatus("STOPPED");
                    if (t.stoppingAt() == null) {
                      next.stoppingAt(executionStopped);
                    }
                    if (t.stopCode() == null) {
                      // The agent names why the task stopped; ECS's stop codes follow from it.
                      boolean failedToStart =
                          t.startedAt() == null
                              && reason != null
                              && !reason.startsWith("Essential");
                      next.stopCode(
                          failedToStart ? "TaskFailedToStart" : "EssentialContainerExited");
                      next.stoppedReason(
                          reason != null ? reason : "Essential container in task exited");
                    }
                  }
                }
              }
              next.healthStatus(taskHealth(containers));
              Task built = next.build(tx.revision());
              tx.apply(new Change.TaskPut(built));
              ServiceAccounting.taskChanged(tx, t, built, launcher::uuid);
              return built;
            });
    if (updated.lastStatus() == TaskStatus.STOPPED) {
      gateway.tasksChanged(List.of(updated));
    }
    if (ServiceAccounting.serviceOf(states.current(), updated) != null) {
      services.nudge();
    }
    return Wire.object().put("acknowledgment", "true");
  }

  /**
   * The task status an agent reports, or null when it reports none. The model types it as a plain
   * string; anything but a task status is refused before the state machine sees it.
   */
  private static TaskStatus reportedStatus(String status) {
    if (status == null) {
      return null;
    }
    for (TaskStatus s : TaskStatus.values()) {
      if (s.name().equals(status)) {
        return s;
      }
    }
    throw WharfException.invalidParameter(
        "status '"
            + status
            + "' is not a task status; valid statuses are "
            + Arrays.stream(TaskStatus.values()).map(Enum::name).collect(Collectors.joining(", "))
            + ".");
  }

  private JsonNode submitContainerStateChange(Operation.Caller caller, JsonNode request) {
    String clusterRef = Wire.text(request, "cluster", null);
    String ref = request.path("task").asText();
    Principal.Instance self = caller.instance();
    states.execute(
        tx -> {
          Task t = existingTask(tx.state(), clusterRef, ref);
          checkOwnTask(self, t, "ecs:SubmitContainerStateChange");
          List<TaskContainer> containers = new ArrayList<>(t.containers());
          applyContainer(containers, request);
          tx.apply(
              new Change.TaskPut(
                  t.toBuilder()
                      .containers(containers)
                      .healthStatus(taskHealth(containers))
                      .build(tx.revision())));
          return null;
        });
    services.nudge();
    return Wire.object().put("acknowledgment", "true");
  }

  /** Refuses a report by an instance key about a task that is not on its instance. */
  private static void checkOwnTask(Principal.Instance self, Task task, String action) {
    if (self != null && !self.containerInstanceArn().equals(task.containerInstanceArn())) {
      throw EcsApi.accessDenied(self, action, task.arn());
    }
  }

  /**
   * Applies one container report (SubmitContainerStateChange or an entry of SubmitTaskStateChange).
   */
  private static void applyContainer(List<TaskContainer> containers, JsonNode report) {
    String name = report.path("containerName").asText();
    for (int i = 0; i < containers.size(); i++) {
      TaskContainer c = containers.get(i);
      if (!c.name().equals(name)) {
        continue;
      }
      List<NetworkBinding> bindings = null;
      if (report.has("networkBindings")) {
        bindings = new ArrayList<>();
        for (JsonNode b : report.get("networkBindings")) {
          bindings.add(
              new NetworkBinding(
                  Wire.text(b, "bindIP", "0.0.0.0"),
                  b.path("containerPort").asInt(),
                  b.path("hostPort").asInt(),
                  Wire.text(b, "protocol", "tcp")));
        }
      }
      String status = Wire.text(report, "status", c.lastStatus());
      // Statuses only move forward: PENDING, RUNNING, STOPPED.
      if (rank(status) < rank(c.lastStatus())) {
        status = c.lastStatus();
      }
      Integer exit = report.hasNonNull("exitCode") ? report.get("exitCode").asInt() : null;
      containers.set(
          i,
          c.reported(
              status,
              exit,
              Wire.text(report, "reason", null),
              Wire.text(report, "runtimeId", null),
              bindings,
              Wire.text(report, "healthStatus", null)));
    }
  }

  private static int rank(String containerStatus) {
    return switch (containerStatus) {
      case "RUNNING" -> 1;
      case "STOPPED" -> 2;
      default -> 0;
    };
  }

  /** Task health from its essential containers, as ECS derives it. */
  private static String taskHealth(List<TaskContainer> containers) {
    boolean anyChecked = false;
    for (TaskContainer c : containers) {
      if (!c.essential() || c.healthStatus() == null || c.healthStatus().equals("UNKNOWN")) {
        continue;
      }
      anyChecked = true;
      if (c.healthStatus().equals("UNHEALTHY")) {
        return "UNHEALTHY";
      }
    }
    boolean allHealthy =
        containers.stream()
            .filter(TaskContainer::essential)
            .allMatch(c -> "HEALTHY".equals(c.healthStatus()));
    return anyChecked && allHealthy ? "HEALTHY" : "UNKNOWN";
  }

  // ---- helpers --------------------------------------------------------------------------------

  private TaskDefinition taskDefinition(State state, String ref) {
    return lookup.activeTaskDefinition(state, ref);
  }

  /**
   * The task a request names in the cluster it names; InvalidParameterException when there is none.
   */
  private Task existingTask(State state, String clusterRef, String ref) {
    Cluster cluster = lookup.activeCluster(state, clusterRef);
    return task(state, cluster, ref)
        .orElseThrow(() -> WharfException.invalidParameter("The referenced task was not found."));
  }

  private Optional<Task> task(State state, Cluster cluster, String ref) {
    String arn = ref.startsWith("arn:") ? ref : taskArn(cluster, ref);
    return Optional.ofNullable(state.tasks().get(arn))
        .filter(t -> t.clusterArn().equals(cluster.arn()));
  }

  private String taskArn(Cluster cluster, String id) {
    return lookup.arns().task(cluster.name(), id);
  }

  private static List<Tag> checkedTags(JsonNode request) {
    List<Tag> tags = Wire.readTags(request.get("tags"));
    Wire.mergeTags(List.of(), tags);
    return tags;
  }

  static ObjectNode toWire(Task t, boolean includeTags) {
    ObjectNode out = Wire.object();
    out.putArray("attachments");
    out.putArray("attributes")
        .addObject()
        .put("name", "ecs.cpu-architecture")
        .put("value", "x86_64");
    out.put("clusterArn", t.clusterArn());
    out.put("connectivity", "CONNECTED");
    out.put("containerInstanceArn", t.containerInstanceArn());
    ArrayNode containers = out.putArray("containers");
    for (TaskContainer c : t.containers()) {
      ObjectNode n = containers.addObject();
      n.put("containerArn", c.containerArn());
      n.put("taskArn", t.arn());
      n.put("name", c.name());
      n.put("image", c.image());
      if (c.runtimeId() != null) {
        n.put("runtimeId", c.runtimeId());
      }
      n.put("lastStatus", c.lastStatus());
      if (c.exitCode() != null) {
        n.put("exitCode", c.exitCode());
      }
      if (c.reason() != null) {
        n.put("reason", c.reason());
      }
      ArrayNode bindings = n.putArray("networkBindings");
      for (NetworkBinding b : c.networkBindings()) {
        bindings
            .addObject()
            .put("bindIP", b.bindIp())
            .put("containerPort", b.containerPort())
            .put("hostPort", b.hostPort())
            .put("protocol", b.protocol());
      }
      n.putArray("networkInterfaces");
      n.put("healthStatus", c.healthStatus() == null ? "UNKNOWN" : c.healthStatus());
    }
    if (t.cpu() != null) {
      out.put("cpu", t.cpu());
    }
    if (t.memory() != null) {
      out.put("memory", t.memory());
    }
    out.set("createdAt", Wire.timestamp(t.createdAt()));
    out.put("desiredStatus", t.desiredStatus());
    out.put("enableExecuteCommand", false);
    out.put("group", t.group());
    out.put("healthStatus", t.healthStatus() == null ? "UNKNOWN" : t.healthStatus());
    out.put("lastStatus", t.lastStatus().name());
    out.put("launchType", t.launchType());
    out.set(
        "overrides",
        t.overrides() != null
            ? Wire.parse(t.overrides())
            : Wire.object()
                .<ObjectNode>set("containerOverrides", Wire.array())
                .set("inferenceAcceleratorOverrides", Wire.array()));
    timestamp(out, "pullStartedAt", t.pullStartedAt());
    timestamp(out, "pullStoppedAt", t.pullStoppedAt());
    timestamp(out, "startedAt", t.startedAt());
    if (t.startedBy() != null) {
      out.put("startedBy", t.startedBy());
    }
    if (t.stopCode() != null) {
      out.put("stopCode", t.stopCode());
    }
    timestamp(out, "stoppingAt", t.stoppingAt());
    timestamp(out, "executionStoppedAt", t.executionStoppedAt());
    timestamp(out, "stoppedAt", t.stoppedAt());
    if (t.stoppedReason() != null) {
      out.put("stoppedReason", t.stoppedReason());
    }
    out.set("tags", includeTags ? Wire.tags(t.tags()) : Wire.array());
    out.put("taskArn", t.arn());
    out.put("taskDefinitionArn", t.taskDefinitionArn());
    out.put("version", t.version());
    return out;
  }

  private static void timestamp(ObjectNode out, String name, Instant at) {
    if (at != null) {
      out.set(name, Wire.timestamp(at));
    }
  }
}
