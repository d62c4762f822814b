package io.wharf.core.state;

import static io.wharf.core.state.ElbFixtures.listener;
import static io.wharf.core.state.ElbFixtures.loadBalancer;
import static io.wharf.core.state.ElbFixtures.registered;
import static io.wharf.core.state.ElbFixtures.rule;
import static io.wharf.core.state.ElbFixtures.targetGroup;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.model.Tag;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.RuleCondition;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetType;
import io.wharf.store.Store;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoadBalancingTest {
  final LoadBalancer lb = loadBalancer("web", "127.0.1.1").withTags(List.of(new Tag("team", "a")));
  final TargetGroup tg =
      targetGroup("site", TargetType.IP, HealthCheck.DEFAULT)
          .withAttributes(Map.of(TargetGroup.DEREGISTRATION_DELAY, "30"));
  final Listener listener = listener(lb, 80, Action.forward(1, tg.arn()));

  List<Change> changes() {
    return List.of(
        new Change.LoadBalancerPut(lb),
        new Change.TargetGroupPut(tg),
        new Change.ListenerPut(listener),
        new Change.RulePut(
            rule(
                lb,
                listener,
                5,
                Action.fixed(1, new Action.FixedResponse("503", "text/plain", "down")),
                new RuleCondition(RuleCondition.HOST_HEADER, List.of("a.example.com")))),
        new Change.TargetRegistrationPut(tg.arn(), registered("127.0.0.5", 8080)),
        new Change.TargetRegistrationPut(
            tg.arn(), registered("127.0.0.6", 8080).draining(ElbFixtures.T0)),
        new Change.TargetRegistrationPut(tg.arn(), registered("127.0.0.7", 8080)),
        new Change.TargetRegistrationRemoved(tg.arn(), new Target("127.0.0.7", 8080)));
  }

  /** What the store holds after the changes, as rows in any order. */
  public static List<Store.Row> rows(Codec codec, List<Change> changes) {
    Map<String, Store.Row> rows = new LinkedHashMap<>();
    for (Change c : changes) {
      switch (codec.toMutation(c)) {
        case Store.Mutation.Put p ->
            rows.put(p.kind() + "\n" + p.key(), new Store.Row(p.kind(), p.key(), p.json()));
        case Store.Mutation.Delete d -> rows.remove(d.kind() + "\n" + d.key());
      }
    }
    return new ArrayList<>(rows.values());
  }

  @Test
  void theStoredRowsReloadToTheSameStateInAnyOrder() {
    Codec codec = new Codec();
    State applied = State.empty();
    for (Change c : changes()) {
      applied = applied.apply(c);
    }
    List<Store.Row> rows = rows(codec, changes());
    for (long seed = 0; seed < 20; seed++) {
      List<Store.Row> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, new Random(seed));
      State loaded = codec.load(new Store.Snapshot(7, shuffled));
      assertThat(loaded.balancing()).isEqualTo(applied.balancing());
    }
    assertThat(applied.balancing().registrations(tg.arn())).hasSize(2);
    assertThat(applied.balancing().isInUse(tg.arn())).isTrue();
    assertThat(applied.balancing().loadBalancersOf(tg.arn())).containsExactly(lb.arn());
    assertThat(applied.balancing().rulesOf(listener.arn())).hasSize(1);
  }

  @Test
  void removingTheLastRegistrationLeavesNoEmptyGroupBehind() {
    State s =
        State.empty()
            .apply(new Change.TargetRegistrationPut(tg.arn(), registered("127.0.0.5", 8080)))
            .apply(new Change.TargetRegistrationRemoved(tg.arn(), new Target("127.0.0.5", 8080)));
    assertThat(s.balancing().targets()).isEmpty();
    assertThat(s.balancing()).isEqualTo(LoadBalancing.EMPTY);
  }
}
