package io.wharf.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * AWS's binary event-stream framing ({@code application/vnd.amazon.eventstream}), as the SDKs'
 * decoders read it: one message is
 *
 * <pre>
 *  ┌ total length (4) ┬ headers length (4) ┬ prelude CRC32 (4) ┐  prelude: big-endian
 *  │ headers: name length (1) · name · type (1: 7 = string) · value length (2) · value ...│
 *  │ payload                                                                             │
 *  └ message CRC32 (4), over everything before it ───────────────────────────────────────┘
 * </pre>
 *
 * <p>Only string headers are written: the protocols' {@code :message-type}, {@code :event-type},
 * {@code :exception-type}, {@code :error-code}, {@code :content-type} are all strings. Stateless.
 */
public final class EventStreamFrames {
  /** The content type of a response that is an event stream. */
  public static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

  /** Prelude (12) and message CRC (4): the bytes of a message besides headers and payload. */
  private static final int FRAMING_BYTES = 16;

  /** The largest message the SDKs' decoders take (16 MiB), headers and payload included. */
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private static final byte STRING_TYPE = 7;

  private EventStreamFrames() {}

  /**
   * One message: its headers in the map's order, then the payload.
   *
   * @throws IllegalArgumentException for a header name over 255 bytes, a value over 32,767 bytes,
   *     or a message over {@link #MAX_MESSAGE_BYTES}
   */
  public static byte[] encode(Map<String, String> headers, byte[] payload) {
    ByteArrayOutputStream encodedHeaders = new ByteArrayOutputStream();
    for (Map.Entry<String, String> h : headers.entrySet()) {
      byte[] name = h.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = h.getValue().getBytes(StandardCharsets.UTF_8);
      if (name.length == 0 || name.length > 255) {
        throw new IllegalArgumentException("An event-stream header name has 1 to 255 bytes");
      }
      // The length is a signed short in AWS's decoders.
      if (value.length > Short.MAX_VALUE) {
        throw new IllegalArgumentException(
            "The event-stream header " + h.getKey() + " is too long");
      }
      encodedHeaders.write(name.length);
      encodedHeaders.writeBytes(name);
      encodedHeaders.write(STRING_TYPE);
      encodedHeaders.write(value.length >>> 8);
      encodedHeaders.write(value.length & 0xFF);
      encodedHeaders.writeBytes(value);
    }
    int headersLength = encodedHeaders.size();
    long total = (long) FRAMING_BYTES + headersLength + payload.length;
    if (total > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "An event-stream message of " + total + " bytes is over the limit of 16 MiB");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total);
    out.putInt((int) total).putInt(headersLength);
    out.putInt((int) crc(out.array(), 0, 8));
    out.put(encodedHeaders.toByteArray());
    out.put(payload);
    out.putInt((int) crc(out.array(), 0, out.position()));
    return out.array();
  }

  private static long crc(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return crc.getValue();
  }
}
