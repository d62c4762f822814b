package io.wharf.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
  @TempDir Path dir;

  @Test
  void commitsAreReadBackAfterReopening() {
    try (SqliteStore store = SqliteStore.open(dir)) {
      assertThat(store.load().revision()).isZero();
      store.commit(
          1,
          List.of(
              new Store.Mutation.Put("cluster", "a", "{\"n\":1}"),
              new Store.Mutation.Put("cluster", "b", "{}")));
      store.commit(
          2,
          List.of(
              new Store.Mutation.Delete("cluster", "b"),
              new Store.Mutation.Put("cluster", "a", "{\"n\":2}")));
    }
    try (SqliteStore store = SqliteStore.open(dir)) {
      Store.Snapshot snapshot = store.load();
      assertThat(snapshot.revision()).isEqualTo(2);
      assertThat(snapshot.rows()).containsExactly(new Store.Row("cluster", "a", "{\"n\":2}"));
    }
  }

  @Test
  void theLastMutationOfARowInOneCommitWins() {
    try (SqliteStore store = SqliteStore.open(dir)) {
      store.commit(
          1,
          List.of(
              new Store.Mutation.Put("k", "x", "1"),
              new Store.Mutation.Delete("k", "x"),
              new Store.Mutation.Put("k", "y", "1"),
              new Store.Mutation.Delete("k", "y"),
              new Store.Mutation.Put("k", "y", "2")));
      assertThat(store.load().rows()).containsExactly(new Store.Row("k", "y", "2"));
    }
  }

  @Test
  void aLockedDataDirectoryIsRefused() {
    try (SqliteStore first = SqliteStore.open(dir)) {
      assertThatThrownBy(() -> SqliteStore.open(dir))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("in use by another running Wharf server");
    }
    // Released on close: it opens again.
    SqliteStore.open(dir).close();
  }
}
