package io.wharf.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.wharf.sigv4.SigV4Signer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP front under attack, each attack against a server process of its own: 1,000 connections
 * each sending a 1 MiB body unsigned, 1,000 sending one under a made-up signature with a known
 * access key id, and 500 sockets trickling in one header line a second. Prints the server's memory
 * (RSS, its peak, the heap) after each body attack, and how many slow-header sockets were still
 * open as time went by.
 *
 * <p>Run against any server jar ({@code -Dwharf.bench.serverJar=...}), so that the same attack can
 * be measured on an older build.
 */
public final class FrontBench {
  private static final int CONNECTIONS = 1000;
  private static final int SLOW_SOCKETS = 500;
  private static final int ONE_MIB = 1 << 20;
  private static final String TARGET = "AmazonEC2ContainerServiceV20141113.ListClusters";

  private FrontBench() {}

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    Path jar = BenchSettings.serverJarFromProperty();
    Path root = Files.createTempDirectory("wharf-front-bench");
    StringBuilder report = new StringBuilder("# FrontBench\n\n");
    report.append("Server: `").append(jar).append("`; ").append(Machine.describe()).append("\n\n");
    try {
      MarkdownTable memory =
          new MarkdownTable(
              "attack (1,000 connections, 1 MiB bodies)",
              "answers",
              "RSS before",
              "RSS after",
              "peak RSS",
              "heap used after",
              "heap committed after",
              "heap used after full GC");
      memory.row(bodyAttack(root.resolve("unsigned"), "unsigned", false, jar));
      memory.row(bodyAttack(root.resolve("forged"), "known key, made-up signature", true, jar));
      report.append(memory.render()).append('\n');
      report.append(slowHeaders(root.resolve("slow"), jar));
    } finally {
      TempDirs.delete(root);
    }
    System.out.print(report);
    System.out.flush();
  }

  private static String[] bodyAttack(Path dataDir, String name, boolean signed, Path jar)
      throws Exception {
    try (WharfServer server = WharfServer.start(dataDir, jar)) {
      server.fullGc();
      ProcessMemory before = ProcessMemory.ofJvm(server.pid());
      URI endpoint = URI.create(server.endpoint());
      byte[] body = new byte[ONE_MIB];
      java.util.Arrays.fill(body, (byte) 'x');
      Map<String, String> headers =
          signed
              ? new SigV4Signer(
                      WharfServer.KEY_ID, "made-up-secret", "us-east-1", "ecs", Clock.systemUTC())
                  .sign(
                      "POST",
                      endpoint.resolve("/"),
                      Map.of("content-type", "application/x-amz-json-1.1", "x-amz-target", TARGET),
                      body)
              : Map.of(
                  "host",
                  endpoint.getAuthority(),
                  "content-type",
                  "application/x-amz-json-1.1",
                  "x-amz-target",
                  TARGET);
      byte[] head = head(headers, body.length);
      Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
      List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
      CountDownLatch done = new CountDownLatch(CONNECTIONS);
      progress(name + ": " + CONNECTIONS + " connections, each headers + 1 MiB body");
      for (int i = 0; i < CONNECTIONS; i++) {
        Thread.ofVirtual()
            .start(
                () -> {
                  String answer;
                  try {
                    Socket socket = connect(endpoint);
                    sockets.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(head);
                    try {
                      out.write(body);
                    } catch (IOException e) {
                      // Answered and closed before the body was all sent: that is the point.
                    }
                    answer = statusLine(socket.getInputStream());
                  } catch (IOException e) {
                    answer = "connection failed: " + e.getClass().getSimpleName();
                  }
                  answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
                  done.countDown();
                });
      }
      if (!done.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the server did not answer all connections in 5 minutes");
      }
      // Measured with all the connections still open, as an attacker would keep them.
      ProcessMemory after = ProcessMemory.ofJvm(server.pid());
      server.fullGc();
      ProcessMemory collected = ProcessMemory.ofJvm(server.pid());
      synchronized (sockets) {
        for (Socket socket : sockets) {
          socket.close();
        }
      }
      Map<String, Integer> sorted = new TreeMap<>();
      answers.forEach((k, v) -> sorted.put(k, v.get()));
      return new String[] {
        name,
        sorted.toString(),
        ProcessMemory.mib(before.rss()),
        ProcessMemory.mib(after.rss()),
        ProcessMemory.mib(after.peakRss()),
        ProcessMemory.mib(after.heapUsed()),
        ProcessMemory.mib(after.heapCommitted()),
        ProcessMemory.mib(collected.heapUsed())
      };
    }
  }

  private static String slowHeaders(Path dataDir, Path jar) throws Exception {
    try (WharfServer server = WharfServer.start(dataDir, jar)) {
      URI endpoint = URI.create(server.endpoint());
      List<Socket> sockets = new ArrayList<>();
      AtomicInteger closed = new AtomicInteger();
      progress("slow headers: " + SLOW_SOCKETS + " sockets, one header line a second");
      for (int i = 0; i < SLOW_SOCKETS; i++) {
        Socket socket = connect(endpoint);
        sockets.add(socket);
        socket.getOutputStream().write("POST / HTTP/1.1\r\nHost: wharf\r\n".getBytes(UTF_8));
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = socket.getInputStream()) {
                    while (in.read() >= 0) {
                      // Whatever comes before the close.
                    }
                  } catch (IOException e) {
                    // A reset is a close too.
                  }
                  closed.incrementAndGet();
                });
      }
      MarkdownTable table = new MarkdownTable("seconds since the first header", "sockets open");
      long start = System.nanoTime();
      for (int second = 1; second <= 40; second++) {
        for (Socket socket : sockets) {
          try {
            socket.getOutputStream().write(("X-Slow-" + second + ": 1\r\n").getBytes(UTF_8));
          } catch (IOException e) {
            // Closed by the server.
          }
        }
        Thread.sleep(Math.max(0, start + second * 1_000_000_000L - System.nanoTime()) / 1_000_000);
        if (second % 5 == 0) {
          table.row(String.valueOf(second), String.valueOf(SLOW_SOCKETS - closed.get()));
        }
      }
      for (Socket socket : sockets) {
        socket.close();
      }
      return "Slow headers ("
          + SLOW_SOCKETS
          + " sockets, one header line a second)\n\n"
          + table.render();
    }
  }

  private static Socket connect(URI endpoint) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
    socket.setSoTimeout((int) Duration.ofMinutes(3).toMillis());
    return socket;
  }

  private static byte[] head(Map<String, String> headers, int length) {
    StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("content-length: ").append(length).append("\r\n\r\n");
    return head.toString().getBytes(UTF_8);
  }

  /** The answer's status and, when it has one, its error's {@code __type}. */
  private static String statusLine(InputStream in) throws IOException {
    String status = line(in);
    String[] parts = status.split(" ");
    if (parts.length < 2) {
      return "closed without an answer";
    }
    int length = 0;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(header.substring("content-length:".length()).strip());
      }
    }
    java.util.regex.Matcher type =
        java.util.regex.Pattern.compile("\"__type\":\"([^\"]*)\"")
            .matcher(new String(in.readNBytes(length), UTF_8));
    return "HTTP " + parts[1] + (type.find() ? " " + type.group(1) : "");
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private static void progress(String message) {
    System.err.println("[front] " + message);
  }
}
