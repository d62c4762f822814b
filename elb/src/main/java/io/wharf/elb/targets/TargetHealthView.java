package io.wharf.elb.targets;

import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetHealth;

/**
 * The read side of target health, from the data plane's latest observation: what
 * DescribeTargetHealth answers, and what a service's deployment waits on.
 *
 * <p>Threading: safe from any thread; never blocks (it reads the last observation, refreshed a few
 * times a second).
 */
public interface TargetHealthView {
  /**
   * A target's health in a group, with ELB's state, reason code and description ({@code healthy};
   * {@code unhealthy} / {@code Target.ResponseCodeMismatch}; {@code draining} / {@code
   * Target.DeregistrationInProgress}; {@code unused} / {@code Target.NotRegistered}; ...).
   */
  TargetHealth health(String targetGroupArn, Target target);

  /**
   * Whether a deregistered target no longer gets or serves requests through the load balancer, so
   * that its container may stop without cutting a request: true when it is not registered, or when
   * it is draining and either HAProxy reports no connection left to it (after having taken it out
   * of rotation) or the group's deregistration delay has passed. False while it is registered.
   *
   * <p>As in ELB, DescribeTargetHealth still shows such a target {@code draining} until the delay
   * has passed.
   */
  boolean isDrained(String targetGroupArn, Target target);
}
