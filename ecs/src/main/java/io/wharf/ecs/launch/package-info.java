/**
 * From "N tasks of this definition" to placed task records: what RunTask, StartTask and the service
 * controller share.
 *
 * <pre>
 *  TaskShape (resources, ports) + constraints, strategies ──▶ Demand
 *  State + agent connectivity ──InstanceViews──▶ InstanceView per instance
 *  Demand × views ──scheduler.Placement.place──▶ placements, failures ──Launcher.newTask──▶ Task
 * </pre>
 *
 * <p>Nothing here writes state: callers apply the tasks in a state-machine command, which re-checks
 * capacity against the newest state.
 */
package io.wharf.ecs.launch;
