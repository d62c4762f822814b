package io.wharf.logs.events;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The segment files the event store holds open, at most a budget of them: a file is opened when a
 * read or an append needs it, and the least recently used idle ones are closed when more than the
 * budget are open. Why: a server with thousands of streams (one per container, ECS-style) would
 * otherwise hold a descriptor for every segment it ever opened, and run out of them.
 *
 * <p>A file in use (between {@link #acquire} and {@link #release}) is never closed under its user;
 * when every open file is in use the budget is exceeded until they are released. Thread-safe: one
 * monitor, held for the open and close calls too (they are quick, and rare once the working set
 * fits the budget).
 */
final class OpenFiles {
  /** One segment file; its channel, when open, belongs to the {@link OpenFiles} that opened it. */
  static final class SegmentFile {
    private final Path path;
    // Guarded by the OpenFiles monitor.
    private FileChannel channel;
    private int users;
    private boolean gone;

    SegmentFile(Path path) {
      this.path = path;
    }

    Path path() {
      return path;
    }
  }

  private final int budget;

  /** The open files, least recently used first. */
  private final LinkedHashMap<SegmentFile, Boolean> open = new LinkedHashMap<>(16, 0.75f, true);

  OpenFiles(int budget) {
    if (budget < 1) {
      throw new IllegalArgumentException("The open-file budget must be at least 1");
    }
    this.budget = budget;
  }

  /**
   * The file's channel, opened if need be, held open until {@link #release}.
   *
   * @throws ClosedChannelException when the file was {@link #forget forgotten} (its segment deleted
   *     by retention, or the stream closed)
   */
  synchronized FileChannel acquire(SegmentFile file) throws IOException {
    if (file.gone) {
      throw new ClosedChannelException();
    }
    if (file.channel == null) {
      file.channel = FileChannel.open(file.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    file.users++;
    open.put(file, Boolean.TRUE);
    closeIdleBeyondBudget();
    return file.channel;
  }

  synchronized void release(SegmentFile file) {
    file.users--;
    closeIdleBeyondBudget();
  }

  /** Closes the file for good: later acquires fail with ClosedChannelException. */
  synchronized void forget(SegmentFile file) throws IOException {
    file.gone = true;
    open.remove(file);
    if (file.channel != null) {
      FileChannel ch = file.channel;
      file.channel = null;
      ch.close();
    }
  }

  /** How many files are open now. */
  synchronized int openCount() {
    return open.size();
  }

  private void closeIdleBeyondBudget() {
    Iterator<SegmentFile> lru = open.keySet().iterator();
    while (open.size() > budget && lru.hasNext()) {
      SegmentFile f = lru.next();
      if (f.users == 0) {
        lru.remove();
        try {
          f.channel.close();
        } catch (IOException e) {
          // A read-write channel's close only releases the descriptor; nothing is lost.
        }
        f.channel = null;
      }
    }
  }
}
