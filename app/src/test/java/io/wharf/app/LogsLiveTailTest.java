package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsAsyncClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LimitExceededException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionStart;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionUpdate;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailResponseHandler;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailResponseStream;

/**
 * StartLiveTail through the AWS SDK for Java v2's {@code CloudWatchLogsAsyncClient} and its {@code
 * StartLiveTailResponseHandler}: the session's start, the events put after it in its updates, the
 * filters, the client's cancel ending the session, and the errors answered before the stream.
 */
class LogsLiveTailTest {
  static TestServer server;
  static CloudWatchLogsClient logs;
  static CloudWatchLogsAsyncClient async;
  private final List<Tail> tails = new ArrayList<>();

  @BeforeAll
  static void start() {
    server = TestServer.start();
    logs = LogsSdkTest.client(server.endpoint());
    async = asyncClient(server.endpoint());
  }

  static CloudWatchLogsAsyncClient asyncClient(String endpoint) {
    return CloudWatchLogsAsyncClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.KEY_ID, TestServer.SECRET)))
        // The SDK addresses StartLiveTail to a stream- prefixed host, which a loopback
        // address has no name for; Wharf serves either host.
        .overrideConfiguration(
            c -> c.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder())
        .build();
  }

  @AfterEach
  void cancelTails() {
    tails.forEach(Tail::cancel);
  }

  @AfterAll
  static void stop() throws Exception {
    async.close();
    logs.close();
    server.close();
  }

  /** One session as the SDK delivers it: what it received, and its subscription to cancel. */
  static final class Tail implements Subscriber<StartLiveTailResponseStream> {
    final List<LiveTailSessionStart> starts = new CopyOnWriteArrayList<>();
    final List<LiveTailSessionUpdate> updates = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    volatile Subscription subscription;
    CompletableFuture<Void> done;

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(StartLiveTailResponseStream event) {
      if (event instanceof LiveTailSessionStart start) {
        starts.add(start);
      } else if (event instanceof LiveTailSessionUpdate update) {
        updates.add(update);
      }
    }

    @Override
    public void onError(Throwable t) {
      errors.add(t);
    }

    @Override
    public void onComplete() {}

    List<String> messages() {
      return updates.stream()
          .flatMap(u -> u.sessionResults().stream())
          .map(LiveTailSessionLogEvent::message)
          .toList();
    }

    void cancel() {
      Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  private Tail tail(Consumer<StartLiveTailRequest.Builder> request) {
    return tail(async, request);
  }

  private Tail tail(
      CloudWatchLogsAsyncClient client, Consumer<StartLiveTailRequest.Builder> request) {
    Tail tail = new Tail();
    StartLiveTailResponseHandler handler =
        StartLiveTailResponseHandler.builder()
            .onError(tail.errors::add)
            .onEventStream(publisher -> publisher.subscribe(tail))
            .build();
    tail.done = client.startLiveTail(request, handler);
    tails.add(tail);
    return tail;
  }

  private static Tail started(Tail tail) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !tail.starts.isEmpty() || tail.done.isCompletedExceptionally());
    assertThat(tail.errors).as("the session's errors").isEmpty();
    return tail;
  }

  private static void put(String group, String stream, String... messages) {
    put(logs, group, stream, messages);
  }

  private static void put(
      CloudWatchLogsClient logs, String group, String stream, String... messages) {
    long now = System.currentTimeMillis();
    List<InputLogEvent> events =
        IntStream.range(0, messages.length)
            .mapToObj(i -> InputLogEvent.builder().timestamp(now).message(messages[i]).build())
            .toList();
    logs.putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(events));
  }

  private static String arn(String group) {
    return "arn:aws:logs:us-east-1:" + TestServer.ACCOUNT + ":log-group:" + group;
  }

  private static void group(String group, String... streams) {
    logs.createLogGroup(b -> b.logGroupName(group));
    for (String s : streams) {
      logs.createLogStream(b -> b.logGroupName(group).logStreamName(s));
    }
  }

  @Test
  void eventsPutAfterTheStartArriveInUpdates() {
    group("live/app", "web/1", "web/2");
    put("live/app", "web/1", "before the session");
    Tail tail = started(tail(b -> b.logGroupIdentifiers(arn("live/app"))));
    LiveTailSessionStart start = tail.starts.getFirst();
    assertThat(start.sessionId()).isNotBlank();
    assertThat(start.logGroupIdentifiers()).containsExactly(arn("live/app"));

    put("live/app", "web/1", "one", "two");
    put("live/app", "web/2", "three");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(tail.messages()).containsExactlyInAnyOrder("one", "two", "three"));
    List<LiveTailSessionLogEvent> results =
        tail.updates.stream().flatMap(u -> u.sessionResults().stream()).toList();
    assertThat(results)
        .allSatisfy(e -> assertThat(e.logGroupIdentifier()).isEqualTo(arn("live/app")))
        .extracting(LiveTailSessionLogEvent::logStreamName)
        .containsExactlyInAnyOrder("web/1", "web/1", "web/2");
    assertThat(results.getFirst().ingestionTime()).isPositive();
    assertThat(tail.updates).allSatisfy(u -> assertThat(u.sessionMetadata().sampled()).isFalse());
    assertThat(tail.errors).isEmpty();
  }

  @Test
  void updatesComeWhenNothingHappens() {
    group("live/quiet", "s");
    Tail tail = started(tail(b -> b.logGroupIdentifiers("live/quiet")));
    await().atMost(Duration.ofSeconds(20)).until(() -> tail.updates.size() >= 2);
    assertThat(tail.updates).allSatisfy(u -> assertThat(u.sessionResults()).isEmpty());
  }

  @Test
  void theFilterPatternIsApplied() {
    group("live/filtered", "s");
    Tail tail =
        started(
            tail(
                b -> b.logGroupIdentifiers("live/filtered").logEventFilterPattern("ERROR -retry")));
    assertThat(tail.starts.getFirst().logEventFilterPattern()).isEqualTo("ERROR -retry");
    put("live/filtered", "s", "INFO fine", "ERROR disk full", "ERROR retry later", "ERROR last");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(tail.messages()).containsExactly("ERROR disk full", "ERROR last"));
  }

  @Test
  void streamNamesAndPrefixesSelectStreams() {
    group("live/streams", "api/1", "api/2", "worker/1");
    Tail named = started(tail(b -> b.logGroupIdentifiers("live/streams").logStreamNames("api/2")));
    Tail prefixed =
        started(tail(b -> b.logGroupIdentifiers("live/streams").logStreamNamePrefixes("api/")));
    put("live/streams", "api/1", "a1");
    put("live/streams", "api/2", "a2");
    put("live/streams", "worker/1", "w1");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(prefixed.messages()).containsExactlyInAnyOrder("a1", "a2"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(named.messages()).containsExactly("a2"));
    assertThat(named.starts.getFirst().logStreamNames()).containsExactly("api/2");
  }

  @Test
  void errorsComeBeforeTheStream() {
    group("live/errors", "s");
    Tail missing = tail(b -> b.logGroupIdentifiers("live/no-such-group"));
    assertThat(failure(missing))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("The specified log group does not exist");
    Tail both =
        tail(
            b ->
                b.logGroupIdentifiers("live/errors")
                    .logStreamNames("s")
                    .logStreamNamePrefixes("s"));
    assertThat(failure(both))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("mutually exclusive");
    Tail star = tail(b -> b.logGroupIdentifiers(arn("live/errors") + ":*"));
    assertThat(failure(star))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("logGroupIdentifiers[0]");
    Tail badPattern =
        tail(b -> b.logGroupIdentifiers("live/errors").logEventFilterPattern("{ $.a = "));
    assertThat(failure(badPattern)).isInstanceOf(InvalidParameterException.class);
    assertThat(missing.starts).isEmpty();
  }

  private static Throwable failure(Tail tail) {
    Throwable thrown = null;
    try {
      tail.done.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      thrown = e;
    }
    assertThat(thrown).as("the session was refused").isNotNull();
    while ((thrown instanceof CompletionException
            || thrown instanceof java.util.concurrent.ExecutionException)
        && thrown.getCause() != null) {
      thrown = thrown.getCause();
    }
    return thrown;
  }

  /**
   * CloudWatch's quota of 15 concurrent sessions: the 16th is refused, and a session the client
   * cancels is released by the server, so another can start.
   */
  @Test
  void cancelledSessionsAreReleasedAndTheQuotaHolds() throws Exception {
    // A server of its own: the sessions this test leaves are released only after it ends.
    try (TestServer own = TestServer.start();
        CloudWatchLogsClient ownLogs = LogsSdkTest.client(own.endpoint());
        CloudWatchLogsAsyncClient ownAsync = asyncClient(own.endpoint())) {
      ownLogs.createLogGroup(b -> b.logGroupName("live/quota"));
      ownLogs.createLogStream(b -> b.logGroupName("live/quota").logStreamName("s"));
      List<Tail> open = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        open.add(started(tail(ownAsync, b -> b.logGroupIdentifiers("live/quota"))));
      }
      Tail sixteenth = tail(ownAsync, b -> b.logGroupIdentifiers("live/quota"));
      assertThat(failure(sixteenth))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("15");
      Tail cancelled = open.getFirst();
      cancelled.cancel();
      // Released once the server's next update finds the connection gone: then another starts.
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                Tail another = tail(ownAsync, b -> b.logGroupIdentifiers("live/quota"));
                await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> another.done.isDone() || !another.starts.isEmpty());
                return !another.starts.isEmpty();
              });
      put(ownLogs, "live/quota", "s", "after the cancel");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(open.getLast().messages()).contains("after the cancel"));
      assertThat(cancelled.messages()).doesNotContain("after the cancel");
      tails.forEach(Tail::cancel);
    }
  }
}
