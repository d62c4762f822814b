package io.wharf.app;

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
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;

/** Helpers for load-balancing tests: HTTP targets on loopback, free ports, plain HTTP calls. */
final class ElbTesting {
  private ElbTesting() {}

  /** {@code 127.X.Y.1-127.X.Y.254} for a random X (100-199) and Y. */
  static String randomAddressRange() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String prefix = "127." + r.nextInt(100, 200) + "." + r.nextInt(0, 256) + ".";
    return prefix + "1-" + prefix + "254";
  }

  /** A load balancer's target group and the URL of its listener. */
  record Balancer(String targetGroupArn, String url) {}

  /**
   * A load balancer named {@code name} with one listener forwarding to a target group of its own
   * ({@code <name>-tg}) that checks quickly (every 5 s, healthy or unhealthy after 2, 2 s timeout)
   * and drains for 3 s.
   */
  static Balancer balancer(ElasticLoadBalancingV2Client elb, String name) {
    LoadBalancer lb = elb.createLoadBalancer(r -> r.name(name)).loadBalancers().get(0);
    TargetGroup tg =
        elb.createTargetGroup(
                r ->
                    r.name(name + "-tg")
                        .protocol(ProtocolEnum.HTTP)
                        .port(80)
                        .healthCheckPath("/")
                        .healthCheckIntervalSeconds(5)
                        .healthCheckTimeoutSeconds(2)
                        .healthyThresholdCount(2)
                        .unhealthyThresholdCount(2))
            .targetGroups()
            .get(0);
    elb.modifyTargetGroupAttributes(
        r ->
            r.targetGroupArn(tg.targetGroupArn())
                .attributes(a -> a.key("deregistration_delay.timeout_seconds").value("3")));
    int port = ElbTesting.freePort(lb.dnsName());
    elb.createListener(
        r ->
            r.loadBalancerArn(lb.loadBalancerArn())
                .protocol(ProtocolEnum.HTTP)
                .port(port)
                .defaultActions(
                    a -> a.type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn())));
    return new Balancer(tg.targetGroupArn(), "http://" + lb.dnsName() + ":" + port + "/");
  }

  /** A port nothing listens on at {@code address} right now. */
  static int freePort(String address) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(address, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An HTTP target on loopback: answers its name on every path, {@code healthStatus} on {@code
   * /health}; {@code /slow} is held until {@link #release} while {@code holdSlow}.
   */
  static final class Backend implements AutoCloseable {
    final String name;
    final HttpServer server;
    final AtomicInteger healthStatus = new AtomicInteger(200);
    final AtomicInteger served = new AtomicInteger();
    final CountDownLatch slowStarted = new CountDownLatch(1);
    volatile boolean holdSlow = true;
    private final CountDownLatch slowRelease = new CountDownLatch(1);

    Backend(String name, String address) {
      this.name = name;
      try {
        server = HttpServer.create(new InetSocketAddress(address, 0), 128);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext(
          "/",
          exchange -> {
            String path = exchange.getRequestURI().getPath();
            int status = 200;
            if (path.equals("/health")) {
              status = healthStatus.get();
            } else {
              served.incrementAndGet();
            }
            if (path.equals("/slow") && holdSlow) {
              slowStarted.countDown();
              try {
                slowRelease.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
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

    void release() {
      slowRelease.countDown();
    }

    @Override
    public void close() {
      release();
      server.stop(0);
    }
  }

  /** A client that keeps connections alive between requests (HTTP/1.1). */
  static HttpClient keepAliveClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A GET with a Host header of our choosing (the JDK's client will not set one), over a plain
   * socket; returns the status and the body.
   */
  static Answer getWithHost(String url, String host) {
    URI uri = URI.create(url);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + uri.getRawPath()
                      + " HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      int bodyStart = response.indexOf("\r\n\r\n");
      return new Answer(status, bodyStart < 0 ? "" : response.substring(bodyStart + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Answer(int status, String body) {}

  /**
   * Continuous GETs of one URL over a keep-alive connection from loopback, one after another on a
   * thread of its own, until closed. Counting starts at the first answer 200: before it the service
   * does not serve yet, which is no failure of a deployment. After it, every answer other than 200
   * and every error is a failed request.
   */
  static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean serving = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Set<String> bodies = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    private Load(HttpClient http, String url) {
      thread =
          Thread.ofPlatform()
              .name("load " + url)
              .start(
                  () -> {
                    while (running.get()) {
                      String failure;
                      try {
                        HttpResponse<String> r = get(http, url);
                        if (r.statusCode() == 200) {
                          serving.set(true);
                          bodies.add(r.body().trim());
                          failure = null;
                        } else {
                          failure = r.statusCode() + " " + r.body().trim();
                        }
                      } catch (RuntimeException e) {
                        failure = e.toString();
                      }
                      if (!serving.get()) {
                        // Not serving yet: wait a little rather than spin on 503s.
                        sleep(50);
                        continue;
                      }
                      sent.incrementAndGet();
                      if (failure != null) {
                        failed.incrementAndGet();
                        if (failures.size() < 20) {
                          failures.add(failure);
                        }
                      }
                    }
                  });
    }

    static Load start(HttpClient http, String url) {
      return new Load(http, url);
    }

    /** Whether an answer 200 has come: counting has begun. */
    boolean serving() {
      return serving.get();
    }

    /** Requests counted (from the first 200 on). */
    int sent() {
      return sent.get();
    }

    /** Requests that failed after the first 200. */
    int failed() {
      return failed.get();
    }

    /** The first failures, as status and body or the error. */
    List<String> failures() {
      return List.copyOf(failures);
    }

    /** Every body of an answer 200. */
    Set<String> bodies() {
      return Set.copyOf(bodies);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** How many times HAProxy has started a worker (each start or reload does) in a data dir. */
  static long workersStarted(Path dataDir) {
    Path log = dataDir.resolve("haproxy").resolve("haproxy.log");
    try {
      return Files.exists(log)
          ? Files.readAllLines(log).stream().filter(l -> l.contains("New worker")).count()
          : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops an HAProxy a killed test server left behind (ours: started by this test's server). */
  static void stopLeftoverHaproxy(Path dataDir) {
    Path pid = dataDir.resolve("haproxy").resolve("haproxy.pid");
    try {
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
            .filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString()))
            .ifPresent(ProcessHandle::destroy);
      }
    } catch (IOException | NumberFormatException e) {
      // nothing to stop
    }
  }
}
