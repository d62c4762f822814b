package io.wharf.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.model.identity.InstanceKey;
import io.wharf.model.identity.JoinToken;
import io.wharf.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdentitiesTest {
  static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
  static final String CLUSTER = "arn:aws:ecs:us-east-1:000000000000:cluster/default";
  static final String INSTANCE_A =
      "arn:aws:ecs:us-east-1:000000000000:container-instance/default/" + "a".repeat(32);
  static final String INSTANCE_B =
      "arn:aws:ecs:us-east-1:000000000000:container-instance/default/" + "b".repeat(32);

  final JoinToken token =
      new JoinToken(
          "WJTAAAAAAAAAAAAAAAAA", "S".repeat(32), CLUSTER, T0, T0.plusSeconds(3600), 2, 0, 1);
  final InstanceKey keyA =
      new InstanceKey("WKIAAAAAAAAAAAAAAAAA", "secret-a", INSTANCE_A, CLUSTER, token.id(), T0);
  final InstanceKey keyB =
      new InstanceKey("WKIBBBBBBBBBBBBBBBBB", "secret-b", INSTANCE_B, CLUSTER, token.id(), T0);

  List<Change> changes() {
    return List.of(
        new Change.JoinTokenPut(token),
        new Change.JoinTokenPut(token.usedOnce(2)),
        new Change.InstanceKeyPut(keyA),
        new Change.JoinTokenPut(token.usedOnce(2).usedOnce(3)),
        new Change.InstanceKeyPut(keyB),
        new Change.InstanceKeyRemoved(keyB.accessKeyId()));
  }

  @Test
  void theStoredRowsReloadToTheSameIdentitiesInAnyOrder() {
    Codec codec = new Codec();
    State applied = State.empty();
    for (Change c : changes()) {
      applied = applied.apply(c);
    }
    List<Store.Row> rows = LoadBalancingTest.rows(codec, changes());
    for (long seed = 0; seed < 20; seed++) {
      List<Store.Row> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, new Random(seed));
      assertThat(codec.load(new Store.Snapshot(3, shuffled)).identities())
          .isEqualTo(applied.identities());
    }
    Identities identities = applied.identities();
    assertThat(identities.joinTokens().get(token.id()).isUsedUp()).isTrue();
    assertThat(identities.keyOf(INSTANCE_A)).contains(keyA);
    // A revoked key leaves nothing behind: not the key, not the index entry.
    assertThat(identities.keyOf(INSTANCE_B)).isEmpty();
    assertThat(identities.instanceKeys()).containsOnlyKeys(keyA.accessKeyId());
  }

  @Test
  void secretsStayOutOfPrintedRecordsButInsideTheStoredRows() {
    assertThat(token.toString()).doesNotContain(token.secret()).contains(token.id());
    assertThat(keyA.toString()).doesNotContain("secret-a").contains(keyA.accessKeyId());
    // In the row, so that the store's encryption at rest covers them with the rest of the state.
    Store.Mutation.Put row =
        (Store.Mutation.Put) new Codec().toMutation(new Change.InstanceKeyPut(keyA));
    assertThat(row.kind()).isEqualTo(Codec.INSTANCE_KEY);
    assertThat(row.json()).contains("secret-a");
  }
}
