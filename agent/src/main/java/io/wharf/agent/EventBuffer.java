package io.wharf.agent;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The events made from a container's log and not yet sent, between the log reader (which puts) and
 * the sender (which takes batches).
 *
 * <ul>
 *   <li><b>Blocking</b>: when it holds {@code capacity} bytes the reader waits, so nothing is ever
 *       dropped; the reader waiting holds up only the reading of the engine's log, never the
 *       container (the engine keeps writing the log to disk).
 *   <li><b>Non-blocking</b> ({@code max-buffer-size}): the reader never waits; when a new event
 *       would take the buffer past {@code capacity}, the oldest events are dropped and counted.
 * </ul>
 *
 * Sizes count as CloudWatch counts (the message's UTF-8 bytes plus 26). Thread-safe.
 */
final class EventBuffer {
  private final long capacity;
  private final boolean dropOldest;
  private final ArrayDeque<LogEvent> queue = new ArrayDeque<>();
  private long bytes;
  private boolean ended;
  private boolean closed;
  private long droppedEvents;
  private long droppedBytes;

  EventBuffer(long capacity, boolean dropOldest) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.dropOldest = dropOldest;
  }

  /**
   * Adds an event: in blocking mode waits for room, in non-blocking mode drops the oldest to make
   * room. An event larger than the whole buffer is taken into an empty one.
   */
  synchronized void put(LogEvent event) throws InterruptedException {
    long cost = event.cost();
    while (!closed && !queue.isEmpty() && bytes + cost > capacity) {
      if (dropOldest) {
        LogEvent dropped = queue.removeFirst();
        bytes -= dropped.cost();
        droppedEvents++;
        droppedBytes += dropped.cost();
      } else {
        wait();
      }
    }
    if (closed) {
      return;
    }
    queue.addLast(event);
    bytes += cost;
    notifyAll();
  }

  /** Delivery stopped: a reader waiting for room returns, and what it puts is not kept. */
  synchronized void close() {
    closed = true;
    ended = true;
    notifyAll();
  }

  /** No more events will come (the log ended): {@link #take} returns what is left, then empty. */
  synchronized void end() {
    ended = true;
    notifyAll();
  }

  synchronized boolean isDrained() {
    return ended && queue.isEmpty();
  }

  synchronized long droppedEvents() {
    return droppedEvents;
  }

  synchronized long droppedBytes() {
    return droppedBytes;
  }

  /**
   * The next batch: waits up to {@code firstWait} for a first event (an empty batch when none
   * comes), then goes on taking events while they fit until the batch is full, the log ended, or
   * {@code flushAfter} has passed since the first was taken.
   */
  synchronized LogBatch take(Duration firstWait, Duration flushAfter) throws InterruptedException {
    LogBatch batch = new LogBatch();
    long start = System.nanoTime();
    while (queue.isEmpty() && !ended) {
      long left = firstWait.toNanos() - (System.nanoTime() - start);
      if (left <= 0) {
        return batch;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    long deadline = System.nanoTime() + flushAfter.toNanos();
    while (true) {
      while (!queue.isEmpty() && batch.fits(queue.peekFirst())) {
        LogEvent e = queue.removeFirst();
        bytes -= e.cost();
        batch.add(e);
      }
      notifyAll();
      if (!queue.isEmpty() || ended) {
        return batch; // full, or nothing more will come
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return batch;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
