/**
 * The HAProxy driver: the data plane of Wharf's load balancers. It knows HAProxy and nothing of
 * Wharf (no ELB, no state machine), as the runtime module knows Docker and nothing of ECS.
 *
 * <pre>
 *  ProxyConfig (frontends → routes → backends → servers, plain values)
 *       │
 *       ├─ ConfigRenderer ──▶ haproxy.cfg            (structure and server slots: reloads, rare)
 *       └─ Haproxy.apply ──▶ master-worker process   (start / reload through the master CLI)
 *                              └─ RuntimeApi ──▶ worker's stats socket
 *                                   set server addr · set server state drain|ready|maint
 *                                   show stat + show servers state ──▶ ServerStatus
 * </pre>
 *
 * <p>Each backend declares server slots ({@link io.wharf.haproxy.Slots}); a target is a slot the
 * runtime API points at its address, so adding, draining or removing one never reloads and never
 * cuts a connection, and connections to targets are kept alive and reused (HAProxy 2.6 reuses none
 * to servers made with {@code add server}). A reload (listeners, rules, target groups changed, or
 * more slots needed) hands the listening sockets to the new worker and carries the slots' states
 * over through the server-state file.
 */
package io.wharf.haproxy;
