package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All AWS services on Wharf's one endpoint: finds a request's service (by its SigV4 signing name)
 * and wire protocol, and runs it. Bytes in, bytes out: the HTTP front authenticates, reads the body
 * within its limits, and writes what this returns.
 *
 * <pre>
 *  request ─▶ protocol (headers) ─▶ parse (JSON · form · CBOR · route) ─▶ guard ─▶ look up
 *          ─▶ validate (model) ─▶ bind (record) ─▶ handler ─▶ output in model names (JSON
 *             written straight from the record; other protocols through the canonical tree)
 *             └──────────── any failure ─▶ the service's error, in the protocol's shape ────┘
 * </pre>
 *
 * <p>Errors: a {@link WharfException} is answered as the service's {@link AwsService#answer} names
 * its code; an {@link AwsServiceException} by the model's error shape; anything else is a fault,
 * logged with the request id and answered as the protocol's 500 with {@code An internal error
 * occurred. Request ID: <id>}. {@link #handle} never throws.
 *
 * <p>Thread-safe: immutable; requests run concurrently.
 */
public final class Endpoint<C> {
  private static final Logger log = LoggerFactory.getLogger(Endpoint.class);
  private static final String REQUEST_ID = "x-amzn-RequestId";
  private static final String CONTENT_TYPE = "Content-Type";
  private static final String SMITHY_PROTOCOL = "smithy-protocol";
  private static final String RPC_V2_CBOR = "rpc-v2-cbor";

  private final Map<String, AwsService<C>> bySigningName;

  public Endpoint(List<AwsService<C>> services) {
    Map<String, AwsService<C>> byName = new LinkedHashMap<>();
    for (AwsService<C> s : services) {
      AwsService<C> before = byName.put(s.model().signingName(), s);
      if (before != null) {
        throw new IllegalArgumentException(
            "Two services sign as " + s.model().signingName() + ": " + before + " and " + s);
      }
      if (s.operations().model() != s.model()) {
        throw new IllegalArgumentException(
            "The operations of " + s.model().serviceId() + " are built on another model");
      }
    }
    this.bySigningName = Map.copyOf(byName);
  }

  /** The service whose SigV4 signing name this is (from the credential scope), if any. */
  public Optional<AwsService<C>> service(String signingName) {
    return Optional.ofNullable(signingName == null ? null : bySigningName.get(signingName));
  }

  /**
   * The wire protocol of a request, from its method, path and headers only (the body need not be
   * read yet): {@code X-Amz-Target} with a JSON content type is AWS JSON (the version the content
   * type names); {@code smithy-protocol: rpc-v2-cbor} is RPCv2 CBOR; a form body or {@code Action}
   * in the URL is query; anything else is the model's REST protocol when it has one, else its first
   * protocol (which then answers what is missing, e.g. the X-Amz-Target header).
   */
  public WireProtocol protocolOf(AwsService<C> service, ProtocolRequest headersOnly) {
    String type = lower(headersOnly.header("content-type"));
    if (headersOnly.header("x-amz-target") != null) {
      if (type.startsWith("application/x-amz-json-1.0")) {
        return WireProtocol.AWS_JSON_1_0;
      }
      if (type.startsWith("application/x-amz-json-1.1")) {
        return WireProtocol.AWS_JSON_1_1;
      }
      return modelJson(service.model());
    }
    if (RPC_V2_CBOR.equals(headersOnly.header(SMITHY_PROTOCOL))) {
      return WireProtocol.RPC_V2_CBOR;
    }
    if (type.startsWith("application/x-www-form-urlencoded") || hasActionInUrl(headersOnly)) {
      return WireProtocol.AWS_QUERY;
    }
    List<WireProtocol> speaks = service.model().protocols();
    if (speaks.contains(WireProtocol.REST_JSON_1)) {
      return WireProtocol.REST_JSON_1;
    }
    return speaks.isEmpty() ? WireProtocol.AWS_JSON_1_1 : speaks.get(0);
  }

  private static WireProtocol modelJson(ServiceModel model) {
    return model.protocols().contains(WireProtocol.AWS_JSON_1_0)
        ? WireProtocol.AWS_JSON_1_0
        : WireProtocol.AWS_JSON_1_1;
  }

  private static boolean hasActionInUrl(ProtocolRequest request) {
    String query = request.rawQuery();
    return query != null && (query.startsWith("Action=") || query.contains("&Action="));
  }

  /** A request as its protocol reads it: the operation, its input tree, and a view for guards. */
  private record Parsed(
      String operation, JsonNode input, Operations.RequestView view, Map<String, String> form) {}

  /**
   * Runs one request: parse, guard, look up, validate, bind, call the handler, serialise. Every
   * failure is answered in the service's and the protocol's error shape; never throws.
   */
  public ProtocolResponse handle(
      AwsService<C> service, ProtocolRequest request, C caller, String requestId) {
    WireProtocol protocol;
    try {
      protocol = protocolOf(service, request);
    } catch (RuntimeException e) {
      return error(service, WireProtocol.AWS_JSON_1_1, e, requestId);
    }
    return handle(service, protocol, request, caller, requestId);
  }

  /**
   * {@link #handle(AwsService, ProtocolRequest, Object, String)} for a request whose protocol the
   * front already worked out with {@link #protocolOf} (it needs it before the body is read, for its
   * own error answers), so that it is not worked out again.
   */
  public ProtocolResponse handle(
      AwsService<C> service,
      WireProtocol protocol,
      ProtocolRequest request,
      C caller,
      String requestId) {
    if (!speaks(service.model(), protocol)) {
      // Answered in a protocol the service speaks: its clients could not read any other.
      List<WireProtocol> speaks = service.model().protocols();
      WireProtocol answerIn = speaks.isEmpty() ? WireProtocol.AWS_JSON_1_1 : speaks.get(0);
      return error(
          service,
          answerIn,
          new WharfException(
              ErrorCode.UNKNOWN_OPERATION,
              "The "
                  + service.model().serviceId()
                  + " API does not take "
                  + protocol
                  + " requests; it takes "
                  + speaks
                  + "."),
          requestId);
    }
    String operation = null;
    try {
      Parsed parsed = parse(service, protocol, request);
      operation = parsed.operation();
      Operations<C> operations = service.operations();
      operations.guard(caller, operation, parsed.view());
      if (protocol == WireProtocol.AWS_QUERY) {
        checkActionAndVersion(service, parsed.form());
      }
      Operations.Entry<C> entry =
          operations.find(operation).orElseThrow(() -> notFound(service, protocol, parsed));
      JsonNode input =
          protocol == WireProtocol.AWS_QUERY
              ? QueryWire.input(service.model(), operation, parsed.form())
              : parsed.input();
      operations.validator().validate(operation, input);
      Object bound = operations.binding().input(operation, entry.input(), input);
      Object result = entry.handler().handle(caller, bound);
      if (result instanceof EventStream events) {
        return streaming(service, protocol, operation, events, requestId);
      }
      return success(service, protocol, operation, result, requestId);
    } catch (RuntimeException e) {
      return answer(service, protocol, operation, e, requestId);
    }
  }

  /**
   * Runs one operation in-process, on an input tree in the model's names, as {@link #handle} runs a
   * JSON request: guard, look up, validate, bind, call the handler. For callers inside Wharf that
   * have no HTTP request (the simulation's agents, the composition root).
   *
   * @return the output tree, in the model's names
   * @throws RuntimeException what the operation failed with ({@link WharfException}, {@link
   *     AwsServiceException}): the caller answers it
   */
  public JsonNode invoke(AwsService<C> service, C caller, String operation, JsonNode input) {
    Operations<C> operations = service.operations();
    operations.guard(caller, operation, view(input));
    Operations.Entry<C> entry =
        operations
            .find(operation)
            .orElseThrow(
                () ->
                    notFound(
                        service,
                        WireProtocol.AWS_JSON_1_1,
                        new Parsed(operation, input, view(input), Map.of())));
    operations.validator().validate(operation, input);
    Object bound = operations.binding().input(operation, entry.input(), input);
    Object result = entry.handler().handle(caller, bound);
    if (result instanceof EventStream events) {
      events.close();
      throw new IllegalStateException(
          "The operation " + operation + " answers an event stream, which needs an HTTP client");
    }
    return operations.binding().output(operation, result);
  }

  /**
   * The answer of an operation that streams: 200 and the event-stream content type now, then each
   * event as the front asks for it ({@link ProtocolResponse#stream}). The event payloads are JSON,
   * so only the JSON protocols and REST-JSON stream; a stream asked for in another is closed and
   * refused.
   */
  private ProtocolResponse streaming(
      AwsService<C> service,
      WireProtocol protocol,
      String operation,
      EventStream events,
      String requestId) {
    if (!protocol.isJson() && protocol != WireProtocol.REST_JSON_1) {
      events.close();
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf answers " + operation + " in JSON only; this request is " + protocol + ".");
    }
    ShapePlan streamShape;
    try {
      streamShape = EventStreamBody.streamShapeOf(service.model(), operation);
    } catch (RuntimeException e) {
      events.close();
      throw e;
    }
    Map<String, String> headers = new HashMap<>();
    headers.put(REQUEST_ID, requestId);
    headers.put(CONTENT_TYPE, EventStreamFrames.CONTENT_TYPE);
    return new ProtocolResponse(
        200,
        headers,
        new byte[0],
        new EventStreamBody(
            service.operations().binding(), streamShape, operation, events, requestId));
  }

  /**
   * The error answer for a failure the front detects itself (a bad signature, a body over the
   * limit), in the service's and the protocol's shape.
   */
  public ProtocolResponse error(
      AwsService<C> service, WireProtocol protocol, RuntimeException e, String requestId) {
    return answer(service, protocol, null, e, requestId);
  }

  /** True when the model speaks the protocol; a JSON service takes JSON 1.0 and 1.1 alike. */
  private static boolean speaks(ServiceModel model, WireProtocol protocol) {
    List<WireProtocol> speaks = model.protocols();
    return speaks.contains(protocol)
        || (protocol.isJson() && speaks.stream().anyMatch(WireProtocol::isJson));
  }

  private Parsed parse(AwsService<C> service, WireProtocol protocol, ProtocolRequest request) {
    ServiceModel model = service.model();
    return switch (protocol) {
      case AWS_JSON_1_0, AWS_JSON_1_1 -> {
        if (!"POST".equals(request.method())) {
          throw new WharfException(
              ErrorCode.UNKNOWN_OPERATION,
              "Wharf's API takes AWS JSON "
                  + (protocol == WireProtocol.AWS_JSON_1_0 ? "1.0" : "1.1")
                  + " requests: POST / with X-Amz-Target.");
        }
        String target = request.header("x-amz-target");
        String prefix = model.targetPrefix() + ".";
        if (target == null || !target.startsWith(prefix)) {
          throw new WharfException(
              ErrorCode.UNKNOWN_OPERATION,
              target == null
                  ? "The request has no X-Amz-Target header."
                  : "Unknown operation " + target + ".");
        }
        JsonNode input = JsonWire.parse(request.body());
        yield new Parsed(target.substring(prefix.length()), input, view(input), Map.of());
      }
      case RPC_V2_CBOR -> {
        String prefix = "/service/" + model.targetPrefix() + "/operation/";
        if (!"POST".equals(request.method()) || !request.path().startsWith(prefix)) {
          throw new WharfException(
              ErrorCode.UNKNOWN_OPERATION,
              "RPCv2 CBOR requests to "
                  + model.serviceId()
                  + " are POST "
                  + prefix
                  + "<Operation>; this one is "
                  + request.method()
                  + " "
                  + request.path()
                  + ".");
        }
        JsonNode input = CborWire.parse(request.body());
        yield new Parsed(request.path().substring(prefix.length()), input, view(input), Map.of());
      }
      case AWS_QUERY -> {
        if (!"POST".equals(request.method()) && !"GET".equals(request.method())) {
          throw new WharfException(
              ErrorCode.UNKNOWN_OPERATION, "Query requests are POST (or GET) requests.");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (request.rawQuery() != null) {
          params.putAll(QueryWire.decodeForm(request.rawQuery()));
        }
        if (!"GET".equals(request.method())) {
          params.putAll(QueryWire.decodeForm(new String(request.body(), StandardCharsets.UTF_8)));
        }
        Map<String, String> form = Map.copyOf(params);
        yield new Parsed(
            form.get("Action"), null, member -> Optional.ofNullable(form.get(member)), form);
      }
      case REST_JSON_1 -> {
        RestJsonRoutes.Routed routed = RestJsonRoutes.route(model, request);
        yield new Parsed(routed.operation(), routed.input(), view(routed.input()), Map.of());
      }
    };
  }

  private static Operations.RequestView view(JsonNode input) {
    return member -> {
      JsonNode value = input.get(member);
      return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    };
  }

  private static void checkActionAndVersion(AwsService<?> service, Map<String, String> form) {
    String action = form.get("Action");
    if (action == null || action.isEmpty()) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION, "The request must contain the parameter Action.");
    }
    String version = form.get("Version");
    if (!service.model().apiVersion().equals(version)) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION, service.versionMismatchMessage(version));
    }
  }

  private static RuntimeException notFound(
      AwsService<?> service, WireProtocol protocol, Parsed parsed) {
    String operation = parsed.operation();
    if (service.model().hasOperation(operation)) {
      return service.notImplemented(operation);
    }
    return new WharfException(
        ErrorCode.UNKNOWN_OPERATION,
        protocol == WireProtocol.AWS_QUERY
            ? "The action " + operation + " is not valid for this web service."
            : "Unknown operation " + operation + ".");
  }

  private static ProtocolResponse success(
      AwsService<?> service,
      WireProtocol protocol,
      String operation,
      Object result,
      String requestId) {
    Binding binding = service.operations().binding();
    Map<String, String> headers = new HashMap<>();
    headers.put(REQUEST_ID, requestId);
    return switch (protocol) {
      case AWS_JSON_1_0, AWS_JSON_1_1 -> {
        headers.put(CONTENT_TYPE, protocol.jsonContentType());
        yield new ProtocolResponse(200, headers, binding.outputJson(operation, result));
      }
      case RPC_V2_CBOR -> {
        headers.put(CONTENT_TYPE, "application/cbor");
        headers.put(SMITHY_PROTOCOL, RPC_V2_CBOR);
        yield new ProtocolResponse(200, headers, CborWire.write(binding.output(operation, result)));
      }
      case AWS_QUERY -> {
        headers.put(CONTENT_TYPE, "text/xml");
        ObjectNode output = binding.output(operation, result);
        String xml = QueryWire.response(service.model(), operation, output, requestId);
        yield new ProtocolResponse(200, headers, xml.getBytes(StandardCharsets.UTF_8));
      }
      case REST_JSON_1 ->
          RestJsonRoutes.response(
              service.model(), operation, binding.output(operation, result), headers);
    };
  }

  private ProtocolResponse answer(
      AwsService<C> service,
      WireProtocol protocol,
      String operation,
      RuntimeException e,
      String requestId) {
    String internal = "An internal error occurred. Request ID: " + requestId;
    ErrorAnswer answer;
    String message;
    ErrorAnswer queryAnswer = null;
    ServiceModel model = service.model();
    switch (e) {
      case WharfException w -> {
        answer = service.answer(w.code(), protocol);
        if (w.code().isFault()) {
          log.error("Request {} ({} {}) failed", requestId, model.serviceId(), safe(operation), w);
          message = internal;
        } else {
          log.debug(
              "Request {} ({} {}) refused: {} {}",
              requestId,
              model.serviceId(),
              safe(operation),
              w.code(),
              safe(w.getMessage()));
          message = w.getMessage();
        }
        if (model.isQueryCompatible()) {
          queryAnswer = service.answer(w.code(), WireProtocol.AWS_QUERY);
        }
      }
      case AwsServiceException a when model.error(a.code()).isPresent() -> {
        ServiceModel.ErrorTraits traits = model.error(a.code()).orElseThrow();
        answer =
            new ErrorAnswer(
                protocol == WireProtocol.AWS_QUERY ? traits.queryCode() : traits.shape(),
                traits.status(),
                traits.senderFault());
        queryAnswer = new ErrorAnswer(traits.queryCode(), traits.status(), traits.senderFault());
        message = a.getMessage();
        log.debug(
            "Request {} ({} {}) refused: {} {}",
            requestId,
            model.serviceId(),
            safe(operation),
            a.code(),
            safe(a.getMessage()));
      }
      default -> {
        // AwsServiceException of a code the model lacks lands here too: a programming error.
        log.error("Request {} ({} {}) failed", requestId, model.serviceId(), safe(operation), e);
        answer = service.answer(ErrorCode.SERVER, protocol);
        message = internal;
      }
    }
    Map<String, String> headers = new HashMap<>();
    headers.put(REQUEST_ID, requestId);
    if (queryAnswer != null && model.isQueryCompatible() && protocol != WireProtocol.AWS_QUERY) {
      // How botocore and the SDKs give query-era codes to clients of the newer protocols.
      headers.put(
          "x-amzn-query-error",
          queryAnswer.code() + ";" + (queryAnswer.senderFault() ? "Sender" : "Receiver"));
    }
    return switch (protocol) {
      case AWS_JSON_1_0, AWS_JSON_1_1 -> {
        headers.put(CONTENT_TYPE, protocol.jsonContentType());
        yield new ProtocolResponse(
            answer.status(), headers, JsonWire.error(answer.code(), message));
      }
      case RPC_V2_CBOR -> {
        headers.put(CONTENT_TYPE, "application/cbor");
        headers.put(SMITHY_PROTOCOL, RPC_V2_CBOR);
        yield new ProtocolResponse(
            answer.status(), headers, CborWire.error(answer.code(), message));
      }
      case AWS_QUERY -> {
        headers.put(CONTENT_TYPE, "text/xml");
        String xml =
            QueryWire.error(model, answer.code(), answer.senderFault(), message, requestId);
        yield new ProtocolResponse(answer.status(), headers, xml.getBytes(StandardCharsets.UTF_8));
      }
      case REST_JSON_1 -> {
        headers.put(CONTENT_TYPE, "application/json");
        headers.put("x-amzn-ErrorType", answer.code());
        yield new ProtocolResponse(
            answer.status(), headers, JsonWire.error(answer.code(), message));
      }
    };
  }

  /** Text from a request, made safe for a log line (no line breaks, bounded). */
  private static String safe(String text) {
    if (text == null) {
      return "-";
    }
    String line = text.replaceAll("[\\p{Cntrl}]", "?");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static String lower(String text) {
    return text == null ? "" : text.toLowerCase(Locale.ROOT);
  }
}
