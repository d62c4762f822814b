package io.wharf.ecs.service;

import io.wharf.model.Deployment;

/** The deployment circuit breaker and rollback, shared by the accounting and the reconciler. */
final class Rollouts {
  static final String IN_PROGRESS = "IN_PROGRESS";
  static final String COMPLETED = "COMPLETED";
  static final String FAILED = "FAILED";
  static final String BREAKER_FAILED = "ECS deployment circuit breaker: tasks failed to start.";

  private Rollouts() {}

  /** ECS's threshold: half the desired count, rounded up, within 3 to 200. */
  static int threshold(int desiredCount) {
    int half = (desiredCount + 1) / 2;
    return Math.max(3, Math.min(200, half));
  }

  /** One task of the deployment failed (to start, or its health checks): the breaker counts it. */
  static void taskFailed(ServiceEdit edit, String deploymentId, int desiredCount) {
    Deployment d = edit.deployment(deploymentId);
    if (d == null) {
      return;
    }
    d = d.withFailedTasks(d.failedTasks() + 1, edit.now());
    edit.replace(d);
    if (d.status().equals(Deployment.PRIMARY)
        && d.config().circuitBreaker()
        && d.rolloutState().equals(IN_PROGRESS)
        && d.failedTasks() >= threshold(desiredCount)) {
      fail(edit, d);
    }
  }

  /** A running task of the deployment: its failures in a row start over. */
  static void taskRunning(ServiceEdit edit, String deploymentId) {
    Deployment d = edit.deployment(deploymentId);
    if (d != null && d.failedTasks() != 0) {
      edit.replace(d.withFailedTasks(0, edit.now()));
    }
  }

  /**
   * The breaker tripped: the deployment is FAILED and launches nothing more. With rollback, the
   * most recent completed deployment becomes PRIMARY again and rolls out anew.
   */
  static void fail(ServiceEdit edit, Deployment failed) {
    Deployment target = null;
    for (Deployment d : edit.deployments()) {
      if (d != failed && COMPLETED.equals(d.rolloutState())) {
        target = d;
        break;
      }
    }
    if (failed.config().rollback() && target != null) {
      edit.replace(
          failed
              .withRollout(
                  FAILED, BREAKER_FAILED, "ROLLBACK_IN_PROGRESS", BREAKER_FAILED, edit.now())
              .withRollbackTo(target.id(), edit.now())
              .withStatus(Deployment.ACTIVE, edit.now()));
      edit.promote(
          target
              .withStatus(Deployment.PRIMARY, edit.now())
              .withFailedTasks(0, edit.now())
              .withRollout(
                  IN_PROGRESS,
                  "ECS deployment circuit breaker: rolling back to deploymentId "
                      + target.id()
                      + ".",
                  IN_PROGRESS,
                  null,
                  edit.now()));
      edit.event(ServiceEvents.rollingBack(edit.name(), failed.id(), target.id()));
      // A rollback is a new task definition for the throttle: it starts over.
      edit.throttle(0, null);
    } else {
      edit.replace(
          failed.withRollout(FAILED, BREAKER_FAILED, "STOPPED", BREAKER_FAILED, edit.now()));
      edit.event(ServiceEvents.failed(edit.name(), failed.id()));
    }
  }
}
