package io.wharf.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The answer to write: status, headers (their names as AWS writes them) and body; or, when {@code
 * stream} is not null, the status and headers and then the stream's messages as they come (the body
 * is then empty).
 */
public record ProtocolResponse(
    int status, Map<String, String> headers, byte[] body, StreamingBody stream) {
  public ProtocolResponse {
    headers = Map.copyOf(headers);
  }

  /** An answer whose body is all there. */
  public ProtocolResponse(int status, Map<String, String> headers, byte[] body) {
    this(status, headers, body, null);
  }

  /** The body as UTF-8 text (JSON and XML answers). */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
