package io.wharf.ecs.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.wharf.model.Document;
import io.wharf.model.WharfException;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * ECS operations on typed input and output: the request, already checked against the model, bound
 * to a record whose components are named as the model's members; the record the operation returns
 * written as the response. Absent members are null (or empty lists for list components the
 * operation declares with a default), timestamps are {@link Instant}s (epoch seconds on the wire),
 * enums are written and read by {@code toString()}, and a {@link Document} holds a member's JSON as
 * the user sent it. Null members are left out of the response.
 *
 * <p>The binding is the one the protocol layer ({@code io.wharf.protocol}) applies to every
 * service; until ECS is served through it, this adapter makes a typed operation an {@link
 * Operation}.
 */
final class Typed {
  static final ObjectMapper BINDING =
      Wire.forVirtualThreads(
          JsonMapper.builder()
              .addModule(new JavaTimeModule())
              .addModule(
                  new SimpleModule("ecs-wire")
                      .addSerializer(Instant.class, new EpochSeconds())
                      .addSerializer(Document.class, new DocumentWriter())
                      .addDeserializer(Document.class, new DocumentReader()))
              .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              // Members are case-sensitive, as the model checks them: an unknown "Type" beside
              // "type" is ignored, not bound over it.
              .disable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
              .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
              .enable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
              .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
              .serializationInclusion(JsonInclude.Include.NON_ABSENT)
              .build());

  /** An operation on a typed request; returns the typed response (null for an empty one). */
  @FunctionalInterface
  interface Handler<I, O> {
    O handle(Operation.Caller caller, I input);
  }

  private Typed() {}

  /**
   * The operation that binds the request to {@code input} and renders what {@code handler} returns.
   */
  static <I, O> Operation of(Class<I> input, Handler<I, O> handler) {
    return new Op<>(input, handler);
  }

  /**
   * A typed operation: {@link EcsApi} registers it with the protocol layer as ECS's operation;
   * {@link #invoke} binds the request and renders the response.
   */
  record Op<I, O>(Class<I> input, Handler<I, O> handler) implements Operation {
    @Override
    public JsonNode invoke(Operation.Caller caller, JsonNode request) {
      I bound;
      try {
        bound = BINDING.convertValue(request, input);
      } catch (IllegalArgumentException e) {
        throw refusalWithin(e);
      }
      O output = handler.handle(caller, bound);
      return output == null ? Wire.object() : BINDING.valueToTree(output);
    }
  }

  /** What a typed value looks like on the wire (tests compare it with the model). */
  static JsonNode render(Object value) {
    return BINDING.valueToTree(value);
  }

  /**
   * The ECS error a constructor refused the request with, which Jackson wraps with the path it was
   * at; or a member the model leaves optional but the record needs (a tag's key), named by its
   * path, as the protocol layer names it. Anything else is a fault of the binding itself.
   */
  private static RuntimeException refusalWithin(IllegalArgumentException failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof WharfException refusal) {
        return refusal;
      }
    }
    if (failure.getCause() instanceof ValueInstantiationException refused
        && refused.getCause() instanceof NullPointerException missing
        && missing.getMessage() != null) {
      StringBuilder at = new StringBuilder();
      for (JsonMappingException.Reference ref : refused.getPath()) {
        if (ref.getFieldName() != null) {
          at.append(at.isEmpty() ? "" : ".").append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          at.append('[').append(ref.getIndex()).append(']');
        }
      }
      return WharfException.invalidParameter(
          "Parameter " + (at.isEmpty() ? "" : at + ".") + missing.getMessage() + " must be given.");
    }
    return failure;
  }

  private static final class EpochSeconds extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator out, SerializerProvider serializers)
        throws IOException {
      out.writeNumber(BigDecimal.valueOf(value.toEpochMilli(), 3));
    }
  }

  private static final class DocumentWriter extends JsonSerializer<Document> {
    @Override
    public void serialize(Document value, JsonGenerator out, SerializerProvider serializers)
        throws IOException {
      out.writeTree(Wire.parse(value));
    }
  }

  private static final class DocumentReader extends JsonDeserializer<Document> {
    @Override
    public Document deserialize(JsonParser in, DeserializationContext context) throws IOException {
      return new Document(in.readValueAsTree().toString());
    }
  }
}
