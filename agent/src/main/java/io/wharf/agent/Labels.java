package io.wharf.agent;

/**
 * The Docker labels on every container the agent starts. The {@code com.amazonaws.ecs.*} names are
 * the ones the ECS agent uses, so tools that read them keep working; {@code io.wharf.instance-id}
 * lets several agents share one Docker engine, each seeing only its own containers.
 */
final class Labels {
  static final String CLUSTER = "com.amazonaws.ecs.cluster";
  static final String TASK_ARN = "com.amazonaws.ecs.task-arn";
  static final String CONTAINER_NAME = "com.amazonaws.ecs.container-name";
  static final String FAMILY = "com.amazonaws.ecs.task-definition-family";
  static final String REVISION = "com.amazonaws.ecs.task-definition-version";
  static final String INSTANCE = "io.wharf.instance-id";
  static final String CONTAINER_ARN = "io.wharf.container-arn";

  /**
   * Host ports the agent chose for the container (comma-separated), so a restart can re-reserve
   * them.
   */
  static final String DYNAMIC_PORTS = "io.wharf.dynamic-ports";

  private Labels() {}
}
