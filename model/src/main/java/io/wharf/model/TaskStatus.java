package io.wharf.model;

/**
 * A task's {@code lastStatus}, in lifecycle order. A task's status only moves forward, so comparing
 * ordinals tells whether a report is news or stale.
 */
public enum TaskStatus {
  PROVISIONING,
  PENDING,
  ACTIVATING,
  RUNNING,
  DEACTIVATING,
  STOPPING,
  DEPROVISIONING,
  STOPPED,
  DELETED;

  public boolean isTerminal() {
    return this == STOPPED || this == DELETED;
  }

  /** Whether moving to {@code next} goes forward (or stays). */
  public boolean canMoveTo(TaskStatus next) {
    return next.ordinal() >= ordinal();
  }
}
