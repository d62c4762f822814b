package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operation's {@link EventStream} as the body the front writes: each event a message of AWS's
 * event-stream framing whose payload is the event's shape in JSON (the body format of the JSON
 * protocols and REST-JSON), as the SDKs' JSON event-stream readers take it.
 *
 * <pre>
 *  Next(member, record) ─▶ :message-type event,     :event-type member     ─▶ the member's shape, JSON
 *  Failure(member, msg) ─▶ :message-type exception, :exception-type member ─▶ {"message": msg}, end
 *  the stream throws    ─▶ :message-type error, :error-code InternalFailure ─▶ end (logged)
 * </pre>
 *
 * <p>Threading: {@link #next} from the front's one writer thread; {@link #close} from any.
 */
final class EventStreamBody implements StreamingBody {
  private static final Logger log = LoggerFactory.getLogger(EventStreamBody.class);
  private static final String JSON = "application/json";

  private final Binding binding;
  private final ShapePlan streamShape;
  private final String operation;
  private final EventStream events;
  private final String requestId;
  private boolean ended;

  EventStreamBody(
      Binding binding,
      ShapePlan streamShape,
      String operation,
      EventStream events,
      String requestId) {
    this.binding = binding;
    this.streamShape = streamShape;
    this.operation = operation;
    this.events = events;
    this.requestId = requestId;
  }

  /**
   * The shape of an operation's output member that the model marks {@code eventstream}.
   *
   * @throws IllegalStateException when the output has none: the handler answered a stream for an
   *     operation whose answer is one body
   */
  static ShapePlan streamShapeOf(ServiceModel model, String operation) {
    String output = model.outputShape(operation);
    if (output != null) {
      for (String memberShape : model.plan(output).memberShapes().values()) {
        if (model.shape(memberShape).path("eventstream").asBoolean(false)) {
          return model.plan(memberShape);
        }
      }
    }
    throw new IllegalStateException(
        "The operation " + operation + " answered an event stream, but its output has none");
  }

  @Override
  public byte[] next() throws InterruptedException {
    if (ended) {
      return null;
    }
    EventStream.Event event;
    try {
      event = events.next();
    } catch (RuntimeException e) {
      log.error("Request {} ({}): the event stream failed", requestId, operation, e);
      return internalFailure();
    }
    if (event == null) {
      ended = true;
      return null;
    }
    try {
      return switch (event) {
        case EventStream.Next next -> {
          String shape = streamShape.memberShapes().get(next.member());
          if (shape == null) {
            throw new IllegalStateException(
                "The event stream " + streamShape.name() + " has no member " + next.member());
          }
          Map<String, String> headers = new LinkedHashMap<>();
          headers.put(":event-type", next.member());
          headers.put(":content-type", JSON);
          headers.put(":message-type", "event");
          JsonNode payload = binding.event(operation, shape, next.value());
          yield EventStreamFrames.encode(headers, JsonWire.write(payload));
        }
        case EventStream.Failure failure -> {
          if (!streamShape.memberShapes().containsKey(failure.member())) {
            throw new IllegalStateException(
                "The event stream " + streamShape.name() + " has no member " + failure.member());
          }
          ended = true;
          Map<String, String> headers = new LinkedHashMap<>();
          headers.put(":exception-type", failure.member());
          headers.put(":content-type", JSON);
          headers.put(":message-type", "exception");
          ObjectNode payload = JsonNodeFactory.instance.objectNode();
          payload.put("message", failure.message());
          yield EventStreamFrames.encode(headers, JsonWire.write(payload));
        }
      };
    } catch (RuntimeException e) {
      log.error("Request {} ({}): an event could not be written", requestId, operation, e);
      return internalFailure();
    }
  }

  /** The protocol's error message (not one of the model's exceptions), and the end. */
  private byte[] internalFailure() {
    ended = true;
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":error-code", "InternalFailure");
    headers.put(":error-message", "An internal error occurred. Request ID: " + requestId);
    headers.put(":message-type", "error");
    return EventStreamFrames.encode(headers, new byte[0]);
  }

  @Override
  public void close() {
    ended = true;
    try {
      events.close();
    } catch (RuntimeException e) {
      log.warn("Request {} ({}): the event stream did not close cleanly", requestId, operation, e);
    }
  }
}
