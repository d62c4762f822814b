/**
 * Load balancing: the data plane that serves ELB listeners with HAProxy, and the seam through which
 * the rest of the control plane (the service controller) registers targets and reads their health.
 *
 * <pre>
 *  ElbApi / service controller
 *      │ inside a StateMachine command:
 *      │   TargetRegistrations.register(tx, targetGroupArn, target)      ─┐
 *      │   TargetRegistrations.deregister(tx, targetGroupArn, target)     ├─▶ Change.Balancing
 *      ▼                                                                  ─┘
 *  State.balancing() ──(level-triggered, every 100 ms or on changed())──▶ DataPlane
 *      ProxyConfigs.of(state) ──▶ Haproxy.apply: reload for listeners/rules/groups,
 *                                 runtime API for targets (add / drain / remove, no reload)
 *      deregistration delay passed ──▶ TargetRegistrations.finishDeregistrations (a command)
 *      HAProxy show stat ──▶ observation ──▶ TargetHealthView.health / isDrained
 * </pre>
 *
 * <h2>The seam for services</h2>
 *
 * <p>Write side, called inside {@code StateMachine.execute(tx -> ...)}, so that a registration
 * commits atomically with the task change that caused it; each throws ELB's errors ({@code
 * TargetGroupNotFound}, {@code InvalidTarget}, {@code TooManyTargets}) before changing anything:
 *
 * <ul>
 *   <li>{@link io.wharf.elb.targets.TargetRegistrations#register(
 *       io.wharf.core.state.StateMachine.Transaction, String, io.wharf.model.elb.Target)} —
 *       idempotent; takes a draining target back into rotation.
 *   <li>{@link io.wharf.elb.targets.TargetRegistrations#deregister} — starts draining (no new
 *       requests; requests in flight finish); the data plane removes the registration once the
 *       group's deregistration delay has passed. Deregistering an unknown target changes nothing.
 *   <li>{@link io.wharf.elb.targets.TargetRegistrations#targetOf} — the {@link
 *       io.wharf.model.elb.Target} of a task's container port for a group: {@code (ec2InstanceId of
 *       its container instance, host port)} for type {@code instance}, {@code (address, host port)}
 *       for type {@code ip}; empty until the port is bound.
 * </ul>
 *
 * <p>After committing, call {@link io.wharf.elb.balancing.DataPlane#changed} (from {@code
 * ControlPlane.dataPlane()}) so the data plane acts at once rather than at its next tick.
 *
 * <p>Read side, {@link io.wharf.elb.targets.TargetHealthView} (implemented by {@link
 * io.wharf.elb.balancing.DataPlane}), safe from any thread, never blocking:
 *
 * <ul>
 *   <li>{@code health(targetGroupArn, target)} — ELB's {@link io.wharf.model.elb.TargetHealth}:
 *       state ({@code initial, healthy, unhealthy, draining, unused, unavailable}), reason code
 *       ({@code Elb.RegistrationInProgress}, {@code Elb.InitialHealthChecking}, {@code
 *       Target.ResponseCodeMismatch}, {@code Target.Timeout}, {@code Target.FailedHealthChecks},
 *       {@code Target.DeregistrationInProgress}, {@code Target.NotRegistered}, {@code
 *       Target.NotInUse}, {@code Target.InvalidState}, {@code Target.HealthCheckDisabled}, {@code
 *       Elb.InternalError}) and description.
 *   <li>{@code isDrained(targetGroupArn, target)} — true once a deregistered target has no
 *       connection left through HAProxy (observed after HAProxy took it out of rotation) or its
 *       delay has passed: its container may stop.
 * </ul>
 *
 * <p>A group's settings are in the state: {@code state.balancing().targetGroups().get(arn)} gives
 * the {@link io.wharf.model.elb.TargetGroup}, with {@code healthCheck()} (interval, thresholds,
 * path, matcher) and {@code deregistrationDelay()}.
 *
 * <p>Without an HAProxy binary the API and the state work as usual; load balancers report {@code
 * failed} with the reason, targets {@code unavailable}, and {@code isDrained} is true at once
 * (nothing is served, so nothing needs draining).
 */
package io.wharf.elb.balancing;
