package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.api.Page;
import io.wharf.core.auth.AccessDenied;
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
import io.wharf.scheduler.Constraint;
import io.wharf.scheduler.Demand;
import io.wharf.scheduler.PlacementException;
import io.wharf.scheduler.Result;
import io.wharf.scheduler.Strategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
    ops.put("RunTask", Typed.of(RunTaskRequest.class, this::runTask));
    ops.put("StartTask", Typed.of(StartTaskRequest.class, this::startTask));
    ops.put("StopTask", Typed.of(StopTaskRequest.class, this::stopTask));
    ops.put("DescribeTasks", Typed.of(DescribeTasksRequest.class, this::describe));
    ops.put("ListTasks", Typed.of(ListTasksRequest.class, this::list));
    ops.put(
        "DiscoverPollEndpoint",
        Typed.of(DiscoverPollEndpointRequest.class, this::discoverPollEndpoint));
    ops.put(
        "SubmitTaskStateChange",
        ContainerHealthReports.ofTask(
            SubmitTaskStateChangeRequest.class, this::submitTaskStateChange));
    ops.put(
        "SubmitContainerStateChange",
        ContainerHealthReports.ofContainer(
            SubmitContainerStateChangeRequest.class, this::submitContainerStateChange));
  }

  // ---- requests and responses, named and shaped as the model's ------------------------------

  record PlacementConstraint(String type, String expression) {}

  record PlacementStrategy(String type, String field) {}

  /**
   * @param overrides echoed back by DescribeTasks as the user sent it
   * @param capacityProviderStrategy and {@code networkConfiguration}: read only to refuse them
   */
  record RunTaskRequest(
      List<Document> capacityProviderStrategy,
      String cluster,
      Integer count,
      String group,
      String launchType,
      Document networkConfiguration,
      Document overrides,
      List<PlacementConstraint> placementConstraints,
      List<PlacementStrategy> placementStrategy,
      String startedBy,
      List<Tag> tags,
      String taskDefinition,
      String clientToken) {}

  record RunTaskResponse(List<TaskView> tasks, List<Failure> failures) {}

  record StartTaskRequest(
      String cluster,
      List<String> containerInstances,
      String group,
      Document networkConfiguration,
      Document overrides,
      String startedBy,
      List<Tag> tags,
      String taskDefinition) {}

  record StartTaskResponse(List<TaskView> tasks, List<Failure> failures) {}

  record StopTaskRequest(String cluster, String task, String reason) {}

  record StopTaskResponse(TaskView task) {}

  record DescribeTasksRequest(String cluster, List<String> tasks, List<String> include) {}

  record DescribeTasksResponse(List<TaskView> tasks, List<Failure> failures) {}

  record ListTasksRequest(
      String cluster,
      String containerInstance,
      String family,
      String nextToken,
      Integer maxResults,
      String startedBy,
      String serviceName,
      String desiredStatus,
      String launchType) {}

  record ListTasksResponse(List<String> taskArns, String nextToken) {}

  record DiscoverPollEndpointRequest(String containerInstance, String cluster) {}

  record DiscoverPollEndpointResponse(
      String endpoint, String telemetryEndpoint, String serviceConnectEndpoint) {}

  record ContainerStateChange(
      String containerName,
      String runtimeId,
      Integer exitCode,
      List<NetworkBindingView> networkBindings,
      String reason,
      String status) {}

  record SubmitTaskStateChangeRequest(
      String cluster,
      String task,
      String status,
      String reason,
      List<ContainerStateChange> containers,
      Instant pullStartedAt,
      Instant pullStoppedAt,
      Instant executionStoppedAt) {}

  record SubmitTaskStateChangeResponse(String acknowledgment) {}

  record SubmitContainerStateChangeRequest(
      String cluster,
      String task,
      String containerName,
      String runtimeId,
      String status,
      Integer exitCode,
      String reason,
      List<NetworkBindingView> networkBindings) {}

  record SubmitContainerStateChangeResponse(String acknowledgment) {}

  /** ECS's {@code Task}. */
  record TaskView(
      List<AttachmentView> attachments,
      List<AttributeView> attributes,
      String clusterArn,
      String connectivity,
      String containerInstanceArn,
      List<ContainerView> containers,
      String cpu,
      Instant createdAt,
      String desiredStatus,
      Boolean enableExecuteCommand,
      Instant executionStoppedAt,
      String group,
      String healthStatus,
      String lastStatus,
      String launchType,
      String memory,
      Document overrides,
      Instant pullStartedAt,
      Instant pullStoppedAt,
      Instant startedAt,
      String startedBy,
      String stopCode,
      Instant stoppedAt,
      String stoppedReason,
      Instant stoppingAt,
      List<Tag> tags,
      String taskArn,
      String taskDefinitionArn,
      Long version) {}

  /** ECS's {@code Attachment}: Wharf's tasks have none (no awsvpc network interfaces). */
  record AttachmentView(String id, String type, String status) {}

  /** ECS's {@code Attribute}. */
  record AttributeView(String name, String value) {}

  /** ECS's {@code Container}. */
  record ContainerView(
      String containerArn,
      String taskArn,
      String name,
      String image,
      String runtimeId,
      String lastStatus,
      Integer exitCode,
      String reason,
      List<NetworkBindingView> networkBindings,
      List<NetworkInterfaceView> networkInterfaces,
      String healthStatus) {}

  /** ECS's {@code NetworkBinding}. */
  record NetworkBindingView(
      String bindIP, Integer containerPort, Integer hostPort, String protocol) {}

  /** ECS's {@code NetworkInterface}: bridge and host tasks have none. */
  record NetworkInterfaceView(String attachmentId, String privateIpv4Address) {}

  // ---- RunTask / StartTask -------------------------------------------------------------------

  /** What a RunTask or StartTask request asks for, read and checked before the command runs. */
  private record Launch(
      String clusterRef,
      String taskDefinition,
      int count,
      String group,
      String startedBy,
      Document overrides,
      List<Tag> tags,
      String clientToken,
      List<String> instances,
      List<PlacementConstraint> constraints,
      List<PlacementStrategy> strategies) {}

  private RunTaskResponse runTask(Operation.Caller caller, RunTaskRequest request) {
    int count = request.count() == null ? 1 : request.count();
    if (count < 1 || count > MAX_COUNT) {
      throw WharfException.invalidParameter(
          "count must be between 1 and " + MAX_COUNT + "; it was " + count + ".");
    }
    String launchType = request.launchType() == null ? "EC2" : request.launchType();
    if (!launchType.equals("EC2")) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf runs tasks with the EC2 launch type only so far; launchType "
              + launchType
              + " is not supported yet.");
    }
    Wire.refuseUnsupported("", "capacityProviderStrategy", request.capacityProviderStrategy());
    Wire.refuseUnsupported("", "networkConfiguration", request.networkConfiguration());
    String token = request.clientToken();
    if (token != null && (token.isEmpty() || token.length() > MAX_CLIENT_TOKEN)) {
      throw WharfException.invalidParameter(
          "clientToken must have 1 to " + MAX_CLIENT_TOKEN + " characters.");
    }
    Launch launch =
        new Launch(
            request.cluster(),
            request.taskDefinition(),
            count,
            group(request.group()),
            request.startedBy(),
            request.overrides(),
            checkedTags(request.tags()),
            token,
            null,
            request.placementConstraints(),
            request.placementStrategy());
    Launched launched = launch(launch);
    return new RunTaskResponse(views(launched.tasks()), failures(launched.failures()));
  }

  private StartTaskResponse startTask(Operation.Caller caller, StartTaskRequest request) {
    List<String> instances =
        request.containerInstances() == null ? List.of() : request.containerInstances();
    if (instances.isEmpty() || instances.size() > MAX_COUNT) {
      throw WharfException.invalidParameter(
          "containerInstances must name 1 to "
              + MAX_COUNT
              + " container instances; it named "
              + instances.size()
              + ".");
    }
    Wire.refuseUnsupported("", "networkConfiguration", request.networkConfiguration());
    Launch launch =
        new Launch(
            request.cluster(),
            request.taskDefinition(),
            instances.size(),
            group(request.group()),
            request.startedBy(),
            request.overrides(),
            checkedTags(request.tags()),
            null,
            instances,
            null,
            null);
    Launched launched = launch(launch);
    return new StartTaskResponse(views(launched.tasks()), failures(launched.failures()));
  }

  /** ECS's limit on a task group's name. */
  private static final int MAX_GROUP = 255;

  /**
   * The request's task group, or null for the default ({@code family:<family>}). A group that is
   * given must name something: an empty one would put the task in no group that spread or
   * distinctInstance could see.
   */
  private static String group(String group) {
    if (group != null && (group.isBlank() || group.length() > MAX_GROUP)) {
      throw WharfException.invalidParameter(
          "group must have 1 to "
              + MAX_GROUP
              + " characters and not be blank; leave it out for the default family:<family>.");
    }
    return group;
  }

  private record Launched(List<Task> tasks, List<io.wharf.scheduler.Failure> failures) {}

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

  /**
   * @param overrides the launch's overrides as placement reads them (parsed once per request, not
   *     per plan), or null
   */
  private Plan plan(State state, Launch launch, JsonNode overrides) {
    Cluster cluster = lookup.activeCluster(state, launch.clusterRef());
    TaskDefinition definition = taskDefinition(state, launch.taskDefinition());
    JsonNode document = Wire.parse(definition.definition());
    TaskShape shape = TaskShape.of(document, overrides);
    String group = launch.group() != null ? launch.group() : "family:" + definition.family();
    Demand demand =
        placed(
            () ->
                Launcher.demand(
                    shape,
                    document,
                    group,
                    constraints(launch.constraints()),
                    strategies(launch.strategies())));
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

  /** The request's constraints as placement takes them; building them checks them. */
  private static List<Constraint> constraints(List<PlacementConstraint> requested) {
    if (requested == null) {
      return null;
    }
    List<Constraint> out = new ArrayList<>(requested.size());
    for (PlacementConstraint c : requested) {
      out.add(new Constraint(c.type(), c.expression()));
    }
    return out;
  }

  private static List<Strategy> strategies(List<PlacementStrategy> requested) {
    if (requested == null) {
      return null;
    }
    List<Strategy> out = new ArrayList<>(requested.size());
    for (PlacementStrategy s : requested) {
      out.add(new Strategy(s.type(), s.field()));
    }
    return out;
  }

  private Launched launch(Launch launch) {
    Document overrides = launch.overrides();
    JsonNode overridesTree = overrides == null ? null : Wire.parse(overrides);
    Plan planned =
        launch.clientToken() == null ? plan(states.current(), launch, overridesTree) : null;
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
              Plan plan =
                  planned != null && planned.holdsIn(state)
                      ? planned
                      : plan(state, launch, overridesTree);
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
    return launched;
  }

  private static List<TaskView> views(List<Task> tasks) {
    List<TaskView> out = new ArrayList<>(tasks.size());
    for (Task t : tasks) {
      out.add(view(t, true));
    }
    return out;
  }

  private static List<Failure> failures(List<io.wharf.scheduler.Failure> placementFailures) {
    List<Failure> out = new ArrayList<>(placementFailures.size());
    for (io.wharf.scheduler.Failure f : placementFailures) {
      out.add(new Failure(f.arn(), f.reason(), null));
    }
    return out;
  }

  /** StartTask: one task on each named instance, checked against that instance alone. */
  private Result placeOnGiven(State state, Cluster cluster, List<String> refs, Demand demand) {
    List<String> placements = new ArrayList<>();
    List<io.wharf.scheduler.Failure> failures = new ArrayList<>();
    Set<String> given = new LinkedHashSet<>();
    for (String ref : refs) {
      Optional<ContainerInstance> instance = lookup.containerInstance(state, cluster, ref);
      if (instance.isEmpty() || instance.get().status().isTerminal()) {
        failures.add(new io.wharf.scheduler.Failure(ref, "MISSING"));
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

  private StopTaskResponse stopTask(Operation.Caller caller, StopTaskRequest request) {
    String clusterRef = request.cluster();
    String ref = request.task();
    String reason = request.reason();
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
    return new StopTaskResponse(view(stopped, true));
  }

  // ---- DescribeTasks / ListTasks -------------------------------------------------------------

  private DescribeTasksResponse describe(Operation.Caller caller, DescribeTasksRequest request) {
    List<String> refs = request.tasks() == null ? List.of() : request.tasks();
    if (refs.isEmpty() || refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "tasks must name 1 to " + MAX_DESCRIBE + " tasks; it named " + refs.size() + ".");
    }
    boolean tags = request.include() != null && request.include().contains("TAGS");
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    List<TaskView> tasks = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    for (String ref : refs) {
      task(state, cluster, ref)
          .ifPresentOrElse(
              t -> tasks.add(view(t, tags)),
              () ->
                  failures.add(
                      new Failure(
                          ref.startsWith("arn:") ? ref : taskArn(cluster, ref), "MISSING", null)));
    }
    return new DescribeTasksResponse(tasks, failures);
  }

  private ListTasksResponse list(Operation.Caller caller, ListTasksRequest request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    String family = request.family();
    String startedBy = request.startedBy();
    String desired = request.desiredStatus() == null ? "RUNNING" : request.desiredStatus();
    String launchType = request.launchType();
    String serviceGroup = null;
    if (request.serviceName() != null) {
      String name = request.serviceName();
      if (name.startsWith("arn:")) {
        name = name.substring(name.lastIndexOf('/') + 1);
      }
      if (!state.services().containsKey(lookup.arns().service(cluster.name(), name))) {
        throw new WharfException(ErrorCode.SERVICE_NOT_FOUND, "Service not found.");
      }
      serviceGroup = "service:" + name;
    }
    String instance = null;
    if (request.containerInstance() != null) {
      instance =
          lookup
              .containerInstance(state, cluster, request.containerInstance())
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
    Page page =
        Page.of(arns, Comparator.naturalOrder(), request.nextToken(), request.maxResults(), 100);
    return new ListTasksResponse(page.items(), page.nextToken());
  }

  // ---- agent-facing --------------------------------------------------------------------------

  private DiscoverPollEndpointResponse discoverPollEndpoint(
      Operation.Caller caller, DiscoverPollEndpointRequest request) {
    Principal.Instance self = caller.instance();
    if (self != null) {
      // An instance key asks only for its own instance, in its own cluster.
      State state = states.current();
      Cluster cluster = lookup.activeCluster(state, request.cluster());
      String ref = request.containerInstance();
      String named =
          ref == null || ref.startsWith("arn:")
              ? ref
              : lookup.arns().containerInstance(cluster.name(), ref);
      if (!cluster.arn().equals(self.key().clusterArn())) {
        throw AccessDenied.of(self, "ecs:DiscoverPollEndpoint", cluster.arn());
      }
      if (named != null && !named.equals(self.containerInstanceArn())) {
        throw AccessDenied.of(self, "ecs:DiscoverPollEndpoint", named);
      }
    }
    String ws = endpoint.replaceFirst("^http", "ws");
    return new DiscoverPollEndpointResponse(ws + "/", ws + "/", ws + "/");
  }

  /**
   * @param health the health each entry of {@code containers} reports, by position ({@link
   *     ContainerHealthReports})
   */
  private SubmitTaskStateChangeResponse submitTaskStateChange(
      Operation.Caller caller, SubmitTaskStateChangeRequest request, List<String> health) {
    String clusterRef = request.cluster();
    // The model does not require task; a report without one names no task.
    String ref = request.task() == null ? "" : request.task();
    TaskStatus reported = reportedStatus(request.status());
    String reason = request.reason();
    Instant pullStartedAt = ContainerHealthReports.toMillis(request.pullStartedAt());
    Instant pullStoppedAt = ContainerHealthReports.toMillis(request.pullStoppedAt());
    Instant reportedStop = ContainerHealthReports.toMillis(request.executionStoppedAt());
    List<ContainerStateChange> reports =
        request.containers() == null ? List.of() : request.containers();
    Principal.Instance self = caller.instance();
    Task updated =
        states.execute(
            tx -> {
              Task t = existingTask(tx.state(), clusterRef, ref);
              checkOwnTask(self, t, "ecs:SubmitTaskStateChange");
              Task.Builder next = t.toBuilder();
              List<TaskContainer> containers = new ArrayList<>(t.containers());
              for (int i = 0; i < reports.size(); i++) {
                ContainerStateChange c = reports.get(i);
                applyContainer(
                    containers,
                    new ContainerReport(
                        c.containerName(),
                        c.runtimeId(),
                        c.status(),
                        c.exitCode(),
                        c.reason(),
                        c.networkBindings(),
                        i < health.size() ? health.get(i) : null));
              }
              next.containers(containers);
              if (pullStartedAt != null) {
                next.pullStartedAt(pullStartedAt);
              }
              if (pullStoppedAt != null) {
                next.pullStoppedAt(pullStoppedAt);
              }
              if (reported != null) {
                if (t.lastStatus().canMoveTo(reported)
                    || (reported == TaskStatus.STOPPED && !t.lastStatus().isTerminal())) {
                  next.lastStatus(reported);
                  if (reported == TaskStatus.RUNNING && t.startedAt() == null) {
                    next.startedAt(tx.now());
                  }
                  if (reported == TaskStatus.STOPPED) {
                    Instant executionStopped = reportedStop != null ? reportedStop : tx.now();
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
    return new SubmitTaskStateChangeResponse("true");
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

  /**
   * @param health the health the container reports ({@link ContainerHealthReports}), or null
   */
  private SubmitContainerStateChangeResponse submitContainerStateChange(
      Operation.Caller caller, SubmitContainerStateChangeRequest request, String health) {
    String clusterRef = request.cluster();
    String ref = request.task() == null ? "" : request.task();
    ContainerReport report =
        new ContainerReport(
            request.containerName(),
            request.runtimeId(),
            request.status(),
            request.exitCode(),
            request.reason(),
            request.networkBindings(),
            health);
    Principal.Instance self = caller.instance();
    states.execute(
        tx -> {
          Task t = existingTask(tx.state(), clusterRef, ref);
          checkOwnTask(self, t, "ecs:SubmitContainerStateChange");
          List<TaskContainer> containers = new ArrayList<>(t.containers());
          applyContainer(containers, report);
          tx.apply(
              new Change.TaskPut(
                  t.toBuilder()
                      .containers(containers)
                      .healthStatus(taskHealth(containers))
                      .build(tx.revision())));
          return null;
        });
    services.nudge();
    return new SubmitContainerStateChangeResponse("true");
  }

  /** Refuses a report by an instance key about a task that is not on its instance. */
  private static void checkOwnTask(Principal.Instance self, Task task, String action) {
    if (self != null && !self.containerInstanceArn().equals(task.containerInstanceArn())) {
      throw AccessDenied.of(self, action, task.arn());
    }
  }

  /**
   * One container's report: SubmitContainerStateChange, or an entry of SubmitTaskStateChange's
   * {@code containers}, with the health Wharf's agent reports beside them.
   */
  private record ContainerReport(
      String containerName,
      String runtimeId,
      String status,
      Integer exitCode,
      String reason,
      List<NetworkBindingView> networkBindings,
      String healthStatus) {}

  /** Applies one container report. */
  private static void applyContainer(List<TaskContainer> containers, ContainerReport report) {
    // The model does not require containerName; a report without one names no container.
    String name = report.containerName() == null ? "" : report.containerName();
    for (int i = 0; i < containers.size(); i++) {
      TaskContainer c = containers.get(i);
      if (!c.name().equals(name)) {
        continue;
      }
      List<NetworkBinding> bindings = null;
      if (report.networkBindings() != null) {
        bindings = new ArrayList<>();
        for (NetworkBindingView b : report.networkBindings()) {
          bindings.add(
              new NetworkBinding(
                  b.bindIP() == null ? "0.0.0.0" : b.bindIP(),
                  b.containerPort() == null ? 0 : b.containerPort(),
                  b.hostPort() == null ? 0 : b.hostPort(),
                  b.protocol() == null ? "tcp" : b.protocol()));
        }
      }
      String status = report.status() == null ? c.lastStatus() : report.status();
      // Statuses only move forward: PENDING, RUNNING, STOPPED.
      if (rank(status) < rank(c.lastStatus())) {
        status = c.lastStatus();
      }
      containers.set(
          i,
          c.reported(
              status,
              report.exitCode(),
              report.reason(),
              report.runtimeId(),
              bindings,
              report.healthStatus()));
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

  private static List<Tag> checkedTags(List<Tag> requested) {
    List<Tag> tags = Wire.readTags(requested);
    Wire.mergeTags(List.of(), tags);
    return tags;
  }

  /** What a task looks like when none was overridden: ECS answers empty override lists. */
  private static final Document NO_OVERRIDES =
      new Document("{\"containerOverrides\":[],\"inferenceAcceleratorOverrides\":[]}");

  /** The one attribute ECS reports on every task of an x86-64 instance. */
  private static final List<AttributeView> TASK_ATTRIBUTES =
      List.of(new AttributeView("ecs.cpu-architecture", "x86_64"));

  /**
   * A task as ECS describes it.
   *
   * @param includeTags whether the caller asked for tags (DescribeTasks {@code include}); without
   *     them {@code tags} is empty, as ECS answers
   */
  static TaskView view(Task t, boolean includeTags) {
    List<ContainerView> containers = new ArrayList<>(t.containers().size());
    for (TaskContainer c : t.containers()) {
      List<NetworkBindingView> bindings = new ArrayList<>(c.networkBindings().size());
      for (NetworkBinding b : c.networkBindings()) {
        bindings.add(
            new NetworkBindingView(b.bindIp(), b.containerPort(), b.hostPort(), b.protocol()));
      }
      containers.add(
          new ContainerView(
              c.containerArn(),
              t.arn(),
              c.name(),
              c.image(),
              c.runtimeId(),
              c.lastStatus(),
              c.exitCode(),
              c.reason(),
              bindings,
              List.of(),
              c.healthStatus() == null ? "UNKNOWN" : c.healthStatus()));
    }
    return new TaskView(
        List.of(),
        TASK_ATTRIBUTES,
        t.clusterArn(),
        "CONNECTED",
        t.containerInstanceArn(),
        containers,
        t.cpu(),
        t.createdAt(),
        t.desiredStatus(),
        false,
        t.executionStoppedAt(),
        t.group(),
        t.healthStatus() == null ? "UNKNOWN" : t.healthStatus(),
        t.lastStatus().name(),
        t.launchType(),
        t.memory(),
        t.overrides() != null ? t.overrides() : NO_OVERRIDES,
        t.pullStartedAt(),
        t.pullStoppedAt(),
        t.startedAt(),
        t.startedBy(),
        t.stopCode(),
        t.stoppedAt(),
        t.stoppedReason(),
        t.stoppingAt(),
        includeTags ? t.tags() : List.of(),
        t.arn(),
        t.taskDefinitionArn(),
        t.version());
  }
}
