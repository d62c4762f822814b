package io.wharf.ecs.service;

/** Figures of ECS's service scheduler that the API reports too. */
public final class Thresholds {
  private Thresholds() {}

  /** The deployment circuit breaker's threshold for a desired count. */
  public static int circuitBreaker(int desiredCount) {
    return Rollouts.threshold(desiredCount);
  }
}
