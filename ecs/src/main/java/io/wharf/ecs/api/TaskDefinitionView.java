package io.wharf.ecs.api;

import io.wharf.model.Document;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskDefinitionStatus;
import java.time.Instant;
import java.util.List;

/**
 * ECS's {@code TaskDefinition}: the definition as stored (the user's members with ECS's defaults
 * filled in, see {@link io.wharf.ecs.taskdef.TaskDefinitionRules#normalize}) plus the members the
 * server assigns. The structured members Wharf does not reason about here (container definitions,
 * volumes, ...) are {@link Document}s, so they come back exactly as they were stored.
 */
record TaskDefinitionView(
    String taskDefinitionArn,
    Document containerDefinitions,
    String family,
    String taskRoleArn,
    String executionRoleArn,
    String networkMode,
    Integer revision,
    Document volumes,
    TaskDefinitionStatus status,
    Document placementConstraints,
    List<String> compatibilities,
    Document runtimePlatform,
    List<String> requiresCompatibilities,
    String cpu,
    String memory,
    Document inferenceAccelerators,
    String pidMode,
    String ipcMode,
    Document proxyConfiguration,
    Instant registeredAt,
    Instant deregisteredAt,
    Instant deleteRequestedAt,
    String registeredBy,
    Document ephemeralStorage,
    Boolean enableFaultInjection) {

  /** The view of a stored revision: its definition document with the server-assigned members. */
  static TaskDefinitionView of(TaskDefinition d) {
    TaskDefinitionView stored = TaskDefinitionDocument.read(d.definition());
    return new TaskDefinitionView(
        d.arn(),
        stored.containerDefinitions(),
        d.family(),
        stored.taskRoleArn(),
        stored.executionRoleArn(),
        stored.networkMode(),
        d.revision(),
        stored.volumes(),
        d.status(),
        stored.placementConstraints(),
        stored.compatibilities(),
        stored.runtimePlatform(),
        stored.requiresCompatibilities(),
        stored.cpu(),
        stored.memory(),
        stored.inferenceAccelerators(),
        stored.pidMode(),
        stored.ipcMode(),
        stored.proxyConfiguration(),
        d.registeredAt(),
        d.deregisteredAt(),
        d.deleteRequestedAt(),
        d.registeredBy(),
        stored.ephemeralStorage(),
        stored.enableFaultInjection());
  }
}
