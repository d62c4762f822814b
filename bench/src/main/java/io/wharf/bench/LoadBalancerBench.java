package io.wharf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * Requests per second and latency through a Wharf load balancer (HAProxy) next to the same load
 * sent straight to its two targets, measured in the same run; and how long a registered target
 * takes to receive traffic.
 *
 * <pre>
 *  wrk ──keep-alive──▶ listener (HAProxy, run by wharf server in a child JVM) ─┬─▶ target a 127.0.0.2
 *                                                                             └─▶ target b 127.0.0.3
 *  wrk ──keep-alive──▶ target a        wrk ──keep-alive──▶ target b        (the baseline, at once)
 *
 *  1. wharf server; an ip target group (checks every 5 s, 2 to be healthy), a listener, a and b
 *  2. warm-up: both paths, not recorded
 *  3. rounds, alternating which path goes first:
 *       saturated: wrk -t2 -cN through the listener | two wrk -t1 -c(N/2), one per target
 *       paced:     the same with a 1 ms pause after each response (latency below saturation)
 *       app:       saturated, with targets that wait 1 ms before answering (as on a database)
 *  4. register target c: time from RegisterTargets to c's first request, with checks (the
 *     health check must pass twice first) and with checks disabled (the data plane alone)
 * </pre>
 *
 * <p>The targets are JDK {@code HttpServer}s in this JVM answering {@code ok} (2 bytes) on every
 * path, with HTTP/1.1 keep-alive. Everything runs on this machine, so HAProxy, wrk and the targets
 * share its cores: the ratio is what the proxy costs where the CPUs are the limit. It prints
 * figures and never fails on time. Settings: {@code wharf.bench.lb.*} (see bench/README.md).
 */
public final class LoadBalancerBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  // Load balancers of this run get an address range of their own, away from a wharf up's default.
  private static final String ADDRESSES = "127.0.44.1-127.0.44.254";

  private record Settings(
      Duration duration,
      Duration warmup,
      int rounds,
      int connections,
      int pacedConnections,
      int pacedDelayMillis,
      int registrations,
      Path serverJar) {
    static Settings fromSystemProperties() {
      Settings s =
          new Settings(
              BenchSettings.parseDuration(System.getProperty("wharf.bench.lb.duration", "10s")),
              BenchSettings.parseDuration(System.getProperty("wharf.bench.lb.warmup", "5s")),
              Integer.getInteger("wharf.bench.lb.rounds", 3),
              Integer.getInteger("wharf.bench.lb.connections", 32),
              Integer.getInteger("wharf.bench.lb.pacedConnections", 8),
              Integer.getInteger("wharf.bench.lb.pacedDelay", 1),
              Integer.getInteger("wharf.bench.lb.registrations", 5),
              BenchSettings.serverJarFromProperty());
      if (s.connections < 2
          || s.connections % 2 != 0
          || s.pacedConnections < 2
          || s.pacedConnections % 2 != 0) {
        throw new IllegalArgumentException(
            "connections must be even and at least 2 (half per target)");
      }
      return s;
    }
  }

  /**
   * One wrk run's figures.
   *
   * @param proxyCpuMicros CPU time HAProxy spent per request (user + system, all its processes)
   * @param targetCpuMicros CPU time this JVM, where the targets run, spent per request
   */
  record Figures(
      double requestsPerSecond,
      double p50Micros,
      double p99Micros,
      long errors,
      double proxyCpuMicros,
      double targetCpuMicros) {}

  /** CPU time used so far, in microseconds: HAProxy's processes and this JVM. */
  record Cpu(long proxyMicros, long selfMicros) {
    static Path haproxyPidFile;

    static Cpu now() {
      long proxy = 0;
      try {
        if (haproxyPidFile != null && Files.exists(haproxyPidFile)) {
          long master = Long.parseLong(Files.readString(haproxyPidFile).trim());
          proxy += micros(master);
          for (ProcessHandle child :
              ProcessHandle.of(master).map(h -> h.children().toList()).orElse(List.of())) {
            proxy += micros(child.pid());
          }
        }
      } catch (IOException | NumberFormatException e) {
        proxy = -1;
      }
      return new Cpu(proxy, micros(ProcessHandle.current().pid()));
    }

    /** utime + stime of a process from /proc (clock ticks of 10 ms on Linux), in microseconds. */
    private static long micros(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000L;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /** A target: a JDK HttpServer answering "ok", remembering when it first served a request. */
  static final class Target implements AutoCloseable {
    final HttpServer server;
    final AtomicLong firstServedNanos = new AtomicLong();
    final AtomicLong served = new AtomicLong();

    /** How long each request (not a health check) waits before it is answered, as an app would. */
    volatile int workMillis;

    Target(String address) throws IOException {
      server = HttpServer.create(new InetSocketAddress(address, 0), 1024);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
      server.createContext(
          "/",
          exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/health")) {
              long now = System.nanoTime();
              if (served.getAndIncrement() == 0) {
                firstServedNanos.set(now);
              }
              if (workMillis > 0) {
                sleep(Duration.ofMillis(workMillis));
              }
            }
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
          });
      server.start();
    }

    String address() {
      return server.getAddress().getAddress().getHostAddress();
    }

    int port() {
      return server.getAddress().getPort();
    }

    String url() {
      return "http://" + address() + ":" + port() + "/";
    }

    TargetDescription description() {
      return TargetDescription.builder().id(address()).port(port()).build();
    }

    void reset() {
      served.set(0);
      firstServedNanos.set(0);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.fromSystemProperties();
    Path wrk = findWrk();
    Path script = Files.createTempFile("wharf-bench-wrk", ".lua");
    Files.writeString(script, WRK_SCRIPT);
    Path dataDir = Files.createTempDirectory("wharf-bench-lb");
    Cpu.haproxyPidFile = dataDir.resolve("haproxy").resolve("haproxy.pid");
    progress("wharf server (data dir " + dataDir + ")");
    try (WharfServer server =
            WharfServer.start(
                dataDir, settings.serverJar(), List.of("--load-balancer-addresses", ADDRESSES));
        Target a = new Target("127.0.0.2");
        Target b = new Target("127.0.0.3");
        Target c = new Target("127.0.0.4");
        ElasticLoadBalancingV2Client elb = client(server.endpoint())) {
      LoadBalancer lb = elb.createLoadBalancer(r -> r.name("bench")).loadBalancers().get(0);
      TargetGroup tg =
          elb.createTargetGroup(
                  r ->
                      r.name("bench-targets")
                          .protocol(ProtocolEnum.HTTP)
                          .port(80)
                          .targetType(TargetTypeEnum.IP)
                          .healthCheckPath("/health")
                          .healthCheckIntervalSeconds(5)
                          .healthCheckTimeoutSeconds(2)
                          .healthyThresholdCount(2)
                          .unhealthyThresholdCount(2))
              .targetGroups()
              .get(0);
      elb.modifyTargetGroupAttributes(
          r ->
              r.targetGroupArn(tg.targetGroupArn())
                  .attributes(x -> x.key("deregistration_delay.timeout_seconds").value("0")));
      int port = freePort(lb.dnsName());
      elb.createListener(
          r ->
              r.loadBalancerArn(lb.loadBalancerArn())
                  .protocol(ProtocolEnum.HTTP)
                  .port(port)
                  .defaultActions(
                      x -> x.type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn())));
      String listener = "http://" + lb.dnsName() + ":" + port + "/";
      elb.registerTargets(
          r -> r.targetGroupArn(tg.targetGroupArn()).targets(a.description(), b.description()));
      progress("waiting for targets a and b to be healthy");
      elb.waiter()
          .waitUntilTargetInService(
              r -> r.targetGroupArn(tg.targetGroupArn()).targets(a.description(), b.description()),
              w -> w.maxAttempts(120).backoffStrategy(x -> Duration.ofSeconds(1)));

      progress("warm-up");
      Run through = new Run(wrk, script, List.of(listener), settings.connections(), 0);
      Run direct = new Run(wrk, script, List.of(a.url(), b.url()), settings.connections(), 0);
      through.measure(settings.warmup());
      direct.measure(settings.warmup());

      List<Figures> saturatedLb = new ArrayList<>();
      List<Figures> saturatedDirect = new ArrayList<>();
      List<Figures> pacedLb = new ArrayList<>();
      List<Figures> pacedDirect = new ArrayList<>();
      List<Figures> appLb = new ArrayList<>();
      List<Figures> appDirect = new ArrayList<>();
      Run pacedThrough =
          new Run(
              wrk,
              script,
              List.of(listener),
              settings.pacedConnections(),
              settings.pacedDelayMillis());
      Run pacedDirectRun =
          new Run(
              wrk,
              script,
              List.of(a.url(), b.url()),
              settings.pacedConnections(),
              settings.pacedDelayMillis());
      for (int round = 1; round <= settings.rounds(); round++) {
        progress("round " + round + " of " + settings.rounds());
        boolean lbFirst = round % 2 == 1;
        for (int i = 0; i < 2; i++) {
          if ((i == 0) == lbFirst) {
            saturatedLb.add(through.measure(settings.duration()));
            pacedLb.add(pacedThrough.measure(settings.duration()));
          } else {
            saturatedDirect.add(direct.measure(settings.duration()));
            pacedDirect.add(pacedDirectRun.measure(settings.duration()));
          }
        }
        // Targets that take 1 ms per request (waiting, as on a database), saturated.
        a.workMillis = 1;
        b.workMillis = 1;
        for (int i = 0; i < 2; i++) {
          if ((i == 0) == lbFirst) {
            appLb.add(through.measure(settings.duration()));
          } else {
            appDirect.add(direct.measure(settings.duration()));
          }
        }
        a.workMillis = 0;
        b.workMillis = 0;
      }

      progress("register-to-traffic, health checks on (every 5 s, healthy after 2)");
      List<Double> withChecks = registerToTraffic(elb, tg, c, listener, settings.registrations());
      progress("register-to-traffic, health checks off");
      elb.modifyTargetGroup(r -> r.targetGroupArn(tg.targetGroupArn()).healthCheckEnabled(false));
      List<Double> withoutChecks =
          registerToTraffic(elb, tg, c, listener, settings.registrations());

      report(
          settings,
          saturatedLb,
          saturatedDirect,
          pacedLb,
          pacedDirect,
          appLb,
          appDirect,
          withChecks,
          withoutChecks);
    } finally {
      Files.deleteIfExists(script);
      deleteTree(dataDir);
    }
  }

  /**
   * Registers c, times until c serves its first request (sent by a steady client through the
   * listener), deregisters it and waits until it is gone; {@code times} times. Milliseconds.
   */
  private static List<Double> registerToTraffic(
      ElasticLoadBalancingV2Client elb, TargetGroup tg, Target c, String listener, int times)
      throws InterruptedException {
    List<Double> out = new ArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Thread load =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  HttpRequest get = HttpRequest.newBuilder(URI.create(listener)).build();
                  while (running.get()) {
                    try {
                      http.send(get, HttpResponse.BodyHandlers.discarding());
                    } catch (IOException e) {
                      sleep(Duration.ofMillis(1));
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    try {
      for (int i = 0; i < times; i++) {
        c.reset();
        long start = System.nanoTime();
        elb.registerTargets(r -> r.targetGroupArn(tg.targetGroupArn()).targets(c.description()));
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        while (c.firstServedNanos.get() == 0) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "target c got no traffic within 120 s of its registration");
          }
          Thread.sleep(1);
        }
        double millis = (c.firstServedNanos.get() - start) / 1e6;
        out.add(millis);
        progress(
            String.format(
                Locale.ROOT, "  registration %d: first request after %.0f ms", i + 1, millis));
        elb.deregisterTargets(r -> r.targetGroupArn(tg.targetGroupArn()).targets(c.description()));
        long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!elb.describeTargetHealth(
                r -> r.targetGroupArn(tg.targetGroupArn()).targets(c.description()))
            .targetHealthDescriptions()
            .get(0)
            .targetHealth()
            .reasonAsString()
            .equals("Target.NotRegistered")) {
          if (System.nanoTime() > gone) {
            throw new IllegalStateException("target c was not removed within 60 s");
          }
          Thread.sleep(50);
        }
        // Let HAProxy delete the server before it is added again.
        Thread.sleep(3_000);
      }
    } finally {
      running.set(false);
      load.join(10_000);
    }
    return out;
  }

  /** One wrk configuration: through one URL, or straight to several at once (connections split). */
  private record Run(Path wrk, Path script, List<String> urls, int connections, int delayMillis) {
    Figures measure(Duration duration) throws IOException, InterruptedException {
      int each = connections / urls.size();
      int threads = urls.size() == 1 ? 2 : 1;
      List<Process> processes = new ArrayList<>();
      Cpu before = Cpu.now();
      for (String url : urls) {
        ProcessBuilder pb =
            new ProcessBuilder(
                    wrk.toString(),
                    "-t" + threads,
                    "-c" + each,
                    "-d" + Math.max(1, duration.toSeconds()) + "s",
                    "--timeout",
                    "10s",
                    "-s",
                    script.toString(),
                    url)
                .redirectErrorStream(true);
        pb.environment().put("WRK_DELAY_MS", String.valueOf(delayMillis));
        processes.add(pb.start());
      }
      List<JsonNode> results = new ArrayList<>();
      Cpu after = null;
      for (Process p : processes) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("wrk failed:\n" + out);
        }
        String line =
            out.lines()
                .filter(l -> l.startsWith("WRK "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no figures:\n" + out));
        results.add(JSON.readTree(line.substring(4)));
        if (after == null) {
          after = Cpu.now();
        }
      }
      double rps = 0;
      double p50 = 0;
      double p99 = 0;
      long errors = 0;
      long requests = 0;
      for (JsonNode r : results) {
        requests += r.path("requests").asLong();
        rps += r.path("requests").asDouble() / (r.path("duration_us").asDouble() / 1e6);
        p50 += r.path("p50_us").asDouble() / results.size();
        p99 += r.path("p99_us").asDouble() / results.size();
        errors += r.path("errors").asLong() + r.path("non2xx").asLong();
      }
      double perRequest = Math.max(1, requests);
      return new Figures(
          rps,
          p50,
          p99,
          errors,
          (after.proxyMicros() - before.proxyMicros()) / perRequest,
          (after.selfMicros() - before.selfMicros()) / perRequest);
    }
  }

  /** Prints one JSON line after the run; with WRK_DELAY_MS > 0, pauses after each response. */
  private static final String WRK_SCRIPT =
      """
      local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
      if pause > 0 then
        function delay() return pause end
      end
      done = function(summary, latency, requests)
        local e = summary.errors
        io.write(string.format(
          'WRK {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d}\\n',
          summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
          latency:percentile(50), latency:percentile(99)))
      end
      """;

  private static void report(
      Settings s,
      List<Figures> saturatedLb,
      List<Figures> saturatedDirect,
      List<Figures> pacedLb,
      List<Figures> pacedDirect,
      List<Figures> appLb,
      List<Figures> appDirect,
      List<Double> withChecks,
      List<Double> withoutChecks) {
    StringBuilder out = new StringBuilder();
    out.append("## Wharf load balancer benchmark\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "%s; HAProxy %s, wrk %s; load average %.1f at the end. %d rounds of %d s per path"
                + " and load, medians of the rounds; the direct path is two wrk processes at once,"
                + " one per target, each with half the connections (requests/s summed, percentiles"
                + " averaged).%n%n",
            Machine.describe(),
            version("haproxy", "-v"),
            version("wrk", "-v"),
            Machine.loadAverage(),
            s.rounds(),
            s.duration().toSeconds()));
    MarkdownTable t =
        new MarkdownTable("load", "path", "requests/s", "p50 (ms)", "p99 (ms)", "errors");
    addRows(t, "saturated, " + s.connections() + " connections", saturatedLb, saturatedDirect);
    addRows(
        t,
        "paced, " + s.pacedConnections() + " connections, " + s.pacedDelayMillis() + " ms pause",
        pacedLb,
        pacedDirect);
    addRows(t, "targets taking 1 ms, " + s.connections() + " connections", appLb, appDirect);
    out.append(t.render()).append('\n');
    MarkdownTable ratios =
        new MarkdownTable(
            "load", "throughput, listener / direct", "added p50 (ms)", "added p99 (ms)");
    ratios.row(
        "saturated",
        fmt(
            median(saturatedLb, Figures::requestsPerSecond)
                / median(saturatedDirect, Figures::requestsPerSecond)),
        ms(median(saturatedLb, Figures::p50Micros) - median(saturatedDirect, Figures::p50Micros)),
        ms(median(saturatedLb, Figures::p99Micros) - median(saturatedDirect, Figures::p99Micros)));
    ratios.row(
        "paced",
        fmt(
            median(pacedLb, Figures::requestsPerSecond)
                / median(pacedDirect, Figures::requestsPerSecond)),
        ms(median(pacedLb, Figures::p50Micros) - median(pacedDirect, Figures::p50Micros)),
        ms(median(pacedLb, Figures::p99Micros) - median(pacedDirect, Figures::p99Micros)));
    ratios.row(
        "targets taking 1 ms",
        fmt(
            median(appLb, Figures::requestsPerSecond)
                / median(appDirect, Figures::requestsPerSecond)),
        ms(median(appLb, Figures::p50Micros) - median(appDirect, Figures::p50Micros)),
        ms(median(appLb, Figures::p99Micros) - median(appDirect, Figures::p99Micros)));
    out.append(ratios.render()).append('\n');
    out.append("Targets: at least 0.8 times direct throughput; at most 2 ms added p99.\n\n");
    MarkdownTable cpu =
        new MarkdownTable("CPU per request, saturated (µs)", "HAProxy", "targets (this JVM)");
    cpu.row(
        "through the listener",
        fmt(median(saturatedLb, Figures::proxyCpuMicros)),
        fmt(median(saturatedLb, Figures::targetCpuMicros)));
    cpu.row(
        "direct",
        fmt(median(saturatedDirect, Figures::proxyCpuMicros)),
        fmt(median(saturatedDirect, Figures::targetCpuMicros)));
    out.append(cpu.render()).append('\n');
    MarkdownTable reg =
        new MarkdownTable(
            "RegisterTargets to first request", "median (ms)", "min (ms)", "max (ms)");
    reg.row(
        "health checks every 5 s, healthy after 2",
        fmt0(medianOf(withChecks)),
        fmt0(withChecks.stream().min(Comparator.naturalOrder()).orElse(0.0)),
        fmt0(withChecks.stream().max(Comparator.naturalOrder()).orElse(0.0)));
    reg.row(
        "health checks disabled",
        fmt0(medianOf(withoutChecks)),
        fmt0(withoutChecks.stream().min(Comparator.naturalOrder()).orElse(0.0)),
        fmt0(withoutChecks.stream().max(Comparator.naturalOrder()).orElse(0.0)));
    out.append(reg.render());
    System.out.print(out);
    System.out.flush();
  }

  private static void addRows(
      MarkdownTable t, String load, List<Figures> lb, List<Figures> direct) {
    t.row(
        load,
        "listener",
        fmt0(median(lb, Figures::requestsPerSecond)),
        ms(median(lb, Figures::p50Micros)),
        ms(median(lb, Figures::p99Micros)),
        String.valueOf(lb.stream().mapToLong(Figures::errors).sum()));
    t.row(
        load,
        "direct",
        fmt0(median(direct, Figures::requestsPerSecond)),
        ms(median(direct, Figures::p50Micros)),
        ms(median(direct, Figures::p99Micros)),
        String.valueOf(direct.stream().mapToLong(Figures::errors).sum()));
  }

  private static double median(
      List<Figures> figures, java.util.function.ToDoubleFunction<Figures> f) {
    return medianOf(figures.stream().map(x -> f.applyAsDouble(x)).toList());
  }

  private static double medianOf(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }

  private static String ms(double micros) {
    return String.format(Locale.ROOT, "%.2f", micros / 1000);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fmt0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String version(String command, String flag) {
    try {
      Process p = new ProcessBuilder(command, flag).redirectErrorStream(true).start();
      String first =
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .findFirst()
              .orElse("");
      p.waitFor(10, TimeUnit.SECONDS);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d+\\.\\d+[.\\d]*)").matcher(first);
      return m.find() ? m.group(1) : "?";
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static Path findWrk() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, "wrk");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("wrk is not installed: sudo apt-get install wrk");
  }

  private static int freePort(String address) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(address, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ElasticLoadBalancingV2Client client(String endpoint) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(WharfServer.KEY_ID, WharfServer.SECRET)))
        .build();
  }

  private static void progress(String message) {
    System.err.println("[lb-bench] " + message);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private LoadBalancerBench() {}
}
