package io.wharf.controlplane.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.wharf.controlplane.api.elb.ElbApi;
import io.wharf.controlplane.auth.Principal;
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
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
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
 *  request ─▶ size check ─▶ SigV4 ─▶ target ─▶ parse JSON ─▶ model check ─▶ operation ─▶ 200 JSON
 *                 └──────────────┴─────────┴──────────┴────────────┴───────────┴─▶ 4xx/5xx {"__type","message"}
 *  query   ─▶ size check ─▶ SigV4 ─▶ scope elasticloadbalancing ─▶ ElbApi ─▶ 200 XML
 *                 └──────────────┴──────────────┴───────────────────────┴─▶ 4xx/5xx &lt;ErrorResponse>
 * </pre>
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

  private final EcsApi ecs;
  private final ElbApi elb;
  private final SigV4Verifier verifier;
  private final Function<String, Principal> principalOfKey;
  private final ObjectMapper json;

  /**
   * @param principalOfKey who holds a verified access key (the admin, a container instance, a join
   *     token)
   */
  public ApiHandler(
      EcsApi ecs, ElbApi elb, SigV4Verifier verifier, Function<String, Principal> principalOfKey) {
    this.ecs = ecs;
    this.elb = elb;
    this.verifier = verifier;
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
        log.error("Request {} ({}) failed", requestId, target, e);
      } else {
        log.debug(
            "Request {} ({}) refused: {} {}",
            requestId,
            target,
            e.code().wireCode(),
            e.getMessage());
      }
      status = e.code().httpStatus();
      body =
          error(
              e.code(),
              e.code().isFault()
                  ? "An internal error occurred. Request ID: " + requestId
                  : e.getMessage());
    } catch (RuntimeException | IOException e) {
      log.error("Request {} ({}) failed", requestId, target, e);
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
      Signed signed = readSigned(request);
      if (!signed.caller().service().equals(ELB_SERVICE)) {
        throw new WharfException(
            ErrorCode.INVALID_SIGNATURE,
            "Credential should be scoped to correct service: '"
                + ELB_SERVICE
                + "'. Wharf's query"
                + " API is Elastic Load Balancing (v2).");
      }
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
        log.error("Request {} ({}) failed", requestId, action, e);
      } else {
        log.debug("Request {} ({}) refused: {} {}", requestId, action, e.code(), e.getMessage());
      }
      status = ElbApi.errorOf(e.code()).status();
      body =
          elb.errorXml(
              e.code(),
              e.code().isFault()
                  ? "An internal error occurred. Request ID: " + requestId
                  : e.getMessage(),
              requestId);
    } catch (RuntimeException | IOException e) {
      log.error("Request {} ({}) failed", requestId, action, e);
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
  private static String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low).toString();
  }

  private JsonNode dispatch(Request request, String target) throws IOException {
    if (!"POST".equals(request.getMethod())) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION,
          "Wharf's API takes AWS JSON 1.1 requests: POST / with X-Amz-Target.");
    }
    Signed signed = readSigned(request);
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
    return ecs.invoke(target.substring(prefix.length()), principal, input);
  }

  /** A request's body, read within the size limit, and who signed the request. */
  private record Signed(byte[] body, SigV4Verifier.Caller caller) {}

  /** Reads the body (refusing one over the limit) and verifies the request's signature over it. */
  private Signed readSigned(Request request) throws IOException {
    long declared = request.getLength();
    if (declared > MAX_BODY_BYTES) {
      throw tooLarge(request);
    }
    byte[] bytes = readBody(request, declared);
    SigV4Verifier.Caller caller =
        verifier.verify(
            new SigV4Verifier.SignedRequest(
                request.getMethod(),
                request.getHttpURI().getPath(),
                request.getHttpURI().getQuery(),
                headers(request),
                bytes));
    return new Signed(bytes, caller);
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

  private static byte[] readBody(Request request, long declared) throws IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      if (declared >= 0) {
        // Into an array of the declared size, not a 16 KiB buffer copied out (Jetty delivers no
        // more than Content-Length; a shorter body fails the signature's payload hash).
        return in.readNBytes((int) declared);
      }
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        discard(in);
        throw tooLarge();
      }
      return bytes;
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
