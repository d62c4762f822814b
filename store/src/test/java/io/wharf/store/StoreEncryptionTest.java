package io.wharf.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows sealed at rest: what a copy of the data directory's database shows, and what it takes. */
class StoreEncryptionTest {
  private static final String SECRET = "s3cr3t-password-value";

  @TempDir Path dir;

  private static byte[] key(int fill) {
    byte[] k = new byte[StoreKeys.KEY_BYTES];
    java.util.Arrays.fill(k, (byte) fill);
    return k;
  }

  private static StoreKeys.Source keys(byte[]... secrets) {
    return mayCreate -> StoreKeys.of(secrets);
  }

  private static Store.Mutation put(String kind, String key, String json) {
    return new Store.Mutation.Put(kind, key, json);
  }

  private static String envRow() {
    return "{\"environment\":[{\"name\":\"DB_PASSWORD\",\"value\":\"" + SECRET + "\"}]}";
  }

  /** Every byte of every file in the data directory, as ISO-8859-1 text to search in. */
  private String everyFile() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
      }
    }
    return all.toString();
  }

  @Test
  void noValueIsReadableInTheFilesWhileOpenOrAfterClosing() throws IOException {
    try (SqliteStore store = SqliteStore.open(dir, keys(key(1)))) {
      store.load();
      store.commit(1, List.of(put("taskDefinition", "web:1", envRow())));
      store.commit(2, List.of(put("task", "t1", envRow()), put("taskDefinition", "web:1", "{}")));
      // Open: the rows are in the WAL.
      assertThat(everyFile()).doesNotContain(SECRET).doesNotContain("DB_PASSWORD");
    }
    // Closed: checkpointed into wharf.db.
    assertThat(everyFile()).doesNotContain(SECRET);
    try (SqliteStore store = SqliteStore.open(dir, keys(key(1)))) {
      assertThat(store.load().rows())
          .containsExactlyInAnyOrder(
              new Store.Row("taskDefinition", "web:1", "{}"),
              new Store.Row("task", "t1", envRow()));
    }
  }

  @Test
  void aDatabaseWrittenByTheReleaseBeforeEncryptionIsReadAndLeftWithNoPlainTextBehind()
      throws IOException, SQLException {
    // Written by the last release's SqliteStore (schema 2): see schema2/MakeFixture.java.txt.
    try (InputStream fixture = getClass().getResourceAsStream("schema2/wharf.db")) {
      Files.copy(fixture, dir.resolve("wharf.db"));
    }
    assertThat(everyFile()).contains("hunter2-fixture-secret");
    try (SqliteStore store = SqliteStore.open(dir, StoreKeys.from(dir, Map.of()))) {
      Store.Snapshot snapshot = store.load();
      assertThat(snapshot.revision()).isEqualTo(2);
      assertThat(snapshot.rows()).hasSize(3);
      assertThat(snapshot.rows())
          .filteredOn(r -> r.kind().equals("taskDefinition"))
          .singleElement()
          .satisfies(r -> assertThat(r.json()).contains("\"value\":\"hunter2-fixture-secret\""));
      assertThat(snapshot.rows())
          .filteredOn(r -> r.kind().equals("task"))
          .singleElement()
          .satisfies(r -> assertThat(r.json()).contains("override-fixture-secret"));
      store.commit(3, List.of(put("task", "arn:aws:ecs:us-east-1:123456789012:task/x", "{}")));
    }
    // The migration compacted the file: neither secret is left in a free page or the WAL.
    String files = everyFile();
    assertThat(files).doesNotContain("hunter2-fixture-secret").doesNotContain("override-fixture");
    assertThat(Files.exists(dir.resolve(StoreKeys.FILE))).isTrue();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("wharf.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'schema_version'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(String.valueOf(SqliteStore.SCHEMA_VERSION));
    }
    try (SqliteStore store = SqliteStore.open(dir, StoreKeys.from(dir, Map.of()))) {
      assertThat(store.load().rows()).hasSize(4);
    }
  }

  @Test
  void theKeyFileIsCreatedOwnerOnlyOnFirstStartAndUsedAfter() throws IOException {
    try (SqliteStore store = SqliteStore.open(dir, StoreKeys.from(dir, Map.of()))) {
      store.commit(1, List.of(put("k", "a", envRow())));
    }
    Path file = dir.resolve(StoreKeys.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Base64.getDecoder().decode(Files.readString(file).strip()))
        .hasSize(StoreKeys.KEY_BYTES);
    byte[] before = Files.readAllBytes(file);
    try (SqliteStore store = SqliteStore.open(dir, StoreKeys.from(dir, Map.of()))) {
      assertThat(store.load().rows()).containsExactly(new Store.Row("k", "a", envRow()));
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void theEnvironmentsKeyWinsAndNoKeyFileIsWritten() {
    String base64 = Base64.getEncoder().encodeToString(key(7));
    Map<String, String> env = Map.of(StoreKeys.ENVIRONMENT, base64);
    try (SqliteStore store = SqliteStore.open(dir, StoreKeys.from(dir, env))) {
      store.commit(1, List.of(put("k", "a", "{}")));
    }
    assertThat(Files.exists(dir.resolve(StoreKeys.FILE))).isFalse();
    try (SqliteStore store = SqliteStore.open(dir, keys(key(7)))) {
      assertThat(store.load().rows()).containsExactly(new Store.Row("k", "a", "{}"));
    }
  }

  @Test
  void anEncryptedDatabaseWhoseKeyFileIsGoneIsRefusedAndNoNewKeyIsMade() {
    try (SqliteStore store = SqliteStore.open(dir, StoreKeys.from(dir, Map.of()))) {
      store.commit(1, List.of(put("k", "a", "{}")));
    }
    dir.resolve(StoreKeys.FILE).toFile().delete();
    assertThatThrownBy(() -> SqliteStore.open(dir, StoreKeys.from(dir, Map.of())))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("is encrypted, but its key")
        .hasMessageContaining("WHARF_STORE_KEY");
    assertThat(Files.exists(dir.resolve(StoreKeys.FILE))).isFalse();
    // Refused without keeping the data directory locked.
    SqliteStore.open(dir, keys(key(0))).close();
  }

  @Test
  void theWrongKeyIsRefusedWithBothKeyIds() {
    try (SqliteStore store = SqliteStore.open(dir, keys(key(1)))) {
      store.commit(1, List.of(put("k", "a", "{}")));
    }
    try (SqliteStore store = SqliteStore.open(dir, keys(key(2)))) {
      assertThatThrownBy(store::load)
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("encrypted with a key (id ")
          .hasMessageContaining("the current one has id ");
    }
  }

  @Test
  void aRotationRewritesEveryRowUnderTheNewKeySoTheOldOneCanBeDropped() {
    try (SqliteStore store = SqliteStore.open(dir, keys(key(1)))) {
      store.commit(1, List.of(put("k", "a", "{\"v\":1}"), put("k", "b", "{\"v\":2}")));
    }
    // The new key first, the old one after it: both open, the new one seals.
    try (SqliteStore store = SqliteStore.open(dir, keys(key(2), key(1)))) {
      assertThat(store.load().rows()).hasSize(2);
      store.commit(2, List.of(put("k", "c", "{\"v\":3}")));
    }
    try (SqliteStore store = SqliteStore.open(dir, keys(key(2)))) {
      assertThat(store.load().rows())
          .containsExactlyInAnyOrder(
              new Store.Row("k", "a", "{\"v\":1}"),
              new Store.Row("k", "b", "{\"v\":2}"),
              new Store.Row("k", "c", "{\"v\":3}"));
    }
  }

  @Test
  void aValueCopiedOntoAnotherRowDoesNotOpen() throws SQLException {
    try (SqliteStore store = SqliteStore.open(dir, keys(key(1)))) {
      store.commit(1, List.of(put("task", "mine", envRow()), put("task", "theirs", "{}")));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("wharf.db"));
        Statement s = c.createStatement()) {
      s.execute(
          "UPDATE entities SET value = (SELECT value FROM entities WHERE key = 'mine')"
              + " WHERE key = 'theirs'");
    }
    try (SqliteStore store = SqliteStore.open(dir, keys(key(1)))) {
      assertThatThrownBy(store::load)
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("The task 'theirs' does not decrypt");
    }
  }

  @Test
  void badKeysAreRefusedSayingWhatAKeyIs() {
    Map<String, String> shortKey =
        Map.of(StoreKeys.ENVIRONMENT, Base64.getEncoder().encodeToString(new byte[16]));
    assertThatThrownBy(() -> SqliteStore.open(dir, StoreKeys.from(dir, shortKey)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("holds a key of 16 bytes; a store key is 32 random bytes");
    Map<String, String> notBase64 = Map.of(StoreKeys.ENVIRONMENT, "not*base64");
    assertThatThrownBy(() -> SqliteStore.open(dir, StoreKeys.from(dir, notBase64)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("not base64");
  }

  @Test
  void everyFileTheStoreWritesIsOwnerOnlyAndTheDirectoryToo() throws IOException {
    Path data = dir.resolve("data");
    List<String> modes = new ArrayList<>();
    try (SqliteStore store = SqliteStore.open(data, StoreKeys.from(data, Map.of()))) {
      store.commit(1, List.of(put("k", "a", "{}")));
      // While open: wharf.db, -wal, -shm, wharf.lock, store.key.
      modes.addAll(modesIn(data));
    }
    modes.addAll(modesIn(data));
    assertThat(modes).contains("wharf.db-wal rw-------", "wharf.db-shm rw-------");
    assertThat(modes).allSatisfy(m -> assertThat(m).endsWith(" rw-------"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .isEqualTo("rwx------");
  }

  @Test
  void anExistingReadableDataDirectoryIsTightenedAtOpen() throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("wharf.lock"), "");
    Files.setPosixFilePermissions(
        dir.resolve("wharf.lock"), PosixFilePermissions.fromString("rw-r--r--"));
    SqliteStore.open(dir, keys(key(1))).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(modesIn(dir)).allSatisfy(m -> assertThat(m).endsWith(" rw-------"));
  }

  @Test
  void aDataDirectoryThatIsALinkHasItsTargetTightenedAndLinksInsideAreLeftAlone()
      throws IOException {
    Path target = Files.createDirectory(dir.resolve("target"));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path outside = Files.createFile(dir.resolve("outside.txt"));
    Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
    Files.createSymbolicLink(target.resolve("link-to-outside"), outside);
    Path link = Files.createSymbolicLink(dir.resolve("data"), target);
    PrivateFiles.tightenTree(link);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rwx------");
    // Not Wharf's file: a link inside the data directory is not followed.
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)))
        .isEqualTo("rw-r--r--");
  }

  private static List<String> modesIn(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      List<String> out = new ArrayList<>();
      for (Path f : files.toList()) {
        out.add(
            f.getFileName()
                + " "
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
      }
      return out;
    }
  }
}
