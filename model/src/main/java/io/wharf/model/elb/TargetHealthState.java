package io.wharf.model.elb;

/** A target's health as ELB reports it in DescribeTargetHealth. */
public enum TargetHealthState {
  /** Registered; the first health checks have not passed yet. */
  INITIAL("initial"),
  HEALTHY("healthy"),
  UNHEALTHY("unhealthy"),
  /** Not registered, or its group receives no traffic from any listener. */
  UNUSED("unused"),
  /** Deregistered and finishing its requests. */
  DRAINING("draining"),
  /** Health is not known: checks are disabled, or the data plane is not running. */
  UNAVAILABLE("unavailable");

  private final String wireName;

  TargetHealthState(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
