package io.wharf.logs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.ServiceContext;
import io.wharf.core.auth.Caller;
import io.wharf.core.state.StateMachine;
import io.wharf.core.state.StateMachineTest;
import io.wharf.model.ResourceArn;
import io.wharf.protocol.AwsServiceException;
import io.wharf.protocol.Endpoint;
import io.wharf.protocol.EventStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live Tail sessions on the event store, without HTTP, on short limits: sampling, the buffer for a
 * slow reader, the session's end by the injected clock, and what closing releases.
 */
class LiveTailTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Caller ADMIN = LogsRetentionTest.ADMIN;

  /** An update every 10 ms, 5 events each at most, 8 buffered, 1 hour sessions, 2 at once. */
  static final LiveTail.Limits SMALL =
      new LiveTail.Limits(Duration.ofMillis(10), 5, 8, Duration.ofHours(1), 2);

  @TempDir Path dataDir;
  LogsRetentionTest.ManualClock clock =
      new LogsRetentionTest.ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
  StateMachine states;
  LogsApi logs;
  Endpoint<Caller> endpoint;
  LiveTail live;

  @BeforeEach
  void start() throws Exception {
    states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
    logs =
        new LogsApi(
            new ServiceContext(
                states,
                new ResourceArn.Builder("us-east-1", "123456789012"),
                "us-east-1",
                "123456789012",
                clock,
                dataDir),
            LogsApi.loadModel(),
            null);
    endpoint = new Endpoint<>(List.of(logs));
    live =
        new LiveTail(states, logs.events(), new LogArns("us-east-1", "123456789012"), clock, SMALL);
    call("CreateLogGroup", "{\"logGroupName\":\"g\"}");
    call("CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}");
  }

  @AfterEach
  void stop() throws Exception {
    live.close();
    logs.close();
    states.close();
  }

  private void call(String operation, String json) throws Exception {
    endpoint.invoke(logs, ADMIN, operation, JSON.readTree(json));
  }

  private void put(String... messages) {
    ObjectNode in = JSON.createObjectNode().put("logGroupName", "g").put("logStreamName", "s");
    ArrayNode batch = in.putArray("logEvents");
    for (String m : messages) {
      batch.addObject().put("timestamp", clock.millis()).put("message", m);
    }
    endpoint.invoke(logs, ADMIN, "PutLogEvents", in);
  }

  private LiveTailSession session(String pattern) {
    return live.start(new LiveTailShapes.StartLiveTailRequest(List.of("g"), null, null, pattern));
  }

  private static LiveTailShapes.LiveTailSessionUpdate update(LiveTailSession s) throws Exception {
    EventStream.Event e = s.next();
    assertThat(e).isInstanceOf(EventStream.Next.class);
    EventStream.Next next = (EventStream.Next) e;
    assertThat(next.member()).isEqualTo("sessionUpdate");
    return (LiveTailShapes.LiveTailSessionUpdate) next.value();
  }

  private static List<String> messages(LiveTailShapes.LiveTailSessionUpdate u) {
    return u.sessionResults().stream()
        .map(LiveTailShapes.LiveTailSessionLogEvent::message)
        .toList();
  }

  @Test
  void theFirstEventIsTheStartThenUpdatesCarryWhatWasStored() throws Exception {
    LiveTailSession s = session("");
    EventStream.Event first = s.next();
    assertThat(first).isInstanceOf(EventStream.Next.class);
    assertThat(((EventStream.Next) first).member()).isEqualTo("sessionStart");
    assertThat(update(s).sessionResults()).as("nothing stored yet").isEmpty();
    put("a", "b");
    LiveTailShapes.LiveTailSessionUpdate u = update(s);
    assertThat(messages(u)).containsExactly("a", "b");
    assertThat(u.sessionMetadata().sampled()).isFalse();
    assertThat(u.sessionResults().getFirst().logGroupIdentifier()).isEqualTo("g");
    assertThat(u.sessionResults().getFirst().ingestionTime()).isEqualTo(clock.millis());
  }

  @Test
  void moreMatchesThanAnUpdateHoldsAreSampledEvenlyAndInOrder() throws Exception {
    LiveTailSession s = session("keep");
    s.next();
    put("keep 0", "drop", "keep 1", "keep 2", "keep 3", "keep 4", "keep 5", "keep 6");
    LiveTailShapes.LiveTailSessionUpdate u = update(s);
    assertThat(u.sessionMetadata().sampled()).isTrue();
    assertThat(messages(u)).hasSize(5).isSorted().allSatisfy(m -> assertThat(m).startsWith("keep"));
    assertThat(messages(u).getFirst()).isEqualTo("keep 0");
  }

  @Test
  void aSlowReaderLosesTheOldestBatchesBeyondTheBuffer() throws Exception {
    LiveTailSession s = session("");
    s.next();
    put("1", "2", "3", "4");
    put("5", "6", "7", "8");
    put("9", "10");
    assertThat(s.dropped()).isEqualTo(4);
    assertThat(messages(update(s))).containsExactly("5", "6", "7", "8", "9");
  }

  @Test
  void theSessionEndsWithSessionTimeoutExceptionAfterItsLengthOnTheInjectedClock()
      throws Exception {
    LiveTailSession s = session("");
    s.next();
    update(s);
    clock.advance(Duration.ofHours(1));
    EventStream.Event end = s.next();
    assertThat(end).isInstanceOf(EventStream.Failure.class);
    assertThat(((EventStream.Failure) end).member()).isEqualTo("SessionTimeoutException");
    assertThat(((EventStream.Failure) end).message()).contains("1 hour");
    assertThat(s.next()).isNull();
  }

  @Test
  void closingReleasesTheSessionAndEndsItsStream() throws Exception {
    LiveTailSession a = session("");
    session("");
    assertThatThrownBy(() -> session(""))
        .isInstanceOf(AwsServiceException.class)
        .extracting(e -> ((AwsServiceException) e).code())
        .isEqualTo("LimitExceededException");
    a.next();
    a.close();
    assertThat(live.openSessions()).isEqualTo(1);
    assertThat(a.next()).isNull();
    put("after");
    assertThat(a.dropped()).isZero();
    session("");
    assertThat(live.openSessions()).isEqualTo(2);
  }

  @Test
  void streamFiltersNeedExactlyOneGroupAndExcludeEachOther() {
    assertThatThrownBy(
            () ->
                live.start(
                    new LiveTailShapes.StartLiveTailRequest(
                        List.of("g"), List.of("s"), List.of("s"), null)))
        .hasMessageContaining("mutually exclusive");
    assertThatThrownBy(
            () ->
                live.start(
                    new LiveTailShapes.StartLiveTailRequest(
                        List.of("g", "arn:aws:logs:us-east-1:123456789012:log-group:g"),
                        List.of("s"),
                        null,
                        null)))
        .hasMessageContaining("exactly one log group");
    assertThatThrownBy(
            () ->
                live.start(
                    new LiveTailShapes.StartLiveTailRequest(
                        List.of("arn:aws:logs:eu-west-1:123456789012:log-group:g"),
                        null,
                        null,
                        null)))
        .hasMessageContaining("does not exist");
    assertThat(live.openSessions()).isZero();
  }
}
