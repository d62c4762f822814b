package io.wharf.logs.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One PutLogEvents batch as it lies in a segment file: a header the store keeps in memory (where,
 * which events, which times, the term index) and a compressed body read only when needed.
 *
 * <pre>
 *  int   MAGIC
 *  int   length of what follows, checksum included
 *  long  first sequence      int count
 *  long  min timestamp       long max timestamp      long ingestion time
 *  int   index words         long[] term index
 *  int   body length         byte[] deflated body: per event long timestamp, int n, n bytes UTF-8
 *  int   CRC32C of everything from "first sequence" to the end of the body
 * </pre>
 */
final class Chunk {
  static final int MAGIC = 0x574c4331; // "WLC1"

  /** Bytes before the header's fields: the magic and the length. */
  static final int PREFIX = 8;

  private Chunk() {}

  /** What the store keeps of a chunk: enough to choose it, and where its body is. */
  record Header(
      long firstSequence,
      int count,
      long minTimestamp,
      long maxTimestamp,
      long ingestionTime,
      TermIndex index,
      long bodyOffset,
      int bodyLength,
      int storedBytes) {
    long endSequence() {
      return firstSequence + count;
    }

    boolean overlaps(long from, long to) {
      return maxTimestamp >= from && minTimestamp <= to;
    }
  }

  /** Encodes a chunk whose first event gets {@code firstSequence}. */
  static ByteBuffer encode(long firstSequence, List<NewEvent> events, long ingestionTime) {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    List<String> messages = new ArrayList<>(events.size());
    ByteBuffer head = ByteBuffer.allocate(12);
    for (NewEvent e : events) {
      byte[] text = e.message().getBytes(StandardCharsets.UTF_8);
      head.clear();
      head.putLong(e.timestamp()).putInt(text.length);
      raw.write(head.array(), 0, 12);
      raw.write(text, 0, text.length);
      min = Math.min(min, e.timestamp());
      max = Math.max(max, e.timestamp());
      messages.add(e.message());
    }
    byte[] body = deflate(raw.toByteArray());
    long[] words = TermIndex.of(messages).words();
    int length = 8 + 4 + 8 + 8 + 8 + 4 + words.length * 8 + 4 + body.length + 4;
    ByteBuffer out = ByteBuffer.allocate(PREFIX + length);
    out.putInt(MAGIC).putInt(length);
    out.putLong(firstSequence).putInt(events.size());
    out.putLong(min).putLong(max).putLong(ingestionTime);
    out.putInt(words.length);
    for (long w : words) {
      out.putLong(w);
    }
    out.putInt(body.length).put(body);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), PREFIX, out.position() - PREFIX);
    out.putInt((int) crc.getValue());
    return out.flip();
  }

  /**
   * Reads a chunk's header from {@code record} (the bytes after the prefix), found at {@code
   * offset} in its file; checks its checksum when {@code verify}.
   *
   * @throws IllegalArgumentException when the bytes are not a whole, intact chunk
   */
  static Header header(ByteBuffer record, long offset, boolean verify) {
    int length = record.remaining();
    if (verify) {
      CRC32C crc = new CRC32C();
      ByteBuffer covered = record.duplicate();
      covered.limit(covered.position() + length - 4);
      crc.update(covered);
      if ((int) crc.getValue() != record.getInt(record.position() + length - 4)) {
        throw new IllegalArgumentException("checksum mismatch");
      }
    }
    long first = record.getLong();
    int count = record.getInt();
    long min = record.getLong();
    long max = record.getLong();
    long ingestion = record.getLong();
    int wordCount = record.getInt();
    if (wordCount <= 0 || wordCount > TermIndex.MAX_BITS / 64 || count <= 0) {
      throw new IllegalArgumentException("a malformed header");
    }
    long[] words = new long[wordCount];
    for (int i = 0; i < wordCount; i++) {
      words[i] = record.getLong();
    }
    int bodyLength = record.getInt();
    long bodyOffset = offset + PREFIX + 8 + 4 + 8 + 8 + 8 + 4 + wordCount * 8L + 4;
    return new Header(
        first,
        count,
        min,
        max,
        ingestion,
        TermIndex.fromWords(words),
        bodyOffset,
        bodyLength,
        PREFIX + length);
  }

  /** The events of a chunk from its deflated body. */
  static List<StoredEvent> events(Header header, byte[] body) {
    ByteBuffer raw = ByteBuffer.wrap(inflate(body));
    List<StoredEvent> out = new ArrayList<>(header.count());
    for (int i = 0; i < header.count(); i++) {
      long timestamp = raw.getLong();
      int n = raw.getInt();
      String message = new String(raw.array(), raw.position(), n, StandardCharsets.UTF_8);
      raw.position(raw.position() + n);
      out.add(
          new StoredEvent(header.firstSequence() + i, timestamp, header.ingestionTime(), message));
    }
    return out;
  }

  private static byte[] deflate(byte[] raw) {
    // The fastest level: ingest rate matters more than the last few percent of disk.
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        int n = deflater.deflate(buffer);
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static byte[] inflate(byte[] body) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(body);
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 4);
      byte[] buffer = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new UncheckedIOException(new IOException("A stored chunk's body is truncated"));
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new UncheckedIOException(new IOException("A stored chunk's body is damaged", e));
    } finally {
      inflater.end();
    }
  }
}
