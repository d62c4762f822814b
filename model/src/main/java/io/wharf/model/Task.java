package io.wharf.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A task: an instantiation of a task definition on a container instance.
 *
 * <p>The control plane owns {@code desiredStatus}; the agent owning the task reports {@code
 * lastStatus}. Both only move forward. {@code version} counts every change ECS would report.
 *
 * @param reservedCpu CPU units the task holds on its instance
 * @param reservedMemory MiB the task holds on its instance
 * @param reservedPorts host ports ("tcp:80") the task holds on its instance
 * @param overrides the RunTask overrides as given, or null
 */
public record Task(
    String arn,
    String clusterArn,
    String taskDefinitionArn,
    String containerInstanceArn,
    String group,
    String startedBy,
    String launchType,
    TaskStatus lastStatus,
    String desiredStatus,
    String cpu,
    String memory,
    List<TaskContainer> containers,
    Document overrides,
    List<Tag> tags,
    Instant createdAt,
    Instant pullStartedAt,
    Instant pullStoppedAt,
    Instant startedAt,
    Instant stoppingAt,
    Instant executionStoppedAt,
    Instant stoppedAt,
    String stopCode,
    String stoppedReason,
    String healthStatus,
    long version,
    long reservedCpu,
    long reservedMemory,
    List<String> reservedPorts,
    String clientToken,
    long revision) {
  public Task {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(clusterArn, "clusterArn");
    Objects.requireNonNull(lastStatus, "lastStatus");
    Objects.requireNonNull(desiredStatus, "desiredStatus");
    containers = List.copyOf(containers);
    tags = List.copyOf(tags);
    reservedPorts = List.copyOf(reservedPorts);
  }

  /** The task's short id, the last part of its ARN. */
  public String id() {
    return arn.substring(arn.lastIndexOf('/') + 1);
  }

  /** Whether the task still holds resources on its instance. */
  public boolean holdsResources() {
    return !lastStatus.isTerminal();
  }

  /** Builds changed copies of a task; every change bumps {@code version}. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A mutable copy used to build the next version of a task. */
  public static final class Builder {
    private final Task t;
    private TaskStatus lastStatus;
    private String desiredStatus;
    private List<TaskContainer> containers;
    private Instant pullStartedAt;
    private Instant pullStoppedAt;
    private Instant startedAt;
    private Instant stoppingAt;
    private Instant executionStoppedAt;
    private Instant stoppedAt;
    private String stopCode;
    private String stoppedReason;
    private String healthStatus;
    private List<Tag> tags;

    private Builder(Task t) {
      this.t = t;
      lastStatus = t.lastStatus;
      desiredStatus = t.desiredStatus;
      containers = t.containers;
      pullStartedAt = t.pullStartedAt;
      pullStoppedAt = t.pullStoppedAt;
      startedAt = t.startedAt;
      stoppingAt = t.stoppingAt;
      executionStoppedAt = t.executionStoppedAt;
      stoppedAt = t.stoppedAt;
      stopCode = t.stopCode;
      stoppedReason = t.stoppedReason;
      healthStatus = t.healthStatus;
      tags = t.tags;
    }

    public Builder lastStatus(TaskStatus v) {
      lastStatus = v;
      return this;
    }

    public Builder desiredStatus(String v) {
      desiredStatus = v;
      return this;
    }

    public Builder containers(List<TaskContainer> v) {
      containers = v;
      return this;
    }

    public Builder pullStartedAt(Instant v) {
      pullStartedAt = v;
      return this;
    }

    public Builder pullStoppedAt(Instant v) {
      pullStoppedAt = v;
      return this;
    }

    public Builder startedAt(Instant v) {
      startedAt = v;
      return this;
    }

    public Builder stoppingAt(Instant v) {
      stoppingAt = v;
      return this;
    }

    public Builder executionStoppedAt(Instant v) {
      executionStoppedAt = v;
      return this;
    }

    public Builder stoppedAt(Instant v) {
      stoppedAt = v;
      return this;
    }

    public Builder stopCode(String v) {
      stopCode = v;
      return this;
    }

    public Builder stoppedReason(String v) {
      stoppedReason = v;
      return this;
    }

    public Builder healthStatus(String v) {
      healthStatus = v;
      return this;
    }

    public Builder tags(List<Tag> v) {
      tags = v;
      return this;
    }

    public TaskStatus lastStatus() {
      return lastStatus;
    }

    public String desiredStatus() {
      return desiredStatus;
    }

    public String stoppedReason() {
      return stoppedReason;
    }

    /** The next version of the task, stamped with the state revision that makes it. */
    public Task build(long revision) {
      return new Task(
          t.arn,
          t.clusterArn,
          t.taskDefinitionArn,
          t.containerInstanceArn,
          t.group,
          t.startedBy,
          t.launchType,
          lastStatus,
          desiredStatus,
          t.cpu,
          t.memory,
          containers,
          t.overrides,
          tags,
          t.createdAt,
          pullStartedAt,
          pullStoppedAt,
          startedAt,
          stoppingAt,
          executionStoppedAt,
          stoppedAt,
          stopCode,
          stoppedReason,
          healthStatus,
          t.version + 1,
          t.reservedCpu,
          t.reservedMemory,
          t.reservedPorts,
          t.clientToken,
          revision);
    }
  }
}
