package io.wharf.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reconnect back-off: full jitter under a ceiling that doubles to a small cap. */
class BackoffTest {
  private static final long SEED = 23;

  @Test
  void everyWaitIsBetweenZeroAndACeilingThatDoublesFromTheFirstUpToTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofMillis(1500), random());
    long[] ceilings = {250, 500, 1000, 1500, 1500, 1500, 1500};
    for (int round = 0; round < 200; round++) {
      backoff.reset();
      for (long ceiling : ceilings) {
        assertThat(backoff.next()).isBetween(Duration.ZERO, Duration.ofMillis(ceiling));
      }
    }
  }

  @Test
  void theReconnectBackOffNeverWaitsLongerThanTheAgentPromises() {
    Backoff backoff = Backoff.reconnect();
    for (int i = 0; i < 10_000; i++) {
      assertThat(backoff.next()).isLessThanOrEqualTo(Agent.MAX_RECONNECT_WAIT);
    }
  }

  @Test
  void waitsAtTheCapAreSpreadOverTheWholeRangeNotBunched() {
    // Full jitter: 10,000 agents at the cap each draw from [0, cap], so their attempts spread
    // evenly. Every tenth of the range gets its share (10 % ± 2 %) of 10,000 draws.
    Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofMillis(1500), random());
    for (int i = 0; i < 5; i++) {
      backoff.next();
    }
    int[] buckets = new int[10];
    for (int i = 0; i < 10_000; i++) {
      long millis = backoff.next().toMillis();
      buckets[(int) Math.min(9, millis * 10 / 1500)]++;
    }
    List<Integer> counts = new ArrayList<>();
    for (int b : buckets) {
      counts.add(b);
    }
    assertThat(counts).allSatisfy(c -> assertThat(c).isBetween(800, 1200));
  }

  @Test
  void aResetStartsAgainFromTheFirstCeiling() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), random());
    for (int i = 0; i < 20; i++) {
      backoff.next();
    }
    backoff.reset();
    for (int i = 0; i < 100; i++) {
      backoff.reset();
      assertThat(backoff.next()).isLessThanOrEqualTo(Duration.ofMillis(100));
    }
  }

  @Test
  void aCapBelowTheFirstWaitIsRefused() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), random()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static SplittableRandom random() {
    return new SplittableRandom(SEED);
  }
}
