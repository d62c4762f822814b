package io.wharf.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A container as the engine last reported it.
 *
 * @param id the engine's container id
 * @param name the container's name, without Docker's leading slash
 * @param image the image as given at create
 * @param labels the container's labels
 * @param status the lifecycle status
 * @param exitCode the main process's exit code once it has exited (or failed to start); null before
 * @param oomKilled whether the kernel's OOM killer killed the container
 * @param error the engine's error text (e.g. why a start failed), or null
 * @param health the health check status; {@code NONE} when the container has no health check
 * @param createdAt when the container was created
 * @param startedAt when it last started, or null if never
 * @param finishedAt when it last stopped, or null if it has not
 * @param ports the host bindings the engine actually made (with the host ports it picked)
 */
public record ContainerState(
    String id,
    String name,
    String image,
    Map<String, String> labels,
    Status status,
    Integer exitCode,
    boolean oomKilled,
    String error,
    Health health,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    List<PortBinding> ports) {

  public ContainerState {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("container id is required");
    }
    if (status == null) {
      throw new IllegalArgumentException("status is required");
    }
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    error = error == null || error.isEmpty() ? null : error;
    health = health == null ? Health.NONE : health;
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /** Docker's container statuses, in lifecycle order. */
  public enum Status {
    CREATED,
    RUNNING,
    PAUSED,
    RESTARTING,
    REMOVING,
    EXITED,
    DEAD;

    /** Whether the container's process has ended for good (it may still be removed). */
    public boolean isTerminal() {
      return this == EXITED || this == DEAD;
    }
  }

  /** Health check status. */
  public enum Health {
    /** Within the start period or before the first check. */
    STARTING,
    HEALTHY,
    UNHEALTHY,
    /** The container has no health check. */
    NONE
  }
}
