package io.wharf.runtime.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.NetworkSettings;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.StreamType;
import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerSpec;
import io.wharf.runtime.ContainerState;
import io.wharf.runtime.ContainerState.Health;
import io.wharf.runtime.ContainerState.Status;
import io.wharf.runtime.HealthCheck;
import io.wharf.runtime.LogFrame;
import io.wharf.runtime.PortBinding;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Translation between Wharf's runtime values and Docker's: a {@link ContainerSpec} into a create
 * command, and the engine's inspect output and events back into {@link ContainerState} and {@link
 * ContainerEvent}. Pure functions, no I/O, so the mapping is tested without an engine.
 */
final class DockerMapping {
  private DockerMapping() {}

  private static final long MIB = 1024L * 1024L;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /** Docker rejects CpuShares of 1 (its minimum is 2); the ECS agent raises such values to 2. */
  static final int MIN_CPU_SHARES = 2;

  /** Docker's "never happened" timestamp (Go's zero time) in StartedAt and FinishedAt. */
  private static final String ZERO_TIME_PREFIX = "0001-01-01";

  /**
   * Event attributes Docker adds beside the container's labels. Docker mixes labels into the same
   * map, so a label with one of these names is indistinguishable from the attribute and is dropped.
   */
  private static final Set<String> EVENT_ATTRIBUTES =
      Set.of("name", "image", "exitCode", "signal", "execDuration");

  /** Fills {@code command} (created for {@code spec.image()}) with the rest of the spec. */
  static CreateContainerCmd toCreateCommand(ContainerSpec spec, CreateContainerCmd command) {
    command.withImage(normalizeImage(spec.image())).withLabels(spec.labels());
    if (spec.name() != null) {
      command.withName(spec.name());
    }
    if (spec.command() != null) {
      command.withCmd(spec.command());
    }
    if (spec.entryPoint() != null) {
      command.withEntrypoint(spec.entryPoint());
    }
    if (!spec.environment().isEmpty()) {
      command.withEnv(environment(spec.environment()));
    }
    if (spec.workingDirectory() != null) {
      command.withWorkingDir(spec.workingDirectory());
    }
    if (spec.user() != null) {
      command.withUser(spec.user());
    }
    if (spec.healthCheck() != null) {
      command.withHealthcheck(healthCheck(spec.healthCheck()));
    }
    if (spec.stopTimeoutSeconds() != null) {
      command.withStopTimeout(spec.stopTimeoutSeconds());
    }
    if (!spec.ports().isEmpty()) {
      // The engine binds only published ports it also sees as exposed (as `docker run -p` does).
      Set<ExposedPort> exposed = new LinkedHashSet<>();
      spec.ports().forEach(p -> exposed.add(exposedPort(p)));
      command.withExposedPorts(List.copyOf(exposed));
    }
    return command.withHostConfig(hostConfig(spec));
  }

  /** The resource limits, ports, network mode and process options of a spec. */
  static HostConfig hostConfig(ContainerSpec spec) {
    // The engine's local json-file log whatever the daemon's default: the agent reads it back to
    // deliver awslogs output (and docker logs works for every container).
    HostConfig host =
        HostConfig.newHostConfig()
            .withNetworkMode(spec.networkMode())
            .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE));
    if (spec.memoryLimitMiB() > 0) {
      long bytes = spec.memoryLimitMiB() * MIB;
      // MemorySwap is memory plus swap: equal to Memory means no swap, so the limit is a hard
      // one (ECS semantics) rather than the engine's default of as much swap again.
      host.withMemory(bytes).withMemorySwap(bytes);
    }
    if (spec.memoryReservationMiB() > 0) {
      host.withMemoryReservation(spec.memoryReservationMiB() * MIB);
    }
    if (spec.cpuShares() > 0) {
      host.withCpuShares(Math.max(spec.cpuShares(), MIN_CPU_SHARES));
    }
    if (spec.initProcessEnabled()) {
      host.withInit(true);
    }
    if (spec.readonlyRootFilesystem()) {
      host.withReadonlyRootfs(true);
    }
    if (!spec.ulimits().isEmpty()) {
      host.withUlimits(
          spec.ulimits().stream()
              .map(u -> new com.github.dockerjava.api.model.Ulimit(u.name(), u.soft(), u.hard()))
              .toList());
    }
    if (!spec.ports().isEmpty()) {
      Ports bindings = new Ports();
      for (PortBinding port : spec.ports()) {
        // An empty host port asks the engine to pick one from its ephemeral range.
        String hostPort = port.hostPort() == 0 ? null : Integer.toString(port.hostPort());
        bindings.bind(exposedPort(port), new Ports.Binding(port.hostIp(), hostPort));
      }
      host.withPortBindings(bindings);
    }
    return host;
  }

  /**
   * ECS's health check form to Docker's: the test array keeps its CMD / CMD-SHELL / NONE head
   * (Docker reads the same forms), and the durations become nanoseconds. Zero stays unset, which
   * means the engine's default.
   */
  static com.github.dockerjava.api.model.HealthCheck healthCheck(HealthCheck check) {
    var docker = new com.github.dockerjava.api.model.HealthCheck().withTest(check.command());
    if (check.intervalSeconds() > 0) {
      docker.withInterval(check.intervalSeconds() * NANOS_PER_SECOND);
    }
    if (check.timeoutSeconds() > 0) {
      docker.withTimeout(check.timeoutSeconds() * NANOS_PER_SECOND);
    }
    if (check.retries() > 0) {
      docker.withRetries(check.retries());
    }
    if (check.startPeriodSeconds() > 0) {
      docker.withStartPeriod(check.startPeriodSeconds() * NANOS_PER_SECOND);
    }
    return docker;
  }

  /** {@code NAME=value} entries, in name order (the spec keeps them sorted). */
  static List<String> environment(Map<String, String> environment) {
    List<String> entries = new ArrayList<>(environment.size());
    environment.forEach((name, value) -> entries.add(name + "=" + value));
    return entries;
  }

  /**
   * An image reference with an explicit tag: the engine's pull API, given a repository without a
   * tag or digest, pulls every tag of it, where {@code docker pull} means {@code :latest}.
   */
  static String normalizeImage(String image) {
    if (image.contains("@")) {
      return image; // pinned by digest
    }
    int lastSlash = image.lastIndexOf('/');
    // A colon before the last slash belongs to a registry host:port, not to a tag.
    return image.indexOf(':', lastSlash + 1) >= 0 ? image : image + ":latest";
  }

  private static ExposedPort exposedPort(PortBinding port) {
    return port.protocol().equals("udp")
        ? ExposedPort.udp(port.containerPort())
        : ExposedPort.tcp(port.containerPort());
  }

  /** The engine's inspect output as a {@link ContainerState}. */
  static ContainerState state(InspectContainerResponse inspect) {
    var state = inspect.getState();
    Status status = status(state);
    Long exitCodeLong = state == null ? null : state.getExitCodeLong();
    Integer exitCode = exitCodeLong == null ? null : exitCodeLong.intValue();
    // Docker reports 0 for a container that has not exited; only an exited one (or one whose
    // start failed, which leaves a non-zero code on a created container) has a real exit code.
    if (exitCode != null && !status.isTerminal() && exitCode == 0) {
      exitCode = null;
    }
    String name = inspect.getName();
    if (name != null && name.startsWith("/")) {
      name = name.substring(1);
    }
    var config = inspect.getConfig();
    return new ContainerState(
        inspect.getId(),
        name,
        config == null ? null : config.getImage(),
        config == null || config.getLabels() == null ? Map.of() : config.getLabels(),
        status,
        exitCode,
        state != null && Boolean.TRUE.equals(state.getOOMKilled()),
        state == null ? null : state.getError(),
        health(state == null ? null : state.getHealth()),
        instant(inspect.getCreated()),
        state == null ? null : instant(state.getStartedAt()),
        state == null ? null : instant(state.getFinishedAt()),
        ports(inspect.getNetworkSettings()));
  }

  private static Status status(InspectContainerResponse.ContainerState state) {
    if (state == null) {
      return Status.DEAD;
    }
    String text = state.getStatus();
    if (text != null) {
      try {
        return Status.valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException unknown) {
        // fall back to the flags below
      }
    }
    // Engines older than API 1.21 report only flags.
    if (Boolean.TRUE.equals(state.getDead())) {
      return Status.DEAD;
    }
    if (Boolean.TRUE.equals(state.getRestarting())) {
      return Status.RESTARTING;
    }
    if (Boolean.TRUE.equals(state.getPaused())) {
      return Status.PAUSED;
    }
    if (Boolean.TRUE.equals(state.getRunning())) {
      return Status.RUNNING;
    }
    return instant(state.getStartedAt()) == null ? Status.CREATED : Status.EXITED;
  }

  private static Health health(HealthState health) {
    if (health == null || health.getStatus() == null) {
      return Health.NONE;
    }
    return switch (health.getStatus()) {
      case "healthy" -> Health.HEALTHY;
      case "unhealthy" -> Health.UNHEALTHY;
      case "starting" -> Health.STARTING;
      default -> Health.NONE;
    };
  }

  private static List<PortBinding> ports(NetworkSettings network) {
    if (network == null || network.getPorts() == null) {
      return List.of();
    }
    List<PortBinding> ports = new ArrayList<>();
    network
        .getPorts()
        .getBindings()
        .forEach(
            (exposed, bindings) -> {
              if (bindings == null) {
                return; // exposed but not published
              }
              String protocol = exposed.getProtocol() == InternetProtocol.UDP ? "udp" : "tcp";
              for (Ports.Binding binding : bindings) {
                Integer hostPort = parseInteger(binding.getHostPortSpec());
                if (hostPort != null) {
                  ports.add(
                      new PortBinding(exposed.getPort(), hostPort, protocol, binding.getHostIp()));
                }
              }
            });
    ports.sort(
        Comparator.comparingInt(PortBinding::containerPort)
            .thenComparing(PortBinding::protocol)
            .thenComparing(p -> p.hostIp() == null ? "" : p.hostIp()));
    return ports;
  }

  /** An integer, or null when absent or not one (a host port range, which Wharf never asks for). */
  private static Integer parseInteger(String text) {
    try {
      return text == null || text.isEmpty() ? null : Integer.valueOf(text);
    } catch (NumberFormatException notAnInteger) {
      return null;
    }
  }

  /** A Docker timestamp (RFC 3339 with nanoseconds), or null for Go's zero time or none. */
  static Instant instant(String timestamp) {
    if (timestamp == null || timestamp.isEmpty() || timestamp.startsWith(ZERO_TIME_PREFIX)) {
      return null;
    }
    try {
      return OffsetDateTime.parse(timestamp).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * A frame of a log read with timestamps ({@code <RFC 3339 nanos> <entry>}) as a {@link LogFrame},
   * or null for one that carries no entry (a TTY's raw stream is taken as standard output).
   */
  static LogFrame logFrame(Frame frame) {
    byte[] raw = frame.getPayload();
    if (raw == null) {
      return null;
    }
    int space = -1;
    for (int i = 0; i < raw.length && i < 64; i++) {
      if (raw[i] == ' ') {
        space = i;
        break;
      }
    }
    if (space < 0) {
      return null;
    }
    String stamp = new String(raw, 0, space, java.nio.charset.StandardCharsets.US_ASCII);
    Instant time;
    try {
      time = OffsetDateTime.parse(stamp).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
    byte[] payload = java.util.Arrays.copyOfRange(raw, space + 1, raw.length);
    LogFrame.Source source =
        frame.getStreamType() == StreamType.STDERR
            ? LogFrame.Source.STDERR
            : LogFrame.Source.STDOUT;
    return new LogFrame(source, stamp, time, payload);
  }

  /**
   * A Docker container event as a {@link ContainerEvent}, or empty for actions Wharf does not
   * follow (including {@code health_status: starting}).
   */
  static Optional<ContainerEvent> event(Event event) {
    String action = event.getAction() != null ? event.getAction() : event.getStatus();
    if (action == null) {
      return Optional.empty();
    }
    ContainerEvent.Kind kind =
        switch (action.strip()) {
          case "start" -> ContainerEvent.Kind.STARTED;
          case "die" -> ContainerEvent.Kind.DIED;
          case "oom" -> ContainerEvent.Kind.OOM;
          case "health_status: healthy" -> ContainerEvent.Kind.HEALTHY;
          case "health_status: unhealthy" -> ContainerEvent.Kind.UNHEALTHY;
          case "destroy" -> ContainerEvent.Kind.DESTROYED;
          default -> null;
        };
    String id = event.getActor() != null ? event.getActor().getId() : event.getId();
    if (kind == null || id == null) {
      return Optional.empty();
    }
    Map<String, String> attributes =
        event.getActor() == null || event.getActor().getAttributes() == null
            ? Map.of()
            : event.getActor().getAttributes();
    Map<String, String> labels = new HashMap<>(attributes);
    labels.keySet().removeAll(EVENT_ATTRIBUTES);
    Integer exitCode = null;
    if (kind == ContainerEvent.Kind.DIED) {
      exitCode = parseInteger(attributes.get("exitCode"));
    }
    return Optional.of(new ContainerEvent(id, kind, labels, exitCode));
  }
}
