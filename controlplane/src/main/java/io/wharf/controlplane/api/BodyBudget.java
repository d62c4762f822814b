package io.wharf.controlplane.api;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.util.concurrent.Semaphore;

/**
 * A bound on the request-body bytes held in memory at once, across all connections.
 *
 * <p>A request's headers are authenticated before its body is read, but a body still has to be read
 * before its signature can be checked (the signature covers the body's hash), and an access key id
 * is no secret. Without a bound, a thousand connections each sending a 1 MiB body with a known key
 * id and a made-up signature held a gigabyte of heap at once. With it, a request whose body would
 * take the total over the budget is answered at once with a throttling error, before its body is
 * read; the SDKs and the CLI retry those by themselves.
 *
 * <p>Thread-safe. A reservation never blocks: a request waiting for room would keep its connection
 * and its thread, which is what the bound is there to prevent.
 */
final class BodyBudget {
  private final int capacity;
  private final Semaphore bytes;

  /**
   * @param capacity the most body bytes held at once; at least the largest body allowed, or that
   *     body could never be read
   */
  BodyBudget(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.bytes = new Semaphore(capacity);
  }

  /** An empty reservation, grown as the body arrives. */
  Reservation reserve() {
    return new Reservation();
  }

  /** Bytes not held by any reservation now; for tests and diagnostics. */
  int available() {
    return bytes.availablePermits();
  }

  int capacity() {
    return capacity;
  }

  /**
   * Room for one request's body. Closing it gives the room back; it must be closed once the body is
   * no longer referenced, and only then.
   *
   * <p>Used by one request thread at a time.
   */
  final class Reservation implements AutoCloseable {
    private int held;

    private Reservation() {}

    /**
     * Reserves {@code more} bytes on top of what is held.
     *
     * @throws WharfException {@link ErrorCode#THROTTLING} when the budget has no room for them
     */
    void grow(int more) {
      if (more <= 0) {
        return;
      }
      if (!bytes.tryAcquire(more)) {
        throw new WharfException(
            ErrorCode.THROTTLING,
            "Rate exceeded: the server is receiving too many request bodies at once. Retry the"
                + " request.");
      }
      held += more;
    }

    @Override
    public void close() {
      int release = held;
      held = 0;
      bytes.release(release);
    }
  }
}
