package io.wharf.protocol;

import java.util.Objects;

/**
 * An error of one service's own vocabulary: {@code code} is the error shape's name in the service's
 * model (e.g. {@code ResourceNotFoundException}); the HTTP status, the query {@code <Code>} and
 * whether the sender is at fault come from that shape's {@code error} traits (default 400, sender).
 * A code that is not an error shape of the model is a programming error, answered as a fault.
 */
public class AwsServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public AwsServiceException(String code, String message) {
    super(Objects.requireNonNull(message, "message"));
    this.code = Objects.requireNonNull(code, "code");
  }

  public String code() {
    return code;
  }
}
