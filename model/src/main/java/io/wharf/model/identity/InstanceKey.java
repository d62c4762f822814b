package io.wharf.model.identity;

import java.time.Instant;
import java.util.Objects;

/**
 * The access key of one container instance, given to its agent in exchange for a join token. It may
 * call only the agent-facing operations, and only for its own instance; deregistering the instance
 * removes it.
 *
 * @param containerInstanceArn the one instance this key acts for (registered with the key's first
 *     RegisterContainerInstance)
 * @param clusterArn the cluster of that instance
 * @param joinTokenId the token it was exchanged for (for the audit trail, not for checks)
 */
public record InstanceKey(
    String accessKeyId,
    String secretAccessKey,
    String containerInstanceArn,
    String clusterArn,
    String joinTokenId,
    Instant createdAt) {
  public InstanceKey {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    Objects.requireNonNull(containerInstanceArn, "containerInstanceArn");
    Objects.requireNonNull(clusterArn, "clusterArn");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Without the secret: records print every component, and this one must never reach a log. */
  @Override
  public String toString() {
    return "InstanceKey[accessKeyId=" + accessKeyId + ", instance=" + containerInstanceArn + "]";
  }
}
