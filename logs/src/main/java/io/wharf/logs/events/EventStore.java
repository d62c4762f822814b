package io.wharf.logs.events;

import io.wharf.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log events of every stream, beside the state machine: one directory per stream, named by the
 * stream's storage id ({@link io.wharf.model.logs.LogStream#storageId}), each a {@link StreamLog}.
 *
 * <pre>
 *  &lt;data dir&gt;/logs/streams/&lt;storage id&gt;/&lt;first sequence&gt;.seg ...
 * </pre>
 *
 * <p>Streams are opened on first use and kept (their chunk headers stay in memory); their segment
 * files are held open within a budget for all streams ({@link OpenFiles}), the least recently used
 * idle ones closed beyond it and reopened when next needed. The state machine owns which streams
 * exist: files of a stream the state does not know (a deletion interrupted by a crash) are removed
 * by {@link #deleteAllBut} at start.
 *
 * <p>Threading: safe from any thread; see {@link StreamLog} for appends and reads.
 */
public final class EventStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventStore.class);

  private final Path streamsDir;
  private final Map<Long, StreamLog> open = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private final List<AppendListener> listeners = new CopyOnWriteArrayList<>();

  /** Tells the stored batches of every stream to all subscribed listeners. */
  private final AppendListener fanOut =
      (storageId, events) -> {
        for (AppendListener l : listeners) {
          l.appended(storageId, events);
        }
      };

  /**
   * Segment files held open at most, all streams together (beyond it the least recently used idle
   * ones are closed, and reopened when next read): far below the usual descriptor limit of a
   * process (1,024 soft), which the HTTP connections share.
   */
  public static final int DEFAULT_MAX_OPEN_FILES = 256;

  private final OpenFiles files;

  public EventStore(Path dir) throws IOException {
    this(dir, DEFAULT_MAX_OPEN_FILES);
  }

  /** A store that holds at most {@code maxOpenFiles} segment files open. */
  public EventStore(Path dir, int maxOpenFiles) throws IOException {
    this.files = new OpenFiles(maxOpenFiles);
    this.streamsDir = dir.resolve("streams");
    PrivateFiles.createDirectories(streamsDir);
  }

  /** The stream's events, opened (or created empty) on first use. */
  public StreamLog stream(long storageId) {
    if (closed) {
      throw new IllegalStateException("The event store is closed");
    }
    return open.computeIfAbsent(
        storageId,
        id -> {
          try {
            return StreamLog.open(streamsDir.resolve(Long.toString(id)), id, fanOut, files);
          } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the log events of stream " + id, e);
          }
        });
  }

  /**
   * Tells {@code listener} of every batch stored from now on, in any stream, until the returned
   * handle is closed. See {@link AppendListener} for the thread it is called on.
   */
  public Subscription subscribe(AppendListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** A subscription to the store's appends; closing it ends it. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** How many segment files are open now (at most the budget, but while all are in use). */
  public int openFiles() {
    return files.openCount();
  }

  /** Deletes a stream's events (after its deletion is durable in the state). */
  public void delete(long storageId) throws IOException {
    StreamLog s = open.remove(storageId);
    if (s != null) {
      s.delete();
    } else {
      Path dir = streamsDir.resolve(Long.toString(storageId));
      if (Files.isDirectory(dir)) {
        StreamLog.open(dir, storageId, AppendListener.NONE, files).delete();
      }
    }
    StreamLog.forceDirectory(streamsDir);
  }

  /** Removes the files of every stream but these (the ones the state knows). */
  public void deleteAllBut(Set<Long> live) throws IOException {
    try (Stream<Path> dirs = Files.list(streamsDir)) {
      for (Path d : dirs.toList()) {
        long id;
        try {
          id = Long.parseLong(d.getFileName().toString());
        } catch (NumberFormatException e) {
          continue; // not ours
        }
        if (!live.contains(id)) {
          log.info("Deleting the log events of stream {}, which no longer exists", id);
          delete(id);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    IOException failure = null;
    for (StreamLog s : open.values()) {
      try {
        s.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    open.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
