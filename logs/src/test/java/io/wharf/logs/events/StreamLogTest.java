package io.wharf.logs.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.logs.filter.FilterPattern;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One stream's chunk files: appends, reads both ways, filters, reopening, retention. */
class StreamLogTest {
  @TempDir Path dir;

  private static List<NewEvent> batch(long firstTs, String... messages) {
    List<NewEvent> out = new ArrayList<>();
    for (int i = 0; i < messages.length; i++) {
      out.add(new NewEvent(firstTs + i, messages[i]));
    }
    return out;
  }

  private static List<String> messages(StreamLog.Read read) {
    return read.events().stream().map(StoredEvent::message).toList();
  }

  private static List<String> filtered(StreamLog log, String pattern) {
    List<String> out = new ArrayList<>();
    log.filter(
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        FilterPattern.parse(pattern),
        new StreamLog.FilterSink() {
          @Override
          public long horizon() {
            return Long.MAX_VALUE;
          }

          @Override
          public void accept(StoredEvent event) {
            out.add(event.message());
          }
        });
    return out;
  }

  @Test
  void eventsReadBackInOrderAcrossBatchesWithTheirSequences() throws IOException {
    try (StreamLog log = StreamLog.open(dir.resolve("s"))) {
      assertThat(log.append(batch(1000, "a", "b"), 5000)).isEqualTo(2);
      assertThat(log.append(batch(2000, "c"), 6000)).isEqualTo(3);
      StreamLog.Read all = log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 1 << 20);
      assertThat(messages(all)).containsExactly("a", "b", "c");
      assertThat(all.events()).extracting(StoredEvent::sequence).containsExactly(0L, 1L, 2L);
      assertThat(all.events())
          .extracting(StoredEvent::ingestionTime)
          .containsExactly(5000L, 5000L, 6000L);
      assertThat(all.next()).isEqualTo(3);
      assertThat(log.stats())
          .isEqualTo(new StreamLog.Stats(1000L, 2000L, 6000L, log.stats().storedBytes()));
      assertThat(log.stats().storedBytes()).isPositive();
    }
  }

  @Test
  void pagesForwardAndBackwardByLimitAndTimeRange() throws IOException {
    try (StreamLog log = StreamLog.open(dir.resolve("s"))) {
      log.append(batch(0, "e0", "e1", "e2", "e3"), 1);
      log.append(batch(10, "e4", "e5"), 1);
      StreamLog.Read first = log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 3, 1 << 20);
      assertThat(messages(first)).containsExactly("e0", "e1", "e2");
      assertThat(first.next()).isEqualTo(3);
      StreamLog.Read second = log.readForward(3, Long.MIN_VALUE, Long.MAX_VALUE, 3, 1 << 20);
      assertThat(messages(second)).containsExactly("e3", "e4", "e5");
      assertThat(log.readForward(6, Long.MIN_VALUE, Long.MAX_VALUE, 3, 1 << 20).events()).isEmpty();

      StreamLog.Read last = log.readBackward(6, Long.MIN_VALUE, Long.MAX_VALUE, 4, 1 << 20);
      assertThat(messages(last)).containsExactly("e2", "e3", "e4", "e5");
      assertThat(last.next()).isEqualTo(2);
      StreamLog.Read before = log.readBackward(2, Long.MIN_VALUE, Long.MAX_VALUE, 4, 1 << 20);
      assertThat(messages(before)).containsExactly("e0", "e1");
      assertThat(before.next()).isZero();

      assertThat(messages(log.readForward(0, 2, 10, 100, 1 << 20)))
          .containsExactly("e2", "e3", "e4");
      // The byte budget cuts a page too (each event counts its bytes plus 26).
      assertThat(messages(log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 2 * 28)))
          .containsExactly("e0", "e1");
    }
  }

  @Test
  void whatWasAppendedIsThereAfterReopening() throws IOException {
    Path s = dir.resolve("s");
    try (StreamLog log = StreamLog.open(s)) {
      log.append(batch(0, "one", "two"), 1);
      log.append(batch(5, "three"), 2);
    }
    try (StreamLog log = StreamLog.open(s)) {
      assertThat(messages(log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 1 << 20)))
          .containsExactly("one", "two", "three");
      assertThat(log.append(batch(9, "four"), 3)).isEqualTo(4);
    }
  }

  @Test
  void aTornLastChunkIsCutOffAndAppendsGoOn() throws IOException {
    Path s = dir.resolve("s");
    try (StreamLog log = StreamLog.open(s)) {
      log.append(batch(0, "kept"), 1);
      log.append(batch(1, "torn"), 1);
    }
    Path segment;
    try (Stream<Path> files = Files.list(s)) {
      segment = files.findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3); // a crash in the middle of the second write
    }
    try (StreamLog log = StreamLog.open(s)) {
      assertThat(messages(log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 1 << 20)))
          .containsExactly("kept");
      assertThat(log.append(batch(2, "after"), 1)).isEqualTo(2);
      assertThat(messages(log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 1 << 20)))
          .containsExactly("kept", "after");
    }
  }

  @Test
  void theTermIndexSkipsChunksButFindsEveryMatch() throws IOException {
    try (StreamLog log = StreamLog.open(dir.resolve("s"))) {
      for (int b = 0; b < 20; b++) {
        String[] lines =
            IntStream.range(0, 50).mapToObj(i -> "GET /index.html 200 " + i).toArray(String[]::new);
        if (b == 13) {
          lines[7] = "GET /index.html 500 needle-in-haystack";
        }
        log.append(batch(b * 100L, lines), 1);
      }
      assertThat(filtered(log, "needle-in-haystack"))
          .containsExactly("GET /index.html 500 needle-in-haystack");
      assertThat(filtered(log, "500 -needle")).isEmpty();
      assertThat(filtered(log, "\"200 49\"")).hasSize(20);
    }
  }

  @Test
  void retentionDeletesWholeExpiredSegmentsAndTheSequenceGoesOn() throws IOException {
    Path s = dir.resolve("s");
    long day = 24L * 60 * 60 * 1000;
    try (StreamLog log = StreamLog.open(s)) {
      log.append(batch(0, "old-1", "old-2"), 1);
      // More than a day later: a new segment, so the old one can go alone.
      log.append(batch(2 * day, "new"), 1);
      assertThat(log.deleteOlderThan(day)).isEqualTo(2);
      assertThat(messages(log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 1 << 20)))
          .containsExactly("new");
      assertThat(log.stats().firstEventTimestamp()).isEqualTo(2 * day);
      assertThat(log.deleteOlderThan(3 * day)).isEqualTo(1);
      assertThat(log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 1 << 20).events())
          .isEmpty();
      assertThat(log.append(batch(4 * day, "later"), 1)).isEqualTo(4);
    }
    try (StreamLog log = StreamLog.open(s)) {
      StreamLog.Read read = log.readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 100, 1 << 20);
      assertThat(messages(read)).containsExactly("later");
      assertThat(read.events().getFirst().sequence()).isEqualTo(3);
    }
  }

  @Test
  void damageInASealedSegmentStopsTheOpen() throws IOException {
    Path s = dir.resolve("s");
    long day = 24L * 60 * 60 * 1000;
    try (StreamLog log = StreamLog.open(s)) {
      log.append(batch(0, "first"), 1);
      log.append(batch(2 * day, "second"), 1);
    }
    Path sealed;
    try (Stream<Path> files = Files.list(s)) {
      sealed = files.sorted().findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(sealed, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3);
    }
    assertThatThrownBy(() -> StreamLog.open(s))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("sealed segment");
  }

  @Test
  void aReaderFollowingTheTailWhileBatchesArriveSeesEveryEventOnceInOrder() throws Exception {
    int batches = 200;
    try (StreamLog log = StreamLog.open(dir.resolve("s"))) {
      Thread writer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int b = 0; b < batches; b++) {
                        log.append(
                            batch(b * 10L, "b" + b + "-0", "b" + b + "-1", "b" + b + "-2"), b);
                      }
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      List<String> seen = new ArrayList<>();
      long token = 0;
      // Follows from its forward position as tail-following clients do, until the writer is done
      // and nothing new comes.
      while (true) {
        boolean done = !writer.isAlive();
        StreamLog.Read read = log.readForward(token, Long.MIN_VALUE, Long.MAX_VALUE, 7, 1 << 20);
        read.events().forEach(e -> seen.add(e.message()));
        assertThat(read.next()).isGreaterThanOrEqualTo(token);
        token = read.next();
        if (done && read.events().isEmpty()) {
          break;
        }
      }
      writer.join();
      List<String> expected = new ArrayList<>();
      for (int b = 0; b < batches; b++) {
        for (int i = 0; i < 3; i++) {
          expected.add("b" + b + "-" + i);
        }
      }
      assertThat(seen).isEqualTo(expected);
    }
  }
}
