package io.wharf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * ECS requests as any AWS client sends them: AWS JSON 1.1 ({@code POST /} with {@code
 * X-Amz-Target}), SigV4-signed with Wharf's own {@link SigV4Signer}, over {@code java.net.http}.
 * Lighter than the AWS SDK, so that on a 2-core machine the load generator takes less of the CPU
 * the server under test needs; the latency measured is still everything a client waits for
 * (signing, HTTP, the server's work, its durable commit, reading the answer).
 *
 * <p>Thread-safe: one instance serves all client threads; its {@link HttpClient} keeps one
 * connection per concurrent request (HTTP/1.1 keep-alive).
 */
final class SignedEcs {
  private static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  // java.net.http sets these itself and refuses them from the caller; the signer's host is the
  // same "address:port" that the client sends.
  private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length");

  // A request unanswered for this long is a broken server, not a slow one.
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /** A non-2xx answer: the ECS error's {@code __type} and message. */
  static final class EcsError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EcsError(String operation, int status, String body) {
      super(operation + " answered HTTP " + status + ": " + body);
    }
  }

  private final HttpClient http;
  private final URI endpoint;
  private final SigV4Signer signer;

  /**
   * @param clock the clock to sign with: the server's, since it refuses signatures more than its
   *     maximum clock skew away (the simulation's clock is virtual)
   */
  SignedEcs(String endpoint, String accessKeyId, String secretAccessKey, Clock clock) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    this.endpoint = URI.create(endpoint + "/");
    this.signer = new SigV4Signer(accessKeyId, secretAccessKey, "us-east-1", "ecs", clock);
  }

  /** Sends one request and returns its parsed answer; throws {@link EcsError} on a non-2xx. */
  JsonNode call(String operation, byte[] body) {
    Map<String, String> signed =
        signer.sign(
            "POST",
            endpoint,
            Map.of("content-type", CONTENT_TYPE, "x-amz-target", TARGET_PREFIX + operation),
            body);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    signed.forEach(
        (name, value) -> {
          if (!SET_BY_CLIENT.contains(name)) {
            request.header(name, value);
          }
        });
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(operation + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(operation + " interrupted", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new EcsError(
          operation, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(operation + " answered unreadable JSON", e);
    }
  }

  JsonNode call(String operation, JsonNode body) {
    try {
      return call(operation, JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
