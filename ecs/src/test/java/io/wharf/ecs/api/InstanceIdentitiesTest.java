package io.wharf.ecs.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.model.Cluster;
import io.wharf.model.ClusterStatus;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ContainerInstanceStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceIdentitiesTest {
  private static final Cluster A = cluster("a");
  private static final Cluster B = cluster("b");

  private static Cluster cluster(String name) {
    return new Cluster(
        "arn:aws:ecs:r:1:cluster/" + name,
        name,
        ClusterStatus.ACTIVE,
        List.of(),
        List.of(),
        null,
        null,
        1);
  }

  private static ContainerInstance instance(Cluster cluster, String id, String ec2InstanceId) {
    return new ContainerInstance(
        "arn:aws:ecs:r:1:container-instance/" + cluster.name() + "/" + id,
        cluster.arn(),
        ec2InstanceId,
        ContainerInstanceStatus.ACTIVE,
        true,
        List.of(),
        List.of(),
        List.of(),
        null,
        Instant.EPOCH,
        1,
        null,
        ContainerInstance.FIRST_EPOCH);
  }

  private static State with(State state, ContainerInstance... instances) {
    for (ContainerInstance i : instances) {
      state = state.apply(new Change.ContainerInstancePut(i));
    }
    return state;
  }

  @Test
  void findsWhatItWasBuiltFromAndWhatRegisteredSincePerCluster() {
    ContainerInstance loaded = instance(A, "1", "i-1");
    State state = with(State.empty(), loaded);
    InstanceIdentities identities = new InstanceIdentities(state);
    ContainerInstance registered = instance(B, "2", "i-1");
    state = with(state, registered);
    identities.registered(registered);

    assertThat(identities.find(state, A, "i-1")).contains(loaded);
    assertThat(identities.find(state, B, "i-1")).contains(registered);
    assertThat(identities.find(state, A, "i-2")).isEmpty();
  }

  @Test
  void aHintTheStateDoesNotBearOutIsNotBelieved() {
    State state = State.empty();
    InstanceIdentities identities = new InstanceIdentities(state);
    // Recorded by a registration whose commit then failed: not in the state.
    identities.registered(instance(A, "1", "i-1"));
    assertThat(identities.find(state, A, "i-1")).isEmpty();

    // Re-registered under another identity: the old one no longer finds it, the new one does.
    ContainerInstance moved = instance(A, "1", "i-9");
    state = with(state, moved);
    identities.registered(moved);
    assertThat(identities.find(state, A, "i-1")).isEmpty();
    assertThat(identities.find(state, A, "i-9")).contains(moved);
  }
}
