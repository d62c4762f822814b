package io.wharf.agent;

import static io.wharf.agent.LogFrames.frame;
import static io.wharf.agent.LogFrames.line;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.runtime.LogFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Entries to events: one each, joined by a multi-line pattern, split past the event limit. */
class EventAssemblerTest {
  private final List<LogEvent> events = new ArrayList<>();
  private final AtomicLong nanos = new AtomicLong();

  private EventAssembler assembler(String pattern) {
    return new EventAssembler(
        pattern == null ? null : Pattern.compile(pattern), events::add, nanos::get);
  }

  private List<String> messages() {
    return events.stream().map(LogEvent::message).toList();
  }

  @Test
  void withoutAPatternEveryLineIsAnEventWithoutItsNewline() {
    EventAssembler a = assembler(null);
    a.accept(line(1, "one"));
    a.accept(line(2, "two"));
    assertThat(messages()).containsExactly("one", "two");
    assertThat(events.get(0).timestamp()).isEqualTo(LogFrames.T0.toEpochMilli());
    assertThat(events.get(1).mark()).isEqualTo(FrameMark.of(line(2, "two")));
  }

  @Test
  void anEmptyLineIsNoEventAsCloudWatchTakesNoEmptyMessage() {
    EventAssembler a = assembler(null);
    a.accept(line(1, ""));
    a.accept(line(2, "x"));
    assertThat(messages()).containsExactly("x");
  }

  @Test
  void aMultiLinePatternJoinsAStackTraceIntoOneEvent() {
    EventAssembler a = assembler("^\\d{4}-\\d{2}-\\d{2}");
    a.accept(line(1, "2026-12-08 ERROR boom"));
    a.accept(line(2, "java.lang.IllegalStateException: boom"));
    a.accept(line(3, "\tat io.wharf.Main.main(Main.java:1)"));
    a.accept(line(4, "2026-12-08 INFO next"));
    assertThat(messages())
        .containsExactly(
            "2026-12-08 ERROR boom\njava.lang.IllegalStateException: boom\n"
                + "\tat io.wharf.Main.main(Main.java:1)");
    assertThat(events.getFirst().mark())
        .isEqualTo(FrameMark.of(line(3, "\tat io.wharf.Main.main(Main.java:1)")));
    a.flush();
    assertThat(messages()).last().isEqualTo("2026-12-08 INFO next");
  }

  @Test
  void thePendingEventGoesOutOnceIdleForTheFlushInterval() {
    EventAssembler a = assembler("^START");
    a.accept(line(1, "START a"));
    a.accept(line(2, "more"));
    a.flushIfIdle(1_000_000_000L);
    assertThat(events).isEmpty();
    nanos.addAndGet(1_000_000_000L);
    a.flushIfIdle(1_000_000_000L);
    assertThat(messages()).containsExactly("START a\nmore");
  }

  @Test
  void piecesOfALongLineJoinWithoutANewline() {
    EventAssembler a = assembler("^START");
    a.accept(frame(1, "START abc", LogFrame.Source.STDOUT));
    a.accept(frame(2, "def\n", LogFrame.Source.STDOUT));
    a.accept(line(3, "START next"));
    assertThat(messages()).containsExactly("START abcdef");
  }

  @Test
  void aJoinedEventThatWouldPassTheLimitGoesOutFirst() {
    EventAssembler a = assembler("^START");
    String big = "x".repeat(200_000);
    a.accept(line(1, "START"));
    a.accept(line(2, big));
    a.accept(line(3, big));
    a.flush();
    assertThat(messages()).containsExactly("START\n" + big, big);
    assertThat(events).allMatch(e -> e.utf8Bytes() <= EventAssembler.MAX_EVENT_BYTES);
  }

  @Test
  void anEventPastTheLimitIsSplitAtCharacterBoundariesAndOnlyItsLastPieceMovesTheCursor() {
    EventAssembler a = assembler(null);
    // 3-byte characters: the limit (262,118) is not a multiple of 3, so a naive cut would split
    // one.
    String text = "€".repeat(100_000);
    LogFrame f = line(1, text);
    a.accept(f);
    assertThat(events).hasSize(2);
    assertThat(events.get(0).utf8Bytes()).isLessThanOrEqualTo(EventAssembler.MAX_EVENT_BYTES);
    assertThat(events.get(0).utf8Bytes() % 3).isZero();
    assertThat(String.join("", messages())).isEqualTo(text);
    for (LogEvent e : events) {
      assertThat(e.message().getBytes(StandardCharsets.UTF_8)).hasSize(e.utf8Bytes());
    }
    assertThat(events.get(0).mark()).isNull();
    assertThat(events.get(1).mark()).isEqualTo(FrameMark.of(f));
  }

  @Test
  void anIdleFlushDoesNotWaitForAReaderBlockedHandingOnAnEvent() throws Exception {
    // In blocking mode the reader hands events on under the assembler's lock and waits there for
    // room in the buffer; the sender, which makes that room, must not wait for the lock.
    List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch handing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch room = new java.util.concurrent.CountDownLatch(1);
    EventAssembler assembler =
        new EventAssembler(
            Pattern.compile("^START"),
            e -> {
              out.add(e.message());
              if (out.size() == 1) {
                handing.countDown();
                try {
                  room.await();
                } catch (InterruptedException interrupted) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            () -> 0);
    assembler.accept(line(1, "START a"));
    Thread reader = Thread.ofVirtual().start(() -> assembler.accept(line(2, "START b")));
    handing.await();

    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(60), () -> assembler.flushIfIdle(0));
    assertThat(out).containsExactly("START a");

    room.countDown();
    reader.join();
    assembler.flushIfIdle(0);
    assertThat(out).containsExactly("START a", "START b");
  }
}
