package io.wharf.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.ContainerSpec;
import io.wharf.runtime.ContainerState;
import io.wharf.runtime.LogFrame;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery against a Logs endpoint that keeps events in memory and an engine log that grows
 * while it is read: every line once and in order, across a delivery stopped and started again on
 * its cursor (the agent killed) and across answers lost after the batch was stored.
 */
class AwslogsDeliveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** CloudWatch Logs as far as the delivery uses it, with one stream. */
  static final class FakeLogs implements AutoCloseable {
    final HttpServer server;
    final List<String> stored = new ArrayList<>();

    /** Batches to store and then answer with a server error, as if the answer were lost. */
    final AtomicInteger loseAnswers = new AtomicInteger();

    FakeLogs() throws Exception {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/",
          exchange -> {
            String target = exchange.getRequestHeaders().getFirst("x-amz-target");
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            int status = 200;
            ObjectNode answer = JSON.createObjectNode();
            synchronized (stored) {
              switch (target.substring(target.indexOf('.') + 1)) {
                case "CreateLogGroup", "CreateLogStream" -> {}
                case "PutLogEvents" -> {
                  for (JsonNode e : body.path("logEvents")) {
                    stored.add(e.path("message").asText());
                  }
                  answer.put("nextSequenceToken", String.format("%056d", stored.size()));
                  if (loseAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    status = 500;
                    answer = JSON.createObjectNode();
                    answer.put("__type", "ServiceUnavailableException").put("message", "lost");
                  }
                }
                case "GetLogEvents" ->
                    answer
                        .put("nextForwardToken", String.format("f/%019d", stored.size()))
                        .put("nextBackwardToken", "b/0")
                        .putArray("events");
                default -> throw new IllegalStateException(target);
              }
            }
            byte[] out = JSON.writeValueAsBytes(answer);
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
          });
      server.start();
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<String> stored() {
      synchronized (stored) {
        return List.copyOf(stored);
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** An engine whose one container writes numbered lines, 1 ms apart, as the test lets it. */
  static final class GrowingLog implements ContainerRuntime {
    static final Instant T0 = Instant.parse("2026-12-08T01:00:00Z");
    private final List<LogFrame> frames = new ArrayList<>();
    private boolean ended;

    synchronized void write(int count) {
      for (int i = 0; i < count; i++) {
        int n = frames.size() + 1;
        Instant at = T0.plusMillis(n).plusNanos(n % 1000);
        frames.add(
            new LogFrame(
                n % 3 == 0 ? LogFrame.Source.STDERR : LogFrame.Source.STDOUT,
                at.toString(),
                at,
                (n + "\n").getBytes(StandardCharsets.UTF_8)));
      }
      notifyAll();
    }

    synchronized void end() {
      ended = true;
      notifyAll();
    }

    synchronized int size() {
      return frames.size();
    }

    @Override
    public void followLogs(String containerId, Instant since, Consumer<LogFrame> sink)
        throws InterruptedException {
      int next = 0;
      while (true) {
        LogFrame f;
        synchronized (this) {
          while (next == frames.size() && !ended) {
            wait();
          }
          if (next == frames.size()) {
            return;
          }
          f = frames.get(next++);
        }
        // The engine's since is whole seconds: entries from that second on.
        if (since == null || f.time().getEpochSecond() >= since.getEpochSecond()) {
          sink.accept(f);
        }
      }
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public boolean hasImage(String image) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void pull(String image) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String create(ContainerSpec spec) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void start(String containerId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void stop(String containerId, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void remove(String containerId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ContainerState> inspect(String containerId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<ContainerState> list(Map<String, String> labels) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Subscription events(
        Map<String, String> labels,
        Consumer<ContainerEvent> listener,
        Consumer<Throwable> onClose) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  private static final String CONTAINER = "0123456789abcdef0123456789abcdef";
  private final List<AwslogsDelivery> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(AwslogsDelivery::stop);
  }

  private AwslogsDelivery delivery(FakeLogs logs, GrowingLog log, Path dir) {
    ControlPlaneClient client =
        new ControlPlaneClient(logs.endpoint(), "us-east-1", Clock.systemUTC());
    client.use(new AgentKey("AKIDTEST", "secret", "arn:instance", "arn:cluster"));
    AwslogsOptions options =
        new AwslogsOptions("g", "app", false, AwslogsOptions.Mode.BLOCKING, 1 << 20, null);
    AwslogsDelivery d =
        new AwslogsDelivery(
            client, log, CONTAINER, options, "app/main/t", dir.resolve(CONTAINER + ".json"));
    started.add(d);
    d.start();
    return d;
  }

  private static List<String> numbers(int last) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= last; i++) {
      out.add(String.valueOf(i));
    }
    return out;
  }

  @Test
  void everyLineArrivesOnceInOrderAndTheDeliveryEndsWithTheLog() throws Exception {
    try (FakeLogs logs = new FakeLogs()) {
      GrowingLog log = new GrowingLog();
      Path dir = Files.createTempDirectory("awslogs-delivery");
      AwslogsDelivery d = delivery(logs, log, dir);
      for (int i = 0; i < 20; i++) {
        log.write(100);
        Thread.sleep(100);
      }
      log.end();
      await().atMost(Duration.ofSeconds(30)).until(() -> !d.isRunning());
      assertThat(logs.stored()).containsExactlyElementsOf(numbers(2000));
      assertThat(DeliveryCursor.load(dir.resolve(CONTAINER + ".json")).complete()).isTrue();
    }
  }

  @Test
  void aDeliveryStoppedMidStreamAndStartedAgainOnItsCursorRepeatsAndLosesNothing()
      throws Exception {
    try (FakeLogs logs = new FakeLogs()) {
      GrowingLog log = new GrowingLog();
      Path dir = Files.createTempDirectory("awslogs-delivery");
      for (int round = 0; round < 4; round++) {
        AwslogsDelivery d = delivery(logs, log, dir);
        int before = logs.stored().size();
        for (int i = 0; i < 10; i++) {
          log.write(70);
          Thread.sleep(150);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> logs.stored().size() > before);
        d.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> !d.isRunning());
        log.write(300); // written while no delivery runs
      }
      AwslogsDelivery last = delivery(logs, log, dir);
      log.end();
      await().atMost(Duration.ofSeconds(30)).until(() -> !last.isRunning());
      assertThat(logs.stored()).containsExactlyElementsOf(numbers(log.size()));
    }
  }

  @Test
  void aBatchWhoseAnswerIsLostAfterItWasStoredIsNotSentAgain() throws Exception {
    try (FakeLogs logs = new FakeLogs()) {
      GrowingLog log = new GrowingLog();
      Path dir = Files.createTempDirectory("awslogs-delivery");
      logs.loseAnswers.set(2);
      AwslogsDelivery d = delivery(logs, log, dir);
      // Lines keep coming until two batches have met a lost answer.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (logs.loseAnswers.get() > 0 && System.nanoTime() < deadline) {
        log.write(50);
        Thread.sleep(200);
      }
      assertThat(logs.loseAnswers.get()).isZero();
      log.write(100);
      log.end();
      await().atMost(Duration.ofSeconds(60)).until(() -> !d.isRunning());
      assertThat(logs.stored()).containsExactlyElementsOf(numbers(log.size()));
    }
  }
}
