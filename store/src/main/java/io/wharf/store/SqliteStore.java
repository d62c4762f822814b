package io.wharf.store;

import io.wharf.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one SQLite database ({@code wharf.db}) in the data directory, in WAL mode
 * with {@code synchronous=FULL}, so a committed transaction has been fsync'd to the WAL before
 * {@link #commit} returns.
 *
 * <p>The data directory is guarded by an exclusive OS file lock ({@code wharf.lock}) for as long as
 * the store is open, so two servers never write one database.
 *
 * <p>Private: the directory and every file in it are owner-only ({@link PrivateFiles}), and every
 * row's value is encrypted ({@link RowCipher}, keys from {@link StoreKeys}); a row's kind and key,
 * the revision and the schema version stay readable.
 */
public final class SqliteStore implements Store {
  private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

  /**
   * Bumped when the layout of the database changes; a newer database is refused, not guessed at.
   */
  public static final int SCHEMA_VERSION = 3;

  private static final String DB_FILE = "wharf.db";
  private static final String LOCK_FILE = "wharf.lock";

  private final Path dataDir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Connection connection;
  private final PreparedStatement insert;
  private final PreparedStatement update;
  private final PreparedStatement delete;
  private final PreparedStatement setRevision;
  private final WalCheckpointer checkpointer;
  private final RowCipher cipher;

  /**
   * Every row's id by kind and key, read at {@link #load} (or at the first commit): a put of a
   * known row updates it by id, a new row gets the next id. The table has no index on (kind, key),
   * so a commit writes the pages of its rows and nothing else.
   */
  private Map<String, Map<String, Long>> ids;

  private long nextId;

  private SqliteStore(
      Path dataDir, FileChannel lockChannel, FileLock lock, Connection connection, RowCipher cipher)
      throws SQLException {
    this.dataDir = dataDir;
    this.cipher = cipher;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.connection = connection;
    this.insert =
        connection.prepareStatement(
            "INSERT INTO entities(id, kind, key, value) VALUES (?, ?, ?, ?)");
    this.update = connection.prepareStatement("UPDATE entities SET value = ? WHERE id = ?");
    this.delete = connection.prepareStatement("DELETE FROM entities WHERE id = ?");
    this.setRevision =
        connection.prepareStatement(
            "INSERT INTO meta(name, value) VALUES ('revision', ?)"
                + " ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    this.checkpointer = new WalCheckpointer(dataDir.resolve(DB_FILE));
  }

  /**
   * Opens (creating when absent) the store in {@code dataDir}, with the keys from {@code
   * WHARF_STORE_KEY} or {@code <dataDir>/store.key} (created on first start).
   *
   * @throws StoreException when the directory is locked by another server, the database is corrupt
   *     or was written by a newer Wharf, or its key is missing
   */
  public static SqliteStore open(Path dataDir) {
    return open(dataDir, StoreKeys.from(dataDir, System.getenv()));
  }

  /** As {@link #open(Path)}, with the keys from {@code keys}. */
  public static SqliteStore open(Path dataDir, StoreKeys.Source keys) {
    FileChannel channel = null;
    try {
      // Owner-only, and so is everything the store writes in it: the database holds every secret
      // the control plane knows (encrypted, but a copy of the file is still nobody else's
      // business).
      PrivateFiles.createDirectories(dataDir);
      PrivateFiles.createFile(dataDir.resolve(LOCK_FILE));
      // Created before SQLite opens it, so that it is owner-only from the start: SQLite creates the
      // -wal and -shm files with the permissions of the database file.
      Path dbFile = dataDir.resolve(DB_FILE);
      PrivateFiles.createFile(dbFile);
      PrivateFiles.tighten(dataDir.resolve(DB_FILE + "-wal"));
      PrivateFiles.tighten(dataDir.resolve(DB_FILE + "-shm"));
      channel =
          FileChannel.open(
              dataDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = tryLock(channel);
      if (lock == null) {
        throw new StoreException(
            "The data directory "
                + dataDir
                + " is in use by another running Wharf server (it holds "
                + dataDir.resolve(LOCK_FILE)
                + "). Stop that server or choose another --data-dir.");
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
      Opened opened = connect(dbFile, keys);
      SqliteStore store =
          new SqliteStore(dataDir, channel, lock, opened.connection(), opened.cipher());
      log.info("Opened store {} (schema {})", dataDir.resolve(DB_FILE), SCHEMA_VERSION);
      return store;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException(
          "Cannot open the data directory " + dataDir + ": " + e.getMessage(), e);
    } catch (SQLException e) {
      closeQuietly(channel);
      throw new StoreException(
          "The database "
              + dataDir.resolve(DB_FILE)
              + " cannot be opened; it may be corrupt ("
              + e.getMessage()
              + "). Restore it from a backup or move it away; Wharf will not guess at its contents.",
          e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      // Held by this same JVM (another store object on the same directory).
      return null;
    }
  }

  private record Opened(Connection connection, RowCipher cipher) {}

  private static Opened connect(Path dbFile, StoreKeys.Source keySource) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
    try {
      return prepare(c, dbFile, keySource);
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private static Opened prepare(Connection c, Path dbFile, StoreKeys.Source keySource)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      // quick_check reads every page: a corrupt file is refused at start, not discovered later.
      try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
        String result = rs.next() ? rs.getString(1) : "no answer";
        if (!"ok".equals(result)) {
          c.close();
          throw new SQLException("integrity check failed: " + result);
        }
      }
      s.execute("PRAGMA journal_mode=WAL");
      // FULL: every commit fsyncs the WAL, so an acknowledged change survives a crash or power
      // loss.
      s.execute("PRAGMA synchronous=FULL");
      // Checkpoints run on their own thread (WalCheckpointer); this is the writer's fallback.
      s.execute("PRAGMA wal_autocheckpoint=" + WalCheckpointer.FALLBACK_PAGES);
      s.execute("CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)");
      int version = schemaVersion(s);
      if (version > SCHEMA_VERSION) {
        c.close();
        throw new StoreException(
            "The database "
                + dbFile
                + " was written by a newer Wharf (schema version "
                + version
                + "); this Wharf reads schema version "
                + SCHEMA_VERSION
                + " and older. Run the newer Wharf, or point --data-dir elsewhere.");
      }
      // A database that holds sealed rows needs the key they were sealed with, not a new one.
      RowCipher cipher;
      try {
        cipher = new RowCipher(keySource.keys(version < 3));
      } catch (StoreException e) {
        c.close();
        throw e;
      }
      if (version == 0) {
        s.execute(CREATE_ENTITIES);
        s.execute(
            "INSERT INTO meta(name, value) VALUES ('schema_version', '" + SCHEMA_VERSION + "')");
      } else if (version < 3) {
        if (version == 1) {
          migrateFromVersion1(c, dbFile);
        }
        sealPlainRows(c, dbFile, cipher);
      }
      c.setAutoCommit(false);
      return new Opened(c, cipher);
    }
  }

  /**
   * Schema 2's table: rows by a numeric id, with no index on (kind, key); the store keeps the ids
   * in memory ({@link #ids}) and enforces that (kind, key) is unique itself.
   *
   * <p>Schema 1 was a {@code WITHOUT ROWID} table keyed by (kind, key). A row of such a table lives
   * in its key's B-tree leaf, where SQLite keeps at most about a quarter of a page (1 KiB of a 4
   * KiB page) and spills the rest to an overflow page of its own. A task's JSON is 1 to 2 KiB, so
   * every task took a leaf cell and a whole overflow page, and a commit of 10 new tasks wrote about
   * 20 scattered pages to the WAL: 1.2 to 1.5 ms of CPU per commit, 5 KiB of file per task. In a
   * rowid table a row of up to 4 KiB stays on one page and new rows are appended to the last pages;
   * a unique index on (kind, key) would still add a random index page per new row (random task
   * ARNs), so there is none: 10 new tasks now take 0.4 ms, and a third of the file.
   */
  private static final String CREATE_ENTITIES =
      "CREATE TABLE entities(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL,"
          + " value BLOB NOT NULL)";

  /**
   * Schema 3 seals every row's value ({@link RowCipher}); schema 2 held them as JSON text, in a
   * column named {@code json}. Rewrites every row sealed, in one transaction (a crash leaves schema
   * 2 as it was), then compacts the file and empties the WAL, so that no page of the plain rows is
   * left behind in either.
   */
  private static void sealPlainRows(Connection c, Path dbFile, RowCipher cipher)
      throws SQLException {
    log.info("Encrypting the rows of {} (schema {})", dbFile, SCHEMA_VERSION);
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      if (hasColumn(s, "json")) {
        s.execute("ALTER TABLE entities RENAME COLUMN json TO value");
      }
      try (ResultSet rs = s.executeQuery("SELECT id, kind, key, value FROM entities");
          PreparedStatement seal =
              c.prepareStatement("UPDATE entities SET value = ? WHERE id = ?")) {
        while (rs.next()) {
          seal.setBytes(1, cipher.seal(rs.getString(2), rs.getString(3), rs.getString(4)));
          seal.setLong(2, rs.getLong(1));
          seal.addBatch();
        }
        seal.executeBatch();
      }
      s.execute("UPDATE meta SET value = '" + SCHEMA_VERSION + "' WHERE name = 'schema_version'");
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    }
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("VACUUM");
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
  }

  private static boolean hasColumn(Statement s, String column) throws SQLException {
    try (ResultSet rs = s.executeQuery("PRAGMA table_info(entities)")) {
      while (rs.next()) {
        if (column.equals(rs.getString("name"))) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Rewrites a schema 1 database in schema 2's layout, in one transaction (a crash leaves schema 1
   * as it was), then compacts the file, which schema 1's overflow pages made about three times
   * larger than it needs to be.
   */
  private static void migrateFromVersion1(Connection c, Path dbFile) throws SQLException {
    log.info("Rewriting {} from schema 1 to schema {}", dbFile, SCHEMA_VERSION);
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE entities RENAME TO entities_v1");
      s.execute(CREATE_ENTITIES);
      s.execute("INSERT INTO entities(kind, key, value) SELECT kind, key, json FROM entities_v1");
      s.execute("DROP TABLE entities_v1");
      s.execute("UPDATE meta SET value = '2' WHERE name = 'schema_version'");
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    }
    c.setAutoCommit(true);
  }

  private static int schemaVersion(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'schema_version'")) {
      if (!rs.next()) {
        return 0;
      }
      try {
        return Integer.parseInt(rs.getString(1));
      } catch (NumberFormatException e) {
        throw new SQLException("unreadable schema version '" + rs.getString(1) + "'");
      }
    }
  }

  @Override
  public Snapshot load() {
    try (Statement s = connection.createStatement()) {
      long revision = 0;
      try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'revision'")) {
        if (rs.next()) {
          revision = Long.parseLong(rs.getString(1));
        }
      }
      List<Store.Row> rows = new ArrayList<>();
      Map<String, Map<String, Long>> found = new HashMap<>();
      // Rows sealed with an older key (before a rotation): sealed again with the current one.
      Map<Long, Store.Row> stale = new LinkedHashMap<>();
      long maxId = 0;
      try (ResultSet rs = s.executeQuery("SELECT id, kind, key, value FROM entities")) {
        while (rs.next()) {
          long id = rs.getLong(1);
          String kind = rs.getString(2);
          String key = rs.getString(3);
          byte[] sealed = rs.getBytes(4);
          Store.Row row = new Store.Row(kind, key, cipher.open(kind, key, sealed));
          remember(found, row.kind(), row.key(), id);
          maxId = Math.max(maxId, id);
          rows.add(row);
          if (!cipher.sealedWithCurrentKey(sealed)) {
            stale.put(id, row);
          }
        }
      }
      if (!stale.isEmpty()) {
        log.info("Encrypting {} rows of {} with the current key", stale.size(), dataDir);
        for (Map.Entry<Long, Store.Row> e : stale.entrySet()) {
          Store.Row row = e.getValue();
          update.setBytes(1, cipher.seal(row.kind(), row.key(), row.json()));
          update.setLong(2, e.getKey());
          update.addBatch();
        }
        update.executeBatch();
      }
      connection.commit();
      ids = found;
      nextId = maxId + 1;
      return new Snapshot(revision, rows);
    } catch (SQLException | NumberFormatException e) {
      try {
        update.clearBatch();
        connection.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw new StoreException("Cannot read the database in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** Records a row's id; a second row of the same kind and key is a corrupt database. */
  private void remember(Map<String, Map<String, Long>> into, String kind, String key, long id) {
    Long earlier = into.computeIfAbsent(kind, k -> new HashMap<>()).putIfAbsent(key, id);
    if (earlier != null) {
      throw new StoreException(
          "The database in "
              + dataDir
              + " holds the "
              + kind
              + " '"
              + key
              + "' twice (rows "
              + earlier
              + " and "
              + id
              + "); it is corrupt. Restore it from a backup; Wharf will not guess which is right.");
    }
  }

  /** The ids, when {@link #load} did not read them (a store that commits without loading). */
  private Map<String, Map<String, Long>> ids() throws SQLException {
    if (ids == null) {
      Map<String, Map<String, Long>> found = new HashMap<>();
      long maxId = 0;
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT id, kind, key FROM entities")) {
        while (rs.next()) {
          remember(found, rs.getString(2), rs.getString(3), rs.getLong(1));
          maxId = Math.max(maxId, rs.getLong(1));
        }
      }
      ids = found;
      nextId = maxId + 1;
    }
    return ids;
  }

  private record NewRow(String kind, String key, long id) {}

  @Override
  public void commit(long revision, List<Mutation> mutations) {
    // New ids and removed rows, applied to the id map only once the commit is durable.
    List<NewRow> added = new ArrayList<>();
    List<Mutation> removed = new ArrayList<>();
    try {
      Map<String, Map<String, Long>> known = ids();
      long next = nextId;
      // Only the last mutation of a row within one commit matters: each row gets one statement,
      // so the batches of inserts, updates and deletes cannot run out of order.
      Map<List<String>, Mutation> last = new LinkedHashMap<>();
      for (Mutation m : mutations) {
        last.put(List.of(m.kind(), m.key()), m);
      }
      for (Mutation m : last.values()) {
        Map<String, Long> ofKind = known.get(m.kind());
        Long id = ofKind == null ? null : ofKind.get(m.key());
        switch (m) {
          case Mutation.Put put when id != null -> {
            update.setBytes(1, cipher.seal(put.kind(), put.key(), put.json()));
            update.setLong(2, id);
            update.addBatch();
          }
          case Mutation.Put put -> {
            long newId = next++;
            insert.setLong(1, newId);
            insert.setString(2, put.kind());
            insert.setString(3, put.key());
            insert.setBytes(4, cipher.seal(put.kind(), put.key(), put.json()));
            insert.addBatch();
            added.add(new NewRow(put.kind(), put.key(), newId));
          }
          case Mutation.Delete del when id != null -> {
            delete.setLong(1, id);
            delete.addBatch();
            removed.add(del);
          }
          case Mutation.Delete unstored -> {
            // Not stored: nothing to remove.
          }
        }
      }
      insert.executeBatch();
      update.executeBatch();
      delete.executeBatch();
      setRevision.setString(1, Long.toString(revision));
      setRevision.executeUpdate();
      connection.commit();
      nextId = next;
      for (NewRow a : added) {
        known.computeIfAbsent(a.kind(), k -> new HashMap<>()).put(a.key(), a.id());
      }
      for (Mutation m : removed) {
        known.get(m.kind()).remove(m.key());
      }
      checkpointer.committed();
    } catch (SQLException | RuntimeException e) {
      try {
        insert.clearBatch();
        update.clearBatch();
        delete.clearBatch();
        connection.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw new StoreException(
          "Cannot write to the database in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    // The checkpointer's connection first: closing the last connection checkpoints the WAL into
    // the database and removes it.
    checkpointer.close();
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("Closing the database in {} failed", dataDir, e);
    }
    try {
      lock.release();
    } catch (IOException e) {
      log.warn("Releasing the lock on {} failed", dataDir, e);
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("Closing the lock file failed", e);
      }
    }
  }
}
