package io.wharf.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;
import software.amazon.eventstream.MessageDecoder;

/** EventStreamFrames against the AWS SDKs' own event-stream codec. */
class EventStreamFramesTest {
  private static Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put(":event-type", "sessionUpdate");
    h.put(":content-type", "application/json");
    h.put(":message-type", "event");
    return h;
  }

  @Test
  void theSdksDecoderReadsWhatIsEncoded() {
    byte[] payload =
        "{\"sessionResults\":[{\"message\":\"héllo\"}]}".getBytes(StandardCharsets.UTF_8);
    Message decoded = Message.decode(ByteBuffer.wrap(EventStreamFrames.encode(headers(), payload)));
    assertThat(decoded.getHeaders()).hasSize(3);
    assertThat(decoded.getHeaders().get(":event-type").getString()).isEqualTo("sessionUpdate");
    assertThat(decoded.getHeaders().get(":content-type").getString()).isEqualTo("application/json");
    assertThat(decoded.getHeaders().get(":message-type").getString()).isEqualTo("event");
    assertThat(decoded.getPayload()).isEqualTo(payload);
  }

  @Test
  void theBytesAreTheSdksEncodingByteForByte() {
    byte[] payload = "{\"message\":\"Session timed out\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, HeaderValue> sdkHeaders = new LinkedHashMap<>();
    headers().forEach((k, v) -> sdkHeaders.put(k, HeaderValue.fromString(v)));
    ByteBuffer sdk = new Message(sdkHeaders, payload).toByteBuffer();
    byte[] expected = new byte[sdk.remaining()];
    sdk.get(expected);
    assertThat(EventStreamFrames.encode(headers(), payload)).isEqualTo(expected);
  }

  @Test
  void anEmptyMessageIsSixteenBytesOfFraming() {
    byte[] empty = EventStreamFrames.encode(Map.of(), new byte[0]);
    assertThat(empty).hasSize(16);
    Message decoded = Message.decode(ByteBuffer.wrap(empty));
    assertThat(decoded.getHeaders()).isEmpty();
    assertThat(decoded.getPayload()).isEmpty();
  }

  /** Messages written back to back, read in pieces as a socket delivers them. */
  @Test
  void consecutiveMessagesAreReadInAnyPieces() {
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(
          EventStreamFrames.encode(
              headers(), ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
    }
    ByteBuffer all = ByteBuffer.allocate(sent.stream().mapToInt(b -> b.length).sum());
    sent.forEach(all::put);
    byte[] wire = all.array();
    List<String> payloads = new ArrayList<>();
    MessageDecoder decoder =
        new MessageDecoder(m -> payloads.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
    for (int from = 0; from < wire.length; from += 7) {
      decoder.feed(wire, from, Math.min(7, wire.length - from));
    }
    assertThat(payloads)
        .containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
  }

  @Test
  void aCorruptedByteFailsTheSdksChecksum() {
    byte[] bytes = EventStreamFrames.encode(headers(), "{}".getBytes(StandardCharsets.UTF_8));
    bytes[bytes.length - 6] ^= 1;
    assertThatThrownBy(() -> Message.decode(ByteBuffer.wrap(bytes)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headersBeyondTheFormatsLimitsAreRefused() {
    assertThatThrownBy(() -> EventStreamFrames.encode(Map.of("x".repeat(256), "v"), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                EventStreamFrames.encode(Map.of("h", "v".repeat(Short.MAX_VALUE + 1)), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("h");
  }
}
