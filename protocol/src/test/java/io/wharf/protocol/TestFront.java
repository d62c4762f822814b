package io.wharf.protocol;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test-only HTTP front on 127.0.0.1 and a free port: finds the service by the SigV4 credential
 * scope's service name (the signature itself is not checked: that is the real front's job) and
 * hands the request to the {@link Endpoint}. The caller is the access key id.
 */
final class TestFront implements AutoCloseable {
  private static final Pattern SCOPE =
      Pattern.compile("Credential=([^/,\\s]+)/[^/]+/[^/]+/([^/]+)/aws4_request");

  private final HttpServer server;

  /** The wire protocol of every request served, in order: which one a client really spoke. */
  final java.util.Queue<WireProtocol> protocols =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  TestFront(Endpoint<String> endpoint) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> serve(endpoint, exchange, protocols));
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void serve(
      Endpoint<String> endpoint, HttpExchange exchange, java.util.Queue<WireProtocol> protocols)
      throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, List<String>> headers = new HashMap<>();
      exchange
          .getRequestHeaders()
          .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
      ProtocolRequest request =
          new ProtocolRequest(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestURI().getRawQuery(),
              headers,
              body);
      String authorization = request.header("authorization");
      Matcher scope = SCOPE.matcher(authorization == null ? "" : authorization);
      ProtocolResponse response;
      if (!scope.find() || endpoint.service(scope.group(2)).isEmpty()) {
        response =
            new ProtocolResponse(
                400,
                Map.of("Content-Type", "text/plain"),
                "no such service".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else {
        protocols.add(endpoint.protocolOf(endpoint.service(scope.group(2)).orElseThrow(), request));
        response =
            endpoint.handle(
                endpoint.service(scope.group(2)).orElseThrow(),
                request,
                scope.group(1),
                UUID.randomUUID().toString());
      }
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      exchange.sendResponseHeaders(
          response.status(), response.body().length == 0 ? -1 : response.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
