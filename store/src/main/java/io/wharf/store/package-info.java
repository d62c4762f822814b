/**
 * The durable store: a narrow interface ({@link io.wharf.store.Store}) of JSON rows plus a
 * revision, and its embedded SQLite implementation. The store knows nothing of ECS; the control
 * plane maps its entities to rows.
 */
package io.wharf.store;
