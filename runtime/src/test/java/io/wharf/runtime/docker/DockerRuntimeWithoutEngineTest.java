package io.wharf.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerRuntimeException.Kind;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the driver behaves when there is no engine, or one that never answers. No Docker needed. */
class DockerRuntimeWithoutEngineTest {
  @TempDir Path dir;

  /** Short limits, so that a silent engine fails these tests quickly. */
  private static DockerTimeouts shortTimeouts() {
    Duration d = Duration.ofMillis(300);
    return new DockerTimeouts(d, d, d, d, d, d, d, d, d, d, d, Duration.ofSeconds(5));
  }

  @Test
  void aMissingSocketMeansTheEngineIsUnreachable() {
    URI host = URI.create("unix://" + dir.resolve("missing.sock"));
    try (DockerRuntime runtime = DockerRuntime.connect(host)) {
      assertThat(runtime.isAvailable()).isFalse();
      assertUnreachable(() -> runtime.inspect("abc"), "CannotInspectContainerError");
      assertUnreachable(() -> runtime.start("abc"), "CannotStartContainerError");
      assertUnreachable(() -> runtime.pull("busybox"), "CannotPullContainerError");
      assertUnreachable(() -> runtime.events(Map.of(), e -> {}, t -> {}), "DockerEventStreamError");
    }
  }

  @Test
  void aRefusedTcpConnectionMeansTheEngineIsUnreachable() {
    try (DockerRuntime runtime = DockerRuntime.connect(URI.create("tcp://127.0.0.1:1"))) {
      assertThat(runtime.isAvailable()).isFalse();
      assertUnreachable(() -> runtime.list(Map.of()), "CannotListContainersError");
    }
  }

  @Test
  void anEngineThatNeverAnswersTimesOutEveryKindOfCall() throws IOException {
    Path socket = dir.resolve("silent.sock");
    try (SilentEngine engine = new SilentEngine(socket);
        DockerRuntime runtime =
            DockerRuntime.connect(URI.create("unix://" + socket), shortTimeouts())) {
      assertThat(runtime.isAvailable()).isFalse();
      assertTimeout(() -> runtime.inspect("abc"), "inspect container abc");
      assertTimeout(() -> runtime.stop("abc", Duration.ZERO), "stop container abc");
      assertTimeout(() -> runtime.events(Map.of(), e -> {}, t -> {}), "subscribe to events");
      assertTimeout(() -> runtime.pull("busybox"), "pull image busybox:latest");
      assertThat(engine.connections()).isPositive();
    }
  }

  @Test
  void aClosedRuntimeRefusesCallsButStillAnswersIsAvailable() {
    DockerRuntime runtime = DockerRuntime.connect(URI.create("unix://" + dir.resolve("x.sock")));
    runtime.close();
    runtime.close(); // idempotent

    assertThat(runtime.isAvailable()).isFalse();
    assertThatThrownBy(() -> runtime.inspect("abc")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dockerHostComesFromTheEnvironmentOrTheDefaultSocket() {
    assertThat(DockerRuntime.hostFromEnvironment(null)).isEqualTo(DockerRuntime.DEFAULT_HOST);
    assertThat(DockerRuntime.hostFromEnvironment(" ")).isEqualTo(DockerRuntime.DEFAULT_HOST);
    assertThat(DockerRuntime.hostFromEnvironment("tcp://10.0.0.1:2375"))
        .isEqualTo(URI.create("tcp://10.0.0.1:2375"));
    assertThat(DockerRuntime.DEFAULT_HOST).isEqualTo(URI.create("unix:///var/run/docker.sock"));
    assertThatThrownBy(() -> DockerRuntime.connect(URI.create("http://localhost:2375")))
        .hasMessageContaining("unix://, tcp://");
  }

  @Test
  void eventsAskTheEngineToReplayFromTheMomentOfSubscribing() {
    assertThat(DockerRuntime.since(java.time.Instant.ofEpochSecond(1_700_000_000L, 5)))
        .isEqualTo("1700000000.000000005");
  }

  private static void assertUnreachable(ThrowingCallable call, String ecsErrorName) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ContainerRuntimeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.ENGINE_UNREACHABLE);
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.ecsErrorName()).isEqualTo(ecsErrorName);
            });
  }

  private static void assertTimeout(ThrowingCallable call, String what) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ContainerRuntimeException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
              assertThat(e.ecsErrorName()).isEqualTo("DockerTimeoutError");
              assertThat(e.getMessage()).startsWith(what);
            });
  }

  /** A unix socket that accepts connections and never says a word. */
  private static final class SilentEngine implements AutoCloseable {
    private final ServerSocketChannel server;
    private final List<SocketChannel> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentEngine(Path socket) throws IOException {
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      Consumer<SocketChannel> keep = accepted::add;
      acceptor =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      while (true) {
                        keep.accept(server.accept());
                      }
                    } catch (IOException closed) {
                      // the test is over
                    }
                  });
    }

    int connections() {
      return accepted.size();
    }

    @Override
    public void close() throws IOException {
      server.close();
      acceptor.interrupt();
      for (SocketChannel channel : accepted) {
        channel.close();
      }
    }
  }
}
