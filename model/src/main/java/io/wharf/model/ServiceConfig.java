package io.wharf.model;

import java.util.Objects;

/**
 * What a service deployment rolls out: the task definition and the settings that shape its tasks
 * and its rollout. A change to any of them (or {@code forceNewDeployment}) starts a new deployment;
 * a change to {@code desiredCount} does not.
 *
 * @param taskDefinitionArn the task definition every task of the deployment runs
 * @param maximumPercent upper bound of RUNNING + PENDING tasks, in percent of desiredCount
 * @param minimumHealthyPercent lower bound of healthy RUNNING tasks, in percent of desiredCount
 * @param circuitBreaker whether the deployment circuit breaker is enabled
 * @param rollback whether a failed deployment rolls back to the last completed one
 * @param placementConstraints the service's {@code placementConstraints} as given (a JSON array),
 *     or null
 * @param placementStrategy the service's {@code placementStrategy} as given, or null (then ECS's
 *     default for services: spread over availability zones, then instances)
 * @param healthCheckGracePeriodSeconds health-check failures are ignored this long after start
 * @param loadBalancers the service's {@code loadBalancers} as given, or null
 */
public record ServiceConfig(
    String taskDefinitionArn,
    int maximumPercent,
    int minimumHealthyPercent,
    boolean circuitBreaker,
    boolean rollback,
    Document placementConstraints,
    Document placementStrategy,
    int healthCheckGracePeriodSeconds,
    Document loadBalancers) {
  public ServiceConfig {
    Objects.requireNonNull(taskDefinitionArn, "taskDefinitionArn");
  }

  public ServiceConfig withTaskDefinition(String arn) {
    return new ServiceConfig(
        arn,
        maximumPercent,
        minimumHealthyPercent,
        circuitBreaker,
        rollback,
        placementConstraints,
        placementStrategy,
        healthCheckGracePeriodSeconds,
        loadBalancers);
  }
}
