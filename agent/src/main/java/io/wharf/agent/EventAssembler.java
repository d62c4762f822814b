package io.wharf.agent;

import io.wharf.runtime.LogFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Turns a container's engine log entries into log events, as Docker's awslogs driver does:
 *
 * <ul>
 *   <li>without a multi-line pattern every entry is an event (its newline dropped; an empty line is
 *       no event, as CloudWatch takes no empty message);
 *   <li>with one, a line the pattern matches starts a new event and any other line joins the
 *       pending event after a {@code \n} (the pieces of a line longer than the engine's 16 KiB
 *       entries join without one); the pending event goes out when the next starts, when adding a
 *       line would take it past the event limit, or after {@link #flushIfIdle} finds it idle;
 *   <li>an event longer than CloudWatch's limit (256 KiB less the 26 bytes it counts for each
 *       event) is split into events of at most that many bytes, never inside a UTF-8 character.
 * </ul>
 *
 * <p>Events go to the consumer in the order of the entries they come from. Thread-safe: entries
 * arrive on the log reader's thread, idle flushes come from the sender's.
 */
final class EventAssembler {
  /** Docker's {@code maximumBytesPerEvent}: 262144 - 26. */
  static final int MAX_EVENT_BYTES = 262_144 - LogEvent.OVERHEAD;

  private final Pattern newEvent;
  private final Consumer<LogEvent> out;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();

  private StringBuilder pending;
  private int pendingBytes;
  private long pendingTimestamp;
  private FrameMark pendingMark;
  private long pendingSince;
  private boolean lastEndedLine = true;

  /**
   * @param newEvent the pattern that starts a new event, or null for one event per entry
   * @param out where events go (called with this assembler's lock held)
   * @param nanoTime the clock idleness is measured by
   */
  EventAssembler(Pattern newEvent, Consumer<LogEvent> out, LongSupplier nanoTime) {
    this.newEvent = newEvent;
    this.out = out;
    this.nanoTime = nanoTime;
  }

  void accept(LogFrame frame) {
    lock.lock();
    try {
      assemble(frame);
    } finally {
      lock.unlock();
    }
  }

  private void assemble(LogFrame frame) {
    byte[] payload = frame.payload();
    int length = frame.endsLine() ? payload.length - 1 : payload.length;
    String text = new String(payload, 0, length, StandardCharsets.UTF_8);
    long timestamp = frame.time().toEpochMilli();
    FrameMark mark = FrameMark.of(frame);
    if (newEvent == null) {
      emit(timestamp, text, length, mark);
      return;
    }
    boolean startsLine = lastEndedLine;
    lastEndedLine = frame.endsLine();
    int joined = pendingBytes + (startsLine ? 1 : 0) + length;
    if (pending != null
        && ((startsLine && newEvent.matcher(text).find()) || joined > MAX_EVENT_BYTES)) {
      flushPending();
    }
    if (pending == null) {
      pending = new StringBuilder(text);
      pendingBytes = length;
      pendingTimestamp = timestamp;
    } else {
      if (startsLine) {
        pending.append('\n');
        pendingBytes++;
      }
      pending.append(text);
      pendingBytes += length;
    }
    pendingMark = mark;
    pendingSince = nanoTime.getAsLong();
  }

  /**
   * Sends the pending event if no line joined it for {@code idleNanos}; does nothing while the
   * reader holds the assembler. Why: the reader holds it while it hands events on, and in blocking
   * mode it waits there for room in the buffer that only the sender, this method's caller, makes.
   * Waiting here for the lock would stop the one thread that drains the buffer (a deadlock seen
   * with a container writing faster than delivery). A reader busy with a line is not idle anyway.
   */
  void flushIfIdle(long idleNanos) {
    if (!lock.tryLock()) {
      return;
    }
    try {
      if (pending != null && nanoTime.getAsLong() - pendingSince >= idleNanos) {
        flushPending();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Sends the pending event, if any (the log ended). */
  void flush() {
    lock.lock();
    try {
      flushPending();
    } finally {
      lock.unlock();
    }
  }

  private void flushPending() {
    if (pending != null) {
      emit(pendingTimestamp, pending.toString(), pendingBytes, pendingMark);
      pending = null;
      pendingBytes = 0;
    }
  }

  private void emit(long timestamp, String text, int utf8Bytes, FrameMark mark) {
    if (utf8Bytes == 0) {
      return;
    }
    if (utf8Bytes <= MAX_EVENT_BYTES) {
      out.accept(new LogEvent(timestamp, text, utf8Bytes, mark));
      return;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    while (from < bytes.length) {
      int to = Math.min(bytes.length, from + MAX_EVENT_BYTES);
      // Back off to a character's first byte (continuation bytes are 10xxxxxx).
      while (to < bytes.length && to > from && (bytes[to] & 0xC0) == 0x80) {
        to--;
      }
      String piece = new String(bytes, from, to - from, StandardCharsets.UTF_8);
      out.accept(new LogEvent(timestamp, piece, to - from, to == bytes.length ? mark : null));
      from = to;
    }
  }
}
