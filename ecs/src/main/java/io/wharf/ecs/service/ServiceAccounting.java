package io.wharf.ecs.service;

import io.wharf.core.state.StateMachine;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.util.function.Supplier;

/**
 * What a service learns from its tasks' transitions, in the same command that records them: a task
 * that reached RUNNING resets the deployment's failure count and the launch throttle; a task that
 * stopped before RUNNING counts against the circuit breaker and lengthens the throttle.
 *
 * <p>Done in the task's own command (one command, several records, as Kafka's controller does)
 * rather than by watching tasks, so no transition is ever missed or counted twice.
 */
public final class ServiceAccounting {
  private ServiceAccounting() {}

  /** The service a task belongs to, or null for a standalone task. */
  public static Service serviceOf(io.wharf.core.state.State state, Task task) {
    if (task.group() == null || !task.group().startsWith("service:")) {
      return null;
    }
    String name = task.group().substring("service:".length());
    return state.services().get(serviceArn(task.clusterArn(), name));
  }

  /** A service's ARN from its cluster's ARN and its name (the long ARN format). */
  public static String serviceArn(String clusterArn, String name) {
    return clusterArn.replace(":cluster/", ":service/") + "/" + name;
  }

  private static io.wharf.model.Deployment deployment(Service service, String id) {
    for (io.wharf.model.Deployment d : service.deployments()) {
      if (d.id().equals(id)) {
        return d;
      }
    }
    return service.primary();
  }

  /**
   * Records what the change of {@code before} into {@code after} means for its service. Call after
   * the task change is applied to the transaction.
   */
  public static void taskChanged(
      StateMachine.Transaction tx, Task before, Task after, Supplier<String> ids) {
    Service service = serviceOf(tx.state(), after);
    if (service == null || after.startedBy() == null) {
      return;
    }
    if (before.lastStatus() != TaskStatus.STOPPED && after.lastStatus() == TaskStatus.STOPPED) {
      // A stopped task's targets leave its load balancers (they drain, as any deregistration).
      io.wharf.model.Deployment d = deployment(service, after.startedBy());
      if (d != null) {
        LoadBalancerBindings.deregister(tx, LoadBalancerBindings.of(d.config()), after);
      }
    }
    boolean becameRunning =
        before.lastStatus() != TaskStatus.RUNNING && after.lastStatus() == TaskStatus.RUNNING;
    boolean failedToStart =
        before.lastStatus() != TaskStatus.STOPPED
            && after.lastStatus() == TaskStatus.STOPPED
            && after.startedAt() == null
            && !"UserInitiated".equals(after.stopCode())
            && !"ServiceSchedulerInitiated".equals(after.stopCode())
            && !"TerminationNotice".equals(after.stopCode());
    if (!becameRunning && !failedToStart) {
      return;
    }
    ServiceEdit edit = new ServiceEdit(service, tx.now(), ids);
    if (becameRunning) {
      Rollouts.taskRunning(edit, after.startedBy());
      edit.throttle(0, null);
    } else {
      String primary = edit.primary().id();
      Rollouts.taskFailed(edit, after.startedBy(), service.desiredCount());
      // A rollback starts the throttle over; otherwise each failure in a row doubles the wait.
      if (edit.primary().id().equals(primary)) {
        int failures = service.startFailures() + 1;
        edit.throttle(failures, tx.now().plus(ServiceEdit.throttleDelay(failures)));
        if (failures >= 3) {
          edit.event(ServiceEvents.throttled(service.name()));
        }
      }
    }
    edit.apply(tx);
  }
}
