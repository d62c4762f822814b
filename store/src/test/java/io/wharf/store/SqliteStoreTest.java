package io.wharf.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

  @Test
  void aSchema1DatabaseIsRewrittenInTheNewLayoutWithNothingLost() throws SQLException {
    // Schema 1 as the first Wharf wrote it: one WITHOUT ROWID table keyed by (kind, key).
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("wharf.db"));
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)");
      s.execute(
          "CREATE TABLE entities(kind TEXT NOT NULL, key TEXT NOT NULL,"
              + " json TEXT NOT NULL, PRIMARY KEY(kind, key)) WITHOUT ROWID");
      s.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('revision', '7')");
      s.execute(
          "INSERT INTO entities VALUES ('cluster', 'a', '{\"n\":1}'), ('task', 't1', '{}'),"
              + " ('task', 't2', '{\"x\":\""
              + "y".repeat(3000)
              + "\"}')");
    }
    try (SqliteStore store = SqliteStore.open(dir)) {
      Store.Snapshot snapshot = store.load();
      assertThat(snapshot.revision()).isEqualTo(7);
      assertThat(snapshot.rows())
          .containsExactlyInAnyOrder(
              new Store.Row("cluster", "a", "{\"n\":1}"),
              new Store.Row("task", "t1", "{}"),
              new Store.Row("task", "t2", "{\"x\":\"" + "y".repeat(3000) + "\"}"));
      // The rewritten table takes upserts of existing and new keys alike.
      store.commit(
          8,
          List.of(
              new Store.Mutation.Put("task", "t1", "{\"v\":2}"),
              new Store.Mutation.Put("task", "t3", "{}"),
              new Store.Mutation.Delete("task", "t2")));
    }
    try (SqliteStore store = SqliteStore.open(dir)) {
      assertThat(store.load().rows())
          .containsExactlyInAnyOrder(
              new Store.Row("cluster", "a", "{\"n\":1}"),
              new Store.Row("task", "t1", "{\"v\":2}"),
              new Store.Row("task", "t3", "{}"));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("wharf.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'schema_version'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(String.valueOf(SqliteStore.SCHEMA_VERSION));
    }
  }

  @Test
  void aFailedCommitLeavesNothingBehindAndTheStoreGoesOn() {
    try (SqliteStore store = SqliteStore.open(dir)) {
      store.load();
      store.commit(1, List.of(new Store.Mutation.Put("task", "a", "{\"v\":1}")));
      // A null document breaks the table's NOT NULL: the whole commit is refused.
      assertThatThrownBy(
              () ->
                  store.commit(
                      2,
                      List.of(
                          new Store.Mutation.Put("task", "b", "{}"),
                          new Store.Mutation.Put("task", "a", "{\"v\":2}"),
                          new Store.Mutation.Put("task", "c", null))))
          .isInstanceOf(StoreException.class);
      assertThat(store.load().rows()).containsExactly(new Store.Row("task", "a", "{\"v\":1}"));
      // The rows the failed commit would have added are still new to the store.
      store.commit(
          2,
          List.of(
              new Store.Mutation.Put("task", "b", "{\"v\":3}"),
              new Store.Mutation.Put("task", "a", "{\"v\":4}")));
    }
    try (SqliteStore store = SqliteStore.open(dir)) {
      Store.Snapshot snapshot = store.load();
      assertThat(snapshot.revision()).isEqualTo(2);
      assertThat(snapshot.rows())
          .containsExactlyInAnyOrder(
              new Store.Row("task", "a", "{\"v\":4}"), new Store.Row("task", "b", "{\"v\":3}"));
    }
  }

  @Test
  void aStoreThatCommitsWithoutLoadingStillUpdatesRowsInPlace() {
    try (SqliteStore store = SqliteStore.open(dir)) {
      store.commit(1, List.of(new Store.Mutation.Put("k", "x", "1")));
    }
    try (SqliteStore store = SqliteStore.open(dir)) {
      store.commit(
          2, List.of(new Store.Mutation.Put("k", "x", "2"), new Store.Mutation.Put("k", "y", "3")));
      store.commit(3, List.of(new Store.Mutation.Delete("k", "y")));
    }
    try (SqliteStore store = SqliteStore.open(dir)) {
      assertThat(store.load().rows()).containsExactly(new Store.Row("k", "x", "2"));
    }
  }
}
