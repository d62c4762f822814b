package io.wharf.ecs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.model.ServiceEvent;
import io.wharf.scheduler.Failure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The service scheduler's pure rules: thresholds, back-off, and events. */
class ServiceRulesTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static Supplier<String> ids() {
    AtomicInteger n = new AtomicInteger();
    return () -> "e" + n.incrementAndGet();
  }

  @Test
  void theCircuitBreakerThresholdIsHalfTheDesiredCountWithinThreeAndTwoHundred() {
    assertThat(Rollouts.threshold(0)).isEqualTo(3);
    assertThat(Rollouts.threshold(1)).isEqualTo(3);
    assertThat(Rollouts.threshold(6)).isEqualTo(3);
    assertThat(Rollouts.threshold(7)).isEqualTo(4);
    assertThat(Rollouts.threshold(25)).isEqualTo(13);
    assertThat(Rollouts.threshold(400)).isEqualTo(200);
    assertThat(Rollouts.threshold(10_000)).isEqualTo(200);
  }

  @Test
  void theLaunchThrottleDoublesUpToFifteenMinutes() {
    assertThat(ServiceEdit.throttleDelay(0)).isZero();
    assertThat(ServiceEdit.throttleDelay(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(ServiceEdit.throttleDelay(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(ServiceEdit.throttleDelay(5)).isEqualTo(Duration.ofSeconds(80));
    assertThat(ServiceEdit.throttleDelay(9)).isEqualTo(Duration.ofMinutes(15));
    assertThat(ServiceEdit.throttleDelay(1_000)).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void eventsAreNewestFirstCappedAtOneHundredAndNotRepeated() {
    Supplier<String> ids = ids();
    List<ServiceEvent> events = List.of();
    for (int i = 0; i < 150; i++) {
      events = ServiceEvents.add(events, "message " + i, T0.plusSeconds(i), ids);
    }
    assertThat(events).hasSize(100);
    assertThat(events.getFirst().message()).isEqualTo("message 149");
    assertThat(events.getLast().message()).isEqualTo("message 50");
    List<ServiceEvent> same = ServiceEvents.add(events, "message 149", T0.plusSeconds(200), ids);
    assertThat(same).isSameAs(events);
    // Past six hours the same message is news again.
    List<ServiceEvent> later =
        ServiceEvents.add(events, "message 149", T0.plus(Duration.ofHours(7)), ids);
    assertThat(later.getFirst().createdAt()).isEqualTo(T0.plus(Duration.ofHours(7)));
  }

  @Test
  void eventsUseEcsWording() {
    assertThat(ServiceEvents.started("web", List.of("a1", "b2")))
        .isEqualTo("(service web) has started 2 tasks: (task a1) (task b2).");
    assertThat(ServiceEvents.stopped("web", List.of("a1")))
        .isEqualTo("(service web) has stopped 1 running tasks: (task a1).");
    assertThat(ServiceEvents.steady("web")).isEqualTo("(service web) has reached a steady state.");
    assertThat(ServiceEvents.completed("web", "ecs-svc/1234567890123456789"))
        .isEqualTo("(service web) (deployment ecs-svc/1234567890123456789) deployment completed.");
    assertThat(ServiceEvents.throttled("web"))
        .isEqualTo("(service web) is unable to consistently start tasks successfully.");
    String arn = "arn:aws:ecs:us-east-1:123456789012:container-instance/c/0123abcd";
    assertThat(ServiceEvents.unableToPlace("web", new Failure(arn, Failure.RESOURCE_MEMORY)))
        .isEqualTo(
            "(service web) was unable to place a task because no container instance met all of"
                + " its requirements. The closest matching (container-instance 0123abcd) has"
                + " insufficient memory available. For more information, see the Troubleshooting"
                + " section.");
    assertThat(ServiceEvents.unableToPlace("web", null))
        .contains("Reason: No Container Instances were found in your cluster.");
  }
}
