package io.wharf.ecs.service;

import io.wharf.model.Service;
import io.wharf.model.ServiceEvent;
import io.wharf.scheduler.Failure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The service scheduler's events, in ECS's wording as the API returns it ({@code (service X) ...};
 * ECS's documentation writes {@code service (X)}).
 */
public final class ServiceEvents {
  /** ECS suppresses a repeated event for up to six hours. */
  static final Duration DUPLICATE_WINDOW = Duration.ofHours(6);

  private ServiceEvents() {}

  /**
   * The events with {@code message} added as the newest, unless the newest event already says the
   * same within the duplicate window; at most {@link Service#MAX_EVENTS} are kept.
   */
  public static List<ServiceEvent> add(
      List<ServiceEvent> events, String message, Instant now, Supplier<String> ids) {
    if (!events.isEmpty()) {
      ServiceEvent newest = events.getFirst();
      if (newest.message().equals(message)
          && newest.createdAt().plus(DUPLICATE_WINDOW).isAfter(now)) {
        return events;
      }
    }
    List<ServiceEvent> out = new ArrayList<>(Math.min(events.size() + 1, Service.MAX_EVENTS));
    out.add(new ServiceEvent(ids.get(), now, message));
    for (int i = 0; i < events.size() && out.size() < Service.MAX_EVENTS; i++) {
      out.add(events.get(i));
    }
    return out;
  }

  static String started(String service, List<String> taskIds) {
    return "(service "
        + service
        + ") has started "
        + taskIds.size()
        + " tasks: "
        + ids(taskIds)
        + ".";
  }

  static String stopped(String service, List<String> taskIds) {
    return "(service "
        + service
        + ") has stopped "
        + taskIds.size()
        + " running tasks: "
        + ids(taskIds)
        + ".";
  }

  static String steady(String service) {
    return "(service " + service + ") has reached a steady state.";
  }

  static String completed(String service, String deploymentId) {
    return "(service " + service + ") (deployment " + deploymentId + ") deployment completed.";
  }

  static String failed(String service, String deploymentId) {
    return "(service "
        + service
        + ") (deployment "
        + deploymentId
        + ") deployment failed: tasks failed to start.";
  }

  static String rollingBack(String service, String deploymentId, String target) {
    return "(service "
        + service
        + ") (deployment "
        + deploymentId
        + ") deployment failed: rolling back to deployment "
        + target
        + ".";
  }

  static String throttled(String service) {
    return "(service " + service + ") is unable to consistently start tasks successfully.";
  }

  static String blocked(String service) {
    return "(service "
        + service
        + ") was unable to stop or start tasks during a deployment because of the service"
        + " deployment configuration. Update the minimumHealthyPercent or maximumPercent value and"
        + " try again.";
  }

  /** No instance could take a task; names the closest one and why, as ECS does. */
  static String unableToPlace(String service, Failure closest) {
    String head =
        "(service "
            + service
            + ") was unable to place a task because no container instance met all of its"
            + " requirements.";
    String tail = " For more information, see the Troubleshooting section.";
    if (closest == null || closest.arn() == null) {
      String reason = closest == null ? Failure.NO_CONTAINER_INSTANCES : closest.reason();
      return head + " Reason: " + reason + tail;
    }
    String id = closest.arn().substring(closest.arn().lastIndexOf('/') + 1);
    String why =
        switch (closest.reason()) {
          case Failure.RESOURCE_CPU -> "has insufficient CPU units available.";
          case Failure.RESOURCE_MEMORY -> "has insufficient memory available.";
          case Failure.RESOURCE_PORTS -> "is already using a port required by your task.";
          case Failure.ATTRIBUTE -> "is missing an attribute required by your task.";
          default -> "encountered error \"" + closest.reason() + "\".";
        };
    return head + " The closest matching (container-instance " + id + ") " + why + tail;
  }

  private static String ids(List<String> taskIds) {
    StringBuilder out = new StringBuilder();
    for (String id : taskIds) {
      if (!out.isEmpty()) {
        out.append(' ');
      }
      out.append("(task ").append(id).append(')');
    }
    return out.toString();
  }
}
