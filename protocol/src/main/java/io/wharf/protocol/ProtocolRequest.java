package io.wharf.protocol;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request as the HTTP front received it, after it authenticated it. Header names are
 * lower-case; {@code rawQuery} is the URL's query string still percent-encoded, or null; {@code
 * body} is empty (never null) when there is none, and may be empty while only the headers are known
 * ({@link Endpoint#protocolOf}).
 */
public record ProtocolRequest(
    String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
  public ProtocolRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    headers = Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  /** The first value of a header (name in lower case), or null. */
  public String header(String lowerCaseName) {
    List<String> values = headers.get(lowerCaseName);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
