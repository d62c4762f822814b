package io.wharf.runtime;

import java.util.Objects;

/**
 * A container engine call that failed, classified: what went wrong ({@link #kind()}), whether the
 * same call may succeed later ({@link #isRetryable()}), and the name the ECS agent gives such a
 * failure ({@link #ecsErrorName()}), which the agent reports as the container's reason.
 */
public final class ContainerRuntimeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The engine does not answer: socket missing, connection refused or broken. Retryable. */
    ENGINE_UNREACHABLE,
    /** The image is not present locally (create does not pull). */
    IMAGE_NOT_FOUND,
    /** The image could not be pulled: registry unreachable, unknown image, access denied. */
    IMAGE_PULL_FAILED,
    /** The engine refused to create the container (bad spec, name in use, ...). */
    CREATE_FAILED,
    /** The engine could not start the container (bad executable, mount, ...). */
    START_FAILED,
    /** A host port the container asks for is already taken. */
    PORT_IN_USE,
    /** The engine did not answer within the call's timeout. Retryable. */
    TIMEOUT,
    /** There is no such container. */
    NOT_FOUND,
    /** Anything else the engine reported. */
    OTHER
  }

  private final Kind kind;
  private final String ecsErrorName;
  private final boolean retryable;

  /** A failure whose retryability follows from its kind (see {@link #isRetryableByDefault}). */
  public ContainerRuntimeException(
      Kind kind, String ecsErrorName, String message, Throwable cause) {
    this(kind, ecsErrorName, isRetryableByDefault(kind), message, cause);
  }

  public ContainerRuntimeException(
      Kind kind, String ecsErrorName, boolean retryable, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.ecsErrorName = Objects.requireNonNull(ecsErrorName, "ecsErrorName");
    this.retryable = retryable;
  }

  /**
   * Whether failures of a kind are usually transient: an engine that is down or slow comes back,
   * and a registry that cannot be reached may be reachable later (as the ECS agent retries pulls).
   * A spec the engine refused will be refused again.
   */
  public static boolean isRetryableByDefault(Kind kind) {
    return switch (kind) {
      case ENGINE_UNREACHABLE, TIMEOUT, IMAGE_PULL_FAILED -> true;
      case IMAGE_NOT_FOUND, CREATE_FAILED, START_FAILED, PORT_IN_USE, NOT_FOUND, OTHER -> false;
    };
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the same call may succeed if tried again later. */
  public boolean isRetryable() {
    return retryable;
  }

  /**
   * The ECS agent's name for this failure, reported as a stopped container's reason: {@code
   * CannotPullContainerError}, {@code CannotPullContainerAuthError}, {@code
   * CannotCreateContainerError}, {@code CannotStartContainerError}, {@code
   * CannotStopContainerError}, {@code CannotInspectContainerError}, {@code
   * CannotRemoveContainerError}, {@code CannotListContainersError}, {@code DockerTimeoutError}, ...
   */
  public String ecsErrorName() {
    return ecsErrorName;
  }
}
