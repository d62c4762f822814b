/**
 * Placement: where the tasks of a request go, as a pure function of the request, a snapshot of the
 * cluster's instances and a random generator ({@code design.md}, principle 4).
 *
 * <pre>
 *  control plane snapshot ──▶ InstanceView × n ─┐
 *  RunTask / service step ──▶ Demand × count ───┼──▶ Placement.place ──▶ Result
 *  seeded RandomGenerator ──────────────────────┘     (filter ▶ resources    placements
 *                                                       ▶ rank ▶ choose)     + failures[]
 *  memberOf expressions ──▶ ClusterQuery.parse (the cluster query language)
 * </pre>
 *
 * <p>Nothing here does I/O, reads a clock or keeps state between calls; everything is immutable or
 * confined to one call, so any thread may call at any time. Bad constraints and strategies fail
 * with {@link io.wharf.scheduler.PlacementException}, whose message is meant for the API caller.
 *
 * <p>This module imports only the JDK and {@code io.wharf.model}.
 */
package io.wharf.scheduler;
