package io.wharf.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The buffer between the log reader and the sender, in both modes. */
class EventBufferTest {
  private static LogEvent event(int i) {
    String m = "event-" + i;
    return new LogEvent(i, m, m.length(), null);
  }

  @Test
  void nonBlockingDropsTheOldestAndCountsThem() throws Exception {
    // Each event counts 7 + 26 = 33 bytes; room for three.
    EventBuffer buffer = new EventBuffer(100, true);
    for (int i = 0; i < 5; i++) {
      buffer.put(event(i));
    }
    assertThat(buffer.droppedEvents()).isEqualTo(2);
    assertThat(buffer.droppedBytes()).isEqualTo(66);
    buffer.end();
    LogBatch batch = buffer.take(Duration.ZERO, Duration.ZERO);
    assertThat(batch.chronological())
        .extracting(LogEvent::message)
        .containsExactly("event-2", "event-3", "event-4");
    assertThat(buffer.isDrained()).isTrue();
  }

  @Test
  void blockingHoldsTheReaderUntilTheSenderTakesAndDropsNothing() throws Exception {
    EventBuffer buffer = new EventBuffer(100, false);
    for (int i = 0; i < 3; i++) {
      buffer.put(event(i));
    }
    CountDownLatch putDone = new CountDownLatch(1);
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    buffer.put(event(3));
                    putDone.countDown();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    // The fourth waits for room: nothing is taken yet, so it cannot have gone in.
    assertThat(putDone.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isFalse();
    LogBatch first = buffer.take(Duration.ZERO, Duration.ZERO);
    assertThat(putDone.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    reader.join();
    buffer.end();
    LogBatch second = buffer.take(Duration.ZERO, Duration.ZERO);
    assertThat(first.size() + second.size()).isEqualTo(4);
    assertThat(buffer.droppedEvents()).isZero();
  }

  @Test
  void anEmptyBufferGivesAnEmptyBatchAfterTheFirstWait() throws Exception {
    EventBuffer buffer = new EventBuffer(100, true);
    assertThat(buffer.take(Duration.ofMillis(10), Duration.ofSeconds(1)).isEmpty()).isTrue();
    assertThat(buffer.isDrained()).isFalse();
  }

  @Test
  void aBatchEndsWhenTheNextEventDoesNotFit() throws Exception {
    EventBuffer buffer = new EventBuffer(10L << 20, false);
    for (int i = 0; i < LogBatch.MAX_EVENTS + 5; i++) {
      buffer.put(event(i));
    }
    LogBatch batch = buffer.take(Duration.ZERO, Duration.ofMinutes(1));
    assertThat(batch.size()).isEqualTo(LogBatch.MAX_EVENTS);
  }
}
