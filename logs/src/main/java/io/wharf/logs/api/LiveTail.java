package io.wharf.logs.api;

import io.wharf.core.auth.Caller;
import io.wharf.core.state.Logging;
import io.wharf.core.state.StateMachine;
import io.wharf.logs.events.AppendListener;
import io.wharf.logs.events.EventStore;
import io.wharf.logs.events.StoredEvent;
import io.wharf.logs.filter.FilterPattern;
import io.wharf.logs.filter.InvalidFilterPatternException;
import io.wharf.model.logs.LogStream;
import io.wharf.protocol.AwsServiceException;
import io.wharf.protocol.Operations;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * StartLiveTail: the live sessions and the event store's appends that feed them.
 *
 * <pre>
 *  StartLiveTail ─▶ check groups, stream filters, pattern, the session quota ─▶ LiveTailSession
 *                   (an EventStream the front writes: sessionStart, then sessionUpdate each second)
 *  EventStore append ─▶ appended(storageId, batch) ─▶ the stream by storage id ─▶ each session
 *                   watching it ─▶ its inbox (the session filters and samples at its tick)
 * </pre>
 *
 * <p>New events reach a session at its next tick, so within one cadence (a second) of being stored:
 * the store tells, nothing polls it.
 *
 * <p>Threading: {@link #appended} runs on appending threads inside a stream's writer lock, and does
 * only a map look-up and a hand-over per session; sessions come and go on request threads.
 */
final class LiveTail implements AppendListener, AutoCloseable {
  /**
   * CloudWatch's Live Tail limits.
   *
   * @param cadence how often an update is sent (CloudWatch: every second)
   * @param maxEventsPerUpdate events in one update at most, sampled down beyond (CloudWatch: 500)
   * @param maxBufferedEvents events a session holds for a slow client before dropping the oldest
   *     (CloudWatch: 5,000)
   * @param maxSessionLength when a session ends with SessionTimeoutException (CloudWatch: 3 hours)
   * @param maxSessions concurrent sessions (CloudWatch's quota: 15 per account and region)
   */
  record Limits(
      Duration cadence,
      int maxEventsPerUpdate,
      int maxBufferedEvents,
      Duration maxSessionLength,
      int maxSessions) {
    static final Limits CLOUDWATCH =
        new Limits(Duration.ofSeconds(1), 500, 5_000, Duration.ofHours(3), 15);

    Limits {
      Objects.requireNonNull(cadence, "cadence");
      Objects.requireNonNull(maxSessionLength, "maxSessionLength");
    }
  }

  /** A log group's identifier may name 10 groups at most (the model's list bound says so too). */
  static final int MAX_GROUPS = 10;

  private final StateMachine states;
  private final LogArns arns;
  private final Clock clock;
  private final Limits limits;
  private final Set<LiveTailSession> sessions = ConcurrentHashMap.newKeySet();
  private final EventStore.Subscription subscription;

  /** Streams by storage id, for the Logging they were read from (rebuilt when it changes). */
  private record StreamIndex(Logging logging, Map<Long, LogStream> byStorageId) {}

  private volatile StreamIndex index = new StreamIndex(null, Map.of());

  LiveTail(StateMachine states, EventStore events, LogArns arns, Clock clock, Limits limits) {
    this.states = states;
    this.arns = arns;
    this.clock = clock;
    this.limits = limits;
    this.subscription = events.subscribe(this);
  }

  void register(Operations.Builder<Caller> ops) {
    ops.add("StartLiveTail", LiveTailShapes.StartLiveTailRequest.class, (c, in) -> start(in));
  }

  /** Sessions open now. */
  int openSessions() {
    return sessions.size();
  }

  LiveTailSession start(LiveTailShapes.StartLiveTailRequest in) {
    List<String> identifiers = in.logGroupIdentifiers();
    if (identifiers.size() > MAX_GROUPS) {
      throw LogsErrors.invalidParameter(
          "logGroupIdentifiers can include up to " + MAX_GROUPS + " log groups.");
    }
    if (in.logStreamNames() != null && in.logStreamNamePrefixes() != null) {
      throw LogsErrors.invalidParameter(
          "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.");
    }
    if ((in.logStreamNames() != null || in.logStreamNamePrefixes() != null)
        && identifiers.size() > 1) {
      throw LogsErrors.invalidParameter(
          "logStreamNames and logStreamNamePrefixes can be specified only when"
              + " logGroupIdentifiers contains exactly one log group.");
    }
    FilterPattern pattern;
    try {
      pattern = FilterPattern.parse(in.logEventFilterPattern());
    } catch (InvalidFilterPatternException e) {
      throw LogsErrors.invalidParameter(e.getMessage());
    }
    Logging logging = states.current().logging();
    Map<String, String> identifierByGroup = new LinkedHashMap<>();
    for (String identifier : identifiers) {
      // An ARN ending in * (CloudWatch's logGroupArn form) the model's pattern refuses already.
      String name =
          identifier.startsWith("arn:")
              ? arns.groupName(identifier).orElseThrow(LogsErrors::groupNotFound)
              : identifier;
      if (!logging.groups().containsKey(name)) {
        throw LogsErrors.groupNotFound();
      }
      identifierByGroup.putIfAbsent(name, identifier);
    }
    String sessionId = UUID.randomUUID().toString();
    LiveTailShapes.LiveTailSessionStart startEvent =
        new LiveTailShapes.LiveTailSessionStart(
            UUID.randomUUID().toString(),
            sessionId,
            identifiers,
            in.logStreamNames(),
            in.logStreamNamePrefixes(),
            in.logEventFilterPattern() == null ? "" : in.logEventFilterPattern());
    LiveTailSession[] created = new LiveTailSession[1];
    LiveTailSession session =
        new LiveTailSession(
            limits,
            new LiveTailSession.Selection(
                identifierByGroup, in.logStreamNames(), in.logStreamNamePrefixes(), pattern),
            startEvent,
            clock,
            () -> sessions.remove(created[0]));
    created[0] = session;
    // Counted and added under one lock so that concurrent starts cannot pass the quota together.
    synchronized (sessions) {
      if (sessions.size() >= limits.maxSessions()) {
        throw new AwsServiceException(
            "LimitExceededException",
            "You have reached the maximum number of concurrent Live Tail sessions ("
                + limits.maxSessions()
                + "). End a session to start another.");
      }
      sessions.add(session);
    }
    return session;
  }

  @Override
  public void appended(long storageId, List<StoredEvent> events) {
    if (sessions.isEmpty()) {
      return;
    }
    LogStream stream = streamOf(storageId);
    if (stream == null) {
      return; // a stream deleted while its batch was being stored
    }
    for (LiveTailSession s : sessions) {
      if (s.selection().watches(stream)) {
        s.offer(stream, events);
      }
    }
  }

  private LogStream streamOf(long storageId) {
    Logging logging = states.current().logging();
    StreamIndex current = index;
    if (current.logging() != logging) {
      Map<Long, LogStream> byId = new HashMap<>();
      for (Map<String, LogStream> streams : logging.streams().values()) {
        for (LogStream s : streams.values()) {
          byId.put(s.storageId(), s);
        }
      }
      current = new StreamIndex(logging, Map.copyOf(byId));
      index = current;
    }
    return current.byStorageId().get(storageId);
  }

  /** Ends every session (the server stops): each stream's next read is its end. */
  @Override
  public void close() {
    subscription.close();
    for (LiveTailSession s : List.copyOf(sessions)) {
      s.close();
    }
  }
}
