package io.wharf.model;

/** Container instance statuses as ECS reports them. */
public enum ContainerInstanceStatus {
  REGISTERING,
  ACTIVE,
  DRAINING,
  DEREGISTERING,
  INACTIVE,
  REGISTRATION_FAILED;

  /** An instance in a terminal status is gone from the cluster and counts for nothing. */
  public boolean isTerminal() {
    return this == INACTIVE || this == REGISTRATION_FAILED;
  }
}
