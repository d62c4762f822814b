package io.wharf.logs.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.ServiceContext;
import io.wharf.core.auth.Caller;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.StateMachine;
import io.wharf.core.state.StateMachineTest;
import io.wharf.model.ResourceArn;
import io.wharf.protocol.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on the injected clock: expired events are refused when put, hidden when read, and
 * deleted from disk by the sweep, all as of the clock's time (never the wall clock's).
 */
class LogsRetentionTest {
  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private volatile Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();
  static final Caller ADMIN =
      new Caller(new Principal.Admin("AKIAWHARFTESTKEY0001", "arn:aws:iam::123456789012:root"), 0);

  @TempDir Path dataDir;
  ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
  StateMachine states;
  LogsApi logs;
  Endpoint<Caller> endpoint;

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
            null); // swept by hand here; the timer has a test of its own
    endpoint = new Endpoint<>(List.of(logs));
  }

  @AfterEach
  void stop() throws Exception {
    logs.close();
    states.close();
  }

  private JsonNode call(String operation, String json) throws Exception {
    return endpoint.invoke(logs, ADMIN, operation, JSON.readTree(json));
  }

  private JsonNode put(long timestamp, String message) throws Exception {
    ObjectNode in = JSON.createObjectNode().put("logGroupName", "g").put("logStreamName", "s");
    in.putArray("logEvents").addObject().put("timestamp", timestamp).put("message", message);
    return endpoint.invoke(logs, ADMIN, "PutLogEvents", in);
  }

  private List<String> messages() throws Exception {
    JsonNode got =
        call(
            "GetLogEvents",
            "{\"logGroupName\":\"g\",\"logStreamName\":\"s\",\"startFromHead\":true}");
    return got.path("events").valueStream().map(e -> e.path("message").asText()).toList();
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> dirs = Files.list(dataDir.resolve("logs").resolve("streams"))) {
      Path stream = dirs.findFirst().orElseThrow();
      try (Stream<Path> files = Files.list(stream)) {
        return files.sorted().toList();
      }
    }
  }

  @Test
  void expiredEventsAreHiddenThenSweptAndTheStreamGoesOn() throws Exception {
    call("CreateLogGroup", "{\"logGroupName\":\"g\"}");
    call("CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}");
    long t0 = clock.millis();
    put(t0 - 60_000, "old news");
    JsonNode got =
        call(
            "GetLogEvents",
            "{\"logGroupName\":\"g\",\"logStreamName\":\"s\",\"startFromHead\":true}");
    assertThat(got.path("events").get(0).path("ingestionTime").asLong())
        .as("ingestion time comes from the injected clock")
        .isEqualTo(t0);
    call("PutRetentionPolicy", "{\"logGroupName\":\"g\",\"retentionInDays\":1}");

    assertThat(logs.sweepRetention()).as("nothing has expired yet").isZero();
    clock.advance(Duration.ofDays(2));
    assertThat(messages()).as("expired: no longer returned").isEmpty();
    assertThat(segments()).hasSize(1);
    long sizeBefore = Files.size(segments().getFirst());
    assertThat(sizeBefore).isPositive();

    assertThat(logs.sweepRetention()).isEqualTo(1);
    List<Path> left = segments();
    assertThat(left).hasSize(1);
    assertThat(Files.size(left.getFirst())).as("the expired events left the disk").isZero();

    put(clock.millis(), "fresh");
    assertThat(messages()).containsExactly("fresh");
    JsonNode forward =
        call(
            "GetLogEvents",
            "{\"logGroupName\":\"g\",\"logStreamName\":\"s\",\"startFromHead\":true}");
    assertThat(forward.path("nextForwardToken").asText())
        .as("positions go on after the sweep")
        .isEqualTo(EventTokens.forward(2).toString());
  }

  /** The running product's timer: a sweep is due once the injected clock passes its interval. */
  @Test
  void theTimerSweepsOnceTheInjectedClockHasPassedTheInterval() throws Exception {
    logs.close();
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
            Duration.ofMillis(20));
    endpoint = new Endpoint<>(List.of(logs));
    call("CreateLogGroup", "{\"logGroupName\":\"g\"}");
    call("CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}");
    put(clock.millis() - 60_000, "old news");
    call("PutRetentionPolicy", "{\"logGroupName\":\"g\",\"retentionInDays\":1}");
    clock.advance(Duration.ofDays(2));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              long size = Files.size(segments().getFirst());
              assertThat(size).as("the timer's sweep emptied the expired segment").isZero();
            });
  }

  @Test
  void eventsOlderThanTheRetentionAreReportedAsExpiredWhenPut() throws Exception {
    call("CreateLogGroup", "{\"logGroupName\":\"g\"}");
    call("CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}");
    call("PutRetentionPolicy", "{\"logGroupName\":\"g\",\"retentionInDays\":1}");
    long now = clock.millis();
    ObjectNode in = JSON.createObjectNode().put("logGroupName", "g").put("logStreamName", "s");
    var batch = in.putArray("logEvents");
    batch
        .addObject()
        .put("timestamp", now - Duration.ofDays(1).toMillis() - 1)
        .put("message", "expired");
    batch.addObject().put("timestamp", now - Duration.ofHours(1).toMillis()).put("message", "kept");
    JsonNode out = endpoint.invoke(logs, ADMIN, "PutLogEvents", in);
    assertThat(out.path("rejectedLogEventsInfo").path("expiredLogEventEndIndex").asInt())
        .isEqualTo(1);
    assertThat(out.path("rejectedLogEventsInfo").has("tooOldLogEventEndIndex")).isFalse();
    assertThat(messages()).containsExactly("kept");
  }
}
