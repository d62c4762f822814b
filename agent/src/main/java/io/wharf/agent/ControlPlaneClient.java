package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.sigv4.SigV4Signer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The agent's ECS API client: SigV4-signed AWS JSON 1.1 calls, like any SDK makes.
 *
 * <p>Thread-safe. Every call has a timeout; a call that fails is reported as a {@link CallFailed}
 * that says whether trying again can help.
 */
final class ControlPlaneClient {
  private static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";

  /** A control plane that does not answer in this time is treated as down; calls are retried. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  private static final Set<String> HOP_HEADERS = Set.of("host", "content-length");

  /** A failed call: the ECS error code (or a transport failure) and whether a retry may succeed. */
  static final class CallFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;
    final boolean retryable;

    CallFailed(String code, String message, boolean retryable) {
      super(code + ": " + message);
      this.code = code;
      this.retryable = retryable;
    }
  }

  /** The target prefix of Wharf's own operations (the join-token exchange). */
  static final String WHARF_TARGET_PREFIX = "WharfV1.";

  /** Where the agent's registration epoch travels (see {@link #registeredAt}). */
  static final String EPOCH_HEADER = "x-wharf-registration-epoch";

  /** The attribute of RegisterContainerInstance's answer that carries the epoch. */
  static final String EPOCH_ATTRIBUTE = "ecs.wharf.registration-epoch";

  private final URI endpoint;
  private final String region;
  private final Clock clock;
  private volatile SigV4Signer signer;

  /** The same key, signing for CloudWatch Logs (the awslogs delivery's calls). */
  private volatile SigV4Signer logsSigner;

  /** The epoch this process's registration got; 0 before it registered. */
  private volatile long registrationEpoch;

  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  ControlPlaneClient(URI endpoint, String region, Clock clock) {
    this.endpoint = endpoint;
    this.region = region;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  static ControlPlaneClient of(AgentConfig config, Clock clock) {
    return new ControlPlaneClient(config.endpoint(), config.region(), clock);
  }

  /** From now on every call is signed with this key (the instance's own). */
  void use(AgentKey key) {
    signer = signerFor(key.accessKeyId(), key.secretAccessKey());
    logsSigner = new SigV4Signer(key.accessKeyId(), key.secretAccessKey(), region, "logs", clock);
  }

  /**
   * From now on every call carries this registration epoch (signed, so it cannot be stripped or
   * replaced in transit): a newer registration of the instance fences this process out.
   */
  void registeredAt(long epoch) {
    registrationEpoch = epoch;
  }

  /** The headers to sign besides the protocol's own: the registration epoch, once known. */
  Map<String, String> epochHeaders() {
    long epoch = registrationEpoch;
    return epoch > 0 ? Map.of(EPOCH_HEADER, Long.toString(epoch)) : Map.of();
  }

  /**
   * Whether the control plane refused a call because a newer process of this instance registered
   * since this one did: retrying cannot help, and this process must make way.
   */
  static boolean isStaleEpoch(CallFailed e) {
    return e.code.equals("ClientException")
        && e.getMessage().contains("is stale: the instance was registered again");
  }

  SigV4Signer signerFor(String accessKeyId, String secret) {
    return new SigV4Signer(accessKeyId, secret, region, "ecs", clock);
  }

  ObjectMapper json() {
    return json;
  }

  SigV4Signer signer() {
    SigV4Signer s = signer;
    if (s == null) {
      throw new IllegalStateException("The agent has no key yet: it has not joined.");
    }
    return s;
  }

  URI endpoint() {
    return endpoint;
  }

  /** Calls an ECS operation; returns the response body. */
  JsonNode call(String operation, ObjectNode body) throws CallFailed {
    return call(TARGET_PREFIX + operation, body, signer());
  }

  /** The target prefix of CloudWatch Logs' JSON 1.1 API. */
  static final String LOGS_TARGET_PREFIX = "Logs_20140328.";

  /**
   * Calls a CloudWatch Logs operation, signed for {@code logs} with the instance's own key. A
   * maximal PutLogEvents batch takes longer to send and store than an ECS call, hence its own time
   * limit.
   */
  JsonNode callLogs(String operation, ObjectNode body, Duration timeout) throws CallFailed {
    SigV4Signer s = logsSigner;
    if (s == null) {
      throw new IllegalStateException("The agent has no key yet: it has not joined.");
    }
    return call(LOGS_TARGET_PREFIX + operation, body, s, timeout);
  }

  /** Calls one of Wharf's own operations, signed as given (by a join token). */
  JsonNode callWharf(String operation, ObjectNode body, SigV4Signer signedBy) throws CallFailed {
    return call(WHARF_TARGET_PREFIX + operation, body, signedBy);
  }

  private JsonNode call(String target, ObjectNode body, SigV4Signer signer) throws CallFailed {
    return call(target, body, signer, CALL_TIMEOUT);
  }

  private JsonNode call(String target, ObjectNode body, SigV4Signer signer, Duration timeout)
      throws CallFailed {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new CallFailed("ClientError", e.getMessage(), false);
    }
    URI uri = endpoint.resolve("/");
    Map<String, String> given = new java.util.HashMap<>(epochHeaders());
    given.put("content-type", "application/x-amz-json-1.1");
    given.put("x-amz-target", target);
    Map<String, String> headers = signer.sign("POST", uri, given, bytes);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    headers.forEach(
        (k, v) -> {
          if (!HOP_HEADERS.contains(k)) {
            request.header(k, v);
          }
        });
    HttpResponse<String> response;
    try {
      response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CallFailed(
          "Unreachable", "the control plane at " + endpoint + " did not answer: " + e, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallFailed("Interrupted", "interrupted", true);
    }
    JsonNode answer;
    try {
      answer = json.readTree(response.body());
    } catch (IOException e) {
      throw new CallFailed("BadResponse", "unreadable response: " + response.body(), true);
    }
    if (response.statusCode() / 100 == 2) {
      return answer;
    }
    String code = answer.path("__type").asText("Unknown");
    boolean retryable = response.statusCode() >= 500 || code.equals("ThrottlingException");
    throw new CallFailed(code, answer.path("message").asText(""), retryable);
  }
}
