package io.wharf.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ContainerInstanceStatus;
import io.wharf.store.Store;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Instance rows stored before registration epochs existed still load. */
class RegistrationEpochRowTest {
  static final String ARN =
      "arn:aws:ecs:us-east-1:000000000000:container-instance/default/" + "c".repeat(32);

  final ContainerInstance instance =
      new ContainerInstance(
          ARN,
          "arn:aws:ecs:us-east-1:000000000000:cluster/default",
          "i-0000000000000c001",
          ContainerInstanceStatus.ACTIVE,
          true,
          List.of(),
          List.of(),
          List.of(),
          null,
          Instant.parse("2026-12-07T12:00:00Z"),
          7,
          "127.0.0.1",
          3);

  @Test
  void aRowWithoutAnEpochLoadsAsEpochZeroAndItsNextRegistrationIsTheFirst() throws Exception {
    Codec codec = new Codec();
    Store.Mutation.Put current =
        (Store.Mutation.Put) codec.toMutation(new Change.ContainerInstancePut(instance));
    ObjectNode old = (ObjectNode) new ObjectMapper().readTree(current.json());
    // What a row written before epochs looks like: the same components, without the epoch.
    assertThat(old.remove("registrationEpoch")).isNotNull();

    State loaded =
        codec.load(
            new Store.Snapshot(
                7, List.of(new Store.Row(current.kind(), current.key(), old.toString()))));

    ContainerInstance read = loaded.containerInstances().get(ARN);
    assertThat(read).isEqualTo(withEpoch(0));
    assertThat(read.nextRegistrationEpoch()).isEqualTo(ContainerInstance.FIRST_EPOCH);
  }

  @Test
  void aRowWithAnEpochKeepsIt() {
    Codec codec = new Codec();
    Store.Mutation.Put row =
        (Store.Mutation.Put) codec.toMutation(new Change.ContainerInstancePut(instance));
    State loaded =
        codec.load(
            new Store.Snapshot(7, List.of(new Store.Row(row.kind(), row.key(), row.json()))));
    assertThat(loaded.containerInstances().get(ARN).registrationEpoch()).isEqualTo(3);
    assertThat(loaded.containerInstances().get(ARN).nextRegistrationEpoch()).isEqualTo(4);
  }

  private ContainerInstance withEpoch(long epoch) {
    return new ContainerInstance(
        instance.arn(),
        instance.clusterArn(),
        instance.ec2InstanceId(),
        instance.status(),
        instance.agentConnected(),
        instance.registeredResources(),
        instance.attributes(),
        instance.tags(),
        instance.versionInfo(),
        instance.registeredAt(),
        instance.revision(),
        instance.privateIpAddress(),
        epoch);
  }
}
