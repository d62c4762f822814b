package io.wharf.runtime.docker;

import java.time.Duration;
import java.util.Objects;

/**
 * Every time limit the Docker driver puts on the engine, in one place, each with its reason. Most
 * follow the ECS agent's (its {@code dockerclient/timeout.go} and {@code ECS_*_TIMEOUT} settings),
 * so a slow engine fails a Wharf task where it would fail an ECS task. {@link #defaults()} is what
 * the agent uses; tests and operators may pass others to {@link DockerRuntime#connect}.
 *
 * <p>The limits are enforced by the driver, not by the HTTP transport: docker-java reads the unix
 * socket through a channel that ignores socket read timeouts, so each call runs on its own virtual
 * thread that is interrupted (closing its connection) when its limit passes.
 *
 * @param connect opening a connection to the engine
 * @param ping a ping, to tell whether the engine is there
 * @param response ordinary short calls: image inspect, and the engine's acceptance of an event
 *     subscription
 * @param inspect container inspect
 * @param list listing containers (one call; each container is then inspected with {@code inspect})
 * @param create container create
 * @param start container start
 * @param stopMargin added to a stop's own timeout: the engine waits that long before SIGKILL, then
 *     needs time to reap the process and answer
 * @param remove container remove
 * @param pullBegin how long a pull may go without any output from its start
 * @param pullInactivity how long a pull may go without output once it has begun
 * @param pull a whole pull
 */
public record DockerTimeouts(
    Duration connect,
    Duration ping,
    Duration response,
    Duration inspect,
    Duration list,
    Duration create,
    Duration start,
    Duration stopMargin,
    Duration remove,
    Duration pullBegin,
    Duration pullInactivity,
    Duration pull) {

  public DockerTimeouts {
    for (Duration d :
        new Duration[] {
          connect,
          ping,
          response,
          inspect,
          list,
          create,
          start,
          stopMargin,
          remove,
          pullBegin,
          pullInactivity,
          pull
        }) {
      Objects.requireNonNull(d, "every timeout is required");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive, got " + d);
      }
    }
  }

  /** The values the agent runs with. */
  public static DockerTimeouts defaults() {
    return new DockerTimeouts(
        // The engine is local (unix socket: connecting is immediate) or on a near network; one
        // that has not accepted a connection in 10s is treated as unreachable.
        Duration.ofSeconds(10),
        // As the ECS agent's VersionTimeout/InfoTimeout: a ping does no work, so an engine that
        // cannot answer it in 10s is not available in any useful sense.
        Duration.ofSeconds(10),
        // As the ECS agent's InspectContainerTimeout: metadata reads, slow only when the engine
        // is badly overloaded.
        Duration.ofSeconds(30),
        // The ECS agent's InspectContainerTimeout.
        Duration.ofSeconds(30),
        // The ECS agent's ListContainersTimeout: listing walks every container on the host, which
        // an overloaded engine on a host with thousands of containers does slowly.
        Duration.ofMinutes(10),
        // ECS_CONTAINER_CREATE_TIMEOUT's default (the agent's CreateContainerTimeout): create
        // prepares the writable layer, which is slow on busy disks and with large images.
        Duration.ofMinutes(4),
        // ECS_CONTAINER_START_TIMEOUT's default on Linux: start sets up namespaces, cgroups,
        // networking and the userland proxy for each published port.
        Duration.ofMinutes(3),
        // The ECS agent's StopContainerTimeout, which it adds to ECS_CONTAINER_STOP_TIMEOUT.
        Duration.ofSeconds(30),
        // The ECS agent's RemoveContainerTimeout: deleting a large writable layer takes time.
        Duration.ofMinutes(5),
        // The ECS agent's DockerPullBeginTimeout: registry authentication and manifest fetches
        // come before any progress output; it works around pulls that hang before starting.
        Duration.ofMinutes(5),
        // ECS_IMAGE_PULL_INACTIVITY_TIMEOUT's default: a pull in progress reports progress at
        // least every few seconds; a minute of silence means it is stuck.
        Duration.ofMinutes(1),
        // ECS_IMAGE_PULL_TIMEOUT's default: large images over slow links legitimately take long,
        // but not forever.
        Duration.ofHours(2));
  }

  /** The limit for a stop whose own SIGTERM-to-SIGKILL timeout is {@code stopTimeout}. */
  public Duration stop(Duration stopTimeout) {
    return stopTimeout.plus(stopMargin);
  }
}
