package io.wharf.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An ECS service: keeps {@code desiredCount} tasks of its primary deployment running (REPLICA), or
 * one task on every matching instance (DAEMON).
 *
 * <p>The service controller owns {@code deployments}, {@code events} and the launch throttle; the
 * API owns the rest. Counts (running, pending) are not stored: they are read from the tasks.
 *
 * @param status ACTIVE, DRAINING (deleted, tasks still stopping) or INACTIVE
 * @param deployments newest first: the PRIMARY one, then ACTIVE ones still holding tasks, then
 *     INACTIVE ones kept as history
 * @param events newest first, at most {@link #MAX_EVENTS}
 * @param startFailures tasks in a row that stopped before reaching RUNNING (the launch throttle)
 * @param nextLaunchAt no task is launched before this time (null: no throttle)
 * @param clientToken the CreateService {@code clientToken}, or null
 */
public record Service(
    String arn,
    String name,
    String clusterArn,
    String status,
    String schedulingStrategy,
    int desiredCount,
    List<Deployment> deployments,
    List<ServiceEvent> events,
    List<Tag> tags,
    String createdBy,
    Instant createdAt,
    String clientToken,
    String propagateTags,
    boolean enableEcsManagedTags,
    String availabilityZoneRebalancing,
    int startFailures,
    Instant nextLaunchAt,
    long revision) {
  public static final int MAX_EVENTS = 100;
  public static final String REPLICA = "REPLICA";
  public static final String DAEMON = "DAEMON";

  public Service {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(clusterArn, "clusterArn");
    Objects.requireNonNull(status, "status");
    deployments = List.copyOf(deployments);
    events = List.copyOf(events);
    tags = List.copyOf(tags);
  }

  /** The task group of the service's tasks. */
  public String group() {
    return "service:" + name;
  }

  public boolean isActive() {
    return status.equals("ACTIVE");
  }

  public boolean isDaemon() {
    return DAEMON.equals(schedulingStrategy);
  }

  /** The deployment being rolled out; every service has one. */
  public Deployment primary() {
    return deployments.getFirst();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A mutable copy used to build the next version of a service. */
  public static final class Builder {
    private final Service s;
    private String status;
    private int desiredCount;
    private List<Deployment> deployments;
    private List<ServiceEvent> events;
    private List<Tag> tags;
    private String propagateTags;
    private boolean enableEcsManagedTags;
    private String availabilityZoneRebalancing;
    private int startFailures;
    private Instant nextLaunchAt;

    private Builder(Service s) {
      this.s = s;
      status = s.status;
      desiredCount = s.desiredCount;
      deployments = s.deployments;
      events = s.events;
      tags = s.tags;
      propagateTags = s.propagateTags;
      enableEcsManagedTags = s.enableEcsManagedTags;
      availabilityZoneRebalancing = s.availabilityZoneRebalancing;
      startFailures = s.startFailures;
      nextLaunchAt = s.nextLaunchAt;
    }

    public Builder status(String v) {
      status = v;
      return this;
    }

    public Builder desiredCount(int v) {
      desiredCount = v;
      return this;
    }

    public Builder deployments(List<Deployment> v) {
      deployments = v;
      return this;
    }

    public Builder events(List<ServiceEvent> v) {
      events = v;
      return this;
    }

    public Builder tags(List<Tag> v) {
      tags = v;
      return this;
    }

    public Builder propagateTags(String v) {
      propagateTags = v;
      return this;
    }

    public Builder enableEcsManagedTags(boolean v) {
      enableEcsManagedTags = v;
      return this;
    }

    public Builder availabilityZoneRebalancing(String v) {
      availabilityZoneRebalancing = v;
      return this;
    }

    public Builder throttle(int failures, Instant next) {
      startFailures = failures;
      nextLaunchAt = next;
      return this;
    }

    public List<Deployment> deployments() {
      return deployments;
    }

    public List<ServiceEvent> events() {
      return events;
    }

    public Service build(long revision) {
      return new Service(
          s.arn,
          s.name,
          s.clusterArn,
          status,
          s.schedulingStrategy,
          desiredCount,
          deployments,
          events,
          tags,
          s.createdBy,
          s.createdAt,
          s.clientToken,
          propagateTags,
          enableEcsManagedTags,
          availabilityZoneRebalancing,
          startFailures,
          nextLaunchAt,
          revision);
    }
  }
}
