package io.wharf.runtime;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What to create: one container, in the terms of an ECS container definition after the agent has
 * resolved it (network mode, host ports, limits in MiB). Immutable; build one with {@link
 * #builder(String)}, change a copy with {@link #toBuilder()}.
 *
 * @param name the engine's name for the container, or null to let the engine pick one
 * @param image the image reference, e.g. {@code wharf-test/busybox:latest}
 * @param command the command (ECS {@code command}, Docker {@code Cmd}); null keeps the image's
 * @param entryPoint the entry point; null keeps the image's
 * @param environment environment variables
 * @param workingDirectory the working directory; null keeps the image's
 * @param user the user ({@code name}, {@code uid}, {@code uid:gid}, ...); null keeps the image's
 * @param labels the container's labels; Wharf puts its cluster, task and container names here so
 *     the agent can rebuild its view from the engine
 * @param cpuShares relative CPU weight; 0 leaves it unset, 1 is raised to 2 (the engine's minimum,
 *     as the ECS agent does)
 * @param memoryLimitMiB hard memory limit in MiB (ECS {@code memory}); 0 means none. The container
 *     gets no swap beyond it.
 * @param memoryReservationMiB soft memory limit in MiB (ECS {@code memoryReservation}); 0 means
 *     none; at most {@code memoryLimitMiB} when both are set
 * @param ports host port bindings
 * @param networkMode {@code bridge} (the default when null), {@code host} or {@code none}
 * @param healthCheck the health check; null keeps the image's
 * @param ulimits resource limits, at most one per name
 * @param initProcessEnabled run an init process as PID 1 that forwards signals and reaps zombies
 * @param readonlyRootFilesystem mount the root filesystem read-only
 * @param stopTimeoutSeconds the container's own stop timeout; null leaves the engine's default
 */
public record ContainerSpec(
    String name,
    String image,
    List<String> command,
    List<String> entryPoint,
    Map<String, String> environment,
    String workingDirectory,
    String user,
    Map<String, String> labels,
    int cpuShares,
    long memoryLimitMiB,
    long memoryReservationMiB,
    List<PortBinding> ports,
    String networkMode,
    HealthCheck healthCheck,
    List<Ulimit> ulimits,
    boolean initProcessEnabled,
    boolean readonlyRootFilesystem,
    Integer stopTimeoutSeconds) {

  /** Docker's rule for container names (daemon/names). */
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

  /** Docker's largest CPU share value (kernel cgroup v1 maximum). */
  public static final int MAX_CPU_SHARES = 262_144;

  /**
   * The network modes this driver supports; {@code awsvpc} comes with the serverless launch type.
   */
  public static final Set<String> NETWORK_MODES = Set.of("bridge", "host", "none");

  public ContainerSpec {
    if (name != null && !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "container name must match [a-zA-Z0-9][a-zA-Z0-9_.-]+, got: " + name);
    }
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException("image is required");
    }
    command = command == null ? null : List.copyOf(command);
    entryPoint = entryPoint == null ? null : List.copyOf(entryPoint);
    environment = copyOfStringMap("environment", environment, true);
    workingDirectory = emptyToNull(workingDirectory);
    user = emptyToNull(user);
    labels = copyOfStringMap("labels", labels, false);
    if (cpuShares < 0 || cpuShares > MAX_CPU_SHARES) {
      throw new IllegalArgumentException(
          "cpuShares must be between 0 and " + MAX_CPU_SHARES + ", got " + cpuShares);
    }
    if (memoryLimitMiB < 0 || memoryReservationMiB < 0) {
      throw new IllegalArgumentException("memory limits must not be negative");
    }
    if (memoryLimitMiB > 0 && memoryReservationMiB > memoryLimitMiB) {
      throw new IllegalArgumentException(
          "memoryReservationMiB ("
              + memoryReservationMiB
              + ") must not exceed memoryLimitMiB ("
              + memoryLimitMiB
              + ")");
    }
    ports = ports == null ? List.of() : List.copyOf(ports);
    networkMode = networkMode == null ? "bridge" : networkMode;
    if (!NETWORK_MODES.contains(networkMode)) {
      throw new IllegalArgumentException(
          "networkMode must be bridge, host or none, got: " + networkMode);
    }
    ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    Set<String> ulimitNames = new HashSet<>();
    for (Ulimit ulimit : ulimits) {
      if (!ulimitNames.add(ulimit.name())) {
        throw new IllegalArgumentException("ulimit " + ulimit.name() + " is given twice");
      }
    }
    if (stopTimeoutSeconds != null && stopTimeoutSeconds < 0) {
      throw new IllegalArgumentException("stopTimeoutSeconds must not be negative");
    }
  }

  /** A builder for a spec of {@code image}, with the image's defaults for everything else. */
  public static Builder builder(String image) {
    return new Builder().image(image);
  }

  /** A builder holding this spec's values, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.image = image;
    b.command = command;
    b.entryPoint = entryPoint;
    b.environment = environment;
    b.workingDirectory = workingDirectory;
    b.user = user;
    b.labels = labels;
    b.cpuShares = cpuShares;
    b.memoryLimitMiB = memoryLimitMiB;
    b.memoryReservationMiB = memoryReservationMiB;
    b.ports = ports;
    b.networkMode = networkMode;
    b.healthCheck = healthCheck;
    b.ulimits = ulimits;
    b.initProcessEnabled = initProcessEnabled;
    b.readonlyRootFilesystem = readonlyRootFilesystem;
    b.stopTimeoutSeconds = stopTimeoutSeconds;
    return b;
  }

  /**
   * Collects a spec's values; {@link #build()} validates them. The setters mirror the record's
   * components (see there for their meaning). Not thread-safe.
   */
  public static final class Builder {
    private String name;
    private String image;
    private List<String> command;
    private List<String> entryPoint;
    private Map<String, String> environment = Map.of();
    private String workingDirectory;
    private String user;
    private Map<String, String> labels = Map.of();
    private int cpuShares;
    private long memoryLimitMiB;
    private long memoryReservationMiB;
    private List<PortBinding> ports = List.of();
    private String networkMode = "bridge";
    private HealthCheck healthCheck;
    private List<Ulimit> ulimits = List.of();
    private boolean initProcessEnabled;
    private boolean readonlyRootFilesystem;
    private Integer stopTimeoutSeconds;

    private Builder() {}

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder image(String image) {
      this.image = image;
      return this;
    }

    public Builder command(List<String> command) {
      this.command = command;
      return this;
    }

    public Builder command(String... command) {
      return command(List.of(command));
    }

    public Builder entryPoint(List<String> entryPoint) {
      this.entryPoint = entryPoint;
      return this;
    }

    public Builder environment(Map<String, String> environment) {
      this.environment = environment;
      return this;
    }

    public Builder workingDirectory(String workingDirectory) {
      this.workingDirectory = workingDirectory;
      return this;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      this.labels = labels;
      return this;
    }

    public Builder cpuShares(int cpuShares) {
      this.cpuShares = cpuShares;
      return this;
    }

    /** Hard and soft memory limits in MiB; 0 means none. */
    public Builder memory(long memoryLimitMiB, long memoryReservationMiB) {
      this.memoryLimitMiB = memoryLimitMiB;
      this.memoryReservationMiB = memoryReservationMiB;
      return this;
    }

    public Builder ports(List<PortBinding> ports) {
      this.ports = ports;
      return this;
    }

    public Builder networkMode(String networkMode) {
      this.networkMode = networkMode;
      return this;
    }

    public Builder healthCheck(HealthCheck healthCheck) {
      this.healthCheck = healthCheck;
      return this;
    }

    public Builder ulimits(List<Ulimit> ulimits) {
      this.ulimits = ulimits;
      return this;
    }

    public Builder initProcessEnabled(boolean initProcessEnabled) {
      this.initProcessEnabled = initProcessEnabled;
      return this;
    }

    public Builder readonlyRootFilesystem(boolean readonlyRootFilesystem) {
      this.readonlyRootFilesystem = readonlyRootFilesystem;
      return this;
    }

    public Builder stopTimeoutSeconds(Integer stopTimeoutSeconds) {
      this.stopTimeoutSeconds = stopTimeoutSeconds;
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalArgumentException when a value breaks the record's rules
     */
    public ContainerSpec build() {
      return new ContainerSpec(
          name,
          image,
          command,
          entryPoint,
          environment,
          workingDirectory,
          user,
          labels,
          cpuShares,
          memoryLimitMiB,
          memoryReservationMiB,
          ports,
          networkMode,
          healthCheck,
          ulimits,
          initProcessEnabled,
          readonlyRootFilesystem,
          stopTimeoutSeconds);
    }
  }

  /**
   * An unmodifiable, key-sorted copy (sorted so that what reaches the engine does not depend on the
   * caller's map). Environment names may not contain {@code =}, which would split them.
   */
  private static Map<String, String> copyOfStringMap(
      String what, Map<String, String> map, boolean isEnvironment) {
    if (map == null) {
      return Map.of();
    }
    TreeMap<String, String> copy = new TreeMap<>();
    map.forEach(
        (key, value) -> {
          if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(what + " keys must not be empty");
          }
          if (isEnvironment && key.indexOf('=') >= 0) {
            throw new IllegalArgumentException(
                "environment variable names must not contain '=': " + key);
          }
          copy.put(
              key, Objects.requireNonNull(value, () -> what + " value of " + key + " is null"));
        });
    return Collections.unmodifiableMap(copy);
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
