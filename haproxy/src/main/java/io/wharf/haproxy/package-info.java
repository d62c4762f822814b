/**
 * The HAProxy driver: the data plane of Wharf's load balancers. It knows HAProxy and nothing of
 * Wharf (no ELB, no state machine), as the runtime module knows Docker and nothing of ECS.
 *
 * <pre>
 *  ProxyConfig (frontends → routes → backends → servers, plain values)
 *       │
 *       ├─ ConfigRenderer ──▶ haproxy.cfg            (structure: reloads, rare)
 *       └─ Haproxy.apply ──▶ master-worker process   (start / reload through the master CLI)
 *                              └─ RuntimeApi ──▶ worker's stats socket
 *                                   add server · set server state drain|ready · del server
 *                                   show stat + show servers state ──▶ ServerStatus
 * </pre>
 *
 * <p>Targets move through the runtime API only, so adding, draining or removing one never reloads
 * and never cuts a connection. A reload (listeners, rules, target groups changed) hands the
 * listening sockets to the new worker and carries server states over through the server-state file.
 */
package io.wharf.haproxy;
