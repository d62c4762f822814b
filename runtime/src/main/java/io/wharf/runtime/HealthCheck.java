package io.wharf.runtime;

import java.util.List;
import java.util.Set;

/**
 * A container health check in ECS form. Zero durations and retries mean the engine's default (the
 * control plane fills in ECS's defaults before a task reaches the agent).
 *
 * @param command {@code ["CMD", executable, args...]} to run a command directly, {@code
 *     ["CMD-SHELL", "command line"]} to run it with the container's shell, or {@code ["NONE"]} to
 *     switch off a check the image defines
 * @param intervalSeconds time between checks
 * @param timeoutSeconds how long one check may take before it counts as failed
 * @param retries consecutive failures before the container is unhealthy
 * @param startPeriodSeconds grace period after start during which failures do not count
 */
public record HealthCheck(
    List<String> command,
    int intervalSeconds,
    int timeoutSeconds,
    int retries,
    int startPeriodSeconds) {

  private static final Set<String> FORMS = Set.of("CMD", "CMD-SHELL", "NONE");

  public HealthCheck {
    if (command == null || command.isEmpty() || !FORMS.contains(command.get(0))) {
      throw new IllegalArgumentException(
          "health check command must start with CMD, CMD-SHELL or NONE, got " + command);
    }
    command = List.copyOf(command);
    if (!command.get(0).equals("NONE") && command.size() < 2) {
      throw new IllegalArgumentException(
          "health check " + command.get(0) + " needs a command after it");
    }
    if (intervalSeconds < 0 || timeoutSeconds < 0 || retries < 0 || startPeriodSeconds < 0) {
      throw new IllegalArgumentException("health check durations and retries must not be negative");
    }
  }
}
