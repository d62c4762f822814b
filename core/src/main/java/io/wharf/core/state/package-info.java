/**
 * The control plane's state and its single writer.
 *
 * <pre>
 *  API / controllers ──Command──▶ StateMachine ──Change──▶ Store (durable)
 *                                     │ apply(Change)
 *                                     ▼
 *                                   State (immutable snapshot, read without locks)
 * </pre>
 *
 * <p>{@link io.wharf.core.state.State} is one immutable value; {@link io.wharf.core.state.Change}s
 * are the only way it changes, and the same changes are what the store persists and what a restart
 * replays.
 */
package io.wharf.core.state;
