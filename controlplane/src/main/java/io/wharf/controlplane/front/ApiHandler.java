package io.wharf.controlplane.front;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.wharf.core.api.LogText;
import io.wharf.core.auth.Caller;
import io.wharf.core.auth.Principal;
import io.wharf.ecs.api.EcsApi;
import io.wharf.ecs.api.RegistrationEpochs;
import io.wharf.ecs.api.Wire;
import io.wharf.elb.api.ElbApi;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.protocol.AwsService;
import io.wharf.protocol.Endpoint;
import io.wharf.protocol.JsonWire;
import io.wharf.protocol.ProtocolRequest;
import io.wharf.protocol.ProtocolResponse;
import io.wharf.protocol.StreamingBody;
import io.wharf.protocol.WireProtocol;
import io.wharf.sigv4.SigV4Verifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front of every AWS service on Wharf's one port. It authenticates each request, reads its
 * body within the server's limits, and hands it to the {@link Endpoint}, which finds the operation
 * by the request's protocol (AWS JSON 1.0/1.1 by {@code X-Amz-Target}, query by {@code Action},
 * RPCv2 CBOR by path, REST-JSON by route), checks it against the service's model and answers in the
 * service's shape.
 *
 * <pre>
 *  request ─▶ service (credential scope) ─▶ protocol (headers) ─▶ SigV4 headers ─▶ size ─▶ body budget
 *          ─▶ read body ─▶ SigV4 payload ─▶ Endpoint (parse, guard, model check, operation) ─▶ 200
 *                └──────────────┴─────────────┴───────────┴──────────┴─────────────────────┴─▶ the service's error
 * </pre>
 *
 * <p>The service is the one the request's SigV4 credential scope names ({@code ecs}, {@code
 * elasticloadbalancing}, ...). A request that names none Wharf serves (or is not signed) is
 * answered for the service its shape suggests (a form body: ELBv2; anything else: ECS), so that its
 * client can read the refusal. The host is not looked at: requests to a prefixed host ({@code
 * stream-...}, as some SDK operations address) are served the same.
 *
 * <p>Authentication comes first: whatever the headers can decide (the signature's form, its time,
 * its credential scope against this server's region and the service, the access key, and the
 * signature itself when the payload's hash is declared) is decided before a byte of the body is
 * read, so an unsigned or mis-signed request costs its headers only. A body that does have to be
 * read is held within a {@link BodyBudget} shared by all requests. The headers that decide what a
 * request means ({@code X-Amz-Target}, {@code Content-Type}, {@code smithy-protocol}) must be
 * signed, and {@code UNSIGNED-PAYLOAD} is refused.
 *
 * <p>An answer that is a stream ({@link ProtocolResponse#stream}, an operation's event stream) is
 * written message by message from a virtual thread of its own, each flushed as it comes, until the
 * stream ends or a write fails because the client went away; the stream is closed either way.
 *
 * <p>Wharf's own operations ({@code X-Amz-Target: WharfV1.*}: join tokens) are signed for {@code
 * ecs} and answered in ECS's JSON.
 */
public final class ApiHandler extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final String XML_CONTENT_TYPE = "text/xml";

  /** The SigV4 service name of ELBv2's query API. */
  public static final String ELB_SERVICE = "elasticloadbalancing";

  /**
   * Requests above this are refused before reading further; the largest ECS requests are far
   * smaller.
   */
  public static final int MAX_BODY_BYTES = 1 << 20;

  /**
   * CloudWatch Logs' PutLogEvents, the one request that may be larger: its batch may hold 1,048,576
   * bytes of messages (CloudWatch's limit, counting 26 bytes an event), and as JSON each message
   * byte takes at most 6 (a control character escaped as backslash, u and four hex digits; other
   * characters take at most 3 per byte), while an event's own JSON around its message ({@code
   * {"timestamp":<19 digits>,"message":""},}, under 50 bytes) is less than the 6 × 26 its 26
   * counted bytes would have taken. So a maximal batch is at most 6 MiB of escaped messages, plus
   * the group and stream names (512 characters each, escaped 6 × 1 KiB) and the member names: 64
   * KiB covers those many times over. Beyond CloudWatch's limits the operation itself answers, with
   * InvalidParameterException naming the limit.
   */
  public static final int MAX_PUT_LOG_EVENTS_BODY_BYTES = 6 * (1 << 20) + (64 << 10);

  /** The X-Amz-Target of PutLogEvents, which alone may send a body up to the larger limit. */
  private static final String PUT_LOG_EVENTS_TARGET = "Logs_20140328.PutLogEvents";

  /**
   * The most request-body bytes read before their signature is checked, by all requests together:
   * 64 of the largest bodies, far more than clients signing real requests send at once, and all the
   * memory that connections sending bodies under made-up signatures can make the server use.
   */
  public static final int MAX_BUFFERED_BODY_BYTES = 64 * MAX_BODY_BYTES;

  /**
   * The most connections that have not yet carried a request whose signature verified; beyond it
   * the oldest is closed ({@link UnauthenticatedConnections}, which says why this many).
   */
  public static final int MAX_UNAUTHENTICATED_CONNECTIONS =
      UnauthenticatedConnections.DEFAULT_LIMIT;

  /** The SigV4 service name of the ECS API. */
  public static final String ECS_SERVICE = "ecs";

  /**
   * Headers a request must sign whenever it carries them, because they decide what it means: the
   * operation, and the protocol (JSON or query).
   */
  private static final String[] MEANINGFUL_HEADERS = {
    "x-amz-target", "content-type", "smithy-protocol", RegistrationEpochs.HEADER
  };

  private final EcsApi ecs;
  private final ElbApi elb;
  private final Endpoint<Caller> endpoint;
  private final SigV4Verifier verifier;
  private final String region;
  private final BodyBudget bodies;
  private final Function<String, Principal> principalOfKey;
  private final ObjectMapper json;

  /**
   * @param services every service on the endpoint, ECS and ELBv2 among them
   * @param region the server's region: requests must be signed for it
   * @param principalOfKey who holds a verified access key (the admin, a container instance, a join
   *     token)
   */
  public ApiHandler(
      EcsApi ecs,
      ElbApi elb,
      List<AwsService<Caller>> services,
      SigV4Verifier verifier,
      String region,
      Function<String, Principal> principalOfKey) {
    this.ecs = ecs;
    this.elb = elb;
    this.endpoint = new Endpoint<>(services);
    this.verifier = verifier;
    this.region = region;
    this.bodies = new BodyBudget(MAX_BUFFERED_BODY_BYTES);
    this.principalOfKey = principalOfKey;
    this.json =
        Wire.forVirtualThreads(
            new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS));
  }

  /** The services on this endpoint, for the error answers Jetty makes itself. */
  Endpoint<Caller> endpoint() {
    return endpoint;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String requestId = requestId();
    String target = request.getHeaders().get("X-Amz-Target");
    if (target != null && target.startsWith(EcsApi.wharfTargetPrefix() + ".")) {
      handleWharf(request, response, callback, requestId, target);
      return true;
    }
    Map<String, List<String>> headers = headers(request);
    ProtocolRequest headersOnly =
        new ProtocolRequest(
            request.getMethod(),
            request.getHttpURI().getPath(),
            request.getHttpURI().getQuery(),
            headers,
            new byte[0]);
    // The protocol is worked out once here, from the headers, and handed to the endpoint: the
    // service's choice needs it, the error answers before the body is read need it, and so does
    // the endpoint.
    AwsService<Caller> service = null;
    WireProtocol protocol = null;
    Optional<AwsService<Caller>> named =
        endpoint.service(SigV4Verifier.credentialService(headers, request.getHttpURI().getQuery()));
    if (named.isPresent()) {
      WireProtocol itsProtocol = protocolOrNull(named.get(), headersOnly);
      if (itsProtocol != null && speaks(named.get(), itsProtocol)) {
        service = named.get();
        protocol = itsProtocol;
      }
    }
    if (service == null) {
      service = isQuery(request) ? elb : ecs;
      protocol = protocolOrNull(service, headersOnly);
    }
    boolean protocolKnown = protocol != null;
    if (!protocolKnown) {
      protocol = WireProtocol.AWS_JSON_1_1;
    }
    ProtocolResponse answer;
    try {
      Signed signed = readSigned(request, headers, scope(service), bodyLimit(service, headers));
      Principal principal = principalOfKey.apply(signed.caller().accessKeyId());
      long epoch = RegistrationEpochs.parse(request.getHeaders().get(RegistrationEpochs.HEADER));
      ProtocolRequest withBody =
          new ProtocolRequest(
              headersOnly.method(),
              headersOnly.path(),
              headersOnly.rawQuery(),
              headersOnly.headers(),
              signed.body());
      Caller caller = new Caller(principal, epoch);
      answer =
          protocolKnown
              ? endpoint.handle(service, protocol, withBody, caller, requestId)
              : endpoint.handle(service, withBody, caller, requestId);
    } catch (WharfException e) {
      closeIfRefusedAuthentication(e.code(), response);
      answer = endpoint.error(service, protocol, e, requestId);
    } catch (RuntimeException e) {
      answer = endpoint.error(service, protocol, e, requestId);
    }
    response.setStatus(answer.status());
    answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
    if (answer.stream() != null) {
      StreamingBody stream = answer.stream();
      // A stream lasts as long as its client stays (a Live Tail session: up to three hours), so it
      // is written from a virtual thread of its own, not from the pool's request thread.
      Thread.ofVirtual()
          .name("wharf-stream-" + requestId)
          .start(() -> writeStream(requestId, stream, response, callback));
      return true;
    }
    response.write(true, ByteBuffer.wrap(answer.body()), callback);
    return true;
  }

  /**
   * Writes a streaming answer message by message, each sent (flushed) before the next is asked for,
   * so the client sees an event as soon as the stream has it. A write that fails means the client
   * went away: the stream is closed, which releases what it holds, and so it is at its end and when
   * the server stops.
   */
  private static void writeStream(
      String requestId, StreamingBody stream, Response response, Callback callback) {
    try (stream) {
      byte[] message;
      while ((message = stream.next()) != null) {
        try (Blocker.Callback sent = Blocker.callback()) {
          response.write(false, ByteBuffer.wrap(message), sent);
          sent.block();
        }
      }
      response.write(true, ByteBuffer.allocate(0), callback);
    } catch (IOException e) {
      log.debug("Request {}: the client left its stream: {}", requestId, e.toString());
      callback.failed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      callback.failed(e);
    } catch (RuntimeException e) {
      log.error("Request {}: the stream failed", requestId, e);
      callback.failed(e);
    }
  }

  /**
   * Whether the service the credential names takes requests of this one's protocol: a query request
   * signed for ECS is an ELB request signed wrongly, and is refused as ELB refuses it.
   */
  private static boolean speaks(AwsService<Caller> service, WireProtocol protocol) {
    return service.model().protocols().stream()
        .anyMatch(p -> p == protocol || (p.isJson() && protocol.isJson()));
  }

  /** The request's protocol for this service, or null when it cannot be told. */
  private WireProtocol protocolOrNull(AwsService<Caller> service, ProtocolRequest headersOnly) {
    try {
      return endpoint.protocolOf(service, headersOnly);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private SigV4Verifier.Scope scope(AwsService<Caller> service) {
    return SigV4Verifier.Scope.of(service.model().signingName(), region, MEANINGFUL_HEADERS);
  }

  /**
   * Puts the limits on a request's arrival that Jetty does not have in the connector and server:
   * total deadlines for a request's headers and body ({@link RequestDeadlines}), a bound on the
   * connections not yet authenticated ({@link UnauthenticatedConnections}), and Jetty's own
   * refusals (headers over the limit, 431) answered in the API's error shape.
   */
  public static void installLimits(Server server, ServerConnector connector, ApiHandler api) {
    RequestDeadlines deadlines = new RequestDeadlines(RequestDeadlines.Limits.DEFAULT);
    connector.addEventListener(deadlines);
    server.addBean(deadlines);
    // As a listener it is also a bean of the connector, where UnauthenticatedConnections finds it.
    connector.addEventListener(new UnauthenticatedConnections(MAX_UNAUTHENTICATED_CONNECTIONS));
    HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
    int maxHeaderBytes = http.getHttpConfiguration().getRequestHeaderSize();
    server.setErrorHandler(new ApiErrorHandler(api.endpoint, api.elb, maxHeaderBytes));
  }

  /** A query-protocol request: no target, and a form body or an {@code Action} in the URL. */
  private static boolean isQuery(Request request) {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return true;
    }
    String query = request.getHttpURI().getQuery();
    return query != null && (query.startsWith("Action=") || query.contains("&Action="));
  }

  /** One of Wharf's own operations (join tokens), in ECS's JSON. */
  private void handleWharf(
      Request request, Response response, Callback callback, String requestId, String target) {
    response.getHeaders().put("x-amzn-RequestId", requestId);
    int status;
    JsonNode body;
    try {
      if (!"POST".equals(request.getMethod())) {
        throw new WharfException(
            ErrorCode.UNKNOWN_OPERATION,
            "Wharf's API takes AWS JSON 1.1 requests: POST / with X-Amz-Target.");
      }
      Signed signed = readSigned(request, headers(request), scope(ecs));
      Principal principal = principalOfKey.apply(signed.caller().accessKeyId());
      body =
          ecs.invokeWharf(
              target.substring(EcsApi.wharfTargetPrefix().length() + 1),
              principal,
              JsonWire.parse(signed.body()));
      status = 200;
    } catch (WharfException e) {
      if (e.code().isFault()) {
        log.error("Request {} ({}) failed", requestId, LogText.escape(target), e);
      } else {
        log.debug(
            "Request {} ({}) refused: {} {}",
            requestId,
            LogText.escape(target),
            e.code().wireCode(),
            LogText.escape(e.getMessage()));
      }
      status = e.code().httpStatus();
      closeIfRefusedAuthentication(e.code(), response);
      body =
          error(
              e.code(),
              e.code().isFault()
                  ? "An internal error occurred. Request ID: " + requestId
                  : e.getMessage());
    } catch (RuntimeException e) {
      log.error("Request {} ({}) failed", requestId, LogText.escape(target), e);
      status = 500;
      body = error(ErrorCode.SERVER, "An internal error occurred. Request ID: " + requestId);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      log.error("Request {}: cannot encode the response", requestId, e);
      response.setStatus(500);
      bytes =
          ("{\"__type\":\"ServerException\",\"message\":\"An internal error occurred.\"}")
              .getBytes(StandardCharsets.UTF_8);
    }
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /**
   * A request ID: a random (version 4) UUID from a fast generator. It needs to be unique, not
   * unguessable, and UUID.randomUUID() reads the kernel's entropy for every request.
   */
  static String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low).toString();
  }

  /**
   * Ends the connection once a refusal of the request's authentication is written: a client that
   * could not sign has no use for a kept-alive connection, and one left open would count against
   * {@link UnauthenticatedConnections} until the idle timeout.
   */
  static void closeIfRefusedAuthentication(ErrorCode code, Response response) {
    switch (code) {
      case MISSING_AUTHENTICATION_TOKEN,
          UNRECOGNIZED_CLIENT,
          INVALID_SIGNATURE,
          INCOMPLETE_SIGNATURE ->
          response.getHeaders().put(HttpHeader.CONNECTION, "close");
      default -> {}
    }
  }

  /** A request's body, read within the size limit, and who signed the request. */
  private record Signed(byte[] body, SigV4Verifier.Caller caller) {}

  /**
   * Verifies the request's headers, and only then reads its body (refusing one over the limit, or
   * one the body budget has no room for) and verifies the signature over it. Only a body whose
   * signature holds leaves the budget's chunks, as an array of its own.
   */
  /** The most body bytes this request may send: 1 MiB, PutLogEvents more (see its constant). */
  private static int bodyLimit(AwsService<Caller> service, Map<String, List<String>> headers) {
    List<String> target = headers.get("x-amz-target");
    boolean putLogEvents =
        "logs".equals(service.model().signingName())
            && target != null
            && target.size() == 1
            && PUT_LOG_EVENTS_TARGET.equals(target.getFirst().strip());
    return putLogEvents ? MAX_PUT_LOG_EVENTS_BODY_BYTES : MAX_BODY_BYTES;
  }

  private Signed readSigned(
      Request request, Map<String, List<String>> headers, SigV4Verifier.Scope scope) {
    return readSigned(request, headers, scope, MAX_BODY_BYTES);
  }

  private Signed readSigned(
      Request request, Map<String, List<String>> headers, SigV4Verifier.Scope scope, int limit) {
    SigV4Verifier.PayloadCheck payload =
        verifier.verifyHeaders(
            new SigV4Verifier.SignedRequest(
                request.getMethod(),
                request.getHttpURI().getPath(),
                request.getHttpURI().getQuery(),
                headers,
                null),
            scope);
    long declared = request.getLength();
    if (declared > limit) {
      throw tooLarge(request, limit);
    }
    try (BodyBudget.Reservation body = bodies.reserve();
        InputStream in = Content.Source.asInputStream(request)) {
      if (!body.read(in, declared, limit)) {
        discard(in);
        throw tooLarge(limit);
      }
      SigV4Verifier.Caller caller = payload.verifyPayloadDigest(body.sha256());
      UnauthenticatedConnections.authenticated(request);
      return new Signed(body.toByteArray(), caller);
    } catch (IOException e) {
      // The client went away mid-body, or was too slow and RequestDeadlines closed it: nobody is
      // left to read the answer, which is the caller's fault, not the server's.
      throw new WharfException(
          ErrorCode.CLIENT, "The request body was not received completely: " + e.getMessage());
    }
  }

  /** A body beyond this is not read to its end: the connection is closed under it instead. */
  private static final long MAX_DISCARDED_BYTES = 16L * MAX_BODY_BYTES;

  /**
   * The refusal of a body over the limit, once the body has been read and dropped: a server that
   * answers and closes while the client is still sending makes the kernel reset the connection, and
   * the client may lose the answer with it. Bodies beyond {@link #MAX_DISCARDED_BYTES} are not
   * read; for them the reset is the answer.
   */
  private static WharfException tooLarge(Request request, int limit) {
    if (request.getLength() <= MAX_DISCARDED_BYTES) {
      try (InputStream in = Content.Source.asInputStream(request)) {
        discard(in);
      } catch (IOException e) {
        // The client went away: nobody is left to answer.
      }
    }
    return tooLarge(limit);
  }

  private static void discard(InputStream in) throws IOException {
    byte[] sink = new byte[64 * 1024];
    long total = 0;
    int n;
    while (total <= MAX_DISCARDED_BYTES && (n = in.read(sink)) >= 0) {
      total += n;
    }
  }

  private static WharfException tooLarge(int limit) {
    return WharfException.invalidParameter(
        "The request body is larger than the limit of " + limit + " bytes.");
  }

  /** The request's headers by lower-case name, as the signature verifier takes them. */
  static Map<String, List<String>> headers(Request request) {
    Map<String, List<String>> out = new HashMap<>();
    for (HttpField field : request.getHeaders()) {
      out.computeIfAbsent(field.getLowerCaseName(), k -> new ArrayList<>()).add(field.getValue());
    }
    return out;
  }

  private JsonNode error(ErrorCode code, String message) {
    return json.createObjectNode().put("__type", code.wireCode()).put("message", message);
  }
}
