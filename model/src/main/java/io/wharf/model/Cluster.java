package io.wharf.model;

import java.util.List;
import java.util.Objects;

/**
 * A cluster. Deleting a cluster makes it {@code INACTIVE}; it stays describable and creating it
 * again makes it {@code ACTIVE}, as in ECS.
 *
 * @param configuration the cluster's {@code configuration} as given, or null
 * @param serviceConnectDefaults the {@code serviceConnectDefaults} as given, or null
 * @param revision the state revision that last changed this cluster
 */
public record Cluster(
    String arn,
    String name,
    ClusterStatus status,
    List<Tag> tags,
    List<Setting> settings,
    Document configuration,
    Document serviceConnectDefaults,
    long revision) {
  public Cluster {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    tags = List.copyOf(tags);
    settings = List.copyOf(settings);
  }

  public boolean isActive() {
    return status == ClusterStatus.ACTIVE;
  }

  public Cluster withStatus(ClusterStatus newStatus) {
    return new Cluster(
        arn, name, newStatus, tags, settings, configuration, serviceConnectDefaults, revision);
  }

  public Cluster withTags(List<Tag> newTags) {
    return new Cluster(
        arn, name, status, newTags, settings, configuration, serviceConnectDefaults, revision);
  }

  public Cluster withSettings(List<Setting> newSettings) {
    return new Cluster(
        arn, name, status, tags, newSettings, configuration, serviceConnectDefaults, revision);
  }

  public Cluster withConfiguration(Document newConfiguration, Document newServiceConnectDefaults) {
    return new Cluster(
        arn, name, status, tags, settings, newConfiguration, newServiceConnectDefaults, revision);
  }

  public Cluster withRevision(long newRevision) {
    return new Cluster(
        arn, name, status, tags, settings, configuration, serviceConnectDefaults, newRevision);
  }
}
