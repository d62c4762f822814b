package io.wharf.app;

import io.wharf.agent.Agent;
import io.wharf.controlplane.ControlPlane;
import io.wharf.core.auth.AdminCredentials;
import io.wharf.model.identity.InstanceKey;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.docker.DockerRuntime;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code wharf up}: the control plane and one local agent in one process, on the embedded store,
 * the agent registered in the {@code default} cluster. Ctrl-C stops Wharf and leaves containers
 * running; the next {@code wharf up} re-adopts them.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = "Run the control plane and a local agent (the quickest way to try Wharf).")
final class UpCommand implements Callable<Integer> {
  @Mixin ServerOptions options;

  /** The local agent uses its token at once; a few minutes cover a slow first start. */
  static final Duration LOCAL_TOKEN_EXPIRY = Duration.ofMinutes(10);

  /** Long enough to copy the printed command line to another machine and run it there. */
  static final Duration FURTHER_TOKEN_EXPIRY = Duration.ofHours(1);

  @Override
  public Integer call() throws Exception {
    ContainerRuntime runtime = DockerRuntime.connect();
    if (!runtime.isAvailable()) {
      System.err.println(
          "wharf up: the Docker engine is not reachable at "
              + System.getenv().getOrDefault("DOCKER_HOST", DockerRuntime.DEFAULT_HOST.toString())
              + ". Install and start Docker (Debian: sudo apt-get install docker.io && sudo dockerd &), then run wharf up again.");
      return 2;
    }
    ServerOptions.Started started = options.startOrExplain();
    if (started == null) {
      return 2;
    }
    ControlPlane plane = started.plane();
    AdminCredentials admin = started.admin();
    plane.ensureCluster("default");
    AgentCommand agentOptions = new AgentCommand();
    agentOptions.endpoint = URI.create(plane.endpoint());
    agentOptions.cluster = "default";
    agentOptions.dataDir = options.dataDir.resolve("agent");
    agentOptions.instanceAddress = "127.0.0.1";
    agentOptions.availabilityZone = options.region + "a";
    agentOptions.region = options.region;
    // The local agent joins like any other, with a single-use token of its own: it never holds
    // the admin key. Once joined, it keeps its key in its data dir and needs no new token.
    String localToken = null;
    if (!Agent.hasJoined(agentOptions.dataDir)) {
      // A data dir from before join tokens: its registered instance gets its own key directly
      // (the admin is right here), so the agent keeps its identity and its containers.
      Optional<InstanceKey> upgraded =
          Agent.registeredInstance(agentOptions.dataDir).flatMap(plane::issueInstanceKey);
      if (upgraded.isPresent()) {
        InstanceKey key = upgraded.get();
        Agent.keepKey(
            agentOptions.dataDir,
            key.accessKeyId(),
            key.secretAccessKey(),
            key.containerInstanceArn(),
            key.clusterArn());
      } else {
        localToken = plane.createJoinToken("default", LOCAL_TOKEN_EXPIRY, 1);
      }
    }
    Agent agent = new Agent(agentOptions.config(localToken), runtime, Clock.systemUTC()).start();
    if (!agent.awaitRegistered(Duration.ofSeconds(30)) && agent.stopped().isDone()) {
      System.err.println("wharf up: the local agent stopped: " + agent.stopped().join());
    }
    String endpoint = plane.endpoint();
    String further = plane.createJoinToken("default", FURTHER_TOKEN_EXPIRY, 1);
    System.out.print(
        "Wharf is up at "
            + endpoint
            + " with a local agent in cluster default ("
            + agent.containerInstanceArn()
            + ")\n"
            + options.howToUse(admin, endpoint)
            + "Try it:\n  aws --endpoint-url "
            + endpoint
            + " ecs list-container-instances\n"
            + "Join another machine to cluster default (this token is single-use, valid for "
            + FURTHER_TOKEN_EXPIRY.toMinutes()
            + " minutes; wharf join-token create makes more):\n  wharf agent --endpoint "
            + endpoint
            + " --cluster default --join-token "
            + further
            + " --data-dir DIR --instance-address ADDRESS\n"
            + "Ctrl-C stops Wharf and leaves running containers alone.\n");
    System.out.flush();
    ServerCommand.awaitShutdown(
        () -> {
          agent.close();
          plane.close();
          runtime.close();
        });
    return 0;
  }
}
