package io.wharf.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies committed pages from the write-ahead log into the database file on a thread and connection
 * of its own, so that the single writer's commits never do it.
 *
 * <pre>
 *  writer:        commit ─▶ WAL (append, fsync) ─▶ committed() ──signal──┐
 *  checkpointer:  every PERIOD, if anything was committed:               ▼
 *                 PRAGMA wal_checkpoint(PASSIVE): WAL pages ─▶ wharf.db, fsync
 * </pre>
 *
 * <p>Why: by default SQLite checkpoints inside the commit that brings the WAL to 1,000 pages. That
 * commit then copies 4 MiB and fsyncs the database file before it returns, and every caller of its
 * batch, and of the batches queued behind it, waits: at hundreds of commits a second that was a 10
 * to 25 ms stall every second or so, the p99 of a durable write. A PASSIVE checkpoint from another
 * connection runs beside the writer without taking its lock, and durability does not depend on it:
 * a commit is durable once its WAL frames are fsync'd.
 *
 * <p>The WAL starts over from its beginning at the first write after a checkpoint that copied every
 * frame. Checkpointing often keeps each pass short, so one usually finishes between two commits;
 * the writer keeps SQLite's own checkpoint with a high threshold ({@link #FALLBACK_PAGES}) for the
 * case where none does (writes without any pause) or this thread failed.
 *
 * <p>Threading: {@link #committed} is called by the writer; everything else runs on this thread.
 */
final class WalCheckpointer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

  /**
   * How often to checkpoint while commits arrive: a few hundred WAL pages per pass at the write
   * rates seen (2,000 to 3,000 pages a second at 500 RunTasks a second), so that each pass is
   * short.
   */
  static final Duration PERIOD = Duration.ofMillis(200);

  /**
   * The writer's own automatic checkpoint, a fallback: at 10,000 pages (40 MiB) of WAL without a
   * restart, the committing writer finishes the copy itself (little is left to copy then).
   */
  static final int FALLBACK_PAGES = 10_000;

  private final Path dbFile;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signal = lock.newCondition();
  private final Thread thread;
  private long commits;
  private boolean closed;

  WalCheckpointer(Path dbFile) {
    this.dbFile = dbFile;
    this.thread =
        Thread.ofPlatform().name("wharf-store-checkpointer").daemon(true).start(this::run);
  }

  /** The writer committed a transaction: there are new pages to copy. */
  void committed() {
    lock.lock();
    try {
      commits++;
      signal.signal();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
        Statement s = c.createStatement()) {
      // Its fsyncs (of the WAL before copying, of the database after) as the writer's.
      s.execute("PRAGMA synchronous=FULL");
      long checkpointed = 0;
      while (true) {
        long seen;
        lock.lock();
        try {
          while (!closed && commits == checkpointed) {
            signal.await();
          }
          // Let a period's commits gather (their signals do not cut it short): one pass copies a
          // page once, however often it changed.
          long left = PERIOD.toNanos();
          while (!closed && left > 0) {
            left = signal.awaitNanos(left);
          }
          if (closed) {
            return;
          }
          seen = commits;
        } finally {
          lock.unlock();
        }
        checkpoint(s);
        checkpointed = seen;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      // Not fatal: the writer's own checkpoint (FALLBACK_PAGES) still bounds the WAL.
      log.error(
          "The WAL checkpointer of {} stopped; the writer checkpoints by itself from now on",
          dbFile,
          e);
    }
  }

  private void checkpoint(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
      if (rs.next() && rs.getInt(1) != 0) {
        log.debug("A checkpoint of {} found the database busy; the next pass continues", dbFile);
      }
    }
  }

  /** Stops the thread (a pass under way finishes first) and closes its connection. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      signal.signal();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
