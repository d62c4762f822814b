package io.wharf.elb.targets;

import static io.wharf.core.state.ElbFixtures.instance;
import static io.wharf.core.state.ElbFixtures.targetGroup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.core.state.Change;
import io.wharf.core.state.ElbFixtures;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.core.state.StateMachineTest;
import io.wharf.model.ErrorCode;
import io.wharf.model.NetworkBinding;
import io.wharf.model.Task;
import io.wharf.model.TaskContainer;
import io.wharf.model.TaskStatus;
import io.wharf.model.WharfException;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.elb.TargetType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TargetRegistrationsTest {
  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now = ElbFixtures.T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();
  final TargetGroup ips = targetGroup("ips", TargetType.IP, HealthCheck.DEFAULT);
  final TargetGroup instances = targetGroup("instances", TargetType.INSTANCE, HealthCheck.DEFAULT);
  StateMachine states;

  @BeforeEach
  void start() {
    states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
    states.execute(
        tx -> {
          tx.apply(new Change.TargetGroupPut(ips));
          tx.apply(new Change.TargetGroupPut(instances));
          tx.apply(new Change.ContainerInstancePut(instance("i-0abc", "127.0.0.1")));
          return null;
        });
  }

  @AfterEach
  void stop() {
    states.close();
  }

  TargetRegistration registration(TargetGroup g, Target t) {
    return states.current().balancing().registration(g.arn(), t);
  }

  @Test
  void registeringIsIdempotentAndDeregisteringDrainsUntilTheDelayHasPassed() {
    Target t = new Target("127.0.0.5", 8080);
    states.execute(tx -> TargetRegistrations.register(tx, ips.arn(), t));
    long revision = states.current().revision();
    states.execute(tx -> TargetRegistrations.register(tx, ips.arn(), t));
    assertThat(states.current().revision()).as("nothing changed").isEqualTo(revision);

    clock.now = ElbFixtures.T0.plusSeconds(10);
    states.execute(tx -> TargetRegistrations.deregister(tx, ips.arn(), t));
    assertThat(registration(ips, t).drainingSince()).isEqualTo(ElbFixtures.T0.plusSeconds(10));

    // The default delay is 300 s: nothing is due before.
    clock.now = ElbFixtures.T0.plusSeconds(309);
    assertThat(TargetRegistrations.anyDeregistrationDue(states.current(), clock.now)).isFalse();
    assertThat(states.execute(TargetRegistrations::finishDeregistrations)).isZero();
    clock.now = ElbFixtures.T0.plusSeconds(310);
    assertThat(TargetRegistrations.anyDeregistrationDue(states.current(), clock.now)).isTrue();
    assertThat(states.execute(TargetRegistrations::finishDeregistrations)).isEqualTo(1);
    assertThat(registration(ips, t)).isNull();
  }

  @Test
  void registeringADrainingTargetTakesItBack() {
    Target t = new Target("127.0.0.5", 8080);
    states.execute(tx -> TargetRegistrations.register(tx, ips.arn(), t));
    states.execute(tx -> TargetRegistrations.deregister(tx, ips.arn(), t));
    assertThat(registration(ips, t).isDraining()).isTrue();
    states.execute(tx -> TargetRegistrations.register(tx, ips.arn(), t));
    assertThat(registration(ips, t).isDraining()).isFalse();
    assertThat(registration(ips, t).registeredAt()).isEqualTo(ElbFixtures.T0);
  }

  @Test
  void deregisteringAnUnknownTargetChangesNothing() {
    TargetRegistration none =
        states.execute(
            tx -> TargetRegistrations.deregister(tx, ips.arn(), new Target("127.0.0.9", 1)));
    assertThat(none).isNull();
  }

  @Test
  void targetsAreChecked() {
    assertThatThrownBy(
            () ->
                states.execute(
                    tx -> TargetRegistrations.register(tx, ips.arn(), new Target("8.8.8.8", 80))))
        .isInstanceOfSatisfying(
            WharfException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET));
    assertThatThrownBy(
            () ->
                states.execute(
                    tx ->
                        TargetRegistrations.register(
                            tx, instances.arn(), new Target("i-unknown", 80))))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
              assertThat(e.getMessage()).contains("i-unknown");
            });
    assertThatThrownBy(
            () ->
                states.execute(
                    tx ->
                        TargetRegistrations.register(
                            tx, ips.arn() + "x", new Target("127.0.0.1", 80))))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.TARGET_GROUP_NOT_FOUND));
    states.execute(
        tx -> TargetRegistrations.register(tx, instances.arn(), new Target("i-0abc", 32768)));
    assertThat(registration(instances, new Target("i-0abc", 32768))).isNotNull();
  }

  @Test
  void usableAddressesAreLoopbackAndPrivateOnes() {
    assertThat(TargetRegistrations.isUsableIpv4("127.0.0.1")).isTrue();
    assertThat(TargetRegistrations.isUsableIpv4("10.1.2.3")).isTrue();
    assertThat(TargetRegistrations.isUsableIpv4("172.16.0.1")).isTrue();
    assertThat(TargetRegistrations.isUsableIpv4("192.168.1.1")).isTrue();
    assertThat(TargetRegistrations.isUsableIpv4("172.32.0.1")).isFalse();
    assertThat(TargetRegistrations.isUsableIpv4("8.8.8.8")).isFalse();
    assertThat(TargetRegistrations.isUsableIpv4("127.0.0.01")).isFalse();
    assertThat(TargetRegistrations.isUsableIpv4("127.0.0")).isFalse();
    assertThat(TargetRegistrations.isUsableIpv4("i-0abc")).isFalse();
  }

  @Test
  void aTasksTargetIsItsInstanceAndHostPortOrItsAddressAndHostPort() {
    State state = states.current();
    String instanceArn = instance("i-0abc", "127.0.0.1").arn();
    Task task =
        StateTestTasks.running(
            instanceArn,
            new TaskContainer(
                "arn:c",
                "web",
                "img",
                "RUNNING",
                null,
                null,
                "id",
                List.of(new NetworkBinding("127.0.0.1", 80, 49153, "tcp")),
                "UNKNOWN",
                true));
    assertThat(TargetRegistrations.targetOf(state, instances, task, "web", 80))
        .contains(new Target("i-0abc", 49153));
    assertThat(TargetRegistrations.targetOf(state, ips, task, "web", 80))
        .contains(new Target("127.0.0.1", 49153));
    assertThat(TargetRegistrations.targetOf(state, ips, task, "web", 81)).isEmpty();
    assertThat(TargetRegistrations.targetOf(state, ips, task, "db", 80)).isEmpty();
  }

  @Test
  void theDeregistrationDelayIsAnAttribute() {
    TargetGroup quick = ips.withAttributes(Map.of(TargetGroup.DEREGISTRATION_DELAY, "5"));
    assertThat(quick.deregistrationDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ips.deregistrationDelay()).isEqualTo(Duration.ofSeconds(300));
  }

  /** A running task with one container, enough for targetOf. */
  static final class StateTestTasks {
    static Task running(String instanceArn, TaskContainer container) {
      return new Task(
          "arn:aws:ecs:us-east-1:123456789012:task/default/t1",
          "arn:aws:ecs:us-east-1:123456789012:cluster/default",
          "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
          instanceArn,
          "family:web",
          null,
          "EC2",
          TaskStatus.RUNNING,
          "RUNNING",
          null,
          null,
          List.of(container),
          null,
          List.of(),
          ElbFixtures.T0,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          "UNKNOWN",
          1,
          0,
          0,
          List.of(),
          null,
          1);
    }
  }
}
