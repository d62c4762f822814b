package io.wharf.model;

import java.time.Instant;
import java.util.Objects;

/** One entry of a service's {@code events}: what the service scheduler did or could not do. */
public record ServiceEvent(String id, Instant createdAt, String message) {
  public ServiceEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(message, "message");
  }
}
