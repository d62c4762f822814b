package io.wharf.model;

import java.util.Objects;

/**
 * An error with an ECS error code and a message meant for the caller. Thrown by validation and by
 * commands; the API layer answers it as {@code {"__type": code, "message": message}}.
 */
public final class WharfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public WharfException(ErrorCode code, String message) {
    super(Objects.requireNonNull(message, "message"));
    this.code = Objects.requireNonNull(code, "code");
  }

  public WharfException(ErrorCode code, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  public static WharfException invalidParameter(String message) {
    return new WharfException(ErrorCode.INVALID_PARAMETER, message);
  }

  public static WharfException client(String message) {
    return new WharfException(ErrorCode.CLIENT, message);
  }

  public static WharfException clusterNotFound() {
    return new WharfException(ErrorCode.CLUSTER_NOT_FOUND, "Cluster not found.");
  }
}
