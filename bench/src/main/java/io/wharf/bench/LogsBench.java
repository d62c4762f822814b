package io.wharf.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsAsyncClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionStart;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionUpdate;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailResponseHandler;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailResponseStream;

/**
 * CloudWatch Logs on a real server ({@code app/target/wharf.jar} as {@code wharf server}):
 *
 * <ol>
 *   <li>FilterLogEvents for a rare term over {@code events} stored 200-byte events (ingested
 *       through the API, PutLogEvents in 1 MB batches), against {@code grep -c} over the same lines
 *       in a plain file, in the same run;
 *   <li>put → StartLiveTail: from PutLogEvents sent to the event read from a live session;
 *   <li>put → {@code aws logs tail --follow} (Debian's CLI v2), from PutLogEvents sent to the line
 *       printed;
 *   <li>a container's lines → the agent's awslogs delivery → stored, against {@code docker logs
 *       --follow} of the same output ({@link ContainerIngest}).
 * </ol>
 *
 * <p>Settings: {@code wharf.bench.logs.events} (10000000), {@code .streams} (10), {@code .rare} (20
 * events holding the rare term), {@code .queries} (25), {@code .liveSamples} (100), {@code
 * .tailSamples} (20), {@code .containerLines} (500000), {@code .containerRounds} (3), {@code
 * .phases} (filter,live,tail,container), {@code wharf.bench.serverJar}.
 */
public final class LogsBench {
  private static final String GROUP = "bench/app";
  private static final String RARE = "needle-7f3a9c";
  private static final int LINE_BYTES = 200;

  /**
   * What a batch's JSON body may hold: the front reads at most 1 MiB of body today (the awslogs
   * branch raises it for PutLogEvents), less than CloudWatch's 1,048,576 bytes of events counting
   * 26 each, so batches are cut by their JSON size, with room to spare.
   */
  private static final int BATCH_BYTES = 1_000_000;

  /** An event's JSON besides its message: {"timestamp":1765155600000,"message":""}, and a comma. */
  private static final int EVENT_OVERHEAD = 48;

  private static final String[] WORDS = {
    "GET",
    "POST",
    "PUT",
    "DELETE",
    "INFO",
    "WARN",
    "DEBUG",
    "user",
    "order",
    "cart",
    "payment",
    "session",
    "cache",
    "miss",
    "hit",
    "db",
    "query",
    "latency",
    "retry",
    "upstream",
    "timeout",
    "ok",
    "created",
    "updated",
    "worker",
    "queue",
    "job",
    "done",
    "started",
    "items",
    "checkout"
  };

  private LogsBench() {}

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("wharf.bench.logs.events", 10_000_000L);
    int streams = Integer.getInteger("wharf.bench.logs.streams", 10);
    int rare = Integer.getInteger("wharf.bench.logs.rare", 20);
    int queries = Integer.getInteger("wharf.bench.logs.queries", 25);
    int liveSamples = Integer.getInteger("wharf.bench.logs.liveSamples", 100);
    int tailSamples = Integer.getInteger("wharf.bench.logs.tailSamples", 20);
    long containerLines = Long.getLong("wharf.bench.logs.containerLines", 500_000L);
    int containerRounds = Integer.getInteger("wharf.bench.logs.containerRounds", 3);
    List<String> phases =
        List.of(
            System.getProperty("wharf.bench.logs.phases", "filter,live,tail,container").split(","));
    Path jar = BenchSettings.serverJarFromProperty();
    Path dir = Files.createTempDirectory("wharf-bench-logs");
    StringBuilder report = new StringBuilder("# LogsBench\n\n");
    report.append(Machine.describe()).append("\n\n");
    try (WharfServer server = WharfServer.start(dir.resolve("server"), jar);
        CloudWatchLogsClient logs = client(server.endpoint())) {
      logs.createLogGroup(b -> b.logGroupName(GROUP));
      for (int s = 0; s < streams; s++) {
        String name = "s" + s;
        logs.createLogStream(b -> b.logGroupName(GROUP).logStreamName(name));
      }
      if (phases.contains("filter")) {
        report.append(filter(logs, dir, events, streams, rare, queries));
      }
      if (phases.contains("live")) {
        report.append(live(logs, server.endpoint(), liveSamples));
      }
      if (phases.contains("tail")) {
        report.append(tail(logs, server.endpoint(), tailSamples));
      }
      if (phases.contains("container")) {
        report.append(
            new ContainerIngest(containerLines, containerRounds).run(server, logs, jar, dir));
      }
    } finally {
      TempDirs.delete(dir);
    }
    System.out.print(report);
  }

  static CloudWatchLogsClient client(String endpoint) {
    return CloudWatchLogsClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .build();
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(WharfServer.KEY_ID, WharfServer.SECRET));
  }

  /** The i-th line: 200 bytes of a plausible access log, the rare term in {@code rare} of them. */
  private static String line(long i, long total, int rare, SplittableRandom random) {
    StringBuilder b = new StringBuilder(LINE_BYTES + 32);
    b.append("2026-12-08T01:")
        .append(String.format("%02d:%02d.%03d", (i / 60_000) % 60, (i / 1000) % 60, i % 1000))
        .append("Z ")
        .append(WORDS[random.nextInt(4, 7)])
        .append(" [worker-")
        .append(random.nextInt(32))
        .append("] req=")
        .append(Long.toHexString(random.nextLong()))
        .append(' ');
    long every = Math.max(1, total / Math.max(1, rare));
    if (rare > 0 && i % every == every / 2) {
      b.append(RARE).append(' ');
    }
    while (b.length() < LINE_BYTES) {
      b.append(WORDS[random.nextInt(WORDS.length)])
          .append('=')
          .append(random.nextInt(10_000))
          .append(' ');
    }
    b.setLength(LINE_BYTES);
    return b.toString();
  }

  private static String filter(
      CloudWatchLogsClient logs, Path dir, long events, int streams, int rare, int queries)
      throws Exception {
    Path plain = dir.resolve("lines.txt");
    long perStream = events / streams;
    long base = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    System.err.printf("LogsBench: ingesting %,d events into %d streams%n", events, streams);
    long ingestStart = System.nanoTime();
    AtomicLong stored = new AtomicLong();
    // Two putters (the machine has 2 cores); each writes its streams' lines to its own plain
    // file, joined for grep afterwards.
    int putters = 2;
    ExecutorService pool = Executors.newFixedThreadPool(putters);
    List<Future<Path>> parts = new ArrayList<>();
    for (int p = 0; p < putters; p++) {
      int putter = p;
      parts.add(
          pool.submit(
              () -> {
                Path part = dir.resolve("part" + putter + ".txt");
                try (BufferedWriter out = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
                  SplittableRandom random = new SplittableRandom(42 + putter);
                  for (int s = putter; s < streams; s += putters) {
                    String stream = "s" + s;
                    List<InputLogEvent> batch = new ArrayList<>();
                    long bytes = 0;
                    for (long k = 0; k < perStream; k++) {
                      long global = k * streams + s;
                      String text = line(global, events, rare, random);
                      out.write(text);
                      out.write('\n');
                      // Timestamps spread over the last hour, in order within the stream.
                      long ts = base + k * Duration.ofHours(1).toMillis() / perStream;
                      batch.add(InputLogEvent.builder().timestamp(ts).message(text).build());
                      bytes += text.length() + EVENT_OVERHEAD;
                      if (batch.size() == 10_000
                          || bytes + LINE_BYTES + EVENT_OVERHEAD > BATCH_BYTES) {
                        put(logs, stream, batch);
                        stored.addAndGet(batch.size());
                        batch = new ArrayList<>();
                        bytes = 0;
                      }
                    }
                    if (!batch.isEmpty()) {
                      put(logs, stream, batch);
                      stored.addAndGet(batch.size());
                    }
                    System.err.printf("LogsBench: %,d events stored%n", stored.get());
                  }
                }
                return part;
              }));
    }
    try (var out = Files.newOutputStream(plain)) {
      for (Future<Path> f : parts) {
        Path part = f.get();
        Files.copy(part, out);
        Files.delete(part);
      }
    } finally {
      // Also when a putter failed: its pool's threads would otherwise keep the JVM alive.
      pool.shutdownNow();
    }
    double ingestSeconds = (System.nanoTime() - ingestStart) / 1e9;
    long expected = countLines(plain);
    Samples grep = new Samples("grep -c over the plain file");
    long grepCount = -1;
    for (int i = 0; i < 5; i++) {
      long t = System.nanoTime();
      grepCount = grepCount(plain);
      grep.addNanos(System.nanoTime() - t);
    }
    Samples filter = new Samples("FilterLogEvents, rare term, whole group");
    int found = -1;
    for (int i = 0; i < queries + 2; i++) {
      long t = System.nanoTime();
      FilterLogEventsResponse r =
          logs.filterLogEvents(b -> b.logGroupName(GROUP).filterPattern(RARE));
      long took = System.nanoTime() - t;
      if (r.nextToken() != null) {
        throw new IllegalStateException("FilterLogEvents paged a 20-event answer");
      }
      found = r.events().size();
      if (i >= 2) { // the first two warm the server's JIT and the page cache
        filter.addNanos(took);
      }
    }
    if (found != grepCount || grepCount != expected) {
      throw new IllegalStateException(
          "FilterLogEvents found " + found + ", grep -c " + grepCount + ", expected " + expected);
    }
    MarkdownTable table =
        new MarkdownTable("Rare term over the stored events", "n", "p50 ms", "p99 ms", "max ms");
    for (Samples s : List.of(filter, grep)) {
      table.row(
          s.label(),
          Integer.toString(s.count()),
          String.format("%.1f", s.median()),
          String.format("%.1f", s.p99()),
          String.format("%.1f", s.max()));
    }
    return "## FilterLogEvents for a rare term over "
        + String.format("%,d", stored.get())
        + " events of "
        + LINE_BYTES
        + " bytes (target: ≤ 1 s)\n\n"
        + String.format(
            "Ingested through the API (PutLogEvents, batches of < 1 MB of JSON, %d putters, %d streams) in"
                + " %.1f s (%.0f events/s, %.1f MB/s of lines). The term is in %d events; both"
                + " found %d.%n%n",
            putters,
            streams,
            ingestSeconds,
            stored.get() / ingestSeconds,
            stored.get() * (double) LINE_BYTES / ingestSeconds / 1e6,
            rare,
            found)
        + table.render()
        + "\n"
        + String.format(
            "FilterLogEvents p50 / grep -c p50: %.2f×%n%n", filter.median() / grep.median());
  }

  private static long countLines(Path plain) throws IOException {
    try (var lines = Files.lines(plain)) {
      return lines.filter(l -> l.contains(RARE)).count();
    }
  }

  private static long grepCount(Path plain) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("grep", "-c", "-F", RARE, plain.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return Long.parseLong(out);
  }

  private static void put(CloudWatchLogsClient logs, String stream, List<InputLogEvent> batch) {
    var r = logs.putLogEvents(b -> b.logGroupName(GROUP).logStreamName(stream).logEvents(batch));
    if (r.rejectedLogEventsInfo() != null) {
      throw new IllegalStateException("Events were rejected: " + r.rejectedLogEventsInfo());
    }
  }

  /** Puts one event "&lt;prefix&gt;-&lt;i&gt;" now, and returns when the put was sent. */
  private static long putMarked(CloudWatchLogsClient logs, String message) {
    long sent = System.nanoTime();
    put(
        logs,
        "s0",
        List.of(
            InputLogEvent.builder()
                .timestamp(System.currentTimeMillis())
                .message(message)
                .build()));
    return sent;
  }

  private static String live(CloudWatchLogsClient logs, String endpoint, int samples)
      throws Exception {
    System.err.printf("LogsBench: put -> StartLiveTail, %d samples%n", samples);
    Map<String, Long> received = new ConcurrentHashMap<>();
    List<LiveTailSessionStart> starts = new java.util.concurrent.CopyOnWriteArrayList<>();
    Subscription[] subscription = new Subscription[1];
    Subscriber<StartLiveTailResponseStream> subscriber =
        new Subscriber<>() {
          @Override
          public void onSubscribe(Subscription s) {
            subscription[0] = s;
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(StartLiveTailResponseStream event) {
            long now = System.nanoTime();
            if (event instanceof LiveTailSessionStart start) {
              starts.add(start);
            } else if (event instanceof LiveTailSessionUpdate update) {
              for (LiveTailSessionLogEvent e : update.sessionResults()) {
                received.putIfAbsent(e.message(), now);
              }
            }
          }

          @Override
          public void onError(Throwable t) {
            System.err.println("LogsBench: the live tail failed: " + t);
          }

          @Override
          public void onComplete() {}
        };
    Samples latency = new Samples("put → StartLiveTail update received");
    try (CloudWatchLogsAsyncClient async =
        CloudWatchLogsAsyncClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .overrideConfiguration(
                c ->
                    c.putAdvancedOption(
                        SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
            .httpClientBuilder(NettyNioAsyncHttpClient.builder())
            .build()) {
      var done =
          async.startLiveTail(
              b -> b.logGroupIdentifiers(GROUP).logEventFilterPattern("live"),
              StartLiveTailResponseHandler.builder()
                  .onEventStream(p -> p.subscribe(subscriber))
                  .build());
      waitFor(() -> !starts.isEmpty(), Duration.ofSeconds(30), "the session's start");
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < samples; i++) {
        String message = "live-" + i;
        long sent = putMarked(logs, message);
        waitFor(() -> received.containsKey(message), Duration.ofSeconds(30), message);
        latency.addNanos(received.get(message) - sent);
        // A random pause, so that puts fall anywhere in the session's second.
        Thread.sleep(random.nextInt(50, 1_050));
      }
      subscription[0].cancel();
      done.cancel(true);
    }
    return "## put → StartLiveTail (target: p99 ≤ 1.2 s)\n\n"
        + "From PutLogEvents sent to the event read from a live session's update (the SDK's"
        + " CloudWatchLogsAsyncClient), one event at a time at random moments; the session"
        + " sends an update each second.\n\n"
        + latencyTable(latency);
  }

  private static String tail(CloudWatchLogsClient logs, String endpoint, int samples)
      throws Exception {
    Path cli = Path.of("/usr/bin/aws");
    if (!Files.isExecutable(cli)) {
      return "## put → aws logs tail --follow\n\nNot measured: no /usr/bin/aws.\n\n";
    }
    System.err.printf("LogsBench: put -> aws logs tail --follow, %d samples%n", samples);
    ProcessBuilder pb =
        new ProcessBuilder(
                cli.toString(),
                "--endpoint-url",
                endpoint,
                "--region",
                "us-east-1",
                "logs",
                "tail",
                GROUP,
                "--follow",
                "--since",
                "1m",
                "--format",
                "short")
            .redirectErrorStream(true);
    pb.environment().put("AWS_ACCESS_KEY_ID", WharfServer.KEY_ID);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", WharfServer.SECRET);
    pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
    pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    pb.environment().put("AWS_PAGER", "");
    Process process = pb.start();
    Map<String, Long> printed = new ConcurrentHashMap<>();
    Thread reader =
        Thread.ofPlatform()
            .daemon(true)
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                      long now = System.nanoTime();
                      int at = l.indexOf("tail-");
                      if (at >= 0) {
                        printed.putIfAbsent(l.substring(at).strip(), now);
                      }
                    }
                  } catch (IOException e) {
                    // the process ended
                  }
                });
    Samples latency = new Samples("put → aws logs tail --follow prints it");
    try {
      // Its first poll shows a warm-up line; then every line is timed.
      String warm = "tail-warmup";
      putMarked(logs, warm);
      waitFor(() -> printed.containsKey(warm), Duration.ofSeconds(60), warm);
      SplittableRandom random = new SplittableRandom(11);
      for (int i = 0; i < samples; i++) {
        String message = "tail-" + i;
        long sent = putMarked(logs, message);
        waitFor(() -> printed.containsKey(message), Duration.ofSeconds(60), message);
        latency.addNanos(printed.get(message) - sent);
        Thread.sleep(random.nextInt(100, 2_000));
      }
    } finally {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
      reader.join(5_000);
    }
    return "## put → aws logs tail --follow (target: p99 ≤ 5.5 s)\n\n"
        + "From PutLogEvents sent to the line printed by Debian's aws CLI v2 (which polls"
        + " FilterLogEvents every 5 s), one event at a time at random moments.\n\n"
        + latencyTable(latency);
  }

  private static String latencyTable(Samples s) {
    return new MarkdownTable("Latency", "n", "p50 ms", "p99 ms", "max ms")
            .row(
                s.label(),
                Integer.toString(s.count()),
                String.format("%.0f", s.median()),
                String.format("%.0f", s.p99()),
                String.format("%.0f", s.max()))
            .render()
        + "\n";
  }

  private static void waitFor(
      java.util.function.BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("LogsBench: no sign of " + what + " within " + timeout);
      }
      Thread.sleep(2);
    }
  }
}
