package io.wharf.runtime.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerRuntimeException.Kind;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * The one place where what Docker and the transport throw becomes a {@link
 * ContainerRuntimeException}. Classification looks, in order, at the transport (can the engine be
 * reached at all?), at the HTTP status the engine answered, and at the engine's message, whose
 * wording has been stable across Docker releases for the cases matched here.
 */
final class DockerErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DockerErrors() {}

  /** The engine calls the driver makes, each with the ECS agent's name for its failure. */
  enum Operation {
    PING("ping the engine", "CannotGetDockerclientError"),
    // The ECS agent inspects the image to decide whether to pull; a failure there fails the pull.
    HAS_IMAGE("inspect image", "CannotPullContainerError"),
    PULL("pull image", "CannotPullContainerError"),
    CREATE("create container", "CannotCreateContainerError"),
    START("start container", "CannotStartContainerError"),
    STOP("stop container", "CannotStopContainerError"),
    REMOVE("remove container", "CannotRemoveContainerError"),
    INSPECT("inspect container", "CannotInspectContainerError"),
    LIST("list containers", "CannotListContainersError"),
    // ECS has no name for this: its agent's event stream failures never leave the agent.
    EVENTS("subscribe to events", "DockerEventStreamError"),
    // Nor for this: the ECS agent never reads logs back, Docker's awslogs driver ships them.
    LOGS("read container log", "CannotReadContainerLogError");

    final String description;
    final String ecsErrorName;

    Operation(String description, String ecsErrorName) {
      this.description = description;
      this.ecsErrorName = ecsErrorName;
    }
  }

  /** The ECS agent's name for any engine call that ran out of time. */
  static final String TIMEOUT_ERROR_NAME = "DockerTimeoutError";

  /** The ECS agent's name for a pull refused by the registry for want of credentials. */
  static final String PULL_AUTH_ERROR_NAME = "CannotPullContainerAuthError";

  /** A call that did not finish within its limit. */
  static ContainerRuntimeException timeout(Operation operation, String subject, Duration limit) {
    return new ContainerRuntimeException(
        Kind.TIMEOUT,
        TIMEOUT_ERROR_NAME,
        describe(operation, subject) + ": timed out after waiting " + format(limit),
        null);
  }

  /** Classifies a failure of {@code operation} on {@code subject} (a container or image name). */
  static ContainerRuntimeException classify(Operation operation, String subject, Throwable error) {
    if (error instanceof ContainerRuntimeException classified) {
      return classified;
    }
    String what = describe(operation, subject);
    Throwable transportFailure = transportFailure(error);
    if (transportFailure != null) {
      return new ContainerRuntimeException(
          Kind.ENGINE_UNREACHABLE,
          operation.ecsErrorName,
          what + ": cannot reach the Docker engine: " + transportFailure,
          error);
    }
    int status = error instanceof DockerException de ? de.getHttpStatus() : 0;
    String engineMessage = engineMessage(error);
    String message = what + ": " + engineMessage;
    String lower = engineMessage.toLowerCase(Locale.ROOT);
    if (isPortInUse(lower)) {
      return new ContainerRuntimeException(
          Kind.PORT_IN_USE, operation.ecsErrorName, message, error);
    }
    Kind kind =
        switch (operation) {
          case PULL -> Kind.IMAGE_PULL_FAILED;
          case CREATE ->
              status == 404 && lower.contains("no such image")
                  ? Kind.IMAGE_NOT_FOUND
                  : Kind.CREATE_FAILED;
          case START -> status == 404 ? Kind.NOT_FOUND : Kind.START_FAILED;
          case STOP, REMOVE, INSPECT, LOGS -> status == 404 ? Kind.NOT_FOUND : Kind.OTHER;
          case PING, HAS_IMAGE, LIST, EVENTS -> Kind.OTHER;
        };
    if (kind == Kind.IMAGE_PULL_FAILED) {
      // The registry said no: asking again will not change its mind. Unreachable registries and
      // interrupted downloads stay retryable, as the ECS agent retries pulls.
      boolean authFailure =
          status == 401
              || lower.contains("unauthorized")
              || lower.contains("authentication required")
              || lower.contains("access denied")
              || lower.contains("denied:");
      boolean unknownImage =
          lower.contains("manifest unknown")
              || lower.contains("not found")
              || lower.contains("invalid reference format")
              || status == 400;
      return new ContainerRuntimeException(
          kind,
          authFailure ? PULL_AUTH_ERROR_NAME : operation.ecsErrorName,
          !authFailure && !unknownImage,
          message,
          error);
    }
    // Engine-side 5xx on reads may pass; the same refusal of a spec will not.
    boolean retryable =
        ContainerRuntimeException.isRetryableByDefault(kind)
            || (kind == Kind.OTHER && status >= 500);
    return new ContainerRuntimeException(kind, operation.ecsErrorName, retryable, message, error);
  }

  /**
   * Docker's two wordings of a taken host port: another container holds it ("Bind for
   * 127.0.0.5:8080 failed: port is already allocated") or another process does ("listen tcp4
   * 127.0.0.5:8080: bind: address already in use", from the userland proxy).
   */
  static boolean isPortInUse(String lowerCaseMessage) {
    return lowerCaseMessage.contains("port is already allocated")
        || lowerCaseMessage.contains("address already in use");
  }

  /**
   * The transport-level cause that means the engine cannot be reached (socket file missing,
   * connection refused or reset, engine closed the connection mid-answer), or null if the engine
   * answered.
   */
  static Throwable transportFailure(Throwable error) {
    if (error instanceof DockerException) {
      return null; // the engine answered, with an HTTP error status
    }
    // docker-java wraps the transport's IOExceptions (ConnectException, "No such file or
    // directory" for a missing socket, resets, ConnectionClosedException, ...) in a
    // RuntimeException. A body Jackson cannot read is the engine answering oddly, not absent.
    for (Throwable t = error; t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof IOException && !(t instanceof JsonProcessingException)) {
        return t;
      }
    }
    return null;
  }

  /**
   * The engine's own words: Docker answers errors with {@code {"message": "..."}}, which
   * docker-java puts after "Status NNN: " in its exception's message.
   */
  static String engineMessage(Throwable error) {
    String raw = error.getMessage() == null ? error.toString() : error.getMessage();
    int brace = raw.indexOf('{');
    if (error instanceof DockerException && brace >= 0) {
      try {
        JsonNode body = JSON.readTree(raw.substring(brace));
        if (body.hasNonNull("message")) {
          return body.get("message").asText();
        }
      } catch (Exception notJson) {
        // fall through to the raw text
      }
    }
    return raw.strip();
  }

  static String describe(Operation operation, String subject) {
    return subject == null ? operation.description : operation.description + " " + subject;
  }

  /** Go's duration style, as the ECS agent prints it: 4m0s, 30s, 2h0m0s. */
  static String format(Duration d) {
    long hours = d.toHours();
    int minutes = d.toMinutesPart();
    int seconds = d.toSecondsPart();
    int millis = d.toMillisPart();
    String secondsText = millis == 0 ? seconds + "s" : String.format("%d.%03ds", seconds, millis);
    if (hours > 0) {
      return hours + "h" + minutes + "m" + secondsText;
    }
    if (minutes > 0) {
      return minutes + "m" + secondsText;
    }
    return secondsText;
  }
}
