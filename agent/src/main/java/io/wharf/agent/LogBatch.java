package io.wharf.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One PutLogEvents batch within CloudWatch's limits: at most {@value #MAX_EVENTS} events, at most
 * {@value #MAX_BYTES} bytes counting {@value LogEvent#OVERHEAD} for each event, and a span of at
 * most 24 hours from its earliest event to its latest. Events are added in the order they were
 * made; they are sent in time order (CloudWatch refuses a batch that is not chronological, and a
 * container's two outputs are stamped by two readers, so their lines can cross by microseconds).
 *
 * <p>Not thread-safe.
 */
final class LogBatch {
  static final int MAX_EVENTS = 10_000;
  static final int MAX_BYTES = 1_048_576;
  static final long MAX_SPAN_MILLIS = Duration.ofHours(24).toMillis();

  private final List<LogEvent> events = new ArrayList<>();
  private long bytes;
  private long earliest = Long.MAX_VALUE;
  private long latest = Long.MIN_VALUE;
  private FrameMark mark;

  /** Whether {@code event} can join without breaking a limit (an empty batch takes any event). */
  boolean fits(LogEvent event) {
    if (events.isEmpty()) {
      return true;
    }
    return events.size() < MAX_EVENTS
        && bytes + event.cost() <= MAX_BYTES
        && Math.max(latest, event.timestamp()) - Math.min(earliest, event.timestamp())
            <= MAX_SPAN_MILLIS;
  }

  void add(LogEvent event) {
    events.add(event);
    bytes += event.cost();
    earliest = Math.min(earliest, event.timestamp());
    latest = Math.max(latest, event.timestamp());
    if (event.mark() != null) {
      mark = event.mark();
    }
  }

  boolean isEmpty() {
    return events.isEmpty();
  }

  int size() {
    return events.size();
  }

  long bytes() {
    return bytes;
  }

  /**
   * The last engine log entry the batch completes, in the order events were made: once the batch is
   * stored, delivery resumes after it. Null when the batch holds only leading pieces of one split
   * entry.
   */
  FrameMark mark() {
    return mark;
  }

  /** The events in time order (the order of making among equal times). */
  List<LogEvent> chronological() {
    List<LogEvent> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(LogEvent::timestamp));
    return sorted;
  }
}
