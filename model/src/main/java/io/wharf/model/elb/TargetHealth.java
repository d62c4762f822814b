package io.wharf.model.elb;

import java.util.Objects;

/**
 * A target's health with ELB's reason code and description, e.g. {@code unhealthy} / {@code
 * Target.ResponseCodeMismatch} / "Health checks failed with these codes: [503]".
 *
 * @param reason null when healthy
 * @param description null when healthy
 */
public record TargetHealth(TargetHealthState state, String reason, String description) {
  public TargetHealth {
    Objects.requireNonNull(state, "state");
  }

  public static final TargetHealth HEALTHY =
      new TargetHealth(TargetHealthState.HEALTHY, null, null);

  public static final TargetHealth NOT_REGISTERED =
      new TargetHealth(
          TargetHealthState.UNUSED,
          "Target.NotRegistered",
          "Target is not registered to the target group");

  public static final TargetHealth NOT_IN_USE =
      new TargetHealth(
          TargetHealthState.UNUSED,
          "Target.NotInUse",
          "Target group is not configured to receive traffic from the load balancer");

  public static final TargetHealth REGISTRATION_IN_PROGRESS =
      new TargetHealth(
          TargetHealthState.INITIAL,
          "Elb.RegistrationInProgress",
          "Target registration is in progress");

  public static final TargetHealth INITIAL_HEALTH_CHECKING =
      new TargetHealth(
          TargetHealthState.INITIAL,
          "Elb.InitialHealthChecking",
          "Initial health checks in progress");

  public static final TargetHealth DEREGISTRATION_IN_PROGRESS =
      new TargetHealth(
          TargetHealthState.DRAINING,
          "Target.DeregistrationInProgress",
          "Target deregistration is in progress");

  public static final TargetHealth HEALTH_CHECK_DISABLED =
      new TargetHealth(
          TargetHealthState.UNAVAILABLE,
          "Target.HealthCheckDisabled",
          "Health checks are disabled");
}
