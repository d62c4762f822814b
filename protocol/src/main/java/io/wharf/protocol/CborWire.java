package io.wharf.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.wharf.model.WharfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Smithy RPCv2 CBOR bodies: one CBOR map in (blobs as byte strings, timestamps as tag 1 epoch
 * seconds, which read as plain numbers); the canonical output tree out, timestamps as tag 1 with
 * epoch seconds (an integer, or a double when there are milliseconds), blobs as byte strings.
 */
final class CborWire {
  /** The tag of epoch-based date/time (RFC 8949 3.4.2), which RPCv2 uses for timestamps. */
  private static final int EPOCH_TIME_TAG = 1;

  private static final CBORMapper CBOR = mapper();

  private CborWire() {}

  private static CBORMapper mapper() {
    SimpleModule instants = new SimpleModule("wharf-cbor-timestamps");
    instants.addSerializer(
        Instant.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers)
              throws IOException {
            ((CBORGenerator) gen).writeTag(EPOCH_TIME_TAG);
            long millis = value.toEpochMilli();
            if (millis % 1000 == 0) {
              gen.writeNumber(millis / 1000);
            } else {
              gen.writeNumber(millis / 1000.0);
            }
          }
        });
    CBORMapper mapper = CBORMapper.builder().addModule(instants).build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(JsonWire.MAX_NESTING_DEPTH).build());
    return mapper;
  }

  /**
   * A request body: one CBOR map and nothing after it; an empty body is an empty map.
   *
   * @throws WharfException SerializationException saying what is wrong
   */
  static JsonNode parse(byte[] bytes) {
    return JsonWire.parseOneObject(CBOR, bytes, "CBOR", "CBOR map");
  }

  static byte[] write(JsonNode tree) {
    try {
      return CBOR.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code {"__type": code, "message": message}} in CBOR, as botocore's RPCv2 parser reads it. */
  static byte[] error(String code, String message) {
    ObjectNode body = CBOR.createObjectNode().put("__type", code).put("message", message);
    return write(body);
  }
}
