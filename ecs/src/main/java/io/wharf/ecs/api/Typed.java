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
  private static final ObjectMapper BINDING =
      Wire.forVirtualThreads(
          JsonMapper.builder()
              .addModule(new JavaTimeModule())
              .addModule(
                  new SimpleModule("ecs-wire")
                      .addSerializer(Instant.class, new EpochSeconds())
                      .addSerializer(Document.class, new DocumentWriter())
                      .addDeserializer(Document.class, new DocumentReader()))
              .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              // AWS JSON members are case-sensitive and the records are named exactly as the
              // model's members: case-insensitive, an unknown "Type" beside "type" (which the model
              // check lets through, as AWS ignores it) would be bound over it.
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
    return (caller, request) -> {
      I bound = bind(request, input);
      O output = handler.handle(caller, bound);
      return output == null ? Wire.object() : BINDING.valueToTree(output);
    };
  }

  /**
   * The request as {@code input}. The model checked it, but a record of the domain may need more
   * than the model requires (a {@link io.wharf.model.Tag} has a key; to the model, the key is
   * optional): such a request is the caller's error, named by the member's path.
   */
  private static <I> I bind(JsonNode request, Class<I> input) {
    try {
      return BINDING.convertValue(request, input);
    } catch (IllegalArgumentException e) {
      if (e.getCause() instanceof ValueInstantiationException refused
          && refused.getCause() instanceof NullPointerException missing
          && missing.getMessage() != null) {
        throw WharfException.invalidParameter(
            "Parameter " + pathOf(refused) + "." + missing.getMessage() + " must be given.");
      }
      throw e;
    }
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  /** What a typed value looks like on the wire (tests compare it with the model). */
  static JsonNode render(Object value) {
    return BINDING.valueToTree(value);
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
