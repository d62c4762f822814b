package io.wharf.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerSpec;
import io.wharf.runtime.ContainerState;
import io.wharf.runtime.LogFrame;
import io.wharf.runtime.docker.DockerErrors.Operation;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ContainerRuntime} on the Docker Engine API, through docker-java's core and its Apache
 * HttpClient 5 transport.
 *
 * <p><b>Time limits.</b> Every call has the limit {@link DockerTimeouts} gives it. A call runs on a
 * virtual thread of its own while the caller waits for it; when the limit passes the thread is
 * interrupted, which closes its connection (socket channels and, on virtual threads, sockets close
 * when their thread is interrupted), and the caller gets a {@code TIMEOUT}. The transport's own
 * read timeout cannot do this job: docker-java reads the unix socket through a channel that ignores
 * it, and event streams must be allowed to stay silent for hours.
 *
 * <p><b>Threading.</b> Safe for concurrent use; calls share a pool of {@value #MAX_CONNECTIONS}
 * connections. Each event subscription and each pull in progress holds one connection and one
 * docker-java streaming thread for its whole life.
 */
public final class DockerRuntime implements ContainerRuntime {
  private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

  /** Where Docker listens unless {@code DOCKER_HOST} says otherwise. */
  public static final URI DEFAULT_HOST = URI.create("unix:///var/run/docker.sock");

  /**
   * Connections to the engine: enough for an agent's event stream, a few pulls in progress and
   * dozens of containers being created, started, stopped and inspected at once. A call beyond it
   * waits for a free connection (within its own time limit).
   */
  static final int MAX_CONNECTIONS = 64;

  /** Container events the runtime follows (see {@link ContainerEvent.Kind}). */
  private static final String[] FOLLOWED_ACTIONS = {
    "start", "die", "oom", "health_status", "destroy"
  };

  private final URI host;
  private final DockerTimeouts timeouts;
  private final DockerClient docker;

  /** The transport itself, for the one call docker-java's own decoding gets wrong (logs). */
  private final DockerHttpClient http;

  private final Set<EventSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private DockerRuntime(URI host, DockerTimeouts timeouts) {
    this.host = host;
    this.timeouts = timeouts;
    DockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(host.toString())
            .build();
    // Closed with the client (DockerClientImpl.close closes its transport).
    this.http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(MAX_CONNECTIONS)
            .connectionTimeout(timeouts.connect())
            .build();
    this.docker = DockerClientImpl.getInstance(config, http);
  }

  /** Connects to the engine named by {@code DOCKER_HOST}, or to {@link #DEFAULT_HOST}. */
  public static DockerRuntime connect() {
    return connect(hostFromEnvironment(System.getenv("DOCKER_HOST")));
  }

  /**
   * Connects to the engine at {@code dockerHost} ({@code unix:///...} or {@code tcp://host:port}).
   */
  public static DockerRuntime connect(URI dockerHost) {
    return connect(dockerHost, DockerTimeouts.defaults());
  }

  /**
   * Connects with the given time limits. Nothing is sent to the engine yet: an engine that is down
   * shows as {@link #isAvailable()} false and as {@code ENGINE_UNREACHABLE} failures.
   */
  public static DockerRuntime connect(URI dockerHost, DockerTimeouts timeouts) {
    Objects.requireNonNull(dockerHost, "dockerHost");
    Objects.requireNonNull(timeouts, "timeouts");
    String scheme = dockerHost.getScheme() == null ? "" : dockerHost.getScheme();
    if (!Set.of("unix", "tcp", "npipe").contains(scheme.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "Docker host must be unix://, tcp:// or npipe://, got " + dockerHost);
    }
    return new DockerRuntime(dockerHost, timeouts);
  }

  /** {@code DOCKER_HOST}'s value as a URI, or {@link #DEFAULT_HOST} when it is unset or empty. */
  static URI hostFromEnvironment(String dockerHost) {
    return dockerHost == null || dockerHost.isBlank()
        ? DEFAULT_HOST
        : URI.create(dockerHost.strip());
  }

  /** The engine this runtime talks to. */
  public URI host() {
    return host;
  }

  public DockerTimeouts timeouts() {
    return timeouts;
  }

  @Override
  public boolean isAvailable() {
    if (closed) {
      return false;
    }
    try {
      call(Operation.PING, null, timeouts.ping(), () -> docker.pingCmd().exec());
      return true;
    } catch (RuntimeException unavailable) {
      log.debug("Docker engine at {} does not answer: {}", host, unavailable.toString());
      return false;
    }
  }

  @Override
  public boolean hasImage(String image) {
    String reference = DockerMapping.normalizeImage(requireText(image, "image"));
    return call(
        Operation.HAS_IMAGE,
        reference,
        timeouts.response(),
        () -> {
          try {
            docker.inspectImageCmd(reference).exec();
            return true;
          } catch (NotFoundException absent) {
            return false;
          }
        });
  }

  @Override
  public void pull(String image) {
    String reference = DockerMapping.normalizeImage(requireText(image, "image"));
    ensureOpen();
    PullProgress progress = new PullProgress(reference, timeouts);
    try (progress) {
      // Returns at once: docker-java streams the progress on a thread of its own.
      docker.pullImageCmd(reference).exec(progress);
      progress.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(Operation.PULL, reference, e);
    } catch (RuntimeException e) {
      throw DockerErrors.classify(Operation.PULL, reference, e);
    }
  }

  @Override
  public String create(ContainerSpec spec) {
    Objects.requireNonNull(spec, "spec");
    String subject = spec.name() == null ? "from " + spec.image() : spec.name();
    CreateContainerResponse created =
        call(
            Operation.CREATE,
            subject,
            timeouts.create(),
            () ->
                DockerMapping.toCreateCommand(spec, docker.createContainerCmd(spec.image()))
                    .exec());
    if (created.getWarnings() != null && created.getWarnings().length > 0) {
      log.warn(
          "Docker warns about container {}: {}", subject, String.join("; ", created.getWarnings()));
    }
    return created.getId();
  }

  @Override
  public void start(String containerId) {
    requireText(containerId, "containerId");
    call(
        Operation.START,
        containerId,
        timeouts.start(),
        () -> {
          try {
            docker.startContainerCmd(containerId).exec();
          } catch (NotModifiedException alreadyRunning) {
            // started already: the state asked for holds
          }
          return null;
        });
  }

  @Override
  public void stop(String containerId, Duration timeout) {
    requireText(containerId, "containerId");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("stop timeout must not be negative: " + timeout);
    }
    // The engine counts in whole seconds; round up so the container gets at least what was asked.
    long seconds = timeout.toSeconds() + (timeout.toNanosPart() > 0 ? 1 : 0);
    int engineSeconds = (int) Math.min(seconds, Integer.MAX_VALUE);
    call(
        Operation.STOP,
        containerId,
        timeouts.stop(timeout),
        () -> {
          try {
            docker.stopContainerCmd(containerId).withTimeout(engineSeconds).exec();
          } catch (NotModifiedException alreadyStopped) {
            // not running: the state asked for holds
          }
          return null;
        });
  }

  @Override
  public void remove(String containerId) {
    requireText(containerId, "containerId");
    call(
        Operation.REMOVE,
        containerId,
        timeouts.remove(),
        () -> {
          try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
          } catch (NotFoundException absent) {
            // gone already: the state asked for holds
          } catch (ConflictException conflict) {
            // "removal of container ... is already in progress": someone else is doing it.
            if (!conflict.getMessage().contains("already in progress")) {
              throw conflict;
            }
          }
          return null;
        });
  }

  @Override
  public Optional<ContainerState> inspect(String containerId) {
    requireText(containerId, "containerId");
    return Optional.ofNullable(
        call(
            Operation.INSPECT,
            containerId,
            timeouts.inspect(),
            () -> {
              try {
                return DockerMapping.state(docker.inspectContainerCmd(containerId).exec());
              } catch (NotFoundException absent) {
                return null;
              }
            }));
  }

  @Override
  public List<ContainerState> list(Map<String, String> labels) {
    Map<String, String> filter = labels == null ? Map.of() : Map.copyOf(labels);
    List<Container> containers =
        call(
            Operation.LIST,
            null,
            timeouts.list(),
            () -> {
              var command = docker.listContainersCmd().withShowAll(true);
              if (!filter.isEmpty()) {
                command.withLabelFilter(filter);
              }
              return command.exec();
            });
    // The list's summaries lack the exit code, OOM flag, health and times; inspect each. A
    // container removed in between is simply left out.
    List<ContainerState> states = new ArrayList<>(containers.size());
    for (Container container : containers) {
      inspect(container.getId()).ifPresent(states::add);
    }
    return states;
  }

  @Override
  public Subscription events(
      Map<String, String> labels, Consumer<ContainerEvent> listener, Consumer<Throwable> onClose) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(onClose, "onClose");
    Map<String, String> filter = labels == null ? Map.of() : Map.copyOf(labels);
    ensureOpen();
    EventSubscription subscription =
        new EventSubscription(listener, onClose, subscriptions::remove);
    subscriptions.add(subscription);
    try {
      var command =
          docker
              .eventsCmd()
              .withEventTypeFilter(EventType.CONTAINER)
              .withEventFilter(FOLLOWED_ACTIONS)
              .withSince(since(Instant.now()));
      if (!filter.isEmpty()) {
        command.withLabelFilter(filter);
      }
      // Returns at once: docker-java streams the events on a thread of its own.
      command.exec(subscription);
      subscription.awaitOpen(timeouts.response());
    } catch (InterruptedException e) {
      subscription.close();
      Thread.currentThread().interrupt();
      throw interrupted(Operation.EVENTS, null, e);
    } catch (RuntimeException e) {
      subscription.close();
      throw DockerErrors.classify(Operation.EVENTS, null, e);
    }
    if (closed) {
      subscription.close(); // the runtime was closed while this subscription was being made
      ensureOpen();
    }
    return subscription;
  }

  @Override
  public void followLogs(String containerId, Instant since, Consumer<LogFrame> sink)
      throws InterruptedException {
    requireText(containerId, "containerId");
    Objects.requireNonNull(sink, "sink");
    ensureOpen();
    String path =
        "/containers/"
            + containerId
            + "/logs?follow=1&stdout=1&stderr=1&timestamps=1"
            + (since != null && since.getEpochSecond() > 0
                ? "&since=" + since.getEpochSecond()
                : "");
    DockerHttpClient.Request request =
        DockerHttpClient.Request.builder()
            .method(DockerHttpClient.Request.Method.GET)
            .path(path)
            .build();
    // The engine's multiplexed stream is read here rather than through docker-java's frame
    // consumer: that one hands on each read of at most 1 KiB as a frame of its own, so an entry
    // that arrives in two reads came as two frames, the second without its timestamp. No time
    // limit: a followed log stays open as long as the container runs, silent or not; an
    // interrupt closes the stream.
    java.util.concurrent.atomic.AtomicReference<DockerHttpClient.Response> open =
        new java.util.concurrent.atomic.AtomicReference<>();
    FutureTask<Void> task =
        new FutureTask<>(
            () -> {
              try (DockerHttpClient.Response response = http.execute(request)) {
                open.set(response);
                if (response.getStatusCode() == 404) {
                  throw new ContainerRuntimeException(
                      ContainerRuntimeException.Kind.NOT_FOUND,
                      Operation.LOGS.ecsErrorName,
                      DockerErrors.describe(Operation.LOGS, containerId) + ": no such container",
                      null);
                }
                if (response.getStatusCode() / 100 != 2) {
                  throw new ContainerRuntimeException(
                      ContainerRuntimeException.Kind.OTHER,
                      Operation.LOGS.ecsErrorName,
                      DockerErrors.describe(Operation.LOGS, containerId)
                          + ": the engine answered "
                          + response.getStatusCode(),
                      null);
                }
                java.io.InputStream in = response.getBody();
                while (true) {
                  byte[] header = in.readNBytes(8);
                  if (header.length < 8) {
                    return null; // the log ended
                  }
                  int size =
                      ((header[4] & 0xFF) << 24)
                          | ((header[5] & 0xFF) << 16)
                          | ((header[6] & 0xFF) << 8)
                          | (header[7] & 0xFF);
                  byte[] payload = in.readNBytes(size);
                  StreamType type = header[0] == 2 ? StreamType.STDERR : StreamType.STDOUT;
                  LogFrame parsed = DockerMapping.logFrame(new Frame(type, payload));
                  if (parsed != null) {
                    sink.accept(parsed);
                  }
                }
              }
            });
    Thread.ofVirtual().name("wharf-docker-logs").start(task);
    try {
      task.get();
    } catch (InterruptedException e) {
      DockerHttpClient.Response r = open.get();
      if (r != null) {
        try {
          r.close();
        } catch (RuntimeException closing) {
          log.debug("closing the log stream of {}", containerId, closing);
        }
      }
      task.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      throw DockerErrors.classify(Operation.LOGS, containerId, e.getCause());
    }
  }

  /**
   * Docker's {@code since} for "from now on": the engine replays what it logged from then, which
   * closes the gap between asking for the stream and the engine subscribing it. A remote engine's
   * clock may differ; events in the skew may be lost or repeated.
   */
  static String since(Instant now) {
    return now.getEpochSecond() + "." + String.format("%09d", now.getNano());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (EventSubscription subscription : List.copyOf(subscriptions)) {
      subscription.close();
    }
    try {
      docker.close();
    } catch (IOException e) {
      log.debug("closing the Docker client", e);
    }
  }

  @Override
  public String toString() {
    return "DockerRuntime[" + host + "]";
  }

  /**
   * Runs {@code body} on a virtual thread of its own and waits at most {@code limit} for it; past
   * the limit the thread is interrupted (closing its connection) and the call fails with {@code
   * TIMEOUT}. Failures are classified by {@link DockerErrors}.
   */
  private <T> T call(Operation operation, String subject, Duration limit, Callable<T> body) {
    ensureOpen();
    FutureTask<T> task = new FutureTask<>(body);
    Thread.ofVirtual()
        .name("wharf-docker-" + operation.name().toLowerCase(Locale.ROOT))
        .start(task);
    try {
      return task.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      throw DockerErrors.timeout(operation, subject, limit);
    } catch (ExecutionException e) {
      throw DockerErrors.classify(operation, subject, e.getCause());
    } catch (InterruptedException e) {
      task.cancel(true);
      Thread.currentThread().interrupt();
      throw interrupted(operation, subject, e);
    }
  }

  private static ContainerRuntimeException interrupted(
      Operation operation, String subject, InterruptedException e) {
    return new ContainerRuntimeException(
        ContainerRuntimeException.Kind.OTHER,
        operation.ecsErrorName,
        DockerErrors.describe(operation, subject) + ": interrupted",
        e);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  private static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
    return value;
  }
}
