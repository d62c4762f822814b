/**
 * The service scheduler: keeps ECS services' tasks as their deployments want them.
 *
 * <pre>
 *  API (CreateService, UpdateService, ...) ──records intent──▶ State.services
 *        │ nudge                                                    │
 *        ▼                                                          ▼
 *  ServiceController ──one command per service──▶ Reconciler (stop unhealthy, launch within
 *        │ lost instances                          maximumPercent, stop old within
 *        ▼                                         minimumHealthyPercent, finish rollouts)
 *  their tasks STOPPED
 *
 *  task reports (SubmitTaskStateChange) ──same command──▶ ServiceAccounting
 *                                          (circuit breaker count, launch throttle)
 * </pre>
 *
 * <p>Level-triggered: the controller compares what each service wants with its tasks in the current
 * state and acts on the difference, so a missed nudge, a restart or a lost message is just another
 * pass. Transitions that must be counted exactly once (a task that failed to start) are counted in
 * the command that records them.
 */
package io.wharf.ecs.service;
