package io.wharf.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * How soon agents are back on their channel after a control-plane outage, next to how soon a tight
 * probe loop gets an answer from the restarted control plane, measured in the same outages.
 *
 * <pre>
 *  wharf server (child JVM, fixed port, one data dir) ◀── channel ── wharf agent × N (child JVMs)
 *        ▲                                                        ▲
 *        └── probe: TCP connect + "GET /" every PROBE_EVERY ──────┼── this JVM
 *                                                                 │ reads "Agent channel open to"
 *  each outage: SIGKILL the server; wait OUTAGE; start it again on the same port and data dir;
 *  t0 = its ready line. Figures, from t0: the probe's first HTTP answer (the baseline: the best a
 *  client polling every few milliseconds can do) and each agent's "channel open" log line.
 * </pre>
 *
 * <p>It prints figures and never fails on time; it fails only when an agent does not come back at
 * all (within {@link #RECONNECT_TIMEOUT}). The agents run no tasks, so no container is started.
 * Settings (system properties): {@code wharf.bench.reconnect.outages} (5), {@code
 * wharf.bench.reconnect.outage} (10s, how long the control plane is down), {@code
 * wharf.bench.reconnect.agents} (3), {@code wharf.bench.serverJar} ({@code app/target/wharf.jar}).
 */
public final class ReconnectBench {
  private static final String CLUSTER = "reconnect";

  /** The probe's period: fine enough that its figure is the control plane's, not the probe's. */
  private static final Duration PROBE_EVERY = Duration.ofMillis(5);

  /** An agent not back this long after the control plane is treated as a failure, not a figure. */
  private static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(120);

  private ReconnectBench() {}

  public static void main(String[] args) throws Exception {
    int outages = Integer.getInteger("wharf.bench.reconnect.outages", 5);
    Duration outage =
        BenchSettings.parseDuration(System.getProperty("wharf.bench.reconnect.outage", "10s"));
    int agentCount = Integer.getInteger("wharf.bench.reconnect.agents", 3);
    if (outages < 1 || agentCount < 1 || outage.isNegative()) {
      throw new IllegalArgumentException(
          "wharf.bench.reconnect.outages and .agents must be >= 1, .outage not negative");
    }
    Path jar = BenchSettings.serverJarFromProperty();
    Path root = Files.createTempDirectory("wharf-bench-reconnect");
    try {
      String report = run(jar, root, outages, outage, agentCount);
      System.out.print(report);
    } finally {
      TempDirs.delete(root);
    }
  }

  private static String run(Path jar, Path root, int outages, Duration outage, int agentCount)
      throws Exception {
    progress("machine: " + Machine.describe());
    int port = freePort();
    Path serverDir = root.resolve("server");
    WharfServer server = WharfServer.startOnPort(port, serverDir, jar, List.of());
    List<WharfAgent> agents = new ArrayList<>();
    Samples probe = new Samples("probe: first HTTP answer");
    Samples agentsBack = new Samples("agent: channel open");
    Samples lastAgentBack = new Samples("last agent of an outage: channel open");
    Samples afterAnswer = new Samples("agent: channel open, from the probe's first answer");
    try {
      try (EcsClient ecs = Clients.ecs(server.endpoint())) {
        ecs.createCluster(b -> b.clusterName(CLUSTER));
        for (int i = 0; i < agentCount; i++) {
          agents.add(
              WharfAgent.start(
                  jar,
                  server.endpoint(),
                  CLUSTER,
                  root.resolve("agent-" + i),
                  "127.0.0." + (40 + i),
                  1024,
                  1024));
        }
        for (WharfAgent a : agents) {
          a.awaitConnected(ecs, CLUSTER, Duration.ofSeconds(60));
        }
      }
      // Every agent's channel is open once (awaitConnected sees one connected instance at a time;
      // give all of them their first channel before the first outage).
      Thread.sleep(2000);
      for (int round = 1; round <= outages; round++) {
        List<CompletableFuture<Long>> back = new ArrayList<>();
        for (WharfAgent a : agents) {
          back.add(a.nextChannelOpen());
        }
        server.kill();
        Probe p = Probe.start(port);
        Thread.sleep(outage.toMillis());
        server = WharfServer.startOnPort(port, serverDir, jar, List.of());
        long ready = server.spawnedNanos() + server.nanosToReady();
        long answered = p.firstAnswer().get(RECONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        p.stop();
        probe.addNanos(answered - ready);
        long last = Long.MIN_VALUE;
        for (int i = 0; i < back.size(); i++) {
          long open;
          try {
            open = back.get(i).get(RECONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                "agent "
                    + i
                    + " did not reopen its channel within "
                    + RECONNECT_TIMEOUT
                    + ":\n"
                    + agents.get(i).outputTail());
          }
          agentsBack.addNanos(open - ready);
          afterAnswer.addNanos(open - answered);
          last = Math.max(last, open);
        }
        lastAgentBack.addNanos(last - ready);
        progress(
            String.format(
                Locale.ROOT,
                "outage %d/%d (%s down): probe answered %+.0f ms, last agent back %+.0f ms after"
                    + " the ready line",
                round,
                outages,
                outage,
                probe.last(),
                lastAgentBack.last()));
      }
    } finally {
      for (WharfAgent a : agents) {
        a.close();
      }
      server.close();
    }
    return report(
        outages, outage, agentCount, List.of(probe, agentsBack, lastAgentBack, afterAnswer));
  }

  private static String report(
      int outages, Duration outage, int agentCount, List<Samples> measured) {
    StringBuilder out = new StringBuilder();
    out.append("# Reconnect after a control-plane outage\n\n");
    out.append("- Machine: ").append(Machine.describe()).append('\n');
    out.append(
        String.format(
            Locale.ROOT,
            "- %d outages of %s (SIGKILL, then the same port and data dir), %d agents; times from"
                + " the restarted server's ready line unless said otherwise%n%n",
            outages,
            outage,
            agentCount));
    MarkdownTable table = new MarkdownTable("Measured", "Samples", "p50 (ms)", "max (ms)");
    for (Samples s : measured) {
      table.row(
          s.label(),
          Integer.toString(s.count()),
          String.format(Locale.ROOT, "%.0f", s.median()),
          String.format(Locale.ROOT, "%.0f", s.max()));
    }
    out.append(table.render());
    out.append(
        "\nThe probe connects and sends `GET /` every "
            + PROBE_EVERY.toMillis()
            + " ms from the moment the server is killed; its first answer is the baseline.\n");
    return out.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static void progress(String line) {
    System.err.println("[reconnect] " + line);
  }

  /**
   * Connects and sends {@code GET /} every {@link #PROBE_EVERY} until an HTTP status line comes
   * back (any status: an unsigned request is refused, which is an answer).
   */
  private static final class Probe {
    private final CompletableFuture<Long> answered = new CompletableFuture<>();
    private volatile boolean stopped;

    static Probe start(int port) {
      Probe p = new Probe();
      Thread.ofPlatform().daemon().name("reconnect-probe").start(() -> p.loop(port));
      return p;
    }

    CompletableFuture<Long> firstAnswer() {
      return answered;
    }

    void stop() {
      stopped = true;
    }

    private void loop(int port) {
      byte[] request =
          ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      while (!stopped && !answered.isDone()) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
          s.setSoTimeout(5000);
          OutputStream out = s.getOutputStream();
          out.write(request);
          out.flush();
          InputStream in = s.getInputStream();
          byte[] head = in.readNBytes(12);
          long now = System.nanoTime();
          if (new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 ")) {
            answered.complete(now);
            return;
          }
        } catch (IOException e) {
          // Refused, reset or timed out: not answering yet.
        }
        try {
          Thread.sleep(PROBE_EVERY);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
