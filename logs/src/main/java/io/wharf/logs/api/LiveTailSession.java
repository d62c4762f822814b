package io.wharf.logs.api;

import io.wharf.logs.events.StoredEvent;
import io.wharf.logs.filter.FilterPattern;
import io.wharf.model.logs.LogStream;
import io.wharf.protocol.EventStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One StartLiveTail session: a {@code sessionStart}, then a {@code sessionUpdate} every {@link
 * LiveTail.Limits#cadence} with the events stored since the last one that match, sampled down to
 * {@link LiveTail.Limits#maxEventsPerUpdate}, until the client goes away ({@link #close}) or the
 * session has lasted {@link LiveTail.Limits#maxSessionLength} (then a SessionTimeoutException in
 * the stream).
 *
 * <pre>
 *  store append ─▶ LiveTail (stream of the session's groups?) ─▶ offer: inbox (bounded)
 *  writer thread ─▶ next(): wait for the tick ─▶ drain inbox ─▶ stream names · pattern ─▶ sample ─▶ update
 * </pre>
 *
 * <p>Threading: {@link #offer} from appending threads, {@link #next} from the front's writer,
 * {@link #close} from any thread; the inbox is guarded by its own monitor.
 */
final class LiveTailSession implements EventStream {
  private static final Logger log = LoggerFactory.getLogger(LiveTailSession.class);

  /** The session's own filters, as the request gave them. */
  record Selection(
      Map<String, String> identifierByGroup,
      List<String> streamNames,
      List<String> streamNamePrefixes,
      FilterPattern pattern) {
    Selection {
      identifierByGroup = Map.copyOf(identifierByGroup);
      streamNames = streamNames == null ? null : List.copyOf(streamNames);
      streamNamePrefixes = streamNamePrefixes == null ? null : List.copyOf(streamNamePrefixes);
    }

    boolean watches(LogStream stream) {
      if (!identifierByGroup.containsKey(stream.groupName())) {
        return false;
      }
      if (streamNames != null) {
        return streamNames.contains(stream.name());
      }
      if (streamNamePrefixes != null) {
        return streamNamePrefixes.stream().anyMatch(p -> stream.name().startsWith(p));
      }
      return true;
    }
  }

  /** A stored batch of a watched stream, waiting for the next update. */
  private record Batch(LogStream stream, List<StoredEvent> events) {}

  private final LiveTail.Limits limits;
  private final Selection selection;
  private final LiveTailShapes.LiveTailSessionStart start;
  private final Clock clock;
  private final Runnable onClose;
  private final long endsAtMillis;
  private final CountDownLatch closed = new CountDownLatch(1);

  // Guarded by itself.
  private final ArrayDeque<Batch> inbox = new ArrayDeque<>();
  private int buffered;
  private long dropped;

  // The writer's own (next() is called by one thread at a time).
  private boolean started;
  private boolean ended;
  private long nextTickNanos;

  LiveTailSession(
      LiveTail.Limits limits,
      Selection selection,
      LiveTailShapes.LiveTailSessionStart start,
      Clock clock,
      Runnable onClose) {
    this.limits = limits;
    this.selection = selection;
    this.start = start;
    this.clock = clock;
    this.onClose = onClose;
    this.endsAtMillis = clock.millis() + limits.maxSessionLength().toMillis();
  }

  Selection selection() {
    return selection;
  }

  /** Hands a stored batch of a watched stream to the session; never blocks. */
  void offer(LogStream stream, List<StoredEvent> events) {
    synchronized (inbox) {
      inbox.addLast(new Batch(stream, events));
      buffered += events.size();
      // A client that reads slower than events come loses the oldest, as CloudWatch's does,
      // so that a stalled session cannot hold the server's memory.
      while (buffered > limits.maxBufferedEvents() && inbox.size() > 1) {
        Batch oldest = inbox.removeFirst();
        buffered -= oldest.events().size();
        dropped += oldest.events().size();
      }
    }
  }

  @Override
  public Event next() throws InterruptedException {
    if (ended || closed.getCount() == 0) {
      return null;
    }
    if (!started) {
      started = true;
      nextTickNanos = System.nanoTime() + limits.cadence().toNanos();
      return new Next("sessionStart", start);
    }
    long wait = nextTickNanos - System.nanoTime();
    if (wait > 0 && closed.await(wait, TimeUnit.NANOSECONDS)) {
      return null;
    }
    long now = System.nanoTime();
    // Keeps the cadence against the clock, not against how long writing took, but never bunches
    // updates up after a stall (a slow client).
    nextTickNanos =
        Math.max(nextTickNanos + limits.cadence().toNanos(), now + limits.cadence().toNanos() / 2);
    if (clock.millis() >= endsAtMillis) {
      ended = true;
      return new Failure(
          "SessionTimeoutException",
          "Live Tail session has ended after "
              + describe(limits.maxSessionLength())
              + ". Start a new session to continue.");
    }
    try {
      return new Next("sessionUpdate", update(drain()));
    } catch (RuntimeException e) {
      // CloudWatch's own in-stream error for what goes wrong on its side.
      log.error("Live Tail session {} failed", start.sessionId(), e);
      ended = true;
      return new Failure(
          "SessionStreamingException",
          "An internal error occurred in Live Tail session " + start.sessionId() + ".");
    }
  }

  private List<Batch> drain() {
    synchronized (inbox) {
      List<Batch> out = new ArrayList<>(inbox);
      inbox.clear();
      buffered = 0;
      return out;
    }
  }

  private LiveTailShapes.LiveTailSessionUpdate update(List<Batch> batches) {
    List<LiveTailShapes.LiveTailSessionLogEvent> matches = new ArrayList<>();
    for (Batch b : batches) {
      String identifier = selection.identifierByGroup().get(b.stream().groupName());
      for (StoredEvent e : b.events()) {
        if (selection.pattern().matches(e.message())) {
          matches.add(
              new LiveTailShapes.LiveTailSessionLogEvent(
                  b.stream().name(), identifier, e.message(), e.timestamp(), e.ingestionTime()));
        }
      }
    }
    int max = limits.maxEventsPerUpdate();
    boolean sampled = matches.size() > max;
    List<LiveTailShapes.LiveTailSessionLogEvent> results = matches;
    if (sampled) {
      // Evenly spread over the second's matches, so a sample shows the whole second, in order.
      results = new ArrayList<>(max);
      for (int i = 0; i < max; i++) {
        results.add(matches.get((int) ((long) i * matches.size() / max)));
      }
    }
    return new LiveTailShapes.LiveTailSessionUpdate(
        new LiveTailShapes.LiveTailSessionMetadata(sampled), results);
  }

  /** How many events were dropped because the client read too slowly. */
  long dropped() {
    synchronized (inbox) {
      return dropped;
    }
  }

  private static String describe(Duration length) {
    long hours = length.toHours();
    if (hours > 0 && length.equals(Duration.ofHours(hours))) {
      return hours == 1 ? "1 hour" : hours + " hours";
    }
    return length.toMillis() + " ms";
  }

  @Override
  public void close() {
    if (closed.getCount() > 0) {
      closed.countDown();
      onClose.run();
    }
  }
}
