package io.wharf.ecs.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.launch.Launcher;
import io.wharf.ecs.launch.TaskShape;
import io.wharf.elb.targets.TargetHealthView;
import io.wharf.elb.targets.TargetRegistrations;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ContainerInstanceStatus;
import io.wharf.model.Deployment;
import io.wharf.model.Document;
import io.wharf.model.Service;
import io.wharf.model.ServiceConfig;
import io.wharf.model.Tag;
import io.wharf.model.Task;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskStatus;
import io.wharf.model.elb.TargetHealthState;
import io.wharf.scheduler.Constraint;
import io.wharf.scheduler.Demand;
import io.wharf.scheduler.Failure;
import io.wharf.scheduler.PlacementException;
import io.wharf.scheduler.Result;
import io.wharf.scheduler.Strategy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One service's reconcile, run as a state-machine command: compares the tasks the service has with
 * what its deployments want and launches, stops and records the difference.
 *
 * <pre>
 *  tasks of the service ─▶ stop failed ones ─▶ launch for PRIMARY (≤ maximumPercent)
 *                       ─▶ stop old / draining / excess: not running first, then within
 *                          minimumHealthyPercent of the tasks that count and of those serving
 *                       ─▶ retire emptied deployments, complete the rollout, events
 * </pre>
 *
 * <p>Level-triggered: it reads only the current state, so running it twice, late, or after a
 * restart does the right thing. Not thread-safe; the state machine runs one command at a time.
 */
final class Reconciler {
  /** Bounds one command's work, so a scale-out of thousands is many short commands, not one. */
  static final int MAX_LAUNCH_PER_PASS = 500;

  static final String HEALTH_FAILED = "Task failed container health checks";

  private final Launcher launcher;
  private final TargetHealthView health;
  private final Duration healthyAfter;
  private final Supplier<String> ids;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, JsonNode> definitions = new ConcurrentHashMap<>();

  /**
   * @param healthyAfter how long a RUNNING task without container health checks must run before it
   *     counts as healthy (ECS: 40 s)
   */
  Reconciler(
      Launcher launcher, TargetHealthView health, Duration healthyAfter, Supplier<String> ids) {
    this.launcher = launcher;
    this.health = health;
    this.healthyAfter = healthyAfter;
    this.ids = ids;
  }

  /**
   * What a reconcile changed beyond the state: the tasks created or told to stop (their instances
   * get updates naming them) and whether target registrations changed (the data plane acts at
   * once).
   */
  record Outcome(List<Task> touched, boolean balancingChanged, boolean more) {
    static final Outcome NONE = new Outcome(List.of(), false, false);
  }

  /**
   * Where a live task stands when the reconciler picks tasks to stop, in the order they are picked:
   * what costs nothing first, what serves last.
   *
   * <p>Two questions, kept apart. Whether a task serves (takes requests now) bounds every stop:
   * stopping one that serves must leave at least {@code minimumHealthyPercent} of the desired count
   * serving. Whether a task is healthy by ECS's rule decides when a replacement counts towards that
   * minimum, so that old tasks go only once their replacements have proved themselves; a task being
   * replaced counts while it runs (it has not failed for being young: failing is for health checks
   * past the grace period, which {@code stopUnhealthy} deals with).
   */
  enum Standing {
    /** Not RUNNING (PENDING, ACTIVATING): stopping it takes nothing away. */
    NOT_RUNNING,
    /**
     * RUNNING but taking no requests: its target is not (yet) healthy in every group, or its
     * essential health checks report UNHEALTHY (within the grace period), or, without load
     * balancers, they have not reported HEALTHY.
     */
    NOT_SERVING,
    /**
     * Taking requests but not yet healthy by ECS's rule: RUNNING for less than the healthy-after
     * time (ECS: 40 s) when nothing checks its containers, or, behind load balancers, healthy in
     * every group while its containers' checks have not reported HEALTHY yet.
     */
    SERVING,
    /**
     * ECS's healthy: RUNNING; HEALTHY when its essential containers have health checks, else
     * RUNNING for the healthy-after time; and, behind load balancers, healthy in every group.
     */
    HEALTHY;

    boolean serves() {
      return this == SERVING || this == HEALTHY;
    }
  }

  /** Reconciles one service. */
  Outcome reconcile(StateMachine.Transaction tx, String serviceArn) {
    Service service = tx.state().services().get(serviceArn);
    if (service == null || service.status().equals("INACTIVE")) {
      return Outcome.NONE;
    }
    Pass pass = new Pass(tx, service);
    pass.finishDeactivations();
    pass.registerRunning();
    if (!service.isActive()) {
      pass.drainService();
    } else if (service.isDaemon()) {
      pass.daemon();
    } else {
      pass.replica();
    }
    pass.loadBalancerEvents();
    pass.edit.apply(tx);
    return new Outcome(pass.touched, pass.balancingChanged, pass.more);
  }

  /** The work of one reconcile of one service. */
  private final class Pass {
    final StateMachine.Transaction tx;
    final Service service;
    final ServiceEdit edit;
    final Instant now;
    final List<Task> touched = new ArrayList<>();

    /**
     * The service's live tasks as the pass began. Later steps of the pass see their own changes
     * through {@link #stoppedNow} rather than by reading the tasks again: at thousands of tasks a
     * service, reading them is most of a pass.
     */
    final List<Task> live;

    /** Whether the pass launched as many tasks as one pass may: more work waits. */
    boolean more;

    final Set<String> stoppedNow = new HashSet<>();
    final List<String> stoppedIds = new ArrayList<>();
    final Map<String, Integer> registered = new java.util.TreeMap<>();
    final Map<String, Integer> deregistered = new java.util.TreeMap<>();
    int draining;
    boolean balancingChanged;

    Pass(StateMachine.Transaction tx, Service service) {
      this.tx = tx;
      this.service = service;
      this.now = tx.now();
      this.edit = new ServiceEdit(service, now, ids);
      this.live = tx.state().liveTasksOf(service);
    }

    State state() {
      return tx.state();
    }

    // ---- REPLICA --------------------------------------------------------------------------

    void replica() {
      int desired = service.desiredCount();
      stopUnhealthy(desired);
      Deployment primary = edit.primary();
      ServiceConfig config = primary.config();
      List<Task> wanted = new ArrayList<>();
      for (Task t : live) {
        if (isWanted(t)) {
          wanted.add(t);
        }
      }
      List<Task> primaryTasks = new ArrayList<>();
      List<Task> replaceable = new ArrayList<>();
      // A failed rollout (breaker without rollback) stalls: the old tasks stay.
      boolean stalled = Rollouts.FAILED.equals(primary.rolloutState());
      for (Task t : wanted) {
        boolean draining = onDrainingInstance(t);
        if (primary.id().equals(t.startedBy()) && !draining) {
          primaryTasks.add(t);
        } else if (draining || !stalled) {
          replaceable.add(t);
        }
      }
      int maxTotal = desired * config.maximumPercent() / 100;
      int minHealthy = ceilDiv(desired * config.minimumHealthyPercent(), 100);

      // Launch for the primary deployment, within maximumPercent.
      int room = maxTotal - live.size();
      int need = desired - primaryTasks.size();
      int launched = 0;
      if (need > 0 && room > 0 && mayLaunch(primary)) {
        launched = launch(primary, Math.min(Math.min(need, room), MAX_LAUNCH_PER_PASS));
        more = launched == MAX_LAUNCH_PER_PASS;
      }

      Map<String, Standing> standings = new HashMap<>();
      for (Task t : wanted) {
        standings.put(t.arn(), standingOf(t));
      }
      // Excess primary tasks (a scale-in) are replaceable too, picked as ECS scales in.
      if (primaryTasks.size() > desired) {
        replaceable.addAll(scaleInOrder(primaryTasks, primaryTasks.size() - desired, standings));
      }
      // Stop what is to be replaced. A stop must fit two budgets (see Standing):
      //  - ECS's minimum: the tasks that stay and count (those being replaced while they run, the
      //    rest once healthy by ECS's rule) stay at or above minimumHealthyPercent of desired. A
      //    young task being replaced counts like any running one: it has not failed, it is only
      //    new, and the 40 s wait is for trusting its replacement, not for doubting it.
      //  - serving: a stop never takes the tasks that serve now below that minimum, nor further
      //    when fewer serve already (replacements that serve but are not healthy yet do count
      //    here: they take requests).
      int counted = 0;
      int serving = 0;
      for (Task t : wanted) {
        Standing s = standings.get(t.arn());
        serving += s.serves() ? 1 : 0;
        counted += counts(t, s, primary) ? 1 : 0;
      }
      int minimumBudget = counted - minHealthy;
      int servingBudget = serving - minHealthy;
      // Those that cost neither go whatever the budgets (tasks not running yet, excess ones that
      // neither count nor serve); the rest in scale-in order, as far as the budgets allow: those
      // that do not serve first (ordering only these: most passes of a rollout stop none).
      List<Task> costly = new ArrayList<>();
      int blocked = 0;
      for (Task t : replaceable) {
        Standing s = standings.get(t.arn());
        boolean costsMinimum = counts(t, s, primary);
        if (!costsMinimum && !s.serves()) {
          stop(t, scalingReason(t));
        } else if ((!costsMinimum || minimumBudget > 0) && (!s.serves() || servingBudget > 0)) {
          costly.add(t);
        } else {
          blocked++;
        }
      }
      for (Task t : scaleInOrder(costly, costly.size(), standings)) {
        Standing s = standings.get(t.arn());
        boolean costsMinimum = counts(t, s, primary);
        if ((costsMinimum && minimumBudget <= 0) || (s.serves() && servingBudget <= 0)) {
          blocked++;
          continue;
        }
        minimumBudget -= costsMinimum ? 1 : 0;
        servingBudget -= s.serves() ? 1 : 0;
        stop(t, scalingReason(t));
      }
      if (!stoppedIds.isEmpty()) {
        edit.event(ServiceEvents.stopped(service.name(), stoppedIds));
      }
      int primaryHealthy = 0;
      for (Task t : primaryTasks) {
        if (standings.get(t.arn()) == Standing.HEALTHY) {
          primaryHealthy++;
        }
      }
      // Blocked by the configuration, not merely waiting for replacements to become healthy:
      // nothing can start, nothing may stop, and no replacement is on its way.
      if (blocked > 0
          && launched == 0
          && stoppedIds.isEmpty()
          && room <= 0
          && primaryHealthy == primaryTasks.size()) {
        edit.event(ServiceEvents.blocked(service.name()));
      }
      finishRollout(
          primaryTasks.size() == desired && primaryHealthy >= desired && launched == 0,
          primaryTasks.size() == desired
              && primaryTasks.stream().allMatch(t -> t.lastStatus() == TaskStatus.RUNNING));
    }

    /**
     * Whether a task counts towards {@code minimumHealthyPercent}: one being replaced (of an older
     * deployment, or on a draining instance) while it runs, any other (the primary's, excess ones
     * of a scale-in too) once it is healthy by ECS's rule.
     */
    private boolean counts(Task t, Standing standing, Deployment primary) {
      boolean replaced = !primary.id().equals(t.startedBy()) || onDrainingInstance(t);
      return replaced ? standing != Standing.NOT_RUNNING : standing == Standing.HEALTHY;
    }

    /** Running tasks whose essential health checks fail, past the grace period, are replaced. */
    private void stopUnhealthy(int desired) {
      int grace = edit.primary().config().healthCheckGracePeriodSeconds();
      for (Task t : live) {
        if (!isWanted(t)
            || t.lastStatus() != TaskStatus.RUNNING
            || t.startedAt() == null
            || t.startedAt().plusSeconds(grace).isAfter(now)) {
          continue;
        }
        String reason = null;
        if ("UNHEALTHY".equals(t.healthStatus())) {
          reason = HEALTH_FAILED;
        } else {
          for (LoadBalancerBindings.Bound b :
              LoadBalancerBindings.targets(state(), bindingsOf(t), t)) {
            if (health.health(b.targetGroupArn(), b.target()).state()
                == TargetHealthState.UNHEALTHY) {
              reason = "Task failed ELB health checks in (target-group " + b.targetGroupArn() + ")";
              break;
            }
          }
        }
        if (reason != null) {
          stop(t, reason);
          if (t.startedBy() != null) {
            Rollouts.taskFailed(edit, t.startedBy(), desired);
          }
        }
      }
    }

    /** A task that should run and is not being taken out (DEACTIVATING) or stopped. */
    private boolean isWanted(Task t) {
      return t.desiredStatus().equals("RUNNING")
          && t.lastStatus() != TaskStatus.DEACTIVATING
          && !stoppedNow.contains(t.arn());
    }

    /** The load balancer entries of the deployment that launched the task. */
    private List<LoadBalancerBindings.Binding> bindingsOf(Task t) {
      Deployment d = t.startedBy() == null ? null : edit.deployment(t.startedBy());
      return LoadBalancerBindings.of((d != null ? d : edit.primary()).config());
    }

    /** RUNNING tasks get their targets registered in their groups (registering is idempotent). */
    void registerRunning() {
      for (Task t : live) {
        if (!isWanted(t) || t.lastStatus() != TaskStatus.RUNNING) {
          continue;
        }
        for (LoadBalancerBindings.Bound b :
            LoadBalancerBindings.targets(state(), bindingsOf(t), t)) {
          if (LoadBalancerBindings.inRotation(state(), b)) {
            continue;
          }
          try {
            TargetRegistrations.register(tx, b.targetGroupArn(), b.target());
            registered.merge(b.targetGroupArn(), 1, Integer::sum);
            balancingChanged = true;
          } catch (io.wharf.model.WharfException e) {
            edit.event(
                "(service "
                    + service.name()
                    + ") failed to register targets in (target-group "
                    + b.targetGroupArn()
                    + ") with (error "
                    + e.getMessage()
                    + ")");
          }
        }
      }
    }

    /**
     * DEACTIVATING tasks whose targets have drained are told to stop now: their containers may go
     * without cutting a request.
     */
    void finishDeactivations() {
      for (Task t : live) {
        if (t.lastStatus() != TaskStatus.DEACTIVATING || !t.desiredStatus().equals("RUNNING")) {
          continue;
        }
        boolean drained = true;
        for (LoadBalancerBindings.Bound b :
            LoadBalancerBindings.targets(state(), bindingsOf(t), t)) {
          drained &= health.isDrained(b.targetGroupArn(), b.target());
        }
        if (drained) {
          tx.apply(
              new Change.TaskPut(
                  t.toBuilder()
                      .desiredStatus("STOPPED")
                      .lastStatus(TaskStatus.STOPPING)
                      .stoppingAt(now)
                      .build(tx.revision())));
          touched.add(t);
          stoppedIds.add(t.id());
        }
      }
    }

    /** Events for this pass's registrations and deregistrations, in ECS's wording. */
    void loadBalancerEvents() {
      registered.forEach(
          (group, n) ->
              edit.event(
                  "(service "
                      + service.name()
                      + ") registered "
                      + n
                      + " targets in (target-group "
                      + group
                      + ")"));
      deregistered.forEach(
          (group, n) ->
              edit.event(
                  "(service "
                      + service.name()
                      + ") deregistered "
                      + n
                      + " targets in (target-group "
                      + group
                      + ")"));
      if (draining > 0) {
        edit.event(
            "(service "
                + service.name()
                + ") has begun draining connections on "
                + draining
                + " tasks.");
      }
    }

    private boolean mayLaunch(Deployment primary) {
      return !Rollouts.FAILED.equals(primary.rolloutState())
          && (edit.original().nextLaunchAt() == null
              || !now.isBefore(edit.original().nextLaunchAt()));
    }

    /** Places and creates up to {@code count} tasks of the deployment; returns how many. */
    private int launch(Deployment deployment, int count) {
      Cluster cluster = cluster();
      TaskDefinition definition = state().taskDefinition(deployment.config().taskDefinitionArn());
      if (cluster == null || definition == null) {
        return 0;
      }
      JsonNode document = definition(definition);
      TaskShape shape = TaskShape.of(document, null);
      Demand demand = demand(deployment.config(), shape, document);
      Result result;
      try {
        result =
            launcher.members(state(), cluster).isEmpty()
                ? new Result(List.of(), List.of(new Failure(null, Failure.NO_CONTAINER_INSTANCES)))
                : launcher.placeInCluster(state(), cluster, demand, count, launcher.callRandom());
      } catch (PlacementException e) {
        edit.event(
            "(service "
                + service.name()
                + ") was unable to place a task. Reason: "
                + e.getMessage());
        return 0;
      }
      List<String> started = new ArrayList<>();
      for (String instanceArn : result.placements()) {
        started.add(create(cluster, definition, shape, deployment, instanceArn).id());
      }
      if (!started.isEmpty()) {
        edit.event(ServiceEvents.started(service.name(), started));
      }
      if (!result.failures().isEmpty()) {
        edit.event(ServiceEvents.unableToPlace(service.name(), result.failures().getFirst()));
      }
      return started.size();
    }

    private Task create(
        Cluster cluster,
        TaskDefinition definition,
        TaskShape shape,
        Deployment deployment,
        String instanceArn) {
      List<Tag> tags = "SERVICE".equals(service.propagateTags()) ? service.tags() : List.of();
      Task task =
          launcher.newTask(
              cluster,
              definition,
              instanceArn,
              shape,
              new Launcher.Origin(service.group(), deployment.id(), null, tags, null),
              now,
              tx.revision());
      tx.apply(new Change.TaskPut(task));
      touched.add(task);
      return task;
    }

    private Demand demand(ServiceConfig config, TaskShape shape, JsonNode document) {
      return Launcher.demand(
          shape,
          document,
          service.group(),
          parse(config.placementConstraints()),
          config.placementStrategy() != null
              ? parse(config.placementStrategy())
              : DEFAULT_STRATEGY);
    }

    // ---- DAEMON ---------------------------------------------------------------------------

    void daemon() {
      Deployment primary = edit.primary();
      Cluster cluster = cluster();
      TaskDefinition definition = state().taskDefinition(primary.config().taskDefinitionArn());
      if (cluster == null || definition == null) {
        return;
      }
      JsonNode document = definition(definition);
      TaskShape shape = TaskShape.of(document, null);
      Demand full = demand(primary.config(), shape, document);
      // Whether an instance matches is a question of constraints and attributes only.
      Demand matching =
          new Demand(
              0,
              0,
              List.of(),
              service.group(),
              full.requiredAttributes(),
              full.constraints().stream()
                  .filter(c -> !c.type().equals(Constraint.DISTINCT_INSTANCE))
                  .toList(),
              List.of());
      Map<String, List<Task>> byInstance = new LinkedHashMap<>();
      for (Task t : live) {
        byInstance.computeIfAbsent(t.containerInstanceArn(), k -> new ArrayList<>()).add(t);
      }
      int eligible = 0;
      int primaryHealthy = 0;
      int old = 0;
      List<String> started = new ArrayList<>();
      Failure unplaced = null;
      Set<String> seen = new HashSet<>();
      for (ContainerInstance i : launcher.members(state(), cluster)) {
        seen.add(i.arn());
        List<Task> here = byInstance.getOrDefault(i.arn(), List.of());
        List<Task> running = here.stream().filter(this::isWanted).toList();
        if (i.status() != ContainerInstanceStatus.ACTIVE || !matches(i, matching)) {
          running.forEach(t -> stop(t, scalingReason(t)));
          continue;
        }
        eligible++;
        List<Task> mine = running.stream().filter(t -> primary.id().equals(t.startedBy())).toList();
        List<Task> others =
            running.stream().filter(t -> !primary.id().equals(t.startedBy())).toList();
        // Stop first, then start: a daemon holds the same ports and resources on every instance.
        others.forEach(t -> stop(t, scalingReason(t)));
        old += others.size();
        for (int k = 1; k < mine.size(); k++) {
          stop(mine.get(k), scalingReason(mine.get(k)));
        }
        if (!mine.isEmpty()) {
          if (isHealthy(mine.getFirst())) {
            primaryHealthy++;
          }
        } else if (here.isEmpty() && mayLaunch(primary)) {
          Result r = launcher.placeOn(state(), i, full);
          if (r.placements().isEmpty()) {
            unplaced = r.failures().isEmpty() ? null : r.failures().getFirst();
          } else {
            started.add(create(cluster, definition, shape, primary, i.arn()).id());
          }
        }
      }
      // Tasks on instances that left the cluster.
      byInstance.forEach(
          (arn, tasks) -> {
            if (!seen.contains(arn)) {
              tasks.stream().filter(this::isWanted).forEach(t -> stop(t, scalingReason(t)));
            }
          });
      if (eligible != service.desiredCount()) {
        edit.service().desiredCount(eligible);
      }
      if (!started.isEmpty()) {
        edit.event(ServiceEvents.started(service.name(), started));
      }
      if (!stoppedIds.isEmpty()) {
        edit.event(ServiceEvents.stopped(service.name(), stoppedIds));
      }
      if (unplaced != null) {
        edit.event(ServiceEvents.unableToPlace(service.name(), unplaced));
      }
      finishRollout(
          old == 0 && primaryHealthy == eligible && started.isEmpty(),
          old == 0 && primaryHealthy == eligible && started.isEmpty());
    }

    private boolean matches(ContainerInstance i, Demand matching) {
      Result r = launcher.placeOn(state(), i, matching);
      if (!r.placements().isEmpty()) {
        return true;
      }
      // A disconnected agent is still a member; its daemon task waits for it.
      return r.failures().stream().anyMatch(f -> f.reason().equals(Failure.AGENT));
    }

    // ---- deleted service ------------------------------------------------------------------

    /** DeleteService: stop everything; INACTIVE once no task is wanted any more. */
    void drainService() {
      for (Task t : live) {
        if (isWanted(t)) {
          stop(t, scalingReason(t));
        }
      }
      if (!stoppedIds.isEmpty()) {
        edit.event(ServiceEvents.stopped(service.name(), stoppedIds));
      }
      // INACTIVE once every task is STOPPING or STOPPED (DEACTIVATING ones are still draining).
      for (Task t : state().liveTasksOf(service)) {
        if (t.desiredStatus().equals("RUNNING")) {
          return;
        }
      }
      edit.service().status("INACTIVE");
      Deployment primary = edit.primary();
      for (Deployment d : List.copyOf(edit.deployments())) {
        if (!d.status().equals(Deployment.INACTIVE)) {
          Deployment retired = d.withStatus(Deployment.INACTIVE, now);
          if (d == primary && d.rolloutState().equals(Rollouts.IN_PROGRESS)) {
            retired =
                retired.withRollout(
                    Rollouts.IN_PROGRESS,
                    d.rolloutStateReason(),
                    "STOPPED",
                    "Service deleted.",
                    now);
          }
          edit.replace(retired);
        }
      }
    }

    // ---- shared ---------------------------------------------------------------------------

    /**
     * Retires old deployments that no longer have tasks, completes the primary's rollout, and says
     * when the service is steady.
     */
    private void finishRollout(boolean primaryDone, boolean steady) {
      Deployment primary = edit.primary();
      Set<String> withTasks = new HashSet<>();
      for (Task t : state().liveTasksOf(service)) {
        if (t.desiredStatus().equals("RUNNING") && t.startedBy() != null) {
          withTasks.add(t.startedBy());
        }
      }
      boolean othersLeft = false;
      for (Deployment d : List.copyOf(edit.deployments())) {
        if (d == primary || !d.status().equals(Deployment.ACTIVE)) {
          continue;
        }
        if (withTasks.contains(d.id())) {
          othersLeft = true;
        } else {
          Deployment retired = d.withStatus(Deployment.INACTIVE, now);
          if (d.rolloutState().equals(Rollouts.IN_PROGRESS)) {
            // Replaced by a newer deployment before it completed.
            retired =
                retired.withRollout(
                    Rollouts.IN_PROGRESS,
                    d.rolloutStateReason(),
                    "STOPPED",
                    "Replaced by a newer deployment.",
                    now);
          }
          edit.replace(retired);
        }
      }
      if (othersLeft) {
        return;
      }
      if (primaryDone && primary.rolloutState().equals(Rollouts.IN_PROGRESS)) {
        edit.replace(
            primary.withRollout(
                Rollouts.COMPLETED,
                "ECS deployment " + primary.id() + " completed.",
                "SUCCESSFUL",
                null,
                now));
        for (Deployment d : List.copyOf(edit.deployments())) {
          if ("ROLLBACK_IN_PROGRESS".equals(d.deploymentStatus())
              && primary.id().equals(d.rollbackTo())) {
            edit.replace(
                d.withRollout(
                    d.rolloutState(),
                    d.rolloutStateReason(),
                    "ROLLBACK_SUCCESSFUL",
                    d.statusReason(),
                    now));
          }
        }
        edit.event(ServiceEvents.completed(service.name(), primary.id()));
      }
      String steadyMessage = ServiceEvents.steady(service.name());
      if (steady
          && edit.primary().rolloutState().equals(Rollouts.COMPLETED)
          && stoppedIds.isEmpty()
          && !steadyMessage.equals(edit.newestEvent())) {
        edit.event(steadyMessage);
      }
    }

    private void stop(Task t, String reason) {
      if (!stoppedNow.add(t.arn())) {
        return;
      }
      if (t.lastStatus() == TaskStatus.RUNNING) {
        List<LoadBalancerBindings.Bound> out =
            LoadBalancerBindings.deregister(tx, bindingsOf(t), t);
        if (!out.isEmpty()) {
          // Take it out of the load balancers first; its containers stop once drained.
          out.forEach(b -> deregistered.merge(b.targetGroupArn(), 1, Integer::sum));
          tx.apply(
              new Change.TaskPut(
                  t.toBuilder()
                      .lastStatus(TaskStatus.DEACTIVATING)
                      .stopCode("ServiceSchedulerInitiated")
                      .stoppedReason(reason)
                      .build(tx.revision())));
          balancingChanged = true;
          draining++;
          return;
        }
      }
      Task.Builder next =
          t.toBuilder()
              .desiredStatus("STOPPED")
              .stopCode("ServiceSchedulerInitiated")
              .stoppedReason(reason);
      if (t.lastStatus() == TaskStatus.RUNNING) {
        next.lastStatus(TaskStatus.STOPPING).stoppingAt(now);
      }
      tx.apply(new Change.TaskPut(next.build(tx.revision())));
      touched.add(t);
      stoppedIds.add(t.id());
    }

    private String scalingReason(Task t) {
      String deployment = t.startedBy() != null ? t.startedBy() : edit.primary().id();
      return "Scaling activity initiated by (deployment " + deployment + ")";
    }

    private boolean onDrainingInstance(Task t) {
      ContainerInstance i = state().containerInstances().get(t.containerInstanceArn());
      return i == null || i.status() != ContainerInstanceStatus.ACTIVE;
    }

    /** ECS's healthy (see {@link Standing#HEALTHY}). */
    private boolean isHealthy(Task t) {
      return standingOf(t) == Standing.HEALTHY;
    }

    /** Where a task stands, from its status, its containers' health and its targets' health. */
    private Standing standingOf(Task t) {
      if (t.lastStatus() != TaskStatus.RUNNING || !t.desiredStatus().equals("RUNNING")) {
        return Standing.NOT_RUNNING;
      }
      TaskDefinition d = state().taskDefinition(t.taskDefinitionArn());
      boolean checked = d != null && hasHealthChecks(definition(d));
      List<LoadBalancerBindings.Binding> bindings = bindingsOf(t);
      if (!bindings.isEmpty()) {
        // Behind load balancers, it takes requests once every group reports its target healthy.
        List<LoadBalancerBindings.Bound> targets =
            LoadBalancerBindings.targets(state(), bindings, t);
        if (targets.size() < bindings.size()) {
          return Standing.NOT_SERVING;
        }
        for (LoadBalancerBindings.Bound b : targets) {
          if (health.health(b.targetGroupArn(), b.target()).state() != TargetHealthState.HEALTHY) {
            return Standing.NOT_SERVING;
          }
        }
        if ("UNHEALTHY".equals(t.healthStatus())) {
          return Standing.NOT_SERVING;
        }
      } else if (checked && !"HEALTHY".equals(t.healthStatus())) {
        return Standing.NOT_SERVING;
      }
      if (checked) {
        return "HEALTHY".equals(t.healthStatus()) ? Standing.HEALTHY : Standing.SERVING;
      }
      return t.startedAt() != null && !t.startedAt().plus(healthyAfter).isAfter(now)
          ? Standing.HEALTHY
          : Standing.SERVING;
    }

    /**
     * The first {@code limit} tasks in scale-in order, as ECS picks tasks to stop: tasks not yet
     * running first, then running ones that do not serve yet, then those that serve; within each of
     * the last two, one at a time, from the availability zone with the most of these tasks and,
     * within it, from the instance with the most.
     */
    private List<Task> scaleInOrder(List<Task> tasks, int limit, Map<String, Standing> standings) {
      List<Task> out = new ArrayList<>(Math.min(limit, tasks.size()));
      if (limit <= 0) {
        return out;
      }
      List<Task> sorted = new ArrayList<>(tasks);
      sorted.sort(Comparator.comparing(Task::arn));
      List<Task> idle = new ArrayList<>();
      List<Task> serving = new ArrayList<>();
      for (Task t : sorted) {
        Standing s = standings.get(t.arn());
        if (s == null || s == Standing.NOT_RUNNING) {
          if (out.size() < limit) {
            out.add(t);
          }
        } else if (s.serves()) {
          serving.add(t);
        } else {
          idle.add(t);
        }
      }
      spreadOut(idle, limit, out);
      spreadOut(serving, limit, out);
      return out;
    }

    /**
     * Adds running tasks to {@code out}, up to {@code limit} in all, one at a time from the zone
     * with the most of them and, within it, from the instance with the most.
     */
    private void spreadOut(List<Task> running, int limit, List<Task> out) {
      if (out.size() >= limit || running.isEmpty()) {
        return;
      }
      // zone -> instance -> tasks, each level in a stable order.
      Map<String, Map<String, List<Task>>> byZone = new java.util.TreeMap<>();
      for (Task t : running) {
        byZone
            .computeIfAbsent(zone(t.containerInstanceArn()), z -> new java.util.TreeMap<>())
            .computeIfAbsent(t.containerInstanceArn(), i -> new ArrayList<>())
            .add(t);
      }
      Map<String, Integer> zoneCount = new HashMap<>();
      byZone.forEach(
          (z, instances) ->
              zoneCount.put(z, instances.values().stream().mapToInt(List::size).sum()));
      while (!zoneCount.isEmpty() && out.size() < limit) {
        String zone = null;
        for (var e : zoneCount.entrySet()) {
          if (zone == null
              || e.getValue() > zoneCount.get(zone)
              || (e.getValue().equals(zoneCount.get(zone)) && e.getKey().compareTo(zone) < 0)) {
            zone = e.getKey();
          }
        }
        Map<String, List<Task>> instances = byZone.get(zone);
        String busiest = null;
        for (var e : instances.entrySet()) {
          if (busiest == null || e.getValue().size() > instances.get(busiest).size()) {
            busiest = e.getKey();
          }
        }
        List<Task> here = instances.get(busiest);
        out.add(here.removeLast());
        if (here.isEmpty()) {
          instances.remove(busiest);
        }
        if (zoneCount.merge(zone, -1, Integer::sum) == 0) {
          zoneCount.remove(zone);
        }
      }
    }

    private String zone(String instanceArn) {
      ContainerInstance i = state().containerInstances().get(instanceArn);
      if (i != null) {
        for (var a : i.attributes()) {
          if (a.name().equals("ecs.availability-zone") && a.value() != null) {
            return a.value();
          }
        }
      }
      return "";
    }

    private Cluster cluster() {
      String arn = service.clusterArn();
      return state().clusters().get(arn.substring(arn.indexOf(":cluster/") + ":cluster/".length()));
    }
  }

  /** ECS's default for services: spread over availability zones, then over instances. */
  private static final JsonNode DEFAULT_STRATEGY =
      new ObjectMapper()
          .createArrayNode()
          .add(
              new ObjectMapper()
                  .createObjectNode()
                  .put("type", Strategy.SPREAD)
                  .put("field", "attribute:ecs.availability-zone"))
          .add(
              new ObjectMapper()
                  .createObjectNode()
                  .put("type", Strategy.SPREAD)
                  .put("field", "instanceId"));

  private JsonNode definition(TaskDefinition d) {
    return definitions.computeIfAbsent(d.arn(), k -> parse(d.definition()));
  }

  private JsonNode parse(Document document) {
    if (document == null) {
      return null;
    }
    try {
      return json.readTree(document.json());
    } catch (IOException e) {
      throw new IllegalStateException("Stored JSON is unreadable", e);
    }
  }

  /** Whether any essential container of the definition has a health check. */
  static boolean hasHealthChecks(JsonNode definition) {
    for (JsonNode c : definition.path("containerDefinitions")) {
      if (c.path("essential").asBoolean(true) && c.hasNonNull("healthCheck")) {
        return true;
      }
    }
    return false;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
