package io.wharf.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** CloudWatch's batch limits, as the batch applies them before anything is sent. */
class LogBatchTest {
  private static LogEvent event(long timestamp, int bytes) {
    return new LogEvent(timestamp, "x".repeat(bytes), bytes, null);
  }

  @Test
  void atMostTenThousandEvents() {
    LogBatch batch = new LogBatch();
    for (int i = 0; i < LogBatch.MAX_EVENTS; i++) {
      assertThat(batch.fits(event(i, 1))).isTrue();
      batch.add(event(i, 1));
    }
    assertThat(batch.fits(event(10_000, 1))).isFalse();
  }

  @Test
  void atMostAMebibyteCountingTwentySixBytesAnEvent() {
    LogBatch batch = new LogBatch();
    // Four events of 262,118 bytes are exactly 1,048,576 counted bytes.
    for (int i = 0; i < 4; i++) {
      LogEvent e = event(i, EventAssembler.MAX_EVENT_BYTES);
      assertThat(batch.fits(e)).isTrue();
      batch.add(e);
    }
    assertThat(batch.bytes()).isEqualTo(LogBatch.MAX_BYTES);
    assertThat(batch.fits(event(5, 0))).isFalse();
  }

  @Test
  void atMostTwentyFourHoursFromEarliestToLatestWhicheverComesFirst() {
    long day = Duration.ofHours(24).toMillis();
    LogBatch batch = new LogBatch();
    batch.add(event(1_000, 1));
    assertThat(batch.fits(event(1_000 + day, 1))).isTrue();
    assertThat(batch.fits(event(1_001 + day, 1))).isFalse();
    batch.add(event(1_000 + day, 1));
    // An earlier event that widens the span past a day is refused too.
    assertThat(batch.fits(event(999, 1))).isFalse();
  }

  @Test
  void eventsGoOutInTimeOrderTheCursorFollowsTheOrderOfMaking() {
    FrameMark first =
        new FrameMark("2026-12-08T01:00:00.000000002Z", io.wharf.runtime.LogFrame.Source.STDOUT, 1);
    FrameMark second =
        new FrameMark("2026-12-08T01:00:00.000000001Z", io.wharf.runtime.LogFrame.Source.STDERR, 2);
    LogBatch batch = new LogBatch();
    batch.add(new LogEvent(20, "out", 3, first));
    batch.add(new LogEvent(10, "err", 3, second));
    batch.add(new LogEvent(20, "out2", 4, null));
    assertThat(batch.chronological())
        .extracting(LogEvent::message)
        .containsExactly("err", "out", "out2");
    assertThat(batch.mark()).isEqualTo(second);
  }

  @Test
  void anEmptyBatchTakesAnyEvent() {
    assertThat(new LogBatch().fits(event(0, 2_000_000))).isTrue();
  }
}
