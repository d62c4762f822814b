package io.wharf.model.logs;

import java.time.Instant;
import java.util.Objects;

/**
 * A log stream of a group.
 *
 * @param storageId names the stream's files in the event store: unique for every stream ever
 *     created, so that a stream deleted and created again under the same name never sees the old
 *     one's events
 */
public record LogStream(
    String groupName, String name, String arn, Instant createdAt, long storageId) {
  public LogStream {
    Objects.requireNonNull(groupName, "groupName");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
