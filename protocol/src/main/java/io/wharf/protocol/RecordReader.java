package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.wharf.model.Document;
import io.wharf.model.WharfException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Builds a handler's input record straight from a validated request tree, as {@link Binding}'s
 * Jackson path (normalise the tree by its shape, then {@code treeToValue}) builds it, without the
 * copy and without Jackson's per-request machinery.
 *
 * <p>It takes only the plain case, which is what requests are: records (per {@link RecordPlan}) of
 * text, enum constants, integers, booleans, timestamps, blobs, documents, lists, maps with text
 * keys and Optionals of those, with values of the types the model checked. Anything else, decided
 * once per type where the types decide it ({@link #UNSUPPORTED}) and per request where the values
 * do (an enum value Wharf lacks, a constructor that refuses its arguments), answers {@link
 * #NOT_PLAIN}, and the binding goes the Jackson way, which answers as it always did (its messages
 * included). Records' constructors only check and copy their arguments, so making one twice is
 * harmless.
 *
 * <p>Thread-safe: its plans are made once per type and shared.
 */
final class RecordReader {
  /** What {@link #read} answers for a request it does not bind itself. */
  static final Object NOT_PLAIN = new Object();

  /** Reads one value from a non-null, non-JSON-null node; answers {@link #NOT_PLAIN} to give up. */
  @FunctionalInterface
  private interface ValueReader {
    Object read(JsonNode node);
  }

  /** A type this reader does not bind: the records that hold it go through Jackson. */
  private static final ValueReader UNSUPPORTED = node -> NOT_PLAIN;

  /**
   * A record class bound to a shape: its plan, each component's reader (null for components no
   * member binds), and the value each takes when its member is absent or null, as Jackson gives.
   */
  private record RecordInput(RecordPlan plan, ValueReader[] readers, Object[] absent) {}

  private final ServiceModel model;
  private final Binding binding;
  private final ConcurrentMap<Class<?>, ConcurrentMap<String, Optional<RecordInput>>> records =
      new ConcurrentHashMap<>();

  RecordReader(ServiceModel model, Binding binding) {
    this.model = model;
    this.binding = binding;
  }

  /** The record of {@code type} from {@code tree} (of shape {@code shapeName}), or NOT_PLAIN. */
  Object read(Class<?> type, String shapeName, JsonNode tree) {
    if (!type.isRecord()) {
      return NOT_PLAIN;
    }
    return readRecord(type, shapeName, tree);
  }

  private Object readRecord(Class<?> type, String shapeName, JsonNode node) {
    Optional<RecordInput> planned = recordInput(type, shapeName);
    if (planned.isEmpty() || !(node instanceof ObjectNode object)) {
      return NOT_PLAIN;
    }
    RecordInput input = planned.get();
    Map<String, Integer> componentOfMember = input.plan().componentOfMember();
    Object[] values = input.absent().clone();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Integer index = componentOfMember.get(e.getKey());
      JsonNode value = e.getValue();
      if (index == null || value.isNull()) {
        continue; // unknown to the model or to the record: ignored; null: absent
      }
      Object read = input.readers()[index].read(value);
      if (read == NOT_PLAIN) {
        return NOT_PLAIN;
      }
      values[index] = read;
    }
    try {
      return input.plan().make(values);
    } catch (RuntimeException e) {
      return NOT_PLAIN; // a refusal: Jackson's path makes it again and answers it as always
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      return NOT_PLAIN;
    }
  }

  private Optional<RecordInput> recordInput(Class<?> type, String shapeName) {
    // Planning a record does not plan the records of its components (their readers look them up
    // when they read), so this never plans into the map it computes in.
    return records
        .computeIfAbsent(type, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(shapeName, s -> planRecord(type, s));
  }

  private Optional<RecordInput> planRecord(Class<?> type, String shapeName) {
    ShapePlan shape = model.plan(shapeName);
    if (!shape.type().equals("structure") || shape.document()) {
      return Optional.empty();
    }
    RecordPlan plan = RecordPlan.of(type, shape);
    if (!plan.bindsAsJackson()) {
      return Optional.empty();
    }
    List<RecordPlan.Component> components = plan.components();
    ValueReader[] readers = new ValueReader[components.size()];
    Object[] absent = new Object[components.size()];
    for (int i = 0; i < components.size(); i++) {
      absent[i] = absentValue(components.get(i).genericType());
    }
    for (Map.Entry<String, Integer> e : plan.componentOfMember().entrySet()) {
      int index = e.getValue();
      ValueReader reader =
          reader(components.get(index).genericType(), shape.memberShapes().get(e.getKey()));
      if (reader == UNSUPPORTED) {
        return Optional.empty();
      }
      readers[index] = reader;
    }
    return Optional.of(new RecordInput(plan, readers, absent));
  }

  /** What Jackson gives a component whose member is absent or null. */
  private static Object absentValue(Type type) {
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == double.class) {
      return 0.0;
    }
    return rawClass(type) == Optional.class ? Optional.empty() : null;
  }

  private ValueReader reader(Type type, String shapeName) {
    Class<?> raw = rawClass(type);
    if (raw == null) {
      return UNSUPPORTED;
    }
    ShapePlan shape = model.plan(shapeName);
    String kind = shape.type();
    if (raw == Optional.class) {
      Type content = typeArgument(type, 0);
      ValueReader inner = content == null ? UNSUPPORTED : reader(content, shapeName);
      if (inner == UNSUPPORTED) {
        return UNSUPPORTED;
      }
      return node -> {
        Object value = inner.read(node);
        return value == NOT_PLAIN ? NOT_PLAIN : Optional.ofNullable(value);
      };
    }
    if (raw == Document.class) {
      return node -> document(shapeName, node);
    }
    switch (kind) {
      case "string" -> {
        if (raw == String.class) {
          return node -> node.isTextual() ? node.textValue() : NOT_PLAIN;
        }
        if (raw.isEnum()) {
          return enumReader(raw);
        }
      }
      case "integer", "long" -> {
        if (raw == Integer.class || raw == int.class) {
          return node ->
              node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : NOT_PLAIN;
        }
        if (raw == Long.class || raw == long.class) {
          return node ->
              node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : NOT_PLAIN;
        }
      }
      case "boolean" -> {
        if (raw == Boolean.class || raw == boolean.class) {
          return node -> node.isBoolean() ? node.booleanValue() : NOT_PLAIN;
        }
      }
      case "double", "float" -> {
        if (raw == Double.class || raw == double.class) {
          return node -> node.isNumber() ? node.doubleValue() : NOT_PLAIN;
        }
      }
      case "timestamp" -> {
        if (raw == Instant.class) {
          return RecordReader::timestamp;
        }
      }
      case "blob" -> {
        if (raw == byte[].class) {
          return RecordReader::blob;
        }
      }
      case "list" -> {
        if (raw == List.class && typeArgument(type, 0) != null) {
          return listReader(typeArgument(type, 0), shape.itemShape());
        }
      }
      case "map" -> {
        if (raw == Map.class && typeArgument(type, 0) == String.class) {
          Type valueType = typeArgument(type, 1);
          return valueType == null ? UNSUPPORTED : mapReader(valueType, shape.valueShape());
        }
      }
      case "structure" -> {
        if (raw.isRecord() && !shape.document()) {
          return node -> readRecord(raw, shapeName, node);
        }
      }
      default -> {
        // Not bound here: floats, big numbers, and the rest go through Jackson.
      }
    }
    return UNSUPPORTED;
  }

  private ValueReader listReader(Type itemType, String itemShape) {
    ValueReader item = reader(itemType, itemShape);
    if (item == UNSUPPORTED) {
      return UNSUPPORTED;
    }
    Object absent = absentValue(itemType);
    return node -> {
      if (!(node instanceof ArrayNode array)) {
        return NOT_PLAIN;
      }
      List<Object> out = new ArrayList<>(array.size());
      for (JsonNode element : array) {
        Object value = element.isNull() ? absent : item.read(element);
        if (value == NOT_PLAIN) {
          return NOT_PLAIN;
        }
        out.add(value);
      }
      return out;
    };
  }

  private ValueReader mapReader(Type valueType, String valueShape) {
    ValueReader entry = reader(valueType, valueShape);
    if (entry == UNSUPPORTED) {
      return UNSUPPORTED;
    }
    Object absent = absentValue(valueType);
    return node -> {
      if (!(node instanceof ObjectNode object)) {
        return NOT_PLAIN;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Object value = e.getValue().isNull() ? absent : entry.read(e.getValue());
        if (value == NOT_PLAIN) {
          return NOT_PLAIN;
        }
        out.put(e.getKey(), value);
      }
      return out;
    };
  }

  /** Enum constants by {@code toString()}, as Jackson reads them (READ_ENUMS_USING_TO_STRING). */
  private static ValueReader enumReader(Class<?> type) {
    if (annotatedByJackson(type)) {
      return UNSUPPORTED;
    }
    for (var field : type.getDeclaredFields()) {
      if (annotatedByJackson(field)) {
        return UNSUPPORTED;
      }
    }
    for (var method : type.getDeclaredMethods()) {
      if (annotatedByJackson(method)) {
        return UNSUPPORTED;
      }
    }
    Map<String, Object> byText = new HashMap<>();
    for (Object constant : type.getEnumConstants()) {
      byText.putIfAbsent(constant.toString(), constant);
    }
    return node -> {
      Object constant = node.isTextual() ? byText.get(node.textValue()) : null;
      return constant == null ? NOT_PLAIN : constant; // one Wharf lacks: Jackson's refusal
    };
  }

  private static Object timestamp(JsonNode node) {
    try {
      return Timestamps.parse(node, "");
    } catch (WharfException e) {
      return NOT_PLAIN; // the Jackson path names the member in its refusal
    }
  }

  private static Object blob(JsonNode node) {
    if (node.isBinary()) {
      return ((BinaryNode) node).binaryValue();
    }
    if (!node.isTextual()) {
      return NOT_PLAIN;
    }
    try {
      return Base64.getMimeDecoder().decode(node.textValue());
    } catch (IllegalArgumentException e) {
      return NOT_PLAIN;
    }
  }

  /**
   * A document as Jackson's path gives it: the normalised tree's text. Jackson's copy of the tree
   * (through its parser) is the same tree for these node types; a decimal or a float would be
   * rewritten by it, so those go that way.
   */
  private Object document(String shapeName, JsonNode node) {
    JsonNode normal;
    try {
      normal = binding.normaliseInput(shapeName, node, "");
    } catch (WharfException e) {
      return NOT_PLAIN;
    }
    return copiesAsItself(normal) ? new Document(normal.toString()) : NOT_PLAIN;
  }

  private static boolean copiesAsItself(JsonNode node) {
    if (node instanceof ObjectNode || node instanceof ArrayNode) {
      for (JsonNode child : node) {
        if (!copiesAsItself(child)) {
          return false;
        }
      }
      return true;
    }
    return node instanceof TextNode
        || node instanceof IntNode
        || node instanceof LongNode
        || node instanceof BigIntegerNode
        || node instanceof DoubleNode
        || node instanceof BooleanNode
        || node instanceof NullNode
        || node instanceof BinaryNode;
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
      return c;
    }
    return null;
  }

  private static Type typeArgument(Type type, int index) {
    if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
      Type argument = p.getActualTypeArguments()[index];
      return rawClass(argument) == null ? null : argument;
    }
    return null;
  }

  private static boolean annotatedByJackson(AnnotatedElement element) {
    for (Annotation a : element.getDeclaredAnnotations()) {
      if (a.annotationType().getPackageName().startsWith("com.fasterxml.jackson")) {
        return true;
      }
    }
    return false;
  }
}
