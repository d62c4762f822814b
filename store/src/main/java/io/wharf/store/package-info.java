/**
 * The durable store: a narrow interface ({@link io.wharf.store.Store}) of JSON rows plus a
 * revision, and its embedded SQLite implementation. The store knows nothing of ECS; the control
 * plane maps its entities to rows. Rows are encrypted at rest ({@link io.wharf.store.RowCipher})
 * and the store's files are owner-only ({@link io.wharf.files.PrivateFiles}).
 */
package io.wharf.store;
