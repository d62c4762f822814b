package io.wharf.logs.events;

import io.wharf.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log stream's events: append-only segment files of chunks, one chunk per PutLogEvents batch.
 *
 * <pre>
 *  &lt;stream dir&gt;/00000000000000000000.seg   chunks of events 0..n-1   (sealed)
 *                00000000000000004096.seg   chunks of events n..      (active: appends go here)
 * </pre>
 *
 * <p>Why this shape: the agent and Docker's awslogs driver put batches at a high rate and readers
 * follow the tail while they do. An append is one sequential write and one fsync of the active
 * segment, acknowledged only after the fsync, so a batch is durable before it is answered, and a
 * crash can only leave a torn last chunk (never acknowledged), which the next open cuts off by its
 * checksum. Batches are compressed as a whole (deflate, fastest level: log lines compress several
 * times) and carry a trigram Bloom filter ({@link TermIndex}), so that a filter for a rare term
 * reads the headers in memory and decompresses only the chunks that may hold it. Retention deletes
 * whole segments: a segment is sealed when it reaches {@link #SEGMENT_BYTES} or when a batch comes
 * more than {@link #SEGMENT_SPAN_MILLIS} after its first one, so expired events leave the disk
 * within a day of expiring (CloudWatch promises no better: up to 72 hours), and until then reads
 * hide them.
 *
 * <p>Threading: one writer at a time (appends and the retention sweep take the stream's lock);
 * readers never lock: they read an immutable {@link View} of the chunks published after each
 * append, and read bodies with positional reads.
 */
public final class StreamLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamLog.class);

  /** A segment is sealed at this size: big enough for few files, small enough to expire finely. */
  static final long SEGMENT_BYTES = 16L * 1024 * 1024;

  /** A segment holds at most about a day of batches, the granularity of retention's deletion. */
  static final long SEGMENT_SPAN_MILLIS = 24L * 60 * 60 * 1000;

  private static final String SUFFIX = ".seg";

  /** A segment: its file's channel is lent by {@link OpenFiles}, within the store's budget. */
  private record Segment(long firstSequence, Path path, OpenFiles.SegmentFile file) {}

  /** A chunk and the segment it lies in. */
  private record Located(Segment segment, Chunk.Header header) {}

  /**
   * What readers see: the chunks in sequence order (there may be gaps where retention deleted a
   * segment), the next sequence to be given out, and the stream's figures.
   */
  private record View(
      List<Segment> segments, Located[] chunks, int count, long nextSequence, Stats stats) {}

  /**
   * A stream's figures, as DescribeLogStreams reports them.
   *
   * @param firstEventTimestamp null while the stream holds no event
   */
  public record Stats(
      Long firstEventTimestamp, Long lastEventTimestamp, Long lastIngestionTime, long storedBytes) {
    static final Stats EMPTY = new Stats(null, null, null, 0);

    Stats plus(Chunk.Header h) {
      return new Stats(
          firstEventTimestamp == null
              ? h.minTimestamp()
              : Math.min(firstEventTimestamp, h.minTimestamp()),
          lastEventTimestamp == null
              ? h.maxTimestamp()
              : Math.max(lastEventTimestamp, h.maxTimestamp()),
          lastIngestionTime == null
              ? h.ingestionTime()
              : Math.max(lastIngestionTime, h.ingestionTime()),
          storedBytes + h.storedBytes());
    }
  }

  /**
   * What a read returns: events in sequence order, and where the next read in the same direction
   * starts (forward: the first sequence not yet returned; backward: the sequence of the earliest
   * returned, or of the stream's first retained event when the read reached it).
   */
  public record Read(List<StoredEvent> events, long next) {}

  /** Where a filter's matching events go. */
  public interface FilterSink {
    /** Events later than this timestamp are not wanted any more (the sink is full of earlier). */
    long horizon();

    void accept(StoredEvent event);
  }

  private final Path dir;
  private final Object writeLock = new Object();
  private volatile View view;
  private volatile boolean closed;

  private final long storageId;
  private final AppendListener listener;
  private final OpenFiles files;

  private StreamLog(Path dir, View view, long storageId, AppendListener listener, OpenFiles files) {
    this.dir = dir;
    this.files = files;
    this.view = view;
    this.storageId = storageId;
    this.listener = listener;
  }

  /** Opens a stream's directory, creating it when absent; cuts off a torn last chunk. */
  static StreamLog open(Path dir) throws IOException {
    return open(dir, -1, AppendListener.NONE, new OpenFiles(Integer.MAX_VALUE));
  }

  /**
   * As {@link #open(Path)}, telling {@code listener} of every batch appended, under this storage
   * id.
   */
  static StreamLog open(Path dir, long storageId, AppendListener listener, OpenFiles files)
      throws IOException {
    PrivateFiles.createDirectories(dir);
    List<Path> names;
    try (Stream<Path> list = Files.list(dir)) {
      names = list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    }
    List<Segment> segments = new ArrayList<>();
    List<Located> chunks = new ArrayList<>();
    Stats stats = Stats.EMPTY;
    long next = 0;
    try {
      for (int i = 0; i < names.size(); i++) {
        Path file = names.get(i);
        long first = parseFirstSequence(file);
        if (first < next) {
          throw new IOException("The segment " + file + " overlaps the one before it");
        }
        next = first;
        Segment segment = new Segment(first, file, new OpenFiles.SegmentFile(file));
        segments.add(segment);
        boolean last = i == names.size() - 1;
        List<Chunk.Header> headers;
        FileChannel channel = files.acquire(segment.file());
        try {
          headers = scan(segment, channel, last);
        } finally {
          files.release(segment.file());
        }
        for (Chunk.Header h : headers) {
          if (h.firstSequence() != next) {
            throw new IOException(
                "The chunk at " + h.bodyOffset() + " of " + file + " is out of sequence");
          }
          chunks.add(new Located(segment, h));
          stats = stats.plus(h);
          next = h.endSequence();
        }
      }
      if (segments.isEmpty()) {
        segments.add(createSegment(dir, 0));
      }
    } catch (IOException | RuntimeException e) {
      for (Segment s : segments) {
        files.forget(s.file());
      }
      throw e;
    }
    Located[] array = chunks.toArray(new Located[Math.max(16, chunks.size() * 2)]);
    return new StreamLog(
        dir,
        new View(List.copyOf(segments), array, chunks.size(), next, stats),
        storageId,
        listener,
        files);
  }

  private static long parseFirstSequence(Path file) throws IOException {
    String name = file.getFileName().toString();
    try {
      return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    } catch (NumberFormatException e) {
      throw new IOException("Not a segment file: " + file, e);
    }
  }

  /**
   * Reads a segment's chunk headers. Only the last segment can hold a torn chunk (appends go only
   * there), so only its chunks are checksummed, and a bad one is cut off with all after it; damage
   * in a sealed segment stops the open rather than lose acknowledged events silently.
   */
  private static List<Chunk.Header> scan(Segment segment, FileChannel ch, boolean last)
      throws IOException {
    long size = ch.size();
    long pos = 0;
    List<Chunk.Header> out = new ArrayList<>();
    ByteBuffer prefix = ByteBuffer.allocate(Chunk.PREFIX);
    while (pos < size) {
      String problem = null;
      Chunk.Header header = null;
      if (size - pos < Chunk.PREFIX) {
        problem = "a torn chunk prefix";
      } else {
        prefix.clear();
        readFully(ch, prefix, pos);
        prefix.flip();
        int magic = prefix.getInt();
        int length = prefix.getInt();
        if (magic != Chunk.MAGIC || length < 44 || pos + Chunk.PREFIX + length > size) {
          problem = "a torn or foreign chunk";
        } else {
          // Unverified chunks need only their header: read up to the body's length field.
          int wanted = last ? length : Math.min(length, headerBytes(ch, pos));
          ByteBuffer record = ByteBuffer.allocate(wanted);
          readFully(ch, record, pos + Chunk.PREFIX);
          record.flip();
          try {
            header = Chunk.header(record, pos, last);
          } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            problem = "a damaged chunk (" + e.getMessage() + ")";
          }
        }
      }
      if (problem != null) {
        if (!last) {
          throw new IOException("The sealed segment " + segment.path() + " holds " + problem);
        }
        log.warn(
            "Cutting {} off the end of {} at byte {} (a batch that was never acknowledged)",
            problem,
            segment.path(),
            pos);
        ch.truncate(pos);
        ch.force(true);
        break;
      }
      out.add(header);
      pos += header.storedBytes();
    }
    return out;
  }

  /** The bytes of a chunk from its first field through its body length field. */
  private static int headerBytes(FileChannel ch, long pos) throws IOException {
    ByteBuffer words = ByteBuffer.allocate(4);
    readFully(ch, words, pos + Chunk.PREFIX + 8 + 4 + 8 + 8 + 8);
    int count = words.flip().getInt();
    if (count <= 0 || count > TermIndex.MAX_BITS / 64) {
      return 44; // too short for Chunk.header, which then reports the damage
    }
    return 8 + 4 + 8 + 8 + 8 + 4 + count * 8 + 4;
  }

  private static Segment createSegment(Path dir, long firstSequence) throws IOException {
    Path file = dir.resolve(String.format("%020d%s", firstSequence, SUFFIX));
    PrivateFiles.createFile(file);
    forceDirectory(dir);
    return new Segment(firstSequence, file, new OpenFiles.SegmentFile(file));
  }

  /** Makes a file's creation or removal in {@code dir} durable. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** The stream's figures now. */
  public Stats stats() {
    return view.stats();
  }

  /** The sequence the next appended event will get. */
  public long nextSequence() {
    return view.nextSequence();
  }

  /**
   * Appends one batch (events in chronological order) as one chunk, durable when this returns.
   *
   * @return the sequence the next event will get
   */
  public long append(List<NewEvent> events, long ingestionTime) throws IOException {
    if (events.isEmpty()) {
      return view.nextSequence();
    }
    synchronized (writeLock) {
      if (closed) {
        throw new ClosedChannelException();
      }
      View v = view;
      List<Segment> segments = v.segments();
      Segment active = segments.getLast();
      long size = sizeOf(active);
      long batchMin = events.getFirst().timestamp();
      Located firstOfActive = firstChunkOf(v, active);
      if (size >= SEGMENT_BYTES
          || (firstOfActive != null
              && batchMin - firstOfActive.header().minTimestamp() > SEGMENT_SPAN_MILLIS)) {
        active = createSegment(dir, v.nextSequence());
        segments = append(segments, active);
        size = 0;
      }
      ByteBuffer encoded = Chunk.encode(v.nextSequence(), events, ingestionTime);
      FileChannel channel = files.acquire(active.file());
      try {
        long pos = size;
        while (encoded.hasRemaining()) {
          pos += channel.write(encoded, pos);
        }
        channel.force(false);
      } catch (IOException e) {
        // Leave no half chunk behind for the next append to write after.
        channel.truncate(size);
        throw e;
      } finally {
        files.release(active.file());
      }
      encoded.position(Chunk.PREFIX);
      Chunk.Header h = Chunk.header(encoded.slice(), size, false);
      Located[] chunks = v.chunks();
      if (v.count() == chunks.length) {
        chunks = Arrays.copyOf(chunks, chunks.length * 2);
      }
      // Written before the volatile publish below: a reader that sees the count sees the chunk.
      chunks[v.count()] = new Located(active, h);
      view = new View(segments, chunks, v.count() + 1, h.endSequence(), v.stats().plus(h));
      if (listener != AppendListener.NONE) {
        StoredEvent[] stored = new StoredEvent[events.size()];
        for (int i = 0; i < stored.length; i++) {
          NewEvent e = events.get(i);
          stored[i] =
              new StoredEvent(v.nextSequence() + i, e.timestamp(), ingestionTime, e.message());
        }
        listener.appended(storageId, List.of(stored));
      }
      return h.endSequence();
    }
  }

  private long sizeOf(Segment segment) throws IOException {
    FileChannel channel = files.acquire(segment.file());
    try {
      return channel.size();
    } finally {
      files.release(segment.file());
    }
  }

  private static List<Segment> append(List<Segment> segments, Segment s) {
    List<Segment> out = new ArrayList<>(segments);
    out.add(s);
    return List.copyOf(out);
  }

  private static Located firstChunkOf(View v, Segment segment) {
    int i = firstChunkAtOrAfter(v, segment.firstSequence());
    if (i < v.count() && v.chunks()[i].segment() == segment) {
      return v.chunks()[i];
    }
    return null;
  }

  /** The index of the first chunk holding a sequence at or after {@code sequence}. */
  private static int firstChunkAtOrAfter(View v, long sequence) {
    int lo = 0;
    int hi = v.count();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (v.chunks()[mid].header().endSequence() <= sequence) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Events from {@code from} on with timestamps in {@code [minTs, maxTs]}, at most {@code limit} of
   * them and {@code maxBytes} counted as CloudWatch counts (message bytes + 26).
   */
  public Read readForward(long from, long minTs, long maxTs, int limit, long maxBytes) {
    View v = view;
    List<StoredEvent> out = new ArrayList<>();
    long bytes = 0;
    for (int i = firstChunkAtOrAfter(v, from); i < v.count(); i++) {
      Located c = v.chunks()[i];
      if (!c.header().overlaps(minTs, maxTs)) {
        continue;
      }
      for (StoredEvent e : events(c)) {
        if (e.sequence() < from || e.timestamp() < minTs || e.timestamp() > maxTs) {
          continue;
        }
        long size = eventBytes(e);
        if (out.size() == limit || (bytes + size > maxBytes && !out.isEmpty())) {
          return new Read(out, e.sequence());
        }
        out.add(e);
        bytes += size;
      }
    }
    return new Read(out, Math.max(from, v.nextSequence()));
  }

  /**
   * The last events before {@code before} with timestamps in {@code [minTs, maxTs]}, at most {@code
   * limit} and {@code maxBytes}, returned in sequence order.
   */
  public Read readBackward(long before, long minTs, long maxTs, int limit, long maxBytes) {
    View v = view;
    List<StoredEvent> reversed = new ArrayList<>();
    long bytes = 0;
    int start = Math.min(v.count() - 1, firstChunkAtOrAfter(v, Math.max(0, before - 1)));
    for (int i = start; i >= 0; i--) {
      Located c = v.chunks()[i];
      if (c.header().firstSequence() >= before || !c.header().overlaps(minTs, maxTs)) {
        continue;
      }
      List<StoredEvent> events = events(c);
      for (int j = events.size() - 1; j >= 0; j--) {
        StoredEvent e = events.get(j);
        if (e.sequence() >= before || e.timestamp() < minTs || e.timestamp() > maxTs) {
          continue;
        }
        long size = eventBytes(e);
        if (reversed.size() == limit || (bytes + size > maxBytes && !reversed.isEmpty())) {
          return new Read(reversed.reversed(), reversed.getLast().sequence());
        }
        reversed.add(e);
        bytes += size;
      }
    }
    long first = v.count() == 0 ? v.nextSequence() : v.chunks()[0].header().firstSequence();
    return new Read(reversed.reversed(), Math.min(before, first));
  }

  /**
   * Feeds the sink every event with a timestamp in {@code [minTs, maxTs]} that matches, chunk by
   * chunk, skipping chunks whose term index rules the pattern out.
   */
  public void filter(
      long minTs, long maxTs, io.wharf.logs.filter.FilterPattern pattern, FilterSink sink) {
    View v = view;
    for (int i = 0; i < v.count(); i++) {
      Chunk.Header h = v.chunks()[i].header();
      long to = Math.min(maxTs, sink.horizon());
      if (!h.overlaps(minTs, to) || !pattern.mayMatch(h.index()::mayContain)) {
        continue;
      }
      for (StoredEvent e : events(v.chunks()[i])) {
        if (e.timestamp() >= minTs
            && e.timestamp() <= Math.min(maxTs, sink.horizon())
            && pattern.matches(e.message())) {
          sink.accept(e);
        }
      }
    }
  }

  /** CloudWatch's size of an event: its message in UTF-8 plus 26 bytes. */
  public static long eventBytes(StoredEvent e) {
    return utf8Length(e.message()) + 26L;
  }

  /** The UTF-8 length of a text without encoding it. */
  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private List<StoredEvent> events(Located c) {
    Chunk.Header h = c.header();
    ByteBuffer body = ByteBuffer.allocate(h.bodyLength());
    try {
      FileChannel channel = files.acquire(c.segment().file());
      try {
        readFully(channel, body, h.bodyOffset());
      } finally {
        files.release(c.segment().file());
      }
    } catch (ClosedChannelException e) {
      // Retention deleted the segment after this read took its view: its events are expired.
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the log events of " + c.segment().path(), e);
    }
    return Chunk.events(h, body.array());
  }

  private static void readFully(FileChannel ch, ByteBuffer into, long pos) throws IOException {
    long at = pos;
    while (into.hasRemaining()) {
      int n = ch.read(into, at);
      if (n < 0) {
        throw new IOException("Unexpected end of " + ch);
      }
      at += n;
    }
  }

  /**
   * Deletes every segment whose events are all older than {@code cutoff} (ms since the epoch). The
   * active segment too: a fresh one takes its place first, so the sequence goes on.
   *
   * @return how many events were deleted
   */
  public long deleteOlderThan(long cutoff) throws IOException {
    synchronized (writeLock) {
      if (closed) {
        return 0;
      }
      View v = view;
      List<Segment> keep = new ArrayList<>();
      List<Segment> drop = new ArrayList<>();
      for (Segment s : v.segments()) {
        boolean expired = true;
        boolean any = false;
        for (int i = firstChunkAtOrAfter(v, s.firstSequence()); i < v.count(); i++) {
          Located c = v.chunks()[i];
          if (c.segment() != s) {
            break;
          }
          any = true;
          if (c.header().maxTimestamp() >= cutoff) {
            expired = false;
            break;
          }
        }
        (any && expired ? drop : keep).add(s);
      }
      if (drop.isEmpty()) {
        return 0;
      }
      if (keep.isEmpty() || keep.getLast() != v.segments().getLast()) {
        keep.add(createSegment(dir, v.nextSequence()));
      }
      List<Located> chunks = new ArrayList<>();
      Stats stats = Stats.EMPTY;
      long deleted = 0;
      for (int i = 0; i < v.count(); i++) {
        Located c = v.chunks()[i];
        if (drop.contains(c.segment())) {
          deleted += c.header().count();
        } else {
          chunks.add(c);
          stats = stats.plus(c.header());
        }
      }
      Located[] array = chunks.toArray(new Located[Math.max(16, chunks.size() * 2)]);
      view = new View(List.copyOf(keep), array, chunks.size(), v.nextSequence(), stats);
      for (Segment s : drop) {
        files.forget(s.file());
        Files.deleteIfExists(s.path());
      }
      forceDirectory(dir);
      return deleted;
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (writeLock) {
      closed = true;
      for (Segment s : view.segments()) {
        files.forget(s.file());
      }
    }
  }

  /** Closes the stream and deletes its files. */
  void delete() throws IOException {
    close();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
