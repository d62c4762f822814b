package io.wharf.logs.events;

import java.util.List;

/**
 * Told of each batch a stream stored, once it is durable and readable: how Live Tail sessions see
 * new events at once, without polling the store.
 *
 * <p>Threading: called on the appending thread, inside the stream's writer lock (so a stream's
 * batches arrive in their order); an implementation must only hand the batch on, never block or
 * append, and must not throw.
 */
@FunctionalInterface
public interface AppendListener {
  /** Listens to nothing. */
  AppendListener NONE = (storageId, events) -> {};

  /**
   * @param storageId the stream's storage id
   * @param events the batch as stored, in sequence order; immutable
   */
  void appended(long storageId, List<StoredEvent> events);
}
