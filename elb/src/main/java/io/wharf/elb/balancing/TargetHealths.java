package io.wharf.elb.balancing;

import io.wharf.haproxy.ServerStatus;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetHealth;
import io.wharf.model.elb.TargetHealthState;
import io.wharf.model.elb.TargetRegistration;

/**
 * ELB's view of a target's health, derived from its registration and what HAProxy's checks found.
 * Pure.
 *
 * <pre>
 *  not registered ─────────────────────────▶ unused      Target.NotRegistered
 *  deregistered (draining) ────────────────▶ draining    Target.DeregistrationInProgress
 *  group not used by any listener ─────────▶ unused      Target.NotInUse
 *  instance gone / without address ────────▶ unused      Target.InvalidState
 *  HAProxy not running ────────────────────▶ unavailable Elb.InternalError
 *  checks disabled ────────────────────────▶ unavailable Target.HealthCheckDisabled
 *  not in HAProxy yet ─────────────────────▶ initial     Elb.RegistrationInProgress
 *  up ─────────────────────────────────────▶ healthy
 *  down, never up, no failed check ────────▶ initial     Elb.InitialHealthChecking
 *  down: wrong status / timeout / other ───▶ unhealthy   Target.ResponseCodeMismatch /
 *                                                        Target.Timeout / Target.FailedHealthChecks
 * </pre>
 */
public final class TargetHealths {
  private TargetHealths() {}

  static final TargetHealth INVALID_STATE =
      new TargetHealth(
          TargetHealthState.UNUSED, "Target.InvalidState", "Target is in the stopped state");

  static final TargetHealth TIMEOUT =
      new TargetHealth(TargetHealthState.UNHEALTHY, "Target.Timeout", "Request timed out");

  static final TargetHealth FAILED =
      new TargetHealth(
          TargetHealthState.UNHEALTHY, "Target.FailedHealthChecks", "Health checks failed");

  /**
   * The health of one target.
   *
   * @param registration null when the target is not registered
   * @param inUse whether a listener forwards to the group
   * @param address where its traffic goes; null when it cannot be resolved
   * @param problem why the data plane is not running, or null when it is
   * @param server what HAProxy reports for it, or null when HAProxy does not have it (yet)
   * @param everUp whether HAProxy has seen it up since it was added
   */
  public static TargetHealth of(
      TargetGroup group,
      TargetRegistration registration,
      boolean inUse,
      String address,
      String problem,
      ServerStatus server,
      boolean everUp) {
    if (registration == null) {
      return TargetHealth.NOT_REGISTERED;
    }
    if (registration.isDraining()) {
      return TargetHealth.DEREGISTRATION_IN_PROGRESS;
    }
    if (!inUse) {
      return TargetHealth.NOT_IN_USE;
    }
    if (address == null) {
      return INVALID_STATE;
    }
    if (problem != null) {
      return new TargetHealth(TargetHealthState.UNAVAILABLE, "Elb.InternalError", problem);
    }
    if (!group.healthCheck().enabled()) {
      return TargetHealth.HEALTH_CHECK_DISABLED;
    }
    if (server == null) {
      return TargetHealth.REGISTRATION_IN_PROGRESS;
    }
    if (server.isUp()) {
      return TargetHealth.HEALTHY;
    }
    if (server.wrongStatus()) {
      return new TargetHealth(
          TargetHealthState.UNHEALTHY,
          "Target.ResponseCodeMismatch",
          "Health checks failed with these codes: [" + server.checkCode() + "]");
    }
    if (server.timedOut()) {
      return TIMEOUT;
    }
    boolean passing = !server.checked() || server.checkStatus().startsWith("L7OK");
    if (passing) {
      // Checks pass but not yet healthyThreshold of them in a row.
      return everUp ? FAILED : TargetHealth.INITIAL_HEALTH_CHECKING;
    }
    return FAILED;
  }
}
