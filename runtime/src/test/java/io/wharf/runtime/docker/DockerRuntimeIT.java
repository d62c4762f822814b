package io.wharf.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerEvent.Kind;
import io.wharf.runtime.ContainerRuntime.Subscription;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerSpec;
import io.wharf.runtime.ContainerState;
import io.wharf.runtime.ContainerState.Health;
import io.wharf.runtime.ContainerState.Status;
import io.wharf.runtime.HealthCheck;
import io.wharf.runtime.PortBinding;
import io.wharf.runtime.Ulimit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Docker driver against the real engine ({@code DOCKER_HOST} or /var/run/docker.sock), with the
 * locally built busybox image. The engine is shared with other work: every container made here is
 * named {@code wharf-test-...} and labelled {@code wharf-test=<this run>}, and removed after each
 * test; nothing else on the engine is touched.
 */
class DockerRuntimeIT {
  /** This run's label value: tells its containers from those of other runs on the same engine. */
  private static final String RUN =
      "runtime-it-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);

  private static final Map<String, String> RUN_LABEL = Map.of("wharf-test", RUN);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static DockerRuntime runtime;
  private static String image;

  @BeforeAll
  static void connect() {
    runtime = DockerRuntime.connect();
    assertThat(runtime.isAvailable())
        .as(
            "a Docker engine answers at %s (scripts/test starts one: see wharf_ensure_docker in"
                + " scripts/prereqs.sh)",
            runtime.host())
        .isTrue();
    image = TestImage.ensureBuilt();
  }

  @AfterEach
  void removeThisRunsContainers() {
    for (ContainerState container : runtime.list(RUN_LABEL)) {
      runtime.remove(container.id());
    }
  }

  @AfterAll
  static void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** A spec for this run: named wharf-test-..., labelled with the run and the test case. */
  private static ContainerSpec.Builder spec(String testCase) {
    return ContainerSpec.builder(image)
        .name("wharf-test-" + RUN + "-" + testCase)
        .labels(caseLabels(testCase));
  }

  private static Map<String, String> caseLabels(String testCase) {
    Map<String, String> labels = new HashMap<>(RUN_LABEL);
    labels.put("wharf-test.case", testCase);
    return labels;
  }

  private static ContainerState state(String id) {
    return runtime.inspect(id).orElseThrow(() -> new AssertionError("no container " + id));
  }

  private static ContainerState awaitState(String id, Predicate<ContainerState> condition) {
    return await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> state(id), condition::test);
  }

  private static ContainerState awaitExit(String id) {
    return awaitState(id, s -> s.status() == Status.EXITED);
  }

  private static String run(ContainerSpec spec) {
    String id = runtime.create(spec);
    runtime.start(id);
    return id;
  }

  @Test
  void runsAContainerWithItsLabelsAndReportsItsState() {
    ContainerSpec spec =
        spec("running").command("sleep", "300").environment(Map.of("GREETING", "hi")).build();

    String id = run(spec);

    ContainerState state = state(id);
    assertThat(state.id()).isEqualTo(id);
    assertThat(state.name()).isEqualTo(spec.name());
    assertThat(state.image()).isEqualTo(image);
    assertThat(state.labels()).containsAllEntriesOf(caseLabels("running"));
    assertThat(state.status()).isEqualTo(Status.RUNNING);
    assertThat(state.exitCode()).isNull();
    assertThat(state.health()).isEqualTo(Health.NONE);
    assertThat(state.createdAt()).isNotNull();
    assertThat(state.startedAt()).isNotNull();
    assertThat(state.finishedAt()).isNull();
  }

  @Test
  void theCommandRunsWithItsEnvironmentWorkingDirectoryAndUser() {
    // Each check that fails exits with its own code, so a failure says which.
    String script =
        """
        [ "$GREETING" = "hello wharf" ] || exit 10
        [ "$(pwd)" = /tmp/work ] || exit 11
        [ "$(id -u)" = 65534 ] || exit 12
        exit 7
        """;
    String id =
        run(
            spec("environment")
                .entryPoint(List.of("/bin/sh", "-c"))
                .command(script)
                .environment(Map.of("GREETING", "hello wharf"))
                .workingDirectory("/tmp/work")
                .user("65534")
                .build());

    assertThat(awaitExit(id).exitCode()).isEqualTo(7);
  }

  @Test
  void reportsTheExitCodeOfAContainerThatExits() {
    String id = run(spec("exit3").command("sh", "-c", "exit 3").build());

    ContainerState exited = awaitExit(id);

    assertThat(exited.exitCode()).isEqualTo(3);
    assertThat(exited.oomKilled()).isFalse();
    assertThat(exited.finishedAt()).isNotNull();
    assertThat(exited.status().isTerminal()).isTrue();
  }

  @Test
  void aContainerOverItsMemoryLimitIsOomKilled() {
    List<ContainerEvent> events = new CopyOnWriteArrayList<>();
    try (Subscription ignored = runtime.events(caseLabels("oom"), events::add, t -> {})) {
      String id =
          run(
              spec("oom")
                  .memory(6, 0)
                  .command("sh", "-c", "x=a; while true; do x=$x$x; done")
                  .build());

      ContainerState killed = awaitExit(id);

      assertThat(killed.oomKilled()).isTrue();
      assertThat(killed.exitCode()).isEqualTo(137);
      await().atMost(PATIENCE).until(() -> kinds(events, id).contains(Kind.DIED));
      assertThat(kinds(events, id)).contains(Kind.OOM);
    }
  }

  @Test
  void stopKillsAContainerThatIgnoresSigtermOnceTheTimeoutPasses() {
    String id =
        run(
            spec("ignore-term")
                .command("sh", "-c", "trap '' TERM; while true; do sleep 1; done")
                .build());

    runtime.stop(id, Duration.ofSeconds(1));

    ContainerState stopped = state(id);
    assertThat(stopped.status()).isEqualTo(Status.EXITED);
    assertThat(stopped.exitCode()).isEqualTo(137);
  }

  @Test
  void stopLetsAContainerThatHandlesSigtermExitOnItsOwn() {
    // `sleep & wait` so that the trap runs as soon as TERM arrives, not after the sleep.
    String id =
        run(
            spec("handle-term")
                .command("sh", "-c", "trap 'exit 42' TERM; while true; do sleep 1 & wait $!; done")
                .build());

    runtime.stop(id, Duration.ofSeconds(30));

    assertThat(state(id).exitCode()).isEqualTo(42);
    runtime.stop(id, Duration.ofSeconds(30)); // stopping a stopped container is not an error
    assertThat(state(id).exitCode()).isEqualTo(42);
  }

  @Test
  void aStopThatOutlastsItsLimitTimesOutAndTheRuntimeCarriesOn() {
    String id =
        run(
            spec("stop-timeout")
                .command("sh", "-c", "trap '' TERM; while true; do sleep 1; done")
                .build());
    DockerTimeouts d = DockerTimeouts.defaults();
    // No margin: the engine waits 2s (1.5s rounded up) before SIGKILL, the driver only 1.5s.
    DockerTimeouts impatient =
        new DockerTimeouts(
            d.connect(),
            d.ping(),
            d.response(),
            d.inspect(),
            d.list(),
            d.create(),
            d.start(),
            Duration.ofMillis(1),
            d.remove(),
            d.pullBegin(),
            d.pullInactivity(),
            d.pull());

    try (DockerRuntime hurried = DockerRuntime.connect(runtime.host(), impatient)) {
      assertKind(
          () -> hurried.stop(id, Duration.ofMillis(1500)),
          ContainerRuntimeException.Kind.TIMEOUT,
          "DockerTimeoutError");
      assertThat(hurried.isAvailable()).isTrue();
      assertThat(hurried.inspect(id)).isPresent();
    }
    runtime.stop(id, Duration.ZERO);
    assertThat(state(id).exitCode()).isEqualTo(137);
  }

  @Test
  void stoppingAContainerThatDoesNotExistIsNotFound() {
    assertKind(
        () -> runtime.stop("wharf-test-" + RUN + "-absent", Duration.ZERO),
        ContainerRuntimeException.Kind.NOT_FOUND,
        "CannotStopContainerError");
  }

  @Test
  void publishedPortsAnswerOnTheirHostAddress() throws Exception {
    String hostIp = "127.0.0.5";
    int fixedPort = freePort(hostIp);
    String id =
        run(
            spec("ports")
                .command(
                    "sh",
                    "-c",
                    "echo hello-wharf > /etc/index.html && exec httpd -f -p 8080 -h /etc")
                .ports(
                    List.of(
                        new PortBinding(8080, fixedPort, "tcp", hostIp),
                        new PortBinding(8080, 0, "tcp", hostIp)))
                .build());

    List<PortBinding> bound = state(id).ports();
    assertThat(bound).hasSize(2).allSatisfy(p -> assertThat(p.hostIp()).isEqualTo(hostIp));
    assertThat(bound).extracting(PortBinding::hostPort).contains(fixedPort).doesNotContain(0);
    for (PortBinding port : bound) {
      URI uri = URI.create("http://" + hostIp + ":" + port.hostPort() + "/index.html");
      await().atMost(PATIENCE).ignoreExceptions().until(() -> get(uri), "hello-wharf"::equals);
    }
  }

  @Test
  void aHostPortThatIsTakenFailsTheStartWithPortInUse() throws IOException {
    String hostIp = "127.0.0.6";
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(hostIp))) {
      String id =
          runtime.create(
              spec("port-in-use")
                  .command("sleep", "300")
                  .ports(List.of(new PortBinding(8080, taken.getLocalPort(), "tcp", hostIp)))
                  .build());

      assertKind(
          () -> runtime.start(id),
          ContainerRuntimeException.Kind.PORT_IN_USE,
          "CannotStartContainerError");
    }
  }

  @Test
  void aCommandThatCannotRunFailsTheStartAndLeavesTheEnginesError() {
    String id = runtime.create(spec("bad-command").command("/no/such/program").build());

    assertKind(
        () -> runtime.start(id),
        ContainerRuntimeException.Kind.START_FAILED,
        "CannotStartContainerError");
    ContainerState state = state(id);
    assertThat(state.status().isTerminal()).isFalse();
    assertThat(state.error()).contains("/no/such/program");
    assertThat(state.exitCode()).isNotNull().isNotZero();
  }

  @Test
  void manyCallsAtOnceShareTheConnectionsBesideAnOpenEventStream() throws Exception {
    String id = run(spec("concurrent").command("sleep", "300").build());
    try (Subscription ignored = runtime.events(RUN_LABEL, e -> {}, t -> {});
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Status>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(threads.submit(() -> state(id).status()));
      }
      for (var call : calls) {
        assertThat(call.get()).isEqualTo(Status.RUNNING);
      }
    }
  }

  @Test
  void createDoesNotPullAMissingImage() {
    String missing = "wharf-test/absent-" + RUN + ":latest";

    assertThat(runtime.hasImage(missing)).isFalse();
    assertThat(runtime.hasImage(image)).isTrue();
    assertKind(
        () -> runtime.create(spec("missing-image").image(missing).build()),
        ContainerRuntimeException.Kind.IMAGE_NOT_FOUND,
        "CannotCreateContainerError");
  }

  @Test
  void pullingFromARegistryThatIsNotThereFails() {
    // A closed port on this machine: the engine's attempt never leaves it.
    assertThatThrownBy(() -> runtime.pull("127.0.0.1:1/wharf-test-nothing:latest"))
        .isInstanceOfSatisfying(
            ContainerRuntimeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ContainerRuntimeException.Kind.IMAGE_PULL_FAILED);
              assertThat(e.ecsErrorName()).isEqualTo("CannotPullContainerError");
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.getMessage()).contains("127.0.0.1:1");
            });
  }

  @Test
  void healthChecksReachHealthyAndUnhealthy() {
    List<ContainerEvent> events = new CopyOnWriteArrayList<>();
    try (Subscription ignored = runtime.events(RUN_LABEL, events::add, t -> {})) {
      String healthy =
          run(
              spec("healthy")
                  .command("sleep", "300")
                  .healthCheck(new HealthCheck(List.of("CMD", "true"), 1, 1, 1, 0))
                  .build());
      String unhealthy =
          run(
              spec("unhealthy")
                  .command("sleep", "300")
                  .healthCheck(new HealthCheck(List.of("CMD-SHELL", "exit 1"), 1, 1, 2, 0))
                  .build());

      awaitState(healthy, s -> s.health() == Health.HEALTHY);
      awaitState(unhealthy, s -> s.health() == Health.UNHEALTHY);
      await().atMost(PATIENCE).until(() -> kinds(events, healthy).contains(Kind.HEALTHY));
      await().atMost(PATIENCE).until(() -> kinds(events, unhealthy).contains(Kind.UNHEALTHY));
    }
  }

  @Test
  void eventsOfLabelledContainersArriveWithTheirLabelsAndExitCode() {
    List<ContainerEvent> events = new CopyOnWriteArrayList<>();
    List<Throwable> closes = new CopyOnWriteArrayList<>();
    Subscription subscription = runtime.events(caseLabels("events"), events::add, closes::add);
    String other = run(spec("events-other").command("sh", "-c", "exit 0").build());
    String id = run(spec("events").command("sh", "-c", "exit 3").build());

    await().atMost(PATIENCE).until(() -> kinds(events, id).contains(Kind.DIED));
    runtime.remove(id);
    await().atMost(PATIENCE).until(() -> kinds(events, id).contains(Kind.DESTROYED));
    subscription.close();

    assertThat(kinds(events, id)).containsSubsequence(Kind.STARTED, Kind.DIED, Kind.DESTROYED);
    ContainerEvent died =
        events.stream().filter(e -> e.kind() == Kind.DIED).findFirst().orElseThrow();
    assertThat(died.exitCode()).isEqualTo(3);
    assertThat(died.labels()).containsAllEntriesOf(caseLabels("events"));
    assertThat(events).allSatisfy(e -> assertThat(e.containerId()).isEqualTo(id));
    assertThat(awaitExit(other).exitCode()).isZero();
    assertThat(closes).as("closing a subscription does not call onClose").isEmpty();
  }

  @Test
  void listFindsExactlyTheContainersCarryingEveryLabel() {
    String a1 = runtime.create(spec("list-a1").labels(withCase("list-a")).build());
    String a2 = runtime.create(spec("list-a2").labels(withCase("list-a")).build());
    String b = runtime.create(spec("list-b").labels(withCase("list-b")).build());

    List<ContainerState> listA = runtime.list(withCase("list-a"));
    List<ContainerState> listB = runtime.list(withCase("list-b"));

    assertThat(listA).extracting(ContainerState::id).containsExactlyInAnyOrder(a1, a2);
    assertThat(listA).allSatisfy(s -> assertThat(s.status()).isEqualTo(Status.CREATED));
    assertThat(listB).extracting(ContainerState::id).containsExactly(b);
    assertThat(runtime.list(RUN_LABEL)).extracting(ContainerState::id).contains(a1, a2, b);
  }

  private static Map<String, String> withCase(String testCase) {
    return caseLabels(testCase);
  }

  @Test
  void removeTakesAwayEvenARunningContainerAndIsIdempotent() {
    String id = run(spec("remove").command("sleep", "300").build());

    runtime.remove(id);

    assertThat(runtime.inspect(id)).isEmpty();
    runtime.remove(id); // absent: not an error
    assertThat(runtime.list(caseLabels("remove"))).isEmpty();
  }

  @Test
  void processOptionsAndLimitsReachTheContainer() throws Exception {
    String script =
        """
        case "$(cat /proc/1/cmdline)" in *docker-init*) ;; *) exit 10;; esac
        if (echo x > /probe) 2>/dev/null; then exit 11; fi
        [ "$(ulimit -n)" = 1024 ] || exit 12
        exit 7
        """;
    String id =
        run(
            spec("options")
                .command("sh", "-c", script)
                .initProcessEnabled(true)
                .readonlyRootFilesystem(true)
                .ulimits(List.of(new Ulimit("nofile", 1024, 2048)))
                .memory(64, 32)
                .cpuShares(1)
                .stopTimeoutSeconds(7)
                .build());

    assertThat(awaitExit(id).exitCode()).isEqualTo(7);
    assertThat(
            dockerInspect(
                id,
                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}}"
                    + " {{.HostConfig.CpuShares}} {{.Config.StopTimeout}} {{.HostConfig.NetworkMode}}"))
        .isEqualTo((64 << 20) + " " + (64 << 20) + " " + (32 << 20) + " 2 7 bridge");
  }

  private static List<Kind> kinds(List<ContainerEvent> events, String containerId) {
    return events.stream()
        .filter(e -> e.containerId().equals(containerId))
        .map(ContainerEvent::kind)
        .toList();
  }

  private static void assertKind(
      ThrowingCallable call, ContainerRuntimeException.Kind kind, String ecsErrorName) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ContainerRuntimeException.class,
            e -> {
              assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
              assertThat(e.ecsErrorName()).isEqualTo(ecsErrorName);
            });
  }

  private static int freePort(String hostIp) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(hostIp))) {
      return socket.getLocalPort();
    }
  }

  private static String get(URI uri) throws IOException, InterruptedException {
    try (HttpClient http =
        HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? response.body().strip()
          : "HTTP " + response.statusCode();
    }
  }

  /** What the docker CLI shows of the container: the engine's view, not the driver's. */
  private static String dockerInspect(String id, String format) throws Exception {
    Process process =
        new ProcessBuilder("docker", "inspect", "--format", format, id)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.strip();
  }

  @Test
  void followLogsGivesEveryEntryOfBothOutputsInOrderUntilTheContainerStops() throws Exception {
    String id =
        run(
            spec("logs")
                .command(
                    List.of(
                        "sh",
                        "-c",
                        "i=1; while [ $i -le 50 ]; do echo out-$i; echo err-$i >&2;"
                            + " i=$((i+1)); done"))
                .build());
    List<io.wharf.runtime.LogFrame> frames =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    // Returns once the container has stopped and its whole log was read.
    runtime.followLogs(id, null, frames::add);
    List<String> out = new java.util.ArrayList<>();
    List<String> err = new java.util.ArrayList<>();
    for (io.wharf.runtime.LogFrame f : frames) {
      String text = new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8);
      (f.source() == io.wharf.runtime.LogFrame.Source.STDOUT ? out : err).add(text);
    }
    List<String> expectedOut = new java.util.ArrayList<>();
    List<String> expectedErr = new java.util.ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      expectedOut.add("out-" + i + "\n");
      expectedErr.add("err-" + i + "\n");
    }
    assertThat(out).containsExactlyElementsOf(expectedOut);
    assertThat(err).containsExactlyElementsOf(expectedErr);
  }

  @Test
  void followLogsOfAnAbsentContainerIsNotFound() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> runtime.followLogs("0123456789ab0123456789ab", null, f -> {}))
        .isInstanceOfSatisfying(
            ContainerRuntimeException.class,
            e -> assertThat(e.kind()).isEqualTo(ContainerRuntimeException.Kind.NOT_FOUND));
  }
}
