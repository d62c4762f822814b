package io.wharf.controlplane.front;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * The memory request bodies are read into before their signature is checked: a fixed number of
 * chunks, shared by all connections and reused.
 *
 * <p>A request's headers are authenticated before its body is read, but a body still has to be read
 * before its signature can be checked (the signature covers the body's hash), and an access key id
 * is no secret. Read into an array of its own, every such body was garbage the moment its signature
 * failed, and a thousand connections sending 1 MiB bodies under made-up signatures made the heap
 * grow by a gigabyte that the JVM kept. Read into these chunks instead, a body costs no allocation:
 * it is hashed where it lies, and only a body whose signature holds is copied out into an array of
 * its own. A request for which no chunks are left is answered at once with a throttling error,
 * before its body is read; the SDKs and the CLI retry those by themselves.
 *
 * <p>Chunks are allocated when first needed and then kept for reuse, so the most this holds is its
 * capacity. Thread-safe. Taking chunks never blocks: a request waiting for room would keep its
 * connection and its thread, which is what the bound is there to prevent.
 */
final class BodyBudget {
  /** Large enough that a 1 MiB body is 16 chunks, small enough that a small body wastes little. */
  static final int CHUNK_BYTES = 64 * 1024;

  private final int chunks;
  private final Semaphore available;
  private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();

  /**
   * @param capacity the most body bytes held at once; at least the largest body allowed, or that
   *     body could never be read
   */
  BodyBudget(int capacity) {
    if (capacity < CHUNK_BYTES) {
      throw new IllegalArgumentException("capacity must be at least one chunk: " + capacity);
    }
    this.chunks = capacity / CHUNK_BYTES;
    this.available = new Semaphore(chunks);
  }

  /** An empty reservation, to read one body into. */
  Reservation reserve() {
    return new Reservation();
  }

  /** Bytes not held by any reservation now; for tests and diagnostics. */
  long available() {
    return (long) available.availablePermits() * CHUNK_BYTES;
  }

  long capacity() {
    return (long) chunks * CHUNK_BYTES;
  }

  /**
   * One request's body, in chunks of the budget. Closing it gives the chunks back; it must be
   * closed once the body has been copied out or dropped, and nothing read from it kept.
   *
   * <p>Used by one request thread at a time.
   */
  final class Reservation implements AutoCloseable {
    private final List<byte[]> held = new ArrayList<>();
    private int reserved;
    private int length;

    private Reservation() {}

    /**
     * Reads the body into chunks: when its length is declared, room for all of it is taken before
     * the first byte is read, so a body the budget has no room for is never read.
     *
     * @param declared the body's length, or -1 if not declared
     * @param limit the most bytes read; what lies beyond is left unread
     * @return false if the body was longer than {@code limit}
     * @throws WharfException {@link ErrorCode#THROTTLING} when the budget has no room
     */
    boolean read(InputStream in, long declared, int limit) throws IOException {
      if (declared > limit) {
        return false;
      }
      if (declared >= 0) {
        take(chunksFor(declared));
      }
      while (declared < 0 || length < declared) {
        if (length == held.size() * CHUNK_BYTES) {
          if (held.size() == reserved) {
            take(1);
          }
          byte[] chunk = free.poll();
          held.add(chunk != null ? chunk : new byte[CHUNK_BYTES]);
        }
        int offset = length % CHUNK_BYTES;
        int wanted = CHUNK_BYTES - offset;
        if (declared >= 0) {
          wanted = (int) Math.min(wanted, declared - length);
        }
        int n = in.read(held.getLast(), offset, wanted);
        if (n < 0) {
          // Shorter than declared: what was signed is not what arrived, which the payload's
          // hash will say.
          return true;
        }
        length += n;
        if (length > limit) {
          return false;
        }
      }
      return true;
    }

    /** The SHA-256 of the body read. */
    byte[] sha256() {
      MessageDigest digest;
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime provides SHA-256", e);
      }
      int left = length;
      for (byte[] chunk : held) {
        int n = Math.min(left, CHUNK_BYTES);
        digest.update(chunk, 0, n);
        left -= n;
      }
      return digest.digest();
    }

    /** The body read, copied into an array of its own. */
    byte[] toByteArray() {
      byte[] out = new byte[length];
      int at = 0;
      for (byte[] chunk : held) {
        int n = Math.min(length - at, CHUNK_BYTES);
        System.arraycopy(chunk, 0, out, at, n);
        at += n;
      }
      return out;
    }

    private void take(int more) {
      if (more <= 0) {
        return;
      }
      if (!available.tryAcquire(more)) {
        throw new WharfException(
            ErrorCode.THROTTLING,
            "Rate exceeded: the server is receiving too many request bodies at once. Retry the"
                + " request.");
      }
      reserved += more;
    }

    private static int chunksFor(long bytes) {
      return (int) ((bytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
    }

    @Override
    public void close() {
      free.addAll(held);
      held.clear();
      available.release(reserved);
      reserved = 0;
      length = 0;
    }
  }
}
