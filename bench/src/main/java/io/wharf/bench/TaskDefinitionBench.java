package io.wharf.bench;

import io.wharf.bench.ClosedLoop.Figures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * RegisterTaskDefinition and DescribeTaskDefinition with 10,000 revisions stored, and server
 * start-up with that data, each next to a baseline measured in the same run.
 *
 * <pre>
 *  1. start-up, empty:   new data dirs, then restarts of one with an empty database (median of N)
 *  2. store revisions:   RegisterTaskDefinition from several clients until 10,000 are stored
 *  3. start-up, loaded:  SIGTERM, restart on the same data dir (median of N)
 *  4. requests:          a JIT warm-up (not recorded), then per client count, in rounds:
 *                        ListClusters (the baseline: a signed request that reads nothing),
 *                        DescribeTaskDefinition (family / family:revision / ARN),
 *                        RegisterTaskDefinition (new revisions of the stored families)
 * </pre>
 *
 * <p>It prints figures and never fails on time; it fails only when the server answers wrongly or
 * not at all. Progress goes to stderr, the report (Markdown) to stdout. Settings: {@link
 * BenchSettings}.
 */
public final class TaskDefinitionBench {
  // A server that printed its ready line but does not answer within this is broken, not slow.
  private static final long FIRST_ANSWER_TIMEOUT_NANOS = 30_000_000_000L;

  private final BenchSettings settings;
  private final Workload workload;
  private final Path root;
  private final long began = System.nanoTime();

  // Revisions stored so far, and the number of the next registration (see Workload).
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong nextRegistration = new AtomicLong();
  // Registrations stop when nextRegistration reaches this; each phase sets how many it sends.
  private final AtomicLong registrationLimit = new AtomicLong();

  private TaskDefinitionBench(BenchSettings settings, Path root) {
    this.settings = settings;
    this.workload = new Workload(settings.seed(), settings.families());
    this.root = root;
  }

  public static void main(String[] args) throws Exception {
    // The report's numbers read the same on every machine: 10,000.5, not 10.000,5.
    Locale.setDefault(Locale.ROOT);
    BenchSettings settings = BenchSettings.fromSystemProperties();
    Path root = Files.createTempDirectory("wharf-bench");
    try {
      System.out.print(new TaskDefinitionBench(settings, root).run());
      System.out.flush();
    } finally {
      TempDirs.delete(root);
    }
  }

  /** One line of the request table: a measured phase and the baseline it is compared with. */
  private record RequestRow(
      String operation, int clients, long storedAtStart, Figures figures, Figures baseline) {}

  private String run() throws Exception {
    double loadBefore = Machine.loadAverage();
    progress("machine: " + Machine.describe());
    progress("server: java -jar " + settings.serverJar() + "; data under " + root);

    // 1. Start-up with nothing stored. The first start is not timed: it brings the JVM, the jars
    // and SQLite's native library into the page cache and loads the SDK's classes in this JVM.
    progress("start-up: one untimed start, then " + settings.startups() + " of each kind");
    timeStartups(root.resolve("untimed"), new StartupTimes("untimed"), 1, ecs -> {});
    StartupTimes fresh = new StartupTimes("new data dir (nothing on disk)");
    for (int i = 0; i < settings.startups(); i++) {
      timeStartups(root.resolve("new-" + i), fresh, 1, ecs -> {});
    }
    StartupTimes empty = new StartupTimes("empty database (restart)");
    timeStartups(root.resolve("new-0"), empty, settings.startups(), ecs -> {});

    // 2. Store the revisions; the seeding is itself a RegisterTaskDefinition figure (cold server).
    Path data = root.resolve("data");
    List<RequestRow> rows = new ArrayList<>();
    long dataBytes;
    try (WharfServer server = WharfServer.start(data, settings.serverJar())) {
      progress(
          "storing %,d revisions in %,d families with %d clients"
              .formatted(settings.revisions(), settings.families(), settings.seedClients()));
      registrationLimit.set(settings.revisions());
      Figures seeding;
      try (ClosedLoop loop = new ClosedLoop(server.endpoint(), settings.seedClients())) {
        seeding = loop.run(loop.callers(registering()), 0, Long.MAX_VALUE);
      }
      if (seeding.errors() > 0) {
        throw new IllegalStateException(
            seeding.errors() + " registrations failed while storing: " + seeding.firstError());
      }
      rows.add(
          new RequestRow(
              "RegisterTaskDefinition, storing (cold)", settings.seedClients(), 0, seeding, null));
      progress("  RegisterTaskDefinition" + summary(seeding));
      try (EcsClient ecs = Clients.ecs(server.endpoint())) {
        checkStored(ecs);
      }
      server.stop();
      dataBytes = sizeOf(data);
    }

    // 3. Start-up with the revisions stored: every restart must find them all.
    StartupTimes loaded = new StartupTimes("%,d revisions (restart)".formatted(stored.get()));
    progress("start-up with %,d revisions stored".formatted(stored.get()));
    timeStartups(data, loaded, settings.startups(), this::checkStored);

    // 4. Requests at each client count.
    try (WharfServer server = WharfServer.start(data, settings.serverJar())) {
      warmUp(server);
      for (int clients : settings.clients()) {
        rows.addAll(measureAt(server, clients));
      }
      server.stop();
    }
    return report(rows, List.of(fresh, empty, loaded), empty, loaded, dataBytes, loadBefore);
  }

  // ---- Start-up ----

  /**
   * Starts and stops the server {@code runs} times on {@code dataDir}, timing each start-up to the
   * ready line and to the first answer, and each SIGTERM to the exit.
   */
  private void timeStartups(Path dataDir, StartupTimes into, int runs, Consumer<EcsClient> check)
      throws IOException, InterruptedException {
    for (int i = 0; i < runs; i++) {
      WharfServer server = WharfServer.start(dataDir, settings.serverJar());
      try {
        long answered;
        long asked;
        // Built after the ready line, as a client that waits for it would: the port is only known
        // then. Building a client costs a few milliseconds once the SDK's classes are loaded.
        try (EcsClient ecs = Clients.ecs(server.endpoint())) {
          asked = System.nanoTime();
          answered = firstAnswer(ecs);
          check.accept(ecs);
        }
        long toExit = server.stop();
        long toFirstAnswer = answered - server.spawnedNanos();
        into.add(
            new StartupTimes.Sample(
                server.nanosToReady(), toFirstAnswer, answered - asked, toExit));
        progress(
            "  %s: ready %.0f ms, first answer %.0f ms (the request itself %.0f ms), exit %.0f ms"
                .formatted(
                    into.label(),
                    server.nanosToReady() / 1e6,
                    toFirstAnswer / 1e6,
                    (answered - asked) / 1e6,
                    toExit / 1e6));
      } finally {
        server.close();
      }
    }
  }

  /** Sends ListClusters until one succeeds; returns when it was answered. */
  private static long firstAnswer(EcsClient ecs) throws InterruptedException {
    long start = System.nanoTime();
    while (true) {
      try {
        ecs.listClusters();
        return System.nanoTime();
      } catch (SdkException e) {
        if (System.nanoTime() - start > FIRST_ANSWER_TIMEOUT_NANOS) {
          throw new IllegalStateException(
              "The server printed its ready line but never answered", e);
        }
        Thread.sleep(5);
      }
    }
  }

  /** Every family's latest revision is there: nothing was lost by a stop or a restart. */
  private void checkStored(EcsClient ecs) {
    for (int f = 0; f < settings.families(); f++) {
      int expected =
          settings.revisionsPerFamily() + (f < settings.revisions() % settings.families() ? 1 : 0);
      String family = Workload.family(f);
      TaskDefinition latest =
          ecs.describeTaskDefinition(b -> b.taskDefinition(family)).taskDefinition();
      if (latest.revision() != expected) {
        throw new IllegalStateException(
            family + " is at revision " + latest.revision() + ", expected " + expected);
      }
    }
  }

  // ---- Requests ----

  /**
   * Measures the three operations at one client count. They alternate in short rounds, so that the
   * machine's drifting load (it is shared) falls on the baseline and the operations alike.
   */
  private List<RequestRow> measureAt(WharfServer server, int clients) throws InterruptedException {
    long atStart = stored.get();
    int rounds = settings.rounds();
    long slice = settings.duration().toNanos() / rounds;
    progress(
        ("%d client(s): %d warm-up requests per operation, then %d rounds of %.1f s per operation"
                + " (RegisterTaskDefinition: at most %,d requests in all)")
            .formatted(clients, settings.warmup(), rounds, slice / 1e9, settings.registrations()));
    Figures listed;
    Figures described;
    Figures registered;
    try (ClosedLoop loop = new ClosedLoop(server.endpoint(), clients)) {
      List<ClosedLoop.Caller> listing = loop.callers(listingClusters());
      List<ClosedLoop.Caller> describing = loop.callers(describing(clients));
      List<ClosedLoop.Caller> registering = loop.callers(registering());
      // Warm-up runs record nothing but count their errors.
      listed = loop.run(listing, settings.warmup(), 0);
      described = loop.run(describing, settings.warmup(), 0);
      registrationLimit.set(nextRegistration.get() + settings.warmup());
      registered = loop.run(registering, settings.warmup(), 0);
      for (int r = 0; r < rounds; r++) {
        listed = listed.plus(loop.run(listing, 0, slice));
        described = described.plus(loop.run(describing, 0, slice));
        // This round's share of the registrations; the first rounds take the remainder.
        int share =
            settings.registrations() / rounds + (r < settings.registrations() % rounds ? 1 : 0);
        registrationLimit.set(nextRegistration.get() + share);
        registered = registered.plus(loop.run(registering, 0, slice));
      }
    }
    progress("  ListClusters" + summary(listed));
    progress("  DescribeTaskDefinition" + summary(described));
    progress("  RegisterTaskDefinition" + summary(registered));
    return List.of(
        new RequestRow("ListClusters (baseline)", clients, atStart, listed, null),
        new RequestRow("DescribeTaskDefinition", clients, atStart, described, listed),
        new RequestRow("RegisterTaskDefinition", clients, atStart, registered, listed));
  }

  /**
   * Brings the freshly started server's JIT to steady state on all three operations before the
   * first measured client count; otherwise the 1-client figures would pay for it alone.
   */
  private void warmUp(WharfServer server) throws InterruptedException {
    int clients = settings.clients().stream().mapToInt(Integer::intValue).max().orElseThrow();
    int requests = settings.warmup() * 2;
    progress(
        "JIT warm-up: %d requests of each operation, %d clients, not recorded"
            .formatted(requests, clients));
    try (ClosedLoop loop = new ClosedLoop(server.endpoint(), clients)) {
      registrationLimit.set(nextRegistration.get() + requests);
      for (ClosedLoop.CallerFactory callers :
          List.of(listingClusters(), describing(clients), registering())) {
        Figures figures = loop.run(loop.callers(callers), requests, 0);
        if (figures.errors() > 0) {
          throw new IllegalStateException(
              figures.errors() + " requests failed in the warm-up: " + figures.firstError());
        }
      }
    }
  }

  private static ClosedLoop.CallerFactory listingClusters() {
    return (index, ecs) ->
        () -> {
          ecs.listClusters();
          return true;
        };
  }

  /** Each client looks up stored revisions at random, with its own seeded generator. */
  private ClosedLoop.CallerFactory describing(int clients) {
    int revisionsPerFamily = settings.revisionsPerFamily();
    return (index, ecs) -> {
      SplittableRandom random =
          new SplittableRandom(settings.seed() * 1_000_003 + clients * 64L + index);
      return () -> {
        String key = workload.lookup(random, revisionsPerFamily);
        TaskDefinition found =
            ecs.describeTaskDefinition(b -> b.taskDefinition(key)).taskDefinition();
        // A wrong answer is an error, not a fast success.
        if (!key.equals(found.family())
            && !key.equals(found.family() + ":" + found.revision())
            && !key.equals(found.taskDefinitionArn())) {
          throw new IllegalStateException(
              "Asked for " + key + ", got " + found.taskDefinitionArn());
        }
        return true;
      };
    };
  }

  /**
   * Registrations in {@link Workload} order, shared by all clients, until the next registration's
   * number reaches {@link #registrationLimit}.
   */
  private ClosedLoop.CallerFactory registering() {
    return (index, ecs) ->
        () -> {
          long n;
          do {
            n = nextRegistration.get();
            if (n >= registrationLimit.get()) {
              return false;
            }
            // Claim n only if no other client did; a number is never skipped.
          } while (!nextRegistration.compareAndSet(n, n + 1));
          ecs.registerTaskDefinition(workload.registration(n));
          stored.incrementAndGet();
          return true;
        };
  }

  // ---- Report ----

  private String report(
      List<RequestRow> rows,
      List<StartupTimes> startups,
      StartupTimes empty,
      StartupTimes loaded,
      long dataBytes,
      double loadBefore) {
    StringBuilder out = new StringBuilder();
    out.append("\n## Wharf task definition benchmark\n\n");
    out.append("- Machine: ").append(Machine.describe()).append('\n');
    out.append(
        "- Load average (1 min): %.2f at start, %.2f at end (the machine is shared: compare medians and ratios)\n"
            .formatted(loadBefore, Machine.loadAverage()));
    out.append(
        "- Server: `wharf server` in a child JVM (`java -jar app/target/wharf.jar`, same JDK),"
            + " SQLite WAL with synchronous=FULL, data dir on the temp file system\n");
    out.append(
        "- Stored: %,d task definition revisions in %,d families before measuring (2 containers each; data dir %.1f MiB, %.1f KiB per revision); %,d at the end\n"
            .formatted(
                settings.revisions(),
                settings.families(),
                dataBytes / (1024.0 * 1024),
                dataBytes / 1024.0 / settings.revisions(),
                stored.get()));
    out.append(
        ("- At each client count: %d warm-up requests per operation (not recorded), then %d rounds"
                + " alternating ListClusters, DescribeTaskDefinition and RegisterTaskDefinition, %.1f s"
                + " per operation in all (RegisterTaskDefinition: at most %,d requests in all);"
                + " closed-loop clients, each its own SDK client with no retries; seed %d\n")
            .formatted(
                settings.warmup(),
                settings.rounds(),
                settings.duration().toMillis() / 1e3,
                settings.registrations(),
                settings.seed()));
    out.append("- Run took %.0f s\n\n".formatted((System.nanoTime() - began) / 1e9));

    out.append("### Requests\n\n");
    MarkdownTable requests =
        new MarkdownTable(
            "Operation",
            "Clients",
            "Stored",
            "Requests",
            "Errors",
            "Req/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "p50 × base",
            "p99 × base",
            "Req/s × base");
    for (RequestRow row : rows) {
      Figures f = row.figures();
      Figures b = row.baseline();
      requests.row(
          row.operation(),
          Integer.toString(row.clients()),
          "%,d".formatted(row.storedAtStart()),
          "%,d".formatted(f.requests()),
          Long.toString(f.errors()),
          "%,.0f".formatted(f.throughput()),
          "%.2f".formatted(f.millisAt(50)),
          "%.2f".formatted(f.millisAt(99)),
          "%.1f".formatted(f.maxMillis()),
          b == null ? "" : "%.2f".formatted(f.millisAt(50) / b.millisAt(50)),
          b == null ? "" : "%.2f".formatted(f.millisAt(99) / b.millisAt(99)),
          b == null ? "" : "%.2f".formatted(f.throughput() / b.throughput()));
    }
    out.append(requests.render());
    out.append(
        "\n\"× base\": the figure divided by ListClusters' at the same client count (a signed request that reads nothing).\n\n");

    out.append("### Start-up\n\n");
    out.append(
        "From spawning `wharf server` to reading its ready line, and to the answer of the first"
            + " ListClusters sent after it (\"first request alone\": that request's own latency, the"
            + " server's cold request path).\n\n");
    MarkdownTable table =
        new MarkdownTable(
            "Data directory",
            "Runs",
            "Ready, median ms",
            "Ready, min–max ms",
            "First answer, median ms",
            "First request alone, median ms",
            "SIGTERM to exit, median ms");
    for (StartupTimes s : startups) {
      table.row(
          s.label(),
          Integer.toString(s.runs()),
          "%.0f".formatted(s.medianReadyMillis()),
          s.readyRangeMillis(),
          "%.0f".formatted(s.medianFirstAnswerMillis()),
          "%.0f".formatted(s.medianFirstRequestMillis()),
          "%.0f".formatted(s.medianExitMillis()));
    }
    out.append(table.render());
    out.append(
        "\nWith %,d revisions stored, start-up to the ready line takes %.2f× and to the first answer %.2f× that of an empty database.\n"
            .formatted(
                settings.revisions(),
                loaded.medianReadyMillis() / empty.medianReadyMillis(),
                loaded.medianFirstAnswerMillis() / empty.medianFirstAnswerMillis()));
    return out.toString();
  }

  private static String summary(Figures f) {
    return String.format(
        Locale.ROOT,
        " -> %,d requests in %.1f s: %,.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d errors%s",
        f.requests(),
        f.seconds(),
        f.throughput(),
        f.millisAt(50),
        f.millisAt(99),
        f.maxMillis(),
        f.errors(),
        f.firstError() == null ? "" : " (first: " + f.firstError() + ")");
  }

  private void progress(String message) {
    System.err.printf(
        Locale.ROOT, "bench [%5.1fs] %s%n", (System.nanoTime() - began) / 1e9, message);
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(TaskDefinitionBench::size).sum();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
