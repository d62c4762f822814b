package io.wharf.model;

import java.util.List;
import java.util.Objects;

/**
 * One container of a task as ECS reports it.
 *
 * @param lastStatus PENDING, RUNNING or STOPPED (what the agent reports)
 * @param reason why it stopped, in the agent's {@code ErrorName: message} form, or null
 * @param runtimeId the Docker container id, once created
 * @param healthStatus HEALTHY, UNHEALTHY or UNKNOWN
 */
public record TaskContainer(
    String containerArn,
    String name,
    String image,
    String lastStatus,
    Integer exitCode,
    String reason,
    String runtimeId,
    List<NetworkBinding> networkBindings,
    String healthStatus,
    boolean essential) {
  public TaskContainer {
    Objects.requireNonNull(containerArn, "containerArn");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(lastStatus, "lastStatus");
    networkBindings = List.copyOf(networkBindings);
  }

  public TaskContainer reported(
      String status,
      Integer exit,
      String why,
      String id,
      List<NetworkBinding> bindings,
      String health) {
    return new TaskContainer(
        containerArn,
        name,
        image,
        status,
        exit == null ? exitCode : exit,
        why == null ? reason : why,
        id == null ? runtimeId : id,
        bindings == null ? networkBindings : bindings,
        health == null ? healthStatus : health,
        essential);
  }
}
