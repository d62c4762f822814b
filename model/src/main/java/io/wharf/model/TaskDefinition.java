package io.wharf.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One revision of a task definition family.
 *
 * <p>The definition itself (container definitions, volumes, network mode, ...) is kept as the
 * normalized document the user registered, because ECS returns every field as given; the fields the
 * control plane reasons about are lifted out as typed members.
 *
 * @param definition the registered definition with ECS's defaults filled in, without the
 *     server-assigned members (ARN, revision, status, timestamps), which are the typed fields here
 */
public record TaskDefinition(
    String arn,
    String family,
    int revision,
    TaskDefinitionStatus status,
    Instant registeredAt,
    Instant deregisteredAt,
    Instant deleteRequestedAt,
    String registeredBy,
    List<Tag> tags,
    Document definition,
    long stateRevision) {
  public TaskDefinition {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(registeredAt, "registeredAt");
    Objects.requireNonNull(definition, "definition");
    if (revision < 1) {
      throw new IllegalArgumentException("revision must be >= 1: " + revision);
    }
    tags = List.copyOf(tags);
  }

  public TaskDefinition deregistered(Instant at) {
    return new TaskDefinition(
        arn,
        family,
        revision,
        TaskDefinitionStatus.INACTIVE,
        registeredAt,
        at,
        deleteRequestedAt,
        registeredBy,
        tags,
        definition,
        stateRevision);
  }

  public TaskDefinition deleteRequested(Instant at) {
    return new TaskDefinition(
        arn,
        family,
        revision,
        TaskDefinitionStatus.DELETE_IN_PROGRESS,
        registeredAt,
        deregisteredAt,
        at,
        registeredBy,
        tags,
        definition,
        stateRevision);
  }

  public TaskDefinition withTags(List<Tag> newTags) {
    return new TaskDefinition(
        arn,
        family,
        revision,
        status,
        registeredAt,
        deregisteredAt,
        deleteRequestedAt,
        registeredBy,
        newTags,
        definition,
        stateRevision);
  }

  public TaskDefinition withStateRevision(long newRevision) {
    return new TaskDefinition(
        arn,
        family,
        revision,
        status,
        registeredAt,
        deregisteredAt,
        deleteRequestedAt,
        registeredBy,
        tags,
        definition,
        newRevision);
  }
}
