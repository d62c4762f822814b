package io.wharf.ecs.api;

import io.wharf.core.state.Family;
import io.wharf.core.state.State;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ResourceArn;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskDefinitionStatus;
import io.wharf.model.WharfException;
import java.util.Optional;

/**
 * Finds entities by the references ECS accepts: a name, an ID or a full ARN. An ARN of another
 * region or account names nothing here.
 */
record Lookup(ResourceArn.Builder arns) {

  /** The cluster name a reference (name or ARN) means; the reference itself when it is no ARN. */
  String clusterName(String reference) {
    if (reference.startsWith("arn:")) {
      return ownArn(reference)
          .filter(a -> a.type().equals("cluster"))
          .map(ResourceArn::id)
          .orElse(null);
    }
    return reference;
  }

  /** The cluster a reference names, active or not, or empty. */
  Optional<Cluster> cluster(State state, String reference) {
    String name = clusterName(reference);
    return name == null ? Optional.empty() : Optional.ofNullable(state.clusters().get(name));
  }

  /**
   * The ACTIVE cluster a reference names (default: {@code default}); ClusterNotFoundException
   * otherwise.
   */
  Cluster activeCluster(State state, String reference) {
    return cluster(state, reference == null ? "default" : reference)
        .filter(Cluster::isActive)
        .orElseThrow(WharfException::clusterNotFound);
  }

  /** A container instance of a cluster by ARN or ID, or empty. */
  Optional<ContainerInstance> containerInstance(State state, Cluster cluster, String reference) {
    String arn =
        reference.startsWith("arn:")
            ? reference
            : arns.containerInstance(cluster.name(), reference);
    return Optional.ofNullable(state.containerInstances().get(arn))
        .filter(i -> i.clusterArn().equals(cluster.arn()));
  }

  /** Parses an ARN of this region and account. */
  Optional<ResourceArn> ownArn(String text) {
    return ResourceArn.parse(text)
        .filter(a -> a.region().equals(arns.region()) && a.account().equals(arns.account()));
  }

  /**
   * The ACTIVE task definition a reference names: {@code family} (its latest ACTIVE revision),
   * {@code family:revision} or an ARN.
   */
  TaskDefinition activeTaskDefinition(State state, String ref) {
    String spec = ref;
    if (ref.startsWith("arn:")) {
      spec =
          ownArn(ref)
              .filter(a -> a.type().equals("task-definition"))
              .map(a -> a.id())
              .orElseThrow(() -> WharfException.invalidParameter("TaskDefinition not found."));
    }
    int colon = spec.lastIndexOf(':');
    TaskDefinition d;
    if (colon < 0) {
      Family f = state.families().get(spec);
      d = f == null ? null : f.latestActive();
    } else {
      try {
        d =
            state.taskDefinition(
                spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
      } catch (NumberFormatException e) {
        d = null;
      }
    }
    if (d == null) {
      throw WharfException.invalidParameter("TaskDefinition not found.");
    }
    if (d.status() != TaskDefinitionStatus.ACTIVE) {
      throw WharfException.client("TaskDefinition is inactive");
    }
    return d;
  }
}
