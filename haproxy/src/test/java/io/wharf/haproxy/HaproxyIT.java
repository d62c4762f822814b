package io.wharf.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real HAProxy in front of real HTTP servers on loopback. */
class HaproxyIT {
  static final ProxyConfig.HealthCheck FAST_CHECK =
      new ProxyConfig.HealthCheck(
          "/health",
          0,
          Duration.ofMillis(200),
          Duration.ofMillis(150),
          2,
          2,
          ConfigRenderer.statusRegex(List.of(200)));

  Path dir;
  Haproxy proxy;
  int port;
  final List<TestBackend> backends = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    Optional<Path> binary = Haproxy.findBinary(null);
    assertThat(binary).as("HAProxy is installed (" + Haproxy.installHint() + ")").isPresent();
    dir = Files.createTempDirectory("wharf-haproxy-it");
    proxy = Haproxy.open(new Haproxy.Settings(binary.get(), dir));
    port = TestBackend.freePort("127.0.0.1");
  }

  @AfterEach
  void stop() {
    proxy.close();
    backends.forEach(TestBackend::close);
  }

  TestBackend backend(String name) {
    TestBackend b = new TestBackend(name, "127.0.0.1");
    backends.add(b);
    return b;
  }

  static ProxyConfig.Server server(TestBackend b, boolean draining) {
    return new ProxyConfig.Server(b.address(), b.port(), draining);
  }

  ProxyConfig config(List<ProxyConfig.Route> routes, ProxyConfig.Server... servers) {
    return new ProxyConfig(
        List.of(new ProxyConfig.Frontend("l-test", "127.0.0.1", port, routes, "tg-web")),
        List.of(
            ProxyConfig.Backend.pool(
                "tg-web", ProxyConfig.Balance.ROUND_ROBIN, FAST_CHECK, List.of(servers)),
            ProxyConfig.Backend.fixed(
                "fr-teapot", new ProxyConfig.FixedResponse(418, "text/plain", "teapot"))));
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  Set<String> answers(int requests) throws Exception {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = get("/");
      out.add(r.statusCode() + " " + r.body());
    }
    return out;
  }

  ServerStatus status(TestBackend backend) {
    String key = backend.address() + ":" + backend.port();
    return proxy.servers().stream()
        .filter(s -> s.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no server " + key));
  }

  @Test
  void trafficGoesOnlyToServersThatPassTheirChecks() throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    b.healthStatus.set(503);
    proxy.apply(config(List.of(), server(a, false), server(b, false)));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(status(a).isUp()).isTrue();
              assertThat(status(b).wrongStatus()).isTrue();
              assertThat(status(b).checkCode()).isEqualTo(503);
            });
    assertThat(status(b).isUp()).isFalse();
    assertThat(answers(20)).containsExactly("200 a");
    assertThat(b.served.get()).isZero();
  }

  @Test
  void serversComeAndGoWithoutAReloadAndDrainingFinishesRequestsInFlight() throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    proxy.apply(config(List.of(), server(a, false)));
    await().atMost(Duration.ofSeconds(30)).until(() -> answers(4).equals(Set.of("200 a")));
    long worker = proxy.runtime().workerPid();

    proxy.apply(config(List.of(), server(a, false), server(b, false)));
    // A new server starts down: no traffic before its checks pass.
    assertThat(status(b).isUp()).isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> answers(6).equals(Set.of("200 a", "200 b")));

    // A request in flight on b survives b's draining; new requests go to a only.
    a.holdSlow = false;
    CompletableFuture<HttpResponse<String>> slow = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                for (int i = 0; i < 10 && b.slowStarted.getCount() > 0; i++) {
                  HttpResponse<String> r = get("/slow");
                  if (r.body().equals("b")) {
                    slow.complete(r);
                    return;
                  }
                }
              } catch (Exception e) {
                slow.completeExceptionally(e);
              }
            });
    assertThat(b.slowStarted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    proxy.apply(config(List.of(), server(a, false), server(b, true)));
    assertThat(status(b).draining()).isTrue();
    assertThat(status(b).currentSessions()).isEqualTo(1);
    assertThat(answers(6)).containsExactly("200 a");
    b.release();
    assertThat(slow.get().statusCode()).isEqualTo(200);

    // Removed: its slot is free again, still without a reload; a new server can take the slot.
    proxy.apply(config(List.of(), server(a, false)));
    assertThat(proxy.servers())
        .extracting(ServerStatus::key)
        .containsExactly(a.address() + ":" + a.port());
    int servedByB = b.served.get();
    TestBackend c = backend("c");
    proxy.apply(config(List.of(), server(a, false), server(c, false)));
    await().atMost(Duration.ofSeconds(30)).until(() -> answers(6).equals(Set.of("200 a", "200 c")));
    assertThat(b.served.get()).as("b's old slot sends nothing to b").isEqualTo(servedByB);
    assertThat(proxy.runtime().workerPid()).isEqualTo(worker);
  }

  @Test
  void aReloadKeepsServersHealthAndRoutesByPathAndHost() throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    b.healthStatus.set(500);
    proxy.apply(config(List.of(), server(a, false), server(b, false)));
    await().atMost(Duration.ofSeconds(30)).until(() -> status(a).isUp() && status(b).wrongStatus());
    long worker = proxy.runtime().workerPid();

    proxy.apply(
        config(
            List.of(
                new ProxyConfig.Route(
                    "r-1",
                    "fr-teapot",
                    List.of(new ProxyConfig.Match(ProxyConfig.Field.PATH, List.of("/tea*"))))),
            server(a, false),
            server(b, false)));
    assertThat(proxy.runtime().workerPid()).isNotEqualTo(worker);
    // The new worker starts with the old one's view: b is still down, a still up.
    assertThat(status(b).isUp()).isFalse();
    assertThat(answers(10)).containsExactly("200 a");
    assertThat(b.served.get()).isZero();
    HttpResponse<String> tea = get("/teapot?x=1");
    assertThat(tea.statusCode()).isEqualTo(418);
    assertThat(tea.body()).isEqualTo("teapot");
  }

  @Test
  void aMasterThatDiesIsStartedAgain() throws Exception {
    TestBackend a = backend("a");
    proxy.apply(config(List.of(), server(a, false)));
    await().atMost(Duration.ofSeconds(30)).until(() -> answers(2).equals(Set.of("200 a")));
    long pid = Long.parseLong(Files.readString(dir.resolve("haproxy.pid")).trim());
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> answers(2).equals(Set.of("200 a")));
    assertThat(Long.parseLong(Files.readString(dir.resolve("haproxy.pid")).trim()))
        .isNotEqualTo(pid);
  }
}
