package io.wharf.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an agent runs.
 *
 * @param endpoint the control plane's API endpoint
 * @param instanceAddress the loopback (or host) address host ports are published on
 * @param cpu CPU units to register (cores × 1024 when not given)
 * @param memory MiB to register (the machine's memory less a reserve when not given)
 * @param joinToken the token ({@code <id>.<secret>}) this machine joins with when it has no key of
 *     its own yet ({@code agent-key.json} in the data dir); null when it has one
 * @param reservedPorts TCP ports registered as reserved (never given to tasks)
 * @param dynamicPortFirst first port of the range dynamic host ports come from
 * @param dynamicPortLast last port of that range
 * @param heartbeat how often the agent says it is alive on its channel
 * @param stopTimeout how long a container gets between SIGTERM and SIGKILL when its definition sets
 *     no stopTimeout (ECS_CONTAINER_STOP_TIMEOUT)
 * @param cleanupAfter how long containers of a stopped task are kept (for logs) before removal
 */
public record AgentConfig(
    URI endpoint,
    String cluster,
    Path dataDir,
    String instanceAddress,
    long cpu,
    long memory,
    String availabilityZone,
    Map<String, String> attributes,
    String joinToken,
    String region,
    List<Integer> reservedPorts,
    int dynamicPortFirst,
    int dynamicPortLast,
    Duration heartbeat,
    Duration stopTimeout,
    Duration cleanupAfter) {
  public AgentConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(instanceAddress, "instanceAddress");
    attributes = Map.copyOf(attributes);
    if (joinToken != null && !JOIN_TOKEN.matcher(joinToken).matches()) {
      throw new IllegalArgumentException(
          "A join token is <id>.<secret>, as wharf join-token create prints it.");
    }
    reservedPorts = List.copyOf(reservedPorts);
    if (dynamicPortFirst < 1 || dynamicPortLast > 65535 || dynamicPortFirst > dynamicPortLast) {
      throw new IllegalArgumentException(
          "Bad dynamic port range " + dynamicPortFirst + "-" + dynamicPortLast);
    }
  }

  /**
   * ECS's default reserved ports: SSH, the Docker daemon, the agent's introspection and metadata
   * ports.
   */
  private static final java.util.regex.Pattern JOIN_TOKEN =
      java.util.regex.Pattern.compile("[A-Z0-9]{8,64}\\.[A-Za-z0-9]{16,128}");

  public static final List<Integer> DEFAULT_RESERVED_PORTS = List.of(22, 2375, 2376, 51678, 51679);
}
