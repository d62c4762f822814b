package io.wharf.runtime;

import java.util.Map;

/**
 * Something that happened to a container, as the engine reported it.
 *
 * @param containerId the engine's container id
 * @param kind what happened
 * @param labels the container's labels
 * @param exitCode the exit code for {@link Kind#DIED}; null for the other kinds
 */
public record ContainerEvent(
    String containerId, Kind kind, Map<String, String> labels, Integer exitCode) {

  public ContainerEvent {
    if (containerId == null || containerId.isBlank()) {
      throw new IllegalArgumentException("container id is required");
    }
    if (kind == null) {
      throw new IllegalArgumentException("kind is required");
    }
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** The engine's actions, normalized. */
  public enum Kind {
    /** The container started ({@code start}). */
    STARTED,
    /** The container's main process ended ({@code die}); comes with the exit code. */
    DIED,
    /** The kernel's OOM killer killed a process of the container ({@code oom}); a DIED follows. */
    OOM,
    /** The health check passed after not passing ({@code health_status: healthy}). */
    HEALTHY,
    /** The health check failed its retries ({@code health_status: unhealthy}). */
    UNHEALTHY,
    /** The container was removed ({@code destroy}). */
    DESTROYED
  }
}
