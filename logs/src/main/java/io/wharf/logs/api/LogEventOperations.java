package io.wharf.logs.api;

import io.wharf.core.auth.Caller;
import io.wharf.core.state.Logging;
import io.wharf.core.state.StateMachine;
import io.wharf.logs.events.EventStore;
import io.wharf.logs.events.NewEvent;
import io.wharf.logs.events.StoredEvent;
import io.wharf.logs.events.StreamLog;
import io.wharf.logs.filter.FilterPattern;
import io.wharf.logs.filter.InvalidFilterPatternException;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.model.logs.LogGroup;
import io.wharf.model.logs.LogStream;
import io.wharf.protocol.Operations;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * PutLogEvents, GetLogEvents and FilterLogEvents on the event store, with CloudWatch's limits and
 * its retention: events older than their group's retention are neither accepted nor returned, and
 * the sweep deletes them.
 */
final class LogEventOperations {
  /** CloudWatch counts each event as its message's UTF-8 bytes plus this. */
  static final int EVENT_OVERHEAD = 26;

  static final int MAX_BATCH_BYTES = 1_048_576;
  static final int MAX_EVENT_BYTES = 262_144;
  static final int MAX_EVENTS = 10_000;

  /** What one GetLogEvents or FilterLogEvents answer carries at most (CloudWatch: 1 MB). */
  static final long MAX_RESPONSE_BYTES = 1_048_576;

  static final long DAY = Duration.ofDays(1).toMillis();

  /** A batch may span at most this, first event to last. */
  static final long MAX_BATCH_SPAN = DAY;

  /** Events older than this are refused as too old (CloudWatch: 14 days)... */
  static final long TOO_OLD = Duration.ofDays(14).toMillis();

  /** ...and events further ahead than this as too new (CloudWatch: 2 hours). */
  static final long TOO_NEW = Duration.ofHours(2).toMillis();

  record InputLogEvent(Long timestamp, String message) {}

  record PutLogEventsRequest(
      String logGroupName,
      String logStreamName,
      List<InputLogEvent> logEvents,
      String sequenceToken) {}

  record RejectedLogEventsInfo(
      Integer tooNewLogEventStartIndex,
      Integer tooOldLogEventEndIndex,
      Integer expiredLogEventEndIndex) {}

  record PutLogEventsResponse(
      String nextSequenceToken, RejectedLogEventsInfo rejectedLogEventsInfo) {}

  record GetLogEventsRequest(
      String logGroupName,
      String logGroupIdentifier,
      String logStreamName,
      Long startTime,
      Long endTime,
      String nextToken,
      Integer limit,
      Boolean startFromHead) {}

  record OutputLogEvent(Long timestamp, String message, Long ingestionTime) {}

  record GetLogEventsResponse(
      List<OutputLogEvent> events, String nextForwardToken, String nextBackwardToken) {}

  record FilterLogEventsRequest(
      String logGroupName,
      String logGroupIdentifier,
      List<String> logStreamNames,
      String logStreamNamePrefix,
      Long startTime,
      Long endTime,
      String filterPattern,
      String nextToken,
      Integer limit,
      Boolean interleaved) {}

  record FilteredLogEvent(
      String logStreamName, Long timestamp, String message, Long ingestionTime, String eventId) {}

  record SearchedLogStream(String logStreamName, Boolean searchedCompletely) {}

  /**
   * @param searchedLogStreams always empty, as CloudWatch answers it since May 2020 (the model says
   *     so), but present: clients written before then read it
   */
  record FilterLogEventsResponse(
      List<FilteredLogEvent> events,
      List<SearchedLogStream> searchedLogStreams,
      String nextToken) {}

  private final StateMachine states;
  private final EventStore events;
  private final Clock clock;
  private final LogArns arns;

  LogEventOperations(StateMachine states, EventStore events, Clock clock, LogArns arns) {
    this.states = states;
    this.events = events;
    this.clock = clock;
    this.arns = arns;
  }

  void register(Operations.Builder<Caller> ops) {
    ops.add("PutLogEvents", PutLogEventsRequest.class, (c, in) -> put(in))
        .add("GetLogEvents", GetLogEventsRequest.class, (c, in) -> get(in))
        .add("FilterLogEvents", FilterLogEventsRequest.class, (c, in) -> filter(in));
  }

  /** The token PutLogEvents returns; Docker's awslogs driver sends it back, Wharf ignores it. */
  static String sequenceToken(long nextSequence) {
    return String.format("%056d", nextSequence);
  }

  private PutLogEventsResponse put(PutLogEventsRequest in) {
    List<InputLogEvent> batch = in.logEvents();
    if (batch.size() > MAX_EVENTS) {
      throw LogsErrors.invalidParameter(
          "Too many log events in the batch: " + batch.size() + " exceeds the limit of 10000.");
    }
    long total = 0;
    for (InputLogEvent e : batch) {
      long size = StreamLog.utf8Length(e.message()) + (long) EVENT_OVERHEAD;
      if (size > MAX_EVENT_BYTES) {
        throw LogsErrors.invalidParameter(
            "Log event too large: " + size + " bytes exceeds limit of " + MAX_EVENT_BYTES);
      }
      total += size;
    }
    if (total > MAX_BATCH_BYTES) {
      throw LogsErrors.invalidParameter(
          "Upload too large: " + total + " bytes exceeds limit of " + MAX_BATCH_BYTES);
    }
    for (int i = 1; i < batch.size(); i++) {
      if (batch.get(i).timestamp() < batch.get(i - 1).timestamp()) {
        throw LogsErrors.invalidParameter(
            "Log events in a single PutLogEvents request must be in chronological order.");
      }
    }
    if (batch.getLast().timestamp() - batch.getFirst().timestamp() > MAX_BATCH_SPAN) {
      throw LogsErrors.invalidParameter(
          "The batch of log events in a single PutLogEvents request cannot span more than 24"
              + " hours.");
    }
    Logging logging = states.current().logging();
    LogGroup group = LogGroupOperations.group(logging, in.logGroupName());
    LogStream stream = stream(logging, in.logGroupName(), in.logStreamName());
    long now = clock.millis();
    // Chronological, so the too old and expired ones are a prefix and the too new a suffix.
    int tooOldEnd = 0;
    int expiredEnd = 0;
    int tooNewStart = batch.size();
    long retentionCutoff = retentionCutoff(group, now);
    for (int i = 0; i < batch.size(); i++) {
      long ts = batch.get(i).timestamp();
      if (ts < now - TOO_OLD) {
        tooOldEnd = i + 1;
      }
      if (ts < retentionCutoff) {
        expiredEnd = i + 1;
      }
      if (ts > now + TOO_NEW && tooNewStart == batch.size()) {
        tooNewStart = i;
      }
    }
    int from = Math.max(tooOldEnd, expiredEnd);
    List<NewEvent> accepted = new ArrayList<>();
    for (int i = from; i < tooNewStart; i++) {
      accepted.add(new NewEvent(batch.get(i).timestamp(), batch.get(i).message()));
    }
    long next;
    try {
      next = events.stream(stream.storageId()).append(accepted, now);
    } catch (IOException e) {
      throw new WharfException(
          ErrorCode.SERVER, "The log events could not be stored. Try again later.", e);
    }
    RejectedLogEventsInfo rejected =
        tooOldEnd == 0 && expiredEnd == 0 && tooNewStart == batch.size()
            ? null
            : new RejectedLogEventsInfo(
                tooNewStart == batch.size() ? null : tooNewStart,
                tooOldEnd == 0 ? null : tooOldEnd,
                expiredEnd == 0 ? null : expiredEnd);
    return new PutLogEventsResponse(sequenceToken(next), rejected);
  }

  private static LogStream stream(Logging logging, String group, String name) {
    LogStream s = logging.streamsOf(group).get(name);
    if (s == null) {
      throw LogsErrors.streamNotFound();
    }
    return s;
  }

  /** Events before this (ms since the epoch) have expired: the group's retention, or none. */
  static long retentionCutoff(LogGroup group, long now) {
    return group.retentionInDays() == null ? Long.MIN_VALUE : now - group.retentionInDays() * DAY;
  }

  private GetLogEventsResponse get(GetLogEventsRequest in) {
    String groupName =
        LogGroupOperations.groupNameOf(arns, in.logGroupName(), in.logGroupIdentifier());
    Logging logging = states.current().logging();
    LogGroup group = LogGroupOperations.group(logging, groupName);
    StreamLog log = events.stream(stream(logging, groupName, in.logStreamName()).storageId());
    long minTs =
        Math.max(
            in.startTime() == null ? Long.MIN_VALUE : in.startTime(),
            retentionCutoff(group, clock.millis()));
    // GetLogEvents' endTime is exclusive (FilterLogEvents' is not).
    long maxTs = in.endTime() == null ? Long.MAX_VALUE : in.endTime() - 1;
    int limit = in.limit() == null ? MAX_EVENTS : in.limit();
    EventTokens.Token token;
    if (in.nextToken() != null) {
      token = EventTokens.parse(in.nextToken());
    } else if (Boolean.TRUE.equals(in.startFromHead())) {
      token = EventTokens.forward(0);
    } else {
      token = EventTokens.backward(log.nextSequence());
    }
    long p = token.position();
    StreamLog.Read read;
    EventTokens.Token forward;
    EventTokens.Token backward;
    if (token.direction() == EventTokens.Direction.FORWARD) {
      read = log.readForward(p, minTs, maxTs, limit, MAX_RESPONSE_BYTES);
      forward = EventTokens.forward(read.next());
      backward =
          EventTokens.backward(read.events().isEmpty() ? p : read.events().getFirst().sequence());
    } else {
      read = log.readBackward(p, minTs, maxTs, limit, MAX_RESPONSE_BYTES);
      backward = EventTokens.backward(read.next());
      forward =
          EventTokens.forward(read.events().isEmpty() ? p : read.events().getLast().sequence() + 1);
    }
    List<OutputLogEvent> out = new ArrayList<>(read.events().size());
    for (StoredEvent e : read.events()) {
      out.add(new OutputLogEvent(e.timestamp(), e.message(), e.ingestionTime()));
    }
    return new GetLogEventsResponse(out, forward.toString(), backward.toString());
  }

  /** A matching event and the stream it came from. */
  private record Match(String streamName, long storageId, StoredEvent event) {}

  /** The order FilterLogEvents returns events in: by time, then stream name, then position. */
  private static final Comparator<Match> ORDER =
      Comparator.<Match>comparingLong(m -> m.event().timestamp())
          .thenComparing(Match::streamName)
          .thenComparingLong(m -> m.event().sequence());

  private FilterLogEventsResponse filter(FilterLogEventsRequest in) {
    String groupName =
        LogGroupOperations.groupNameOf(arns, in.logGroupName(), in.logGroupIdentifier());
    if (in.logStreamNames() != null && in.logStreamNamePrefix() != null) {
      throw LogsErrors.invalidParameter(
          "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    }
    FilterPattern pattern;
    try {
      pattern = FilterPattern.parse(in.filterPattern());
    } catch (InvalidFilterPatternException e) {
      throw LogsErrors.invalidParameter(e.getMessage());
    }
    Logging logging = states.current().logging();
    LogGroup group = LogGroupOperations.group(logging, groupName);
    List<LogStream> streams = new ArrayList<>();
    if (in.logStreamNames() != null) {
      for (String name : in.logStreamNames()) {
        streams.add(stream(logging, groupName, name));
      }
    } else {
      for (LogStream s : logging.streamsOf(groupName).values()) {
        if (in.logStreamNamePrefix() == null || s.name().startsWith(in.logStreamNamePrefix())) {
          streams.add(s);
        }
      }
    }
    EventTokens.FilterCursor after =
        in.nextToken() == null ? null : EventTokens.FilterCursor.decode(in.nextToken());
    long minTs =
        Math.max(
            in.startTime() == null ? Long.MIN_VALUE : in.startTime(),
            retentionCutoff(group, clock.millis()));
    if (after != null) {
      minTs = Math.max(minTs, after.timestamp());
    }
    long maxTs = in.endTime() == null ? Long.MAX_VALUE : in.endTime();
    int limit = in.limit() == null ? MAX_EVENTS : in.limit();
    // The first limit + 1 matches in order (one more than a page tells whether another follows):
    // a max-heap whose top is the latest kept, so a later match is dropped at once.
    PriorityQueue<Match> kept = new PriorityQueue<>(ORDER.reversed());
    for (LogStream s : streams) {
      events.stream(s.storageId())
          .filter(
              minTs,
              maxTs,
              pattern,
              new StreamLog.FilterSink() {
                @Override
                public long horizon() {
                  return kept.size() > limit ? kept.peek().event().timestamp() : Long.MAX_VALUE;
                }

                @Override
                public void accept(StoredEvent e) {
                  if (after != null
                      && after.compareTo(e.timestamp(), s.name(), e.sequence()) >= 0) {
                    return;
                  }
                  kept.add(new Match(s.name(), s.storageId(), e));
                  if (kept.size() > limit + 1) {
                    kept.poll();
                  }
                }
              });
    }
    List<Match> sorted = new ArrayList<>(kept);
    sorted.sort(ORDER);
    List<FilteredLogEvent> out = new ArrayList<>();
    long bytes = 0;
    Match last = null;
    for (Match m : sorted) {
      long size = StreamLog.eventBytes(m.event());
      if (out.size() == limit || (bytes + size > MAX_RESPONSE_BYTES && !out.isEmpty())) {
        break;
      }
      out.add(
          new FilteredLogEvent(
              m.streamName(),
              m.event().timestamp(),
              m.event().message(),
              m.event().ingestionTime(),
              String.format("%020d%020d", m.storageId(), m.event().sequence())));
      bytes += size;
      last = m;
    }
    String next =
        out.size() < sorted.size()
            ? new EventTokens.FilterCursor(
                    last.event().timestamp(), last.streamName(), last.event().sequence())
                .encode()
            : null;
    return new FilterLogEventsResponse(out, List.of(), next);
  }

  /** Deletes what retention has expired, in every group with a retention policy. */
  long sweepRetention() {
    long now = clock.millis();
    Logging logging = states.current().logging();
    long deleted = 0;
    for (LogGroup g : logging.groups().values()) {
      if (g.retentionInDays() == null) {
        continue;
      }
      long cutoff = retentionCutoff(g, now);
      for (LogStream s : logging.streamsOf(g.name()).values()) {
        try {
          deleted += events.stream(s.storageId()).deleteOlderThan(cutoff);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(
              "Cannot delete the expired events of " + s.arn(), e);
        }
      }
    }
    return deleted;
  }
}
