package io.wharf.logs.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More streams than the store's open-file budget: idle streams' files are closed, and reopened when
 * read or appended to again, with nothing lost.
 */
class EventStoreOpenFilesTest {
  static final int BUDGET = 4;
  static final int STREAMS = 20;

  @TempDir Path dir;

  private static List<String> read(StreamLog log) {
    return log
        .readForward(0, Long.MIN_VALUE, Long.MAX_VALUE, 1_000, Long.MAX_VALUE)
        .events()
        .stream()
        .map(StoredEvent::message)
        .toList();
  }

  @Test
  void streamsBeyondTheBudgetCloseTheirFilesAndReopenThemOnDemand() throws Exception {
    try (EventStore store = new EventStore(dir, BUDGET)) {
      for (int round = 0; round < 3; round++) {
        for (long id = 0; id < STREAMS; id++) {
          store.stream(id).append(List.of(new NewEvent(round, "s" + id + " r" + round)), 1_000);
          assertThat(store.openFiles())
              .as("files open after an append")
              .isLessThanOrEqualTo(BUDGET);
        }
      }
      for (long id = STREAMS - 1; id >= 0; id--) {
        assertThat(read(store.stream(id)))
            .containsExactly("s" + id + " r0", "s" + id + " r1", "s" + id + " r2");
        assertThat(store.openFiles()).as("files open after a read").isLessThanOrEqualTo(BUDGET);
      }
      FilterCount count = new FilterCount();
      for (long id = 0; id < STREAMS; id++) {
        store.stream(id)
            .filter(
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                io.wharf.logs.filter.FilterPattern.parse("r1"),
                count);
      }
      assertThat(count.matches).isEqualTo(STREAMS);
      assertThat(store.openFiles()).isLessThanOrEqualTo(BUDGET);
    }
    try (EventStore reopened = new EventStore(dir, BUDGET)) {
      for (long id = 0; id < STREAMS; id++) {
        assertThat(read(reopened.stream(id))).hasSize(3);
      }
      assertThat(reopened.openFiles()).isLessThanOrEqualTo(BUDGET);
    }
  }

  @Test
  void retentionDeletesAStreamsSegmentsWhateverTheBudgetClosed() throws Exception {
    try (EventStore store = new EventStore(dir, 1)) {
      store.stream(1).append(List.of(new NewEvent(10, "old")), 1_000);
      store.stream(2).append(List.of(new NewEvent(10, "other")), 1_000);
      assertThat(store.stream(1).deleteOlderThan(100)).isEqualTo(1);
      assertThat(read(store.stream(1))).isEmpty();
      store.stream(1).append(List.of(new NewEvent(200, "new")), 1_000);
      assertThat(read(store.stream(1))).containsExactly("new");
      assertThat(read(store.stream(2))).containsExactly("other");
      assertThat(store.openFiles()).isLessThanOrEqualTo(1);
    }
  }

  private static final class FilterCount implements StreamLog.FilterSink {
    int matches;

    @Override
    public long horizon() {
      return Long.MAX_VALUE;
    }

    @Override
    public void accept(StoredEvent e) {
      matches++;
    }
  }
}
