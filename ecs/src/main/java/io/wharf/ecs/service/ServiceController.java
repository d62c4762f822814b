package io.wharf.ecs.service;

import io.wharf.core.state.Change;
import io.wharf.core.state.InstanceUsage;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.ecs.launch.Launcher;
import io.wharf.elb.targets.TargetHealthView;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import io.wharf.model.WharfException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service controller: keeps every service's tasks as its deployments want them, and stops the
 * tasks of instances whose agents are lost so that services replace them elsewhere.
 *
 * <pre>
 *  tick (every interval) or nudge (a service or task changed)
 *     │
 *     ├─▶ lost instances: agent silent longer than lostAfter ─▶ their tasks STOPPED
 *     └─▶ for each ACTIVE or DRAINING service: reconcile(serviceArn)   (one command each)
 *                                                 └─▶ updates to the instances it touched
 * </pre>
 *
 * <p>Level-triggered: each pass reads the newest state; a missed nudge costs at most one interval.
 * A pass never runs twice at once. In the simulation nobody ticks: the harness calls {@link
 * #reconcileAll} at each step of virtual time.
 */
public final class ServiceController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceController.class);

  /**
   * @param interval how often every service is reconciled without a nudge; null: never on its own
   *     (the simulation drives it)
   * @param healthyAfter a RUNNING task without container health checks counts as healthy after this
   *     long (ECS: 40 s)
   * @param lostAfter tasks of an instance whose agent has been silent this long are stopped and
   *     replaced (ECS never does this; Wharf does)
   */
  public record Settings(Duration interval, Duration healthyAfter, Duration lostAfter) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(40), Duration.ofSeconds(60));
    }
  }

  /** After a nudge the controller waits this long for more, so a burst of reports is one pass. */
  private static final Duration NUDGE_COALESCE = Duration.ofMillis(20);

  private final StateMachine states;
  private final AgentGateway gateway;
  private final Settings settings;
  private final Reconciler reconciler;
  private final Runnable balancingChanged;
  private final Thread loop;
  private volatile boolean nudged;
  private volatile boolean closed;

  /**
   * @param health target health from the load-balancing data plane
   * @param balancingChanged tells the data plane that target registrations changed
   */
  public ServiceController(
      StateMachine states,
      AgentGateway gateway,
      Launcher launcher,
      TargetHealthView health,
      Runnable balancingChanged,
      Settings settings) {
    this.states = states;
    this.gateway = gateway;
    this.settings = settings;
    this.balancingChanged = balancingChanged;
    this.reconciler = new Reconciler(launcher, health, settings.healthyAfter(), launcher::uuid);
    this.loop =
        settings.interval() == null
            ? null
            : Thread.ofPlatform().name("wharf-service-controller").daemon(true).start(this::run);
  }

  public Settings settings() {
    return settings;
  }

  /** Something changed that a service may care about: reconcile soon. Never blocks. */
  public void nudge() {
    nudged = true;
    if (loop != null) {
      LockSupport.unpark(loop);
    }
  }

  private void run() {
    while (!closed) {
      if (!nudged) {
        LockSupport.parkNanos(settings.interval().toNanos());
      }
      if (closed) {
        return;
      }
      if (nudged) {
        LockSupport.parkNanos(NUDGE_COALESCE.toNanos());
      }
      nudged = false;
      try {
        reconcileAll();
      } catch (RuntimeException e) {
        log.error("A service controller pass failed; the next one retries", e);
      }
    }
  }

  /** One pass: lost instances, then every service that is not INACTIVE. */
  public synchronized void reconcileAll() {
    Instant now = states.clock().instant();
    if (lastLostSweep == null || !now.isBefore(lastLostSweep.plus(LOST_SWEEP_INTERVAL))) {
      lastLostSweep = now;
      stopTasksOfLostInstances();
    }
    List<String> pending = new ArrayList<>();
    for (Service s : states.current().services().values()) {
      if (!s.status().equals("INACTIVE")) {
        pending.add(s.arn());
      }
    }
    // A service that launched as many tasks as one command may goes again at once, so that a
    // large scale-out is many short commands in a row rather than one per interval.
    for (int round = 0; round < MAX_ROUNDS && !pending.isEmpty(); round++) {
      List<String> again = new ArrayList<>();
      for (String arn : pending) {
        if (reconcile(arn)) {
          again.add(arn);
        }
      }
      pending = again;
    }
  }

  /**
   * Lost instances are looked for this often: the lost time is a minute by default, and the sweep
   * reads every instance.
   */
  private static final Duration LOST_SWEEP_INTERVAL = Duration.ofSeconds(5);

  /** Bounds the rounds of one pass, so that other work gets its turn between passes. */
  private static final int MAX_ROUNDS = 40;

  private Instant lastLostSweep;

  /** Reconciles one service now, as one command; true when it has more to launch at once. */
  public synchronized boolean reconcile(String serviceArn) {
    Reconciler.Outcome outcome;
    try {
      outcome = states.execute(tx -> reconciler.reconcile(tx, serviceArn));
    } catch (WharfException e) {
      log.warn("Reconciling {} failed; the next pass retries: {}", serviceArn, e.getMessage());
      return false;
    }
    if (!outcome.touched().isEmpty()) {
      gateway.tasksChanged(outcome.touched());
    }
    if (outcome.balancingChanged()) {
      balancingChanged.run();
    }
    return outcome.more();
  }

  /**
   * Tasks on an instance whose agent has been silent for longer than {@code lostAfter} are marked
   * STOPPED: the instance is presumed gone. When its agent comes back, its manifest no longer lists
   * them and it stops their containers, so nothing runs twice.
   */
  private void stopTasksOfLostInstances() {
    State state = states.current();
    List<String> lost = new ArrayList<>();
    for (var e : state.usage().entrySet()) {
      InstanceUsage usage = e.getValue();
      if (!usage.tasks().isEmpty()
          && gateway.silentFor(e.getKey()).compareTo(settings.lostAfter()) > 0) {
        lost.add(e.getKey());
      }
    }
    if (lost.isEmpty()) {
      return;
    }
    Set<String> changed =
        states.execute(
            tx -> {
              Set<String> out = new HashSet<>();
              for (String instanceArn : lost) {
                ContainerInstance instance = tx.state().containerInstances().get(instanceArn);
                String name = instance == null ? instanceArn : instance.ec2InstanceId();
                if (gateway.silentFor(instanceArn).compareTo(settings.lostAfter()) <= 0) {
                  continue;
                }
                for (String arn : List.copyOf(tx.state().usageOf(instanceArn).tasks())) {
                  Task t = tx.state().tasks().get(arn);
                  if (t == null || t.lastStatus() == TaskStatus.STOPPED) {
                    continue;
                  }
                  Task.Builder next =
                      t.toBuilder()
                          .lastStatus(TaskStatus.STOPPED)
                          .desiredStatus("STOPPED")
                          .stoppedAt(tx.now())
                          .executionStoppedAt(tx.now());
                  if (t.stoppingAt() == null) {
                    next.stoppingAt(tx.now());
                  }
                  if (t.stopCode() == null || !t.desiredStatus().equals("STOPPED")) {
                    next.stopCode("TerminationNotice")
                        .stoppedReason(
                            "Container instance "
                                + name
                                + " lost contact with Wharf: no word from its agent for "
                                + settings.lostAfter().toSeconds()
                                + " s. The task is presumed stopped.");
                  }
                  Task stopped = next.build(tx.revision());
                  tx.apply(new Change.TaskPut(stopped));
                  ServiceAccounting.taskChanged(tx, t, stopped, () -> "unused");
                  out.add(instanceArn);
                }
              }
              return out;
            });
    for (String arn : changed) {
      log.warn("Agent of {} is lost; its tasks are marked STOPPED and services replace them", arn);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (loop != null) {
      LockSupport.unpark(loop);
      try {
        loop.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
