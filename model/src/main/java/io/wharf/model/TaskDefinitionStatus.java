package io.wharf.model;

/**
 * Task definition statuses. A revision only moves forward: ACTIVE, INACTIVE, DELETE_IN_PROGRESS.
 */
public enum TaskDefinitionStatus {
  ACTIVE,
  INACTIVE,
  DELETE_IN_PROGRESS
}
