package io.wharf.scheduler;

import java.util.Objects;

/**
 * Why a task could not be placed, as ECS reports it in RunTask's {@code failures[]}: the closest
 * matching container instance and the first requirement it did not meet.
 *
 * @param arn the closest matching instance, or null when no instance could take tasks at all
 * @param reason one of the constants below, verbatim as ECS writes them
 */
public record Failure(String arn, String reason) {
  /** The instance's agent is disconnected. */
  public static final String AGENT = "AGENT";

  /** The instance lacks an attribute the task definition requires ({@code requiresAttributes}). */
  public static final String ATTRIBUTE = "ATTRIBUTE";

  /** Not enough CPU units left. */
  public static final String RESOURCE_CPU = "RESOURCE:CPU";

  /** Not enough memory left. */
  public static final String RESOURCE_MEMORY = "RESOURCE:MEMORY";

  /** A fixed host port the task needs is taken. */
  public static final String RESOURCE_PORTS = "RESOURCE:PORTS";

  /** The instance does not match a memberOf expression (ECS's wording, full stop included). */
  public static final String MEMBER_OF = "MemberOf placement constraint unsatisfied.";

  /** The instance already runs a task of the group (ECS's wording, full stop included). */
  public static final String DISTINCT_INSTANCE =
      "DistinctInstance placement constraint unsatisfied.";

  /** No instance given was {@code ACTIVE} (ECS's wording for a cluster without instances). */
  public static final String NO_CONTAINER_INSTANCES =
      "No Container Instances were found in your cluster.";

  public Failure {
    Objects.requireNonNull(reason, "reason");
  }
}
