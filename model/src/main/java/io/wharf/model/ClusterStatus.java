package io.wharf.model;

/** Cluster statuses as ECS reports them. */
public enum ClusterStatus {
  ACTIVE,
  PROVISIONING,
  DEPROVISIONING,
  FAILED,
  INACTIVE
}
