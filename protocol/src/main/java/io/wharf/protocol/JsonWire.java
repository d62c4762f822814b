package io.wharf.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * AWS JSON 1.0 and 1.1 bodies (and REST-JSON's): one JSON object in; the canonical output tree out,
 * timestamps as epoch seconds with milliseconds, blobs in base64.
 */
public final class JsonWire {
  /** The deepest nesting a request may have: the models' deepest shapes are far shallower. */
  static final int MAX_NESTING_DEPTH = 64;

  private static final ObjectMapper JSON = mapper();

  private JsonWire() {}

  private static ObjectMapper mapper() {
    SimpleModule instants = new SimpleModule("wharf-json-timestamps");
    instants.addSerializer(
        Instant.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers)
              throws IOException {
            gen.writeNumber(Timestamps.epochSeconds(value));
          }
        });
    ObjectMapper mapper =
        new ObjectMapper()
            .registerModule(instants)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    // Jackson keeps its read and write buffers per thread by default, and requests run on
    // virtual threads, one new thread each: share the buffers instead.
    mapper.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    return mapper;
  }

  /**
   * A request body: one JSON object and nothing after it; an empty body is {@code {}}.
   *
   * @throws WharfException SerializationException saying what is wrong
   */
  public static JsonNode parse(byte[] bytes) {
    return parseOneObject(JSON, bytes, "JSON", "JSON object");
  }

  /**
   * A request body in {@code mapper}'s format: one object and nothing after it ("{...}{...}" or "{}
   * x" is refused, not half-read); an empty body is an empty object.
   *
   * @param format the format's name in messages ("JSON", "CBOR")
   * @param object what the format calls an object ("JSON object", "CBOR map")
   */
  static JsonNode parseOneObject(ObjectMapper mapper, byte[] bytes, String format, String object) {
    if (bytes.length == 0) {
      return mapper.createObjectNode();
    }
    try (JsonParser parser = mapper.createParser(bytes)) {
      JsonNode node = mapper.readTree(parser);
      if (node == null || node.isMissingNode()) {
        return mapper.createObjectNode();
      }
      if (parser.nextToken() != null) {
        throw new WharfException(
            ErrorCode.SERIALIZATION,
            "The request body must be one " + object + " with nothing after it.");
      }
      if (!node.isObject()) {
        throw new WharfException(
            ErrorCode.SERIALIZATION, "The request body must be a " + object + ".");
      }
      return node;
    } catch (IOException e) {
      throw new WharfException(
          ErrorCode.SERIALIZATION,
          "The request body is not valid " + format + ": " + firstLine(e.getMessage()));
    }
  }

  /** The bytes of a canonical tree (timestamps as POJO Instants, blobs as binary nodes). */
  static byte[] write(JsonNode tree) {
    return write((Object) tree);
  }

  /**
   * The bytes of a value that writes itself ({@link Binding}'s output records, written as their
   * canonical tree would be), with this wire's timestamps and buffers.
   */
  static byte[] write(JsonSerializable value) {
    return write((Object) value);
  }

  private static byte[] write(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code {"__type": code, "message": message}}. */
  static byte[] error(String code, String message) {
    ObjectNode body = JSON.createObjectNode().put("__type", code).put("message", message);
    return write(body);
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
