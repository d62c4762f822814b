package io.wharf.ecs.api;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ECS JSON 1.1 wire conventions shared by every operation: timestamps, tags, failures, documents.
 */
public final class Wire {
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
  public static ObjectMapper forVirtualThreads(ObjectMapper mapper) {
    mapper.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
    return mapper;
  }

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static JsonNode timestamp(Instant instant) {
    return NODES.numberNode(BigDecimal.valueOf(instant.toEpochMilli(), 3));
  }

  /**
   * A typed request's {@code tags} with ECS's rules: keys unique (the last wins), the {@code aws:}
   * prefix reserved.
   */
  static List<Tag> readTags(List<Tag> tags) {
    if (tags == null) {
      return List.of();
    }
    Map<String, Tag> byKey = new LinkedHashMap<>();
    // A Tag always has a key (the binding refuses one without), and its value is never null.
    for (Tag t : tags) {
      if (t.key().regionMatches(true, 0, "aws:", 0, 4)) {
        throw WharfException.invalidParameter(
            "Tag keys may not begin with 'aws:'; that prefix is reserved: " + t.key());
      }
      byKey.put(t.key(), t);
    }
    return new ArrayList<>(byKey.values());
  }

  /**
   * Refuses a member of a typed request that Wharf does not support yet with
   * UnsupportedFeatureException naming it: null and empty collections pass.
   */
  static void refuseUnsupported(String where, String member, Object value) {
    if (value != null && !(value instanceof java.util.Collection<?> c && c.isEmpty())) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf does not support " + member + where + " yet; leave it out.");
    }
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

  static JsonNode parse(Document document) {
    try {
      return JSON.readTree(document.json());
    } catch (IOException e) {
      throw new WharfException(ErrorCode.SERVER, "A stored document is unreadable.", e);
    }
  }
}
