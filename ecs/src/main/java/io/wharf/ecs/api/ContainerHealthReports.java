package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The container health Wharf's agent reports with each container's state: a {@code healthStatus}
 * beside the members of ECS's {@code ContainerStateChange} and {@code
 * SubmitContainerStateChangeRequest}. ECS's model has no such member (Amazon's agent sends health
 * over its telemetry connection instead), so a typed request, whose components are the model's
 * members only, cannot carry it: this reads it from the request beside the binding and hands it to
 * the typed operation.
 */
final class ContainerHealthReports {
  private ContainerHealthReports() {}

  /** A typed operation that also takes the reported health. */
  @FunctionalInterface
  interface Handler<I, H, O> {
    O handle(Operation.Caller caller, I input, H health);
  }

  /** SubmitContainerStateChange: the one container's reported health, null when it reports none. */
  static <I, O> Operation ofContainer(Class<I> input, Handler<I, String, O> handler) {
    return (caller, request) -> {
      String health = text(request.get("healthStatus"));
      return Typed.of(input, (c, bound) -> handler.handle(c, bound, health))
          .invoke(caller, request);
    };
  }

  /**
   * SubmitTaskStateChange: the health of each entry of {@code containers}, by position (null where
   * an entry reports none).
   */
  static <I, O> Operation ofTask(Class<I> input, Handler<I, List<String>, O> handler) {
    return (caller, request) -> {
      List<String> health = byPosition(request.get("containers"));
      return Typed.of(input, (c, bound) -> handler.handle(c, bound, health))
          .invoke(caller, request);
    };
  }

  /**
   * A reported timestamp at the millisecond, rounded half up as {@link
   * io.wharf.core.api.Timestamps#parse} does for the requests it reads: the binding keeps the
   * nanoseconds the client sent.
   */
  static Instant toMillis(Instant reported) {
    if (reported == null) {
      return null;
    }
    BigDecimal seconds =
        BigDecimal.valueOf(reported.getEpochSecond())
            .add(BigDecimal.valueOf(reported.getNano(), 9));
    return Instant.ofEpochMilli(
        seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact());
  }

  private static List<String> byPosition(JsonNode containers) {
    if (containers == null || !containers.isArray()) {
      return Collections.emptyList();
    }
    List<String> health = new ArrayList<>(containers.size());
    for (JsonNode c : containers) {
      health.add(text(c.get("healthStatus")));
    }
    return health;
  }

  private static String text(JsonNode value) {
    return value == null || value.isNull() ? null : value.asText();
  }
}
