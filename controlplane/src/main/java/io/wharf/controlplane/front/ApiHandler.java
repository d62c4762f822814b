package io.wharf.controlplane.front;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.wharf.core.api.LogText;
import io.wharf.core.auth.Principal;
import io.wharf.ecs.api.EcsApi;
import io.wharf.ecs.api.RegistrationEpochs;
import io.wharf.ecs.api.Wire;
import io.wharf.elb.api.ElbApi;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.sigv4.SigV4Verifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front of every AWS-compatible API on Wharf's one port, dispatched by the request's
 * protocol: AWS JSON 1.1 over {@code POST /} routed by {@code X-Amz-Target} (ECS), and the AWS
 * query protocol, a form-encoded body with {@code Action} and {@code Version} signed for the {@code
 * elasticloadbalancing} service (ELBv2). Every request is SigV4-verified.
 *
 * <pre>
 *  request ─▶ SigV4 headers ─▶ size ─▶ body budget ─▶ read body ─▶ SigV4 payload ─▶ target ─▶ parse ─▶ operation ─▶ 200 JSON
 *                 └──────────────┴──────────┴─────────────┴──────────────┴────────────┴─────────┴─────────┴─▶ 4xx/5xx {"__type","message"}
 *  query   ─▶ (the same, scoped to elasticloadbalancing) ─▶ ElbApi ─▶ 200 XML
 *                 └──────────────────────────────────────────────┴─▶ 4xx/5xx &lt;ErrorResponse>
 * </pre>
 *
 * <p>Authentication comes first: whatever the headers can decide (the signature's form, its time,
 * its credential scope against this server's region and the API's service, the access key, and the
 * signature itself when the payload's hash is declared) is decided before a byte of the body is
 * read, so an unsigned or mis-signed request costs its headers only. A body that does have to be
 * read is held within a {@link BodyBudget} shared by all requests. The headers the API reads to
 * decide what a request means ({@code X-Amz-Target}, {@code Content-Type}) must be signed, and
 * {@code UNSIGNED-PAYLOAD} is refused.
 *
 * <p>A request is a query request when it has no {@code X-Amz-Target} and its body is form-encoded
 * (or its URL carries {@code Action}); its errors, signature errors included, are answered in XML.
 *
 * <p>Every failure is classified: a {@link WharfException} of a client code is the caller's fault
 * and answered as is; anything else is a fault, logged with the request id and answered as {@code
 * ServerException} without internals.
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
    "x-amz-target", "content-type", RegistrationEpochs.HEADER
  };

  private final EcsApi ecs;
  private final ElbApi elb;
  private final SigV4Verifier verifier;
  private final SigV4Verifier.Scope ecsScope;
  private final SigV4Verifier.Scope elbScope;
  private final BodyBudget bodies;
  private final Function<String, Principal> principalOfKey;
  private final ObjectMapper json;

  /**
   * @param region the server's region: requests must be signed for it
   * @param principalOfKey who holds a verified access key (the admin, a container instance, a join
   *     token)
   */
  public ApiHandler(
      EcsApi ecs,
      ElbApi elb,
      SigV4Verifier verifier,
      String region,
      Function<String, Principal> principalOfKey) {
    this.ecs = ecs;
    this.elb = elb;
    this.verifier = verifier;
    this.ecsScope = SigV4Verifier.Scope.of(ECS_SERVICE, region, MEANINGFUL_HEADERS);
    this.elbScope = SigV4Verifier.Scope.of(ELB_SERVICE, region, MEANINGFUL_HEADERS);
    this.bodies = new BodyBudget(MAX_BUFFERED_BODY_BYTES);
    this.principalOfKey = principalOfKey;
    this.json =
        Wire.forVirtualThreads(
            new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS));
    this.json
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String requestId = requestId();
    response.getHeaders().put("x-amzn-RequestId", requestId);
    String target = request.getHeaders().get("X-Amz-Target");
    if (target == null && isQuery(request)) {
      handleQuery(request, response, callback, requestId);
      return true;
    }
    int status;
    JsonNode body;
    try {
      body = dispatch(request, target);
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
    return true;
  }

  /**
   * Puts the limits on a request's arrival that Jetty does not have in the connector and server:
   * total deadlines for a request's headers and body ({@link RequestDeadlines}), a bound on the
   * connections not yet authenticated ({@link UnauthenticatedConnections}), and Jetty's own
   * refusals (headers over the limit, 431) answered in the API's error shape.
   */
  public static void installLimits(Server server, ServerConnector connector, ElbApi elb) {
    RequestDeadlines deadlines = new RequestDeadlines(RequestDeadlines.Limits.DEFAULT);
    connector.addEventListener(deadlines);
    server.addBean(deadlines);
    // As a listener it is also a bean of the connector, where UnauthenticatedConnections finds it.
    connector.addEventListener(new UnauthenticatedConnections(MAX_UNAUTHENTICATED_CONNECTIONS));
    HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
    int maxHeaderBytes = http.getHttpConfiguration().getRequestHeaderSize();
    server.setErrorHandler(new ApiErrorHandler(elb, maxHeaderBytes));
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

  private void handleQuery(
      Request request, Response response, Callback callback, String requestId) {
    int status;
    String body;
    String action = null;
    try {
      if (!"POST".equals(request.getMethod()) && !"GET".equals(request.getMethod())) {
        throw new WharfException(
            ErrorCode.UNKNOWN_OPERATION, "Query requests are POST (or GET) requests.");
      }
      Signed signed = readSigned(request, elbScope);
      Map<String, String> params = new LinkedHashMap<>();
      String query = request.getHttpURI().getQuery();
      if (query != null) {
        params.putAll(ElbApi.decodeForm(query));
      }
      params.putAll(ElbApi.decodeForm(new String(signed.body(), StandardCharsets.UTF_8)));
      action = params.get("Action");
      Principal principal = principalOfKey.apply(signed.caller().accessKeyId());
      if (!(principal instanceof Principal.Admin)) {
        // Only the admin manages load balancers; instance keys and join tokens are for agents.
        throw new WharfException(
            ErrorCode.ACCESS_DENIED,
            "User: "
                + principal.arn()
                + " is not authorized to perform: elasticloadbalancing:"
                + action
                + " because no identity-based policy allows the elasticloadbalancing:"
                + action
                + " action");
      }
      body = elb.invoke(params, requestId);
      status = 200;
    } catch (WharfException e) {
      if (e.code().isFault()) {
        log.error("Request {} ({}) failed", requestId, LogText.escape(action), e);
      } else {
        log.debug(
            "Request {} ({}) refused: {} {}",
            requestId,
            LogText.escape(action),
            e.code(),
            LogText.escape(e.getMessage()));
      }
      status = ElbApi.errorOf(e.code()).status();
      closeIfRefusedAuthentication(e.code(), response);
      body =
          elb.errorXml(
              e.code(),
              e.code().isFault()
                  ? "An internal error occurred. Request ID: " + requestId
                  : e.getMessage(),
              requestId);
    } catch (RuntimeException e) {
      log.error("Request {} ({}) failed", requestId, LogText.escape(action), e);
      status = 500;
      body =
          elb.errorXml(
              ErrorCode.SERVER, "An internal error occurred. Request ID: " + requestId, requestId);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, XML_CONTENT_TYPE);
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
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

  private JsonNode dispatch(Request request, String target) {
    if (!"POST".equals(request.getMethod())) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION,
          "Wharf's API takes AWS JSON 1.1 requests: POST / with X-Amz-Target.");
    }
    Signed signed = readSigned(request, ecsScope);
    Principal principal = principalOfKey.apply(signed.caller().accessKeyId());
    String wharfPrefix = EcsApi.wharfTargetPrefix() + ".";
    if (target != null && target.startsWith(wharfPrefix)) {
      return ecs.invokeWharf(
          target.substring(wharfPrefix.length()), principal, parse(signed.body()));
    }
    String prefix = ecs.model().targetPrefix() + ".";
    if (target == null || !target.startsWith(prefix)) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION,
          target == null
              ? "The request has no X-Amz-Target header."
              : "Unknown operation " + target + ".");
    }
    JsonNode input = parse(signed.body());
    long epoch = RegistrationEpochs.parse(request.getHeaders().get(RegistrationEpochs.HEADER));
    return ecs.invoke(target.substring(prefix.length()), principal, epoch, input);
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
  private Signed readSigned(Request request, SigV4Verifier.Scope scope) {
    SigV4Verifier.PayloadCheck payload =
        verifier.verifyHeaders(
            new SigV4Verifier.SignedRequest(
                request.getMethod(),
                request.getHttpURI().getPath(),
                request.getHttpURI().getQuery(),
                headers(request),
                null),
            scope);
    long declared = request.getLength();
    if (declared > MAX_BODY_BYTES) {
      throw tooLarge(request);
    }
    try (BodyBudget.Reservation body = bodies.reserve();
        InputStream in = Content.Source.asInputStream(request)) {
      if (!body.read(in, declared, MAX_BODY_BYTES)) {
        discard(in);
        throw tooLarge();
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

  private JsonNode parse(byte[] bytes) {
    if (bytes.length == 0) {
      return json.createObjectNode();
    }
    try (JsonParser parser = json.createParser(bytes)) {
      JsonNode node = json.readTree(parser);
      if (node == null || node.isMissingNode()) {
        return json.createObjectNode();
      }
      // One JSON value and nothing after it: "{...}{...}" or "{} x" is refused, not half-read.
      if (parser.nextToken() != null) {
        throw new WharfException(
            ErrorCode.SERIALIZATION,
            "The request body must be one JSON object with nothing after it.");
      }
      if (!node.isObject()) {
        throw new WharfException(
            ErrorCode.SERIALIZATION, "The request body must be a JSON object.");
      }
      return node;
    } catch (IOException e) {
      throw new WharfException(
          ErrorCode.SERIALIZATION,
          "The request body is not valid JSON: " + firstLine(e.getMessage()));
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
  private static WharfException tooLarge(Request request) {
    if (request.getLength() <= MAX_DISCARDED_BYTES) {
      try (InputStream in = Content.Source.asInputStream(request)) {
        discard(in);
      } catch (IOException e) {
        // The client went away: nobody is left to answer.
      }
    }
    return tooLarge();
  }

  private static void discard(InputStream in) throws IOException {
    byte[] sink = new byte[64 * 1024];
    long total = 0;
    int n;
    while (total <= MAX_DISCARDED_BYTES && (n = in.read(sink)) >= 0) {
      total += n;
    }
  }

  private static WharfException tooLarge() {
    return WharfException.invalidParameter(
        "The request body is larger than the limit of " + MAX_BODY_BYTES + " bytes.");
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

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
