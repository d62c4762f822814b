package io.wharf.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.wharf.model.Document;
import io.wharf.model.WharfException;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Typed input and output, bound by the model: a request's tree (members named as in the model) to
 * the handler's input record, and its output record back to a tree named as the model names it.
 *
 * <pre>
 *  input:  tree ─RecordReader (by RecordPlan: members → components, values by shape)─▶ record
 *          └─ not the plain case ─▶ normalise by shape (timestamps → Instant text, blobs → bytes)
 *             ─▶ Jackson ─▶ record (and Jackson's refusals)
 *  output: record ─walk the output shape by RecordPlan: rename members (case-insensitive), drop
 *          nulls, timestamps → Instant, blobs → bytes─▶ JSON generator (AWS JSON)
 *                                                 └─▶ canonical tree ─▶ CBOR, query, REST writers
 * </pre>
 *
 * <p>Conventions for records: members match components ignoring case ({@code dnsName} ↔ {@code
 * DNSName}); {@link Instant} for timestamps, {@code byte[]} for blobs, {@link Document} for
 * documents (raw JSON text), boxed numbers for optional numbers; enums are read and written by
 * {@code toString()} (which is {@code name()} unless the enum overrides it with its wire value).
 * {@link Optional} components are read (empty when absent or null) and written (empty ones
 * dropped). Handlers may also take and return {@link JsonNode} trees in the model's names (while
 * operations migrate); their members the shape lacks, their explicit nulls and values that are not
 * of their shape's type are passed through as they are (so a migrated operation answers byte for
 * byte as before), where a record's are a programming error.
 *
 * <p>The canonical tree holds timestamps as {@link POJONode}s of {@link Instant} and blobs as
 * {@link BinaryNode}s, so that each protocol writes them its way. Thread-safe.
 */
final class Binding {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  /** The mapper for records: case-insensitive names, unknown members ignored, ISO instants. */
  static final ObjectMapper RECORDS =
      // Buffers shared, not kept per thread (Jackson's default): requests run on virtual threads,
      // one new thread each, so every output document parsed here (RunTask's ten tasks' overrides)
      // allocated fresh buffers.
      JsonMapper.builder(
              JsonFactory.builder()
                  .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                  .build())
          .addModule(new JavaTimeModule())
          .addModule(documentsAndOptionals())
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
          .enable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
          .build();

  private final ServiceModel model;
  private final RecordReader records;

  /** Each output record class's plan, per the shape it is written as. */
  private final ClassValue<ConcurrentMap<String, RecordPlan>> outputPlans =
      new ClassValue<>() {
        @Override
        protected ConcurrentMap<String, RecordPlan> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  Binding(ServiceModel model) {
    this.model = model;
    this.records = new RecordReader(model, this);
  }

  /**
   * The handler's input from a validated tree.
   *
   * @throws WharfException InvalidParameterException for a value the model allows but the input
   *     type cannot hold (an enum constant Wharf does not have)
   */
  @SuppressWarnings("unchecked")
  <I> I input(String operation, Class<I> type, JsonNode tree) {
    if (type == Void.class) {
      return null;
    }
    if (JsonNode.class.isAssignableFrom(type)) {
      return (I) tree;
    }
    String shape = model.inputShape(operation);
    if (shape != null) {
      Object direct = records.read(type, shape, tree);
      if (direct != RecordReader.NOT_PLAIN) {
        return (I) direct;
      }
    }
    // Not the plain case (or refused): Jackson binds it, and words its refusals.
    return inputThroughJackson(operation, type, tree);
  }

  /** {@link #input} as Jackson binds it (tests hold the direct binding to it). */
  <I> I inputThroughJackson(String operation, Class<I> type, JsonNode tree) {
    String shape = model.inputShape(operation);
    JsonNode normal = shape == null ? NODES.objectNode() : normaliseInput(shape, tree, "");
    try {
      return RECORDS.treeToValue(normal, type);
    } catch (InvalidFormatException e) {
      throw WharfException.invalidParameter(
          "Parameter "
              + pathOf(e)
              + " has the value '"
              + e.getValue()
              + "', which Wharf does not support.");
    } catch (ValueInstantiationException e) {
      throw refusal(e);
    } catch (IOException e) {
      throw new IllegalStateException(
          "The input of " + operation + " cannot be bound to " + type.getName(), e);
    }
  }

  /**
   * A record the input could not make: the service's own refusal when its constructor gave one;
   * else a member the model leaves optional but the record needs (a tag's key), named by its path.
   */
  private static RuntimeException refusal(ValueInstantiationException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WharfException refused) {
        return refused;
      }
      if (t instanceof AwsServiceException refused) {
        return refused;
      }
    }
    if (e.getCause() instanceof NullPointerException missing && missing.getMessage() != null) {
      String at = pathOf(e);
      return WharfException.invalidParameter(
          "Parameter " + (at.isEmpty() ? "" : at + ".") + missing.getMessage() + " must be given.");
    }
    return new IllegalStateException("A request could not be bound", e);
  }

  private static String pathOf(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  /** The tree Jackson binds: members the model lacks dropped, timestamps and blobs read. */
  JsonNode normaliseInput(String shapeName, JsonNode value, String path) {
    if (value == null || value.isNull()) {
      return value;
    }
    ShapePlan shape = model.plan(shapeName);
    switch (shape.type()) {
      case "structure" -> {
        if (shape.document() || !value.isObject()) {
          return value;
        }
        ObjectNode out = NODES.objectNode();
        Map<String, String> members = shape.memberShapes();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String member = members.get(e.getKey());
          // Members the model does not know are left out, as AWS ignores them: bound by a name
          // that matches case-insensitively, an unknown "Type" beside "type" would be bound over
          // it.
          if (member != null) {
            out.set(e.getKey(), normaliseInput(member, e.getValue(), join(path, e.getKey())));
          }
        }
        return out;
      }
      case "list" -> {
        ArrayNode out = NODES.arrayNode();
        String member = shape.itemShape();
        for (int i = 0; i < value.size(); i++) {
          out.add(normaliseInput(member, value.get(i), path + "[" + i + "]"));
        }
        return out;
      }
      case "map" -> {
        ObjectNode out = NODES.objectNode();
        String valueShape = shape.valueShape();
        value
            .fields()
            .forEachRemaining(
                e ->
                    out.set(
                        e.getKey(),
                        normaliseInput(valueShape, e.getValue(), path + "." + e.getKey())));
        return out;
      }
      case "timestamp" -> {
        return TextNode.valueOf(Timestamps.parse(value, path).toString());
      }
      case "blob" -> {
        return value.isBinary() ? value : BinaryNode.valueOf(base64(value.asText(), path));
      }
      default -> {
        return value;
      }
    }
  }

  private static byte[] base64(String text, String path) {
    try {
      return Base64.getMimeDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw WharfException.invalidParameter("Parameter " + path + " must be a base64 string.");
    }
  }

  /**
   * The canonical output tree of an operation: empty when it returns nothing.
   *
   * @throws IllegalStateException when a record has a component its shape lacks
   */
  ObjectNode output(String operation, Object result) {
    String shape = model.outputShape(operation);
    if (result == null || shape == null) {
      return NODES.objectNode();
    }
    JsonNode out =
        result instanceof JsonNode tree
            ? canonical(operation, shape, tree, false)
            : canonicalOf(operation, shape, result);
    if (!(out instanceof ObjectNode object)) {
      throw new IllegalStateException(
          "The output of " + operation + " is not a structure: " + result.getClass().getName());
    }
    return object;
  }

  /**
   * The canonical tree of one event of an operation's event stream: {@code value} a record (or
   * tree) of the event member's shape.
   */
  JsonNode event(String operation, String shapeName, Object value) {
    return value instanceof JsonNode tree
        ? canonical(operation, shapeName, tree, false)
        : canonicalOf(operation, shapeName, value);
  }

  /**
   * The AWS JSON body of an operation's output: the bytes {@link JsonWire#write} makes of {@link
   * #output}'s tree, written from the record straight to the generator where the record is the
   * plain case {@link #canonicalOf} builds straight (its other values go through their canonical
   * subtree). Why: building RunTask's ten tasks into a tree only for Jackson to walk it again into
   * bytes was, after the binding, the protocol layer's largest cost on PlacementBench's profile.
   *
   * @throws IllegalStateException as {@link #output} does
   */
  byte[] outputJson(String operation, Object result) {
    String shape = model.outputShape(operation);
    if (result instanceof Record
        && !(result instanceof Document)
        && shape != null
        && model.plan(shape).type().equals("structure")
        && !model.plan(shape).document()) {
      return JsonWire.write(new StreamedOutput(operation, shape, result));
    }
    return JsonWire.write(output(operation, result));
  }

  /** An output record as Jackson writes it: through {@link #writeJson}, not a tree. */
  private final class StreamedOutput extends JsonSerializable.Base {
    private final String operation;
    private final String shape;
    private final Object result;

    StreamedOutput(String operation, String shape, Object result) {
      this.operation = operation;
      this.shape = shape;
      this.result = result;
    }

    @Override
    public void serialize(JsonGenerator out, SerializerProvider provider) throws IOException {
      writeJson(operation, shape, result, out, provider);
    }

    @Override
    public void serializeWithType(
        JsonGenerator out, SerializerProvider provider, TypeSerializer types) throws IOException {
      serialize(out, provider);
    }
  }

  /**
   * Writes what {@link #canonicalOf} builds, as JSON: case for case the same values, tokens instead
   * of nodes; whatever it does not take here is built as canonicalOf's subtree and written.
   */
  private void writeJson(
      String operation, String shapeName, Object value, JsonGenerator out, SerializerProvider to)
      throws IOException {
    ShapePlan shape = model.plan(shapeName);
    switch (shape.type()) {
      case "structure" -> {
        if (value instanceof Record && !(value instanceof Document) && !shape.document()) {
          RecordPlan plan = outputPlan(value.getClass(), shape);
          if (plan.membersWrittenOnce()) {
            out.writeStartObject();
            for (RecordPlan.Component c : plan.components()) {
              Object component = c.valueIn(value);
              if (component instanceof Optional<?> optional) {
                component = optional.orElse(null);
              }
              if (component == null) {
                continue;
              }
              if (c.member() == null) {
                throw noSuchMember(operation, c.name(), shapeName);
              }
              out.writeFieldName(c.member());
              writeJson(operation, c.memberShape(), component, out, to);
            }
            out.writeEndObject();
            return;
          }
        }
      }
      case "list" -> {
        if (value instanceof List<?> list) {
          out.writeStartArray();
          for (Object element : list) {
            Object item = element instanceof Optional<?> o ? o.orElse(null) : element;
            if (item != null) {
              writeJson(operation, shape.itemShape(), item, out, to);
            }
          }
          out.writeEndArray();
          return;
        }
      }
      case "map" -> {
        if (value instanceof Map<?, ?> map && allKeysAreText(map)) {
          out.writeStartObject();
          for (Map.Entry<?, ?> e : map.entrySet()) {
            Object entry = e.getValue() instanceof Optional<?> o ? o.orElse(null) : e.getValue();
            if (entry != null) {
              out.writeFieldName((String) e.getKey());
              writeJson(operation, shape.valueShape(), entry, out, to);
            }
          }
          out.writeEndObject();
          return;
        }
      }
      case "string" -> {
        if (value instanceof String text) {
          out.writeString(text);
          return;
        }
        if (value instanceof Enum<?> constant) {
          out.writeString(constant.toString());
          return;
        }
      }
      case "integer", "long" -> {
        if (value instanceof Integer n) {
          out.writeNumber(n);
          return;
        }
        if (value instanceof Long n) {
          out.writeNumber(n);
          return;
        }
      }
      case "boolean" -> {
        if (value instanceof Boolean b) {
          out.writeBoolean(b);
          return;
        }
      }
      case "timestamp" -> {
        if (value instanceof Instant instant) {
          // As JsonWire writes the canonical tree's Instants.
          out.writeNumber(Timestamps.epochSeconds(instant));
          return;
        }
      }
      default -> {
        // canonicalOf's subtree below.
      }
    }
    to.defaultSerializeValue(canonicalOf(operation, shapeName, value), out);
  }

  /**
   * The canonical tree of a record's value, built straight from the record where its shape is the
   * plain case (a record for a structure, a list, a map of text keys, text, numbers, booleans, enum
   * constants, Instants, bytes, documents), and through Jackson's tree and {@link #canonical}
   * otherwise, which answers the same. Why: turning RunTask's ten tasks into Jackson's tree and
   * then walking that tree again into the canonical one was the protocol layer's largest cost
   * (PlacementBench's profile: {@code valueToTree} and {@code canonical} a third of {@link
   * Endpoint#handle}'s time).
   */
  private JsonNode canonicalOf(String operation, String shapeName, Object value) {
    ShapePlan shape = model.plan(shapeName);
    switch (shape.type()) {
      case "structure" -> {
        // A Document is a record too, but it stands for its JSON, not for its one component.
        if (value instanceof Record && !(value instanceof Document) && !shape.document()) {
          ObjectNode out = NODES.objectNode();
          for (RecordPlan.Component c : outputPlan(value.getClass(), shape).components()) {
            Object component = c.valueIn(value);
            if (component instanceof Optional<?> optional) {
              component = optional.orElse(null);
            }
            if (component == null) {
              continue; // dropped, as the canonical tree drops nulls and empty Optionals
            }
            if (c.member() == null) {
              throw noSuchMember(operation, c.name(), shapeName);
            }
            out.set(c.member(), canonicalOf(operation, c.memberShape(), component));
          }
          return out;
        }
        if (value instanceof Document document && shape.document()) {
          return readDocument(document);
        }
      }
      case "list" -> {
        if (value instanceof List<?> list) {
          ArrayNode out = NODES.arrayNode(list.size());
          for (Object element : list) {
            Object item = element instanceof Optional<?> o ? o.orElse(null) : element;
            if (item != null) {
              out.add(canonicalOf(operation, shape.itemShape(), item));
            }
          }
          return out;
        }
      }
      case "map" -> {
        if (value instanceof Map<?, ?> map && allKeysAreText(map)) {
          ObjectNode out = NODES.objectNode();
          for (Map.Entry<?, ?> e : map.entrySet()) {
            Object entry = e.getValue() instanceof Optional<?> o ? o.orElse(null) : e.getValue();
            if (entry != null) {
              out.set((String) e.getKey(), canonicalOf(operation, shape.valueShape(), entry));
            }
          }
          return out;
        }
      }
      case "string" -> {
        if (value instanceof String text) {
          return TextNode.valueOf(text);
        }
        if (value instanceof Enum<?> constant) {
          return TextNode.valueOf(constant.toString()); // WRITE_ENUMS_USING_TO_STRING
        }
      }
      case "integer", "long" -> {
        if (value instanceof Integer n) {
          return NODES.numberNode(n);
        }
        if (value instanceof Long n) {
          return NODES.numberNode(n);
        }
      }
      case "boolean" -> {
        if (value instanceof Boolean b) {
          return NODES.booleanNode(b);
        }
      }
      case "timestamp" -> {
        if (value instanceof Instant instant) {
          return new POJONode(instant);
        }
      }
      case "blob" -> {
        if (value instanceof byte[] bytes) {
          return BinaryNode.valueOf(bytes);
        }
      }
      default -> {
        // Jackson's rendering below.
      }
    }
    // A document is its JSON whatever its shape (ECS keeps a task's overrides so): Jackson's tree
    // of it is the tree its text reads as, made here without writing it out and reading it back,
    // which for RunTask's ten tasks' overrides was most of what the output still cost.
    JsonNode tree =
        value instanceof Document document ? readDocument(document) : RECORDS.valueToTree(value);
    return canonical(operation, shapeName, tree, true);
  }

  private RecordPlan outputPlan(Class<?> type, ShapePlan shape) {
    return outputPlans.get(type).computeIfAbsent(shape.name(), s -> RecordPlan.of(type, shape));
  }

  private static IllegalStateException noSuchMember(
      String operation, String component, String shapeName) {
    return new IllegalStateException(
        "The output of "
            + operation
            + " has a member "
            + component
            + " that the shape "
            + shapeName
            + " does not have");
  }

  private static boolean allKeysAreText(Map<?, ?> map) {
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode readDocument(Document document) {
    try {
      return RECORDS.readTree(document.json());
    } catch (IOException e) {
      throw new IllegalStateException("A document is not JSON: " + e.getMessage(), e);
    }
  }

  private JsonNode canonical(String operation, String shapeName, JsonNode value, boolean strict) {
    ShapePlan shape = model.plan(shapeName);
    switch (shape.type()) {
      case "structure" -> {
        if (shape.document()) {
          return value;
        }
        if (!value.isObject()) {
          throw new IllegalStateException(
              "The output of "
                  + operation
                  + " has a "
                  + value.getNodeType()
                  + " where the shape "
                  + shapeName
                  + " is a structure");
        }
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (e.getValue().isNull()) {
            if (!strict) {
              out.set(e.getKey(), e.getValue()); // a tree's explicit null is written as today
            }
            continue;
          }
          String member = shape.memberIgnoringCase(e.getKey());
          if (member == null) {
            if (strict) {
              throw new IllegalStateException(
                  "The output of "
                      + operation
                      + " has a member "
                      + e.getKey()
                      + " that the shape "
                      + shapeName
                      + " does not have");
            }
            out.set(e.getKey(), e.getValue());
            continue;
          }
          out.set(
              member, canonical(operation, shape.memberShapes().get(member), e.getValue(), strict));
        }
        return out;
      }
      case "list" -> {
        ArrayNode out = NODES.arrayNode();
        String member = shape.itemShape();
        for (JsonNode item : value) {
          if (!item.isNull()) {
            out.add(canonical(operation, member, item, strict));
          }
        }
        return out;
      }
      case "map" -> {
        ObjectNode out = NODES.objectNode();
        String valueShape = shape.valueShape();
        value
            .fields()
            .forEachRemaining(
                e -> {
                  if (!e.getValue().isNull()) {
                    out.set(e.getKey(), canonical(operation, valueShape, e.getValue(), strict));
                  }
                });
        return out;
      }
      case "timestamp" -> {
        try {
          return new POJONode(Timestamps.parse(value, shapeName));
        } catch (WharfException e) {
          if (!strict) {
            return value; // a migrating tree's own rendering, written as it was
          }
          throw new IllegalStateException(
              "The output of " + operation + " has a timestamp that is not one: " + value, e);
        }
      }
      case "blob" -> {
        if (value.isBinary()) {
          return value;
        }
        try {
          return BinaryNode.valueOf(Base64.getDecoder().decode(value.asText()));
        } catch (IllegalArgumentException e) {
          if (!strict) {
            return value;
          }
          throw new IllegalStateException(
              "The output of " + operation + " has a blob that is not base64: " + value, e);
        }
      }
      default -> {
        // An Instant where the shape is no timestamp is text, as JavaTimeModule writes it.
        if (strict && value.isPojo() && ((POJONode) value).getPojo() instanceof Instant instant) {
          return TextNode.valueOf(instant.toString());
        }
        return value;
      }
    }
  }

  /**
   * Fails fast when an input record has a component that matches no member of its shape (a typo
   * that would otherwise bind nothing, forever), nested records included.
   */
  void checkInput(String operation, Class<?> type) {
    if (type == Void.class || JsonNode.class.isAssignableFrom(type)) {
      return;
    }
    String shape = model.inputShape(operation);
    if (shape == null) {
      throw new IllegalStateException(
          "The operation "
              + operation
              + " takes no input, but its handler takes "
              + type.getName());
    }
    checkRecord(operation, shape, type);
  }

  private void checkRecord(String operation, String shapeName, Type type) {
    Class<?> raw = rawClass(type);
    ShapePlan shape = model.plan(shapeName);
    String kind = shape.type();
    if (raw == null || raw == io.wharf.model.Document.class) {
      return;
    }
    if (raw == Optional.class) {
      typeArgument(type, 0).ifPresent(t -> checkRecord(operation, shapeName, t));
      return;
    }
    if (raw.isRecord() && kind.equals("structure") && !shape.document()) {
      for (RecordComponent c : raw.getRecordComponents()) {
        String member = shape.memberIgnoringCase(c.getName());
        if (member == null) {
          throw new IllegalStateException(
              "The input record "
                  + raw.getName()
                  + " of "
                  + operation
                  + " has a component "
                  + c.getName()
                  + " that matches no member of the shape "
                  + shapeName);
        }
        checkRecord(operation, shape.memberShapes().get(member), c.getGenericType());
      }
    } else if (kind.equals("list") && List.class.isAssignableFrom(raw)) {
      typeArgument(type, 0).ifPresent(t -> checkRecord(operation, shape.itemShape(), t));
    } else if (kind.equals("map") && Map.class.isAssignableFrom(raw)) {
      typeArgument(type, 1).ifPresent(t -> checkRecord(operation, shape.valueShape(), t));
    }
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

  private static Optional<Type> typeArgument(Type type, int index) {
    if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
      return Optional.of(p.getActualTypeArguments()[index]);
    }
    return Optional.empty();
  }

  private static String join(String path, String member) {
    return path.isEmpty() ? member : path + "." + member;
  }

  /** Documents as raw JSON both ways; Optional written as its value, empty as null (dropped). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static SimpleModule documentsAndOptionals() {
    SimpleModule module = new SimpleModule("wharf-protocol");
    // Set first: addDeserializer below adds to this instance (setting it later would drop them).
    module.setDeserializers(
        new com.fasterxml.jackson.databind.module.SimpleDeserializers() {
          @Override
          public JsonDeserializer<?> findBeanDeserializer(
              com.fasterxml.jackson.databind.JavaType type,
              com.fasterxml.jackson.databind.DeserializationConfig config,
              com.fasterxml.jackson.databind.BeanDescription beanDesc)
              throws com.fasterxml.jackson.databind.JsonMappingException {
            if (type.getRawClass() == Optional.class) {
              return new OptionalDeserializer(type.containedTypeOrUnknown(0));
            }
            return super.findBeanDeserializer(type, config, beanDesc);
          }
        });
    module.addDeserializer(
        Document.class,
        new JsonDeserializer<>() {
          @Override
          public Document deserialize(JsonParser p, DeserializationContext ctxt)
              throws IOException {
            JsonNode tree = p.readValueAsTree();
            return new Document(tree.toString());
          }
        });
    module.addSerializer(
        Document.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Document value, JsonGenerator gen, SerializerProvider serializers)
              throws IOException {
            gen.writeTree(RECORDS.readTree(value.json()));
          }
        });
    // An Instant goes into the output tree as itself (a POJONode), which is what the canonical
    // tree holds: written as ISO text, as JavaTimeModule would, each one was parsed back from its
    // text by the output walk, a cost RunTask's ten tasks paid on every answer.
    module.addSerializer(
        Instant.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers)
              throws IOException {
            gen.writeEmbeddedObject(value);
          }
        });
    module.addSerializer(
        (Class) Optional.class,
        new JsonSerializer<Optional<?>>() {
          @Override
          public void serialize(Optional<?> value, JsonGenerator gen, SerializerProvider provider)
              throws IOException {
            if (value.isPresent()) {
              provider.defaultSerializeValue(value.get(), gen);
            } else {
              gen.writeNull();
            }
          }
        });
    return module;
  }

  /** An Optional component: the value when present, empty when absent or null. */
  private static final class OptionalDeserializer extends JsonDeserializer<Optional<?>> {
    private final com.fasterxml.jackson.databind.JavaType content;

    OptionalDeserializer(com.fasterxml.jackson.databind.JavaType content) {
      this.content = content;
    }

    @Override
    public Optional<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return Optional.ofNullable(ctxt.readValue(p, content));
    }

    @Override
    public Optional<?> getNullValue(DeserializationContext ctxt) {
      return Optional.empty();
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
      return Optional.empty();
    }
  }
}
