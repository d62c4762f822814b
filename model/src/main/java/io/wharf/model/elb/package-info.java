/**
 * The load-balancing domain, on the ELBv2 model: application load balancers, their listeners and
 * listener rules, target groups with their health checks and attributes, and the targets registered
 * in them.
 *
 * <pre>
 *  LoadBalancer ─┬─ Listener (port) ── default actions ─┐
 *                │     └─ ListenerRule (priority, conditions) ── actions ─┤ forward
 *                │                                                        ▼
 *                └──────────────────────────────────────────────── TargetGroup (health check)
 *                                                                          └─ TargetRegistration
 *                                                                               (Target id + port)
 * </pre>
 *
 * <p>Like the rest of the model, these are immutable records that import nothing outside the JDK;
 * the ELB query protocol's shapes and the store's rows are mapped to and from them elsewhere.
 */
package io.wharf.model.elb;
