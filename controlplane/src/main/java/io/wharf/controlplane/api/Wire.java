package io.wharf.controlplane.api;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ECS JSON 1.1 wire conventions shared by every operation: timestamps, tags, failures, documents.
 */
final class Wire {
  static final ObjectMapper JSON = forVirtualThreads(new ObjectMapper());
  static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  /** ECS's limit on tags per resource. */
  static final int MAX_TAGS = 50;

  private Wire() {}

  /**
   * The mapper with its buffers shared by all threads. Jackson keeps its 8 to 16 KiB read and write
   * buffers per thread by default, and requests run on virtual threads, one new thread each: every
   * request allocated them afresh (a fifth of the control plane's allocation under RunTask load).
   */
  static ObjectMapper forVirtualThreads(ObjectMapper mapper) {
    mapper.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
    return mapper;
  }

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years ISO-8601 text writes in 4 digits. */
  private static final BigDecimal MIN_EPOCH_SECONDS = BigDecimal.valueOf(-62_135_596_800L);

  private static final BigDecimal MAX_EPOCH_SECONDS = BigDecimal.valueOf(253_402_300_799L);

  /**
   * A timestamp as clients send it, or null when absent. The SDKs and the CLI send AWS JSON 1.1
   * timestamps as epoch seconds, a JSON number with an optional fraction ({@code 1763825442.123});
   * hand-written clients send ISO-8601 text with an offset ({@code 2026-11-22T12:00:00Z}, {@code
   * ...+01:00}), which Wharf takes too. Anything else, and times outside the years 1 to 9999, are
   * the caller's error.
   *
   * @param member the member's path in the request, for the message ({@code createdAt.after})
   * @throws WharfException InvalidParameterException naming the member
   */
  static Instant instant(JsonNode value, String member) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (value.isNumber()) {
      // 1e400 reads as an infinite double, which has no decimal value.
      if (value.isDouble() && !Double.isFinite(value.doubleValue())) {
        throw notATimestamp(value, member);
      }
      BigDecimal seconds = value.decimalValue();
      if (seconds.compareTo(MIN_EPOCH_SECONDS) < 0 || seconds.compareTo(MAX_EPOCH_SECONDS) > 0) {
        throw notATimestamp(value, member);
      }
      return Instant.ofEpochMilli(
          seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }
    if (value.isTextual()) {
      try {
        return OffsetDateTime.parse(value.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
            .toInstant();
      } catch (DateTimeParseException e) {
        throw notATimestamp(value, member);
      }
    }
    throw notATimestamp(value, member);
  }

  private static WharfException notATimestamp(JsonNode value, String member) {
    String given = value.toString();
    return WharfException.invalidParameter(
        "Parameter "
            + member
            + " must be a timestamp, epoch seconds (a number) or ISO-8601 text such as"
            + " 2026-11-22T12:00:00Z, between the years 1 and 9999; it is "
            + (given.length() > 64 ? given.substring(0, 64) + "..." : given)
            + ".");
  }

  static JsonNode timestamp(Instant instant) {
    return NODES.numberNode(BigDecimal.valueOf(instant.toEpochMilli(), 3));
  }

  static ArrayNode strings(Iterable<String> values) {
    ArrayNode out = array();
    values.forEach(out::add);
    return out;
  }

  static ArrayNode tags(List<Tag> tags) {
    ArrayNode out = array();
    for (Tag t : tags) {
      out.addObject().put("key", t.key()).put("value", t.value());
    }
    return out;
  }

  static ObjectNode failure(String arn, String reason, String detail) {
    ObjectNode f = object().put("arn", arn).put("reason", reason);
    if (detail != null) {
      f.put("detail", detail);
    }
    return f;
  }

  /**
   * Reads a request's {@code tags} (already type-checked by the model) with ECS's rules: keys are
   * unique (the last wins), the {@code aws:} prefix is reserved, at most 50 tags.
   */
  static List<Tag> readTags(JsonNode tags) {
    if (tags == null || tags.isNull()) {
      return List.of();
    }
    Map<String, Tag> byKey = new LinkedHashMap<>();
    for (JsonNode t : tags) {
      String key = t.path("key").asText(null);
      if (key == null) {
        throw WharfException.invalidParameter("Each tag needs a key.");
      }
      if (key.regionMatches(true, 0, "aws:", 0, 4)) {
        throw WharfException.invalidParameter(
            "Tag keys may not begin with 'aws:'; that prefix is reserved: " + key);
      }
      byKey.put(key, new Tag(key, t.path("value").asText("")));
    }
    return new ArrayList<>(byKey.values());
  }

  /** Merges tags into existing ones (a key given again replaces its value) and checks the limit. */
  static List<Tag> mergeTags(List<Tag> existing, List<Tag> added) {
    Map<String, Tag> byKey = new LinkedHashMap<>();
    existing.forEach(t -> byKey.put(t.key(), t));
    added.forEach(t -> byKey.put(t.key(), t));
    if (byKey.size() > MAX_TAGS) {
      throw WharfException.invalidParameter(
          "A resource can have at most "
              + MAX_TAGS
              + " tags; this request would give it "
              + byKey.size()
              + ".");
    }
    return new ArrayList<>(byKey.values());
  }

  /**
   * Refuses members Wharf does not support yet with UnsupportedFeatureException naming the member;
   * absent, null and empty-list members pass.
   *
   * @param where what the member belongs to, for the message ("on clusters"), or empty
   */
  static void refuseUnsupported(JsonNode request, String where, String... members) {
    for (String member : members) {
      JsonNode v = request.get(member);
      if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
        throw new WharfException(
            ErrorCode.UNSUPPORTED_FEATURE,
            "Wharf does not support " + member + where + " yet; leave it out.");
      }
    }
  }

  static Document document(JsonNode node) {
    return node == null || node.isNull() ? null : new Document(node.toString());
  }

  static JsonNode parse(Document document) {
    try {
      return JSON.readTree(document.json());
    } catch (IOException e) {
      throw new WharfException(ErrorCode.SERVER, "A stored document is unreadable.", e);
    }
  }

  /** A string member, or {@code fallback} when absent or null. */
  static String text(JsonNode request, String member, String fallback) {
    JsonNode v = request.get(member);
    return v == null || v.isNull() ? fallback : v.asText();
  }

  static boolean bool(JsonNode request, String member, boolean fallback) {
    JsonNode v = request.get(member);
    return v == null || v.isNull() ? fallback : v.asBoolean();
  }

  /** The strings of a list member; empty when absent. */
  static List<String> stringList(JsonNode request, String member) {
    List<String> out = new ArrayList<>();
    JsonNode v = request.get(member);
    if (v != null) {
      v.forEach(n -> out.add(n.asText()));
    }
    return out;
  }
}
