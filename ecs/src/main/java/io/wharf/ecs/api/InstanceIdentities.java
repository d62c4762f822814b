package io.wharf.ecs.api;

import io.wharf.core.state.State;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a cluster's container instance by the EC2 instance ID it registered with, as
 * RegisterContainerInstance must (a machine that registers again keeps its ARN), without scanning
 * every instance: at 10,000 instances the scan made registering them all take 11 to 20 s.
 *
 * <p>The index is a hint, checked against the state it is asked about: every registration records
 * its instance (also when its commit fails later, or the instance is re-registered under another
 * identity), and a hint whose instance does not carry that identity in the given state falls back
 * to the scan. It is complete because every instance enters the state either by the load it is
 * built from or by a registration recorded here: an identity it does not know is in no instance.
 *
 * <p>Threading: safe from any thread; used from the state machine's commands.
 */
final class InstanceIdentities {
  private final Map<String, String> arnByIdentity = new ConcurrentHashMap<>();

  /** Indexes every instance of {@code state}: the state the control plane started with. */
  InstanceIdentities(State state) {
    state.containerInstances().values().forEach(this::registered);
  }

  /** An instance was registered (or re-registered) with its identity. */
  void registered(ContainerInstance instance) {
    if (instance.ec2InstanceId() != null) {
      arnByIdentity.put(key(instance.clusterArn(), instance.ec2InstanceId()), instance.arn());
    }
  }

  /** The cluster's instance that registered with this EC2 instance ID, in {@code state}. */
  Optional<ContainerInstance> find(State state, Cluster cluster, String ec2InstanceId) {
    String hint = arnByIdentity.get(key(cluster.arn(), ec2InstanceId));
    if (hint == null) {
      return Optional.empty();
    }
    ContainerInstance instance = state.containerInstances().get(hint);
    if (instance != null && carries(instance, cluster, ec2InstanceId)) {
      return Optional.of(instance);
    }
    // A stale hint (a failed commit, or an identity that moved): the scan decides.
    return state.containerInstances().values().stream()
        .filter(i -> carries(i, cluster, ec2InstanceId))
        .findFirst();
  }

  private static boolean carries(ContainerInstance i, Cluster cluster, String ec2InstanceId) {
    return i.clusterArn().equals(cluster.arn()) && ec2InstanceId.equals(i.ec2InstanceId());
  }

  private static String key(String clusterArn, String ec2InstanceId) {
    return clusterArn + "\n" + ec2InstanceId;
  }
}
