package io.wharf.app;

import io.wharf.agent.Agent;
import io.wharf.agent.AgentConfig;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.docker.DockerRuntime;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf agent}: makes this machine a container instance of a cluster. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Run a Wharf agent: register this machine into a cluster and run its tasks on Docker.")
final class AgentCommand implements Callable<Integer> {
  /** Memory kept back for the operating system, Docker and the agent itself. */
  static final long RESERVED_MEMORY_MIB = 256;

  @Option(
      names = "--endpoint",
      required = true,
      description = "The control plane's endpoint, e.g. http://127.0.0.1:9427.")
  URI endpoint;

  @Option(names = "--cluster", description = "Cluster to join. Default: ${DEFAULT-VALUE}.")
  String cluster = "default";

  @Option(
      names = "--data-dir",
      description =
          "Where the agent keeps its identity and unsent reports. Default: ~/.wharf/agent.")
  Path dataDir = Path.of(System.getProperty("user.home"), ".wharf", "agent");

  @Option(
      names = "--instance-address",
      description = "Address host ports are published on. Default: ${DEFAULT-VALUE}.")
  String instanceAddress = "127.0.0.1";

  @Option(names = "--cpu", description = "CPU units to offer. Default: cores × 1024.")
  Long cpu;

  @Option(
      names = "--memory",
      description =
          "MiB of memory to offer. Default: the machine's memory less "
              + RESERVED_MEMORY_MIB
              + " MiB.")
  Long memory;

  @Option(
      names = "--availability-zone",
      description = "Availability zone attribute. Default: ${DEFAULT-VALUE}.")
  String availabilityZone = "us-east-1a";

  @Option(names = "--attribute", description = "A custom attribute key=value (repeatable).")
  Map<String, String> attributes = new LinkedHashMap<>();

  @Option(
      names = "--region",
      description = "Region to sign requests for. Default: ${DEFAULT-VALUE}.")
  String region = "us-east-1";

  @Option(
      names = "--join-token",
      description =
          "The join token (from wharf join-token create, or printed by wharf up) this machine joins"
              + " with the first time. It is exchanged for a key of this instance's own, kept in"
              + " the data dir (agent-key.json); later starts need no token. The admin key is"
              + " never needed here.")
  String joinToken;

  @Option(
      names = "--dynamic-ports",
      description = "Range dynamic host ports come from. Default: ${DEFAULT-VALUE}.")
  String dynamicPorts = "49153-65535";

  @Option(names = "--heartbeat", description = "Heartbeat interval. Default: ${DEFAULT-VALUE}.")
  Duration heartbeat = Duration.ofSeconds(5);

  @Option(
      names = "--stop-timeout",
      description =
          "SIGTERM-to-SIGKILL time when a container sets none. Default: ${DEFAULT-VALUE}.")
  Duration stopTimeout = Duration.ofSeconds(30);

  @Option(
      names = "--cleanup-after",
      description = "How long containers of stopped tasks are kept. Default: ${DEFAULT-VALUE}.")
  Duration cleanupAfter = Duration.ofHours(1);

  @Override
  public Integer call() throws Exception {
    if (joinToken == null && !Agent.hasJoined(dataDir)) {
      System.err.println(
          "wharf agent: this machine has not joined a cluster yet: pass --join-token TOKEN (where"
              + " the admin key is, wharf join-token create --cluster "
              + cluster
              + " prints one).");
      return 2;
    }
    AgentConfig config;
    try {
      config = config(Agent.hasJoined(dataDir) ? null : joinToken);
    } catch (IllegalArgumentException e) {
      System.err.println("wharf agent: " + e.getMessage());
      return 2;
    }
    ContainerRuntime runtime = DockerRuntime.connect();
    if (!runtime.isAvailable()) {
      System.err.println(
          "wharf agent: the Docker engine is not reachable ("
              + System.getenv().getOrDefault("DOCKER_HOST", DockerRuntime.DEFAULT_HOST.toString())
              + "); the agent keeps trying.");
    }
    Agent agent = new Agent(config, runtime, Clock.systemUTC()).start();
    System.out.println(
        "Wharf agent started for cluster "
            + cluster
            + " on "
            + endpoint
            + " (data dir "
            + dataDir
            + ")");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  stopped.countDown();
                }));
    String refused = agent.stopped().join();
    if (refused != null) {
      System.err.println("wharf agent: " + refused);
      return 1;
    }
    stopped.await();
    return 0;
  }

  /** The agent's configuration; {@code token} is the join token, or null when it has joined. */
  AgentConfig config(String token) {
    String[] range = dynamicPorts.split("-");
    long cores = Runtime.getRuntime().availableProcessors();
    return new AgentConfig(
        endpoint,
        cluster,
        dataDir,
        instanceAddress,
        cpu != null ? cpu : cores * 1024,
        memory != null ? memory : machineMemoryMiB() - RESERVED_MEMORY_MIB,
        availabilityZone,
        attributes,
        token,
        region,
        AgentConfig.DEFAULT_RESERVED_PORTS,
        Integer.parseInt(range[0]),
        Integer.parseInt(range[1]),
        heartbeat,
        stopTimeout,
        cleanupAfter);
  }

  static long machineMemoryMiB() {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getTotalMemorySize() / (1024 * 1024);
  }
}
