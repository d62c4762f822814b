package io.wharf.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Sends hand-made requests (malformed bodies, odd targets, bad signatures) that the SDK would never
 * send, signed by the SDK's own SigV4 signer unless told otherwise.
 */
final class RawClient {
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection");
  private static final ObjectMapper JSON = new ObjectMapper();

  record Answer(int status, JsonNode body, Map<String, List<String>> headers) {
    String type() {
      return body.path("__type").asText();
    }

    String message() {
      return body.path("message").asText();
    }
  }

  private final String endpoint;
  private final HttpClient http = HttpClient.newHttpClient();

  RawClient(String endpoint) {
    this.endpoint = endpoint;
  }

  Answer send(String target, String body) {
    return send(target, body, TestServer.KEY_ID, TestServer.SECRET, Clock.systemUTC());
  }

  Answer send(String target, String body, String keyId, String secret, Clock clock) {
    SdkHttpRequest.Builder request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(endpoint + "/"))
            .putHeader("Content-Type", "application/x-amz-json-1.1");
    if (target != null) {
      request.putHeader("X-Amz-Target", target);
    }
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(keyId, secret))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ecs")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
    HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(endpoint + "/"));
    signed
        .request()
        .headers()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> out.header(name, v));
              }
            });
    return exchange(out.POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  Answer unsigned(String target, String body) {
    return exchange(
        HttpRequest.newBuilder(URI.create(endpoint + "/"))
            .header("X-Amz-Target", target)
            .header("Content-Type", "application/x-amz-json-1.1")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** A reply as it came: status, content type and body text. */
  record Reply(int status, String contentType, String body) {}

  /**
   * Posts {@code body} as it is (any bytes), signed for {@code service} unless the signature is to
   * be left out; {@code target} may be null.
   */
  Reply post(String target, String contentType, String service, byte[] body) {
    SdkHttpRequest.Builder request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(endpoint + "/"))
            .putHeader("Content-Type", contentType);
    if (target != null) {
      request.putHeader("X-Amz-Target", target);
    }
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(TestServer.KEY_ID, TestServer.SECRET))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
    HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(endpoint + "/"));
    signed
        .request()
        .headers()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> out.header(name, v));
              }
            });
    try {
      HttpResponse<String> response =
          http.send(
              out.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(
          response.statusCode(),
          response.headers().firstValue("content-type").orElse(""),
          response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends a signed JSON 1.1 request to this endpoint's address but names {@code host} in its {@code
   * Host} header (and signs it so), as an SDK does when an operation prefixes the host ({@code
   * stream-}); a plain socket, since {@link HttpClient} sets the Host header itself.
   *
   * @return the status line and the body
   */
  Reply sendAddressedTo(String host, String target, String body) {
    URI at = URI.create(endpoint);
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create("http://" + host + ":" + at.getPort() + "/"))
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", target)
            .build();
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(TestServer.KEY_ID, TestServer.SECRET))
                        .request(request)
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ecs")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
    byte[] payload = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
    head.append("Host: ").append(host).append(':').append(at.getPort()).append("\r\n");
    signed
        .request()
        .headers()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
              }
            });
    head.append("Content-Length: ").append(payload.length).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    try (java.net.Socket socket = new java.net.Socket(at.getHost(), at.getPort())) {
      socket
          .getOutputStream()
          .write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().write(payload);
      socket.getOutputStream().flush();
      String answer =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      int bodyStart = answer.indexOf("\r\n\r\n") + 4;
      return new Reply(status, "", answer.substring(bodyStart));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Answer exchange(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(
          response.statusCode(), JSON.readTree(response.body()), response.headers().map());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
