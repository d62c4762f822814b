package io.wharf.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The answer to write: status, headers (their names as AWS writes them) and body. */
public record ProtocolResponse(int status, Map<String, String> headers, byte[] body) {
  public ProtocolResponse {
    headers = Map.copyOf(headers);
  }

  /** The body as UTF-8 text (JSON and XML answers). */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
