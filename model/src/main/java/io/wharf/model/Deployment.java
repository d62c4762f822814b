package io.wharf.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One deployment of a service: a {@link ServiceConfig} being rolled out (PRIMARY), an older one
 * whose tasks are being replaced (ACTIVE), or a finished one kept for ListServiceDeployments
 * (INACTIVE). The same id names the service deployment and its service revision.
 *
 * @param id {@code ecs-svc/} and 19 digits; tasks of the deployment have it as {@code startedBy}
 * @param status PRIMARY, ACTIVE or INACTIVE
 * @param failedTasks consecutive tasks that failed (the circuit breaker's count); reset when a task
 *     of the deployment reaches RUNNING
 * @param rolloutState IN_PROGRESS, COMPLETED or FAILED
 * @param deploymentStatus the ServiceDeployment status: IN_PROGRESS, SUCCESSFUL, STOPPED,
 *     ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED
 * @param sourceIds the deployments that were running when this one began
 * @param rollbackTo the deployment this one rolled back to, or null
 * @param finishedAt when the rollout completed, failed or was replaced, or null
 */
public record Deployment(
    String id,
    String status,
    ServiceConfig config,
    int failedTasks,
    String rolloutState,
    String rolloutStateReason,
    String deploymentStatus,
    String statusReason,
    List<String> sourceIds,
    String rollbackTo,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt) {
  public static final String PRIMARY = "PRIMARY";
  public static final String ACTIVE = "ACTIVE";
  public static final String INACTIVE = "INACTIVE";

  public Deployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(config, "config");
    sourceIds = List.copyOf(sourceIds);
  }

  /** The digits of the id, which also name the service deployment and revision ARNs. */
  public String number() {
    return id.substring(id.indexOf('/') + 1);
  }

  public Deployment withStatus(String newStatus, Instant now) {
    return new Deployment(
        id,
        newStatus,
        config,
        failedTasks,
        rolloutState,
        rolloutStateReason,
        deploymentStatus,
        statusReason,
        sourceIds,
        rollbackTo,
        createdAt,
        now,
        finishedAt);
  }

  public Deployment withFailedTasks(int n, Instant now) {
    return new Deployment(
        id,
        status,
        config,
        n,
        rolloutState,
        rolloutStateReason,
        deploymentStatus,
        statusReason,
        sourceIds,
        rollbackTo,
        createdAt,
        now,
        finishedAt);
  }

  /** The rollout's outcome, for deployments[] and for the ServiceDeployment view. */
  public Deployment withRollout(
      String state,
      String reason,
      String newDeploymentStatus,
      String newStatusReason,
      Instant now) {
    boolean ends = !"IN_PROGRESS".equals(state) || newDeploymentStatus.equals("STOPPED");
    return new Deployment(
        id,
        status,
        config,
        failedTasks,
        state,
        reason,
        newDeploymentStatus,
        newStatusReason,
        sourceIds,
        rollbackTo,
        createdAt,
        now,
        ends ? now : null);
  }

  public Deployment withRollbackTo(String target, Instant now) {
    return new Deployment(
        id,
        status,
        config,
        failedTasks,
        rolloutState,
        rolloutStateReason,
        deploymentStatus,
        statusReason,
        sourceIds,
        target,
        createdAt,
        now,
        finishedAt);
  }
}
