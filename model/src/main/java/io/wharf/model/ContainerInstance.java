package io.wharf.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A machine registered into a cluster.
 *
 * @param ec2InstanceId the instance identity the agent gave (unique per cluster); re-registering
 *     with the same identity returns the same ARN
 * @param versionInfo the agent's {@code versionInfo} as given, or null
 * @param attributes built-in and custom attributes, unique by name
 * @param privateIpAddress the address the instance publishes container ports on (the agent's {@code
 *     privateIp} in its identity document), where load balancers send traffic for its targets; null
 *     when the agent did not give one
 * @param registrationEpoch 1 at the first registration, one more at each re-registration: an agent
 *     process sends the epoch its registration got, so a process of the same instance that
 *     registered earlier (a stale copy of its data directory, an old process still running) is
 *     refused once a newer one registered. 0 in rows stored before epochs existed.
 */
public record ContainerInstance(
    String arn,
    String clusterArn,
    String ec2InstanceId,
    ContainerInstanceStatus status,
    boolean agentConnected,
    List<Resource> registeredResources,
    List<Attribute> attributes,
    List<Tag> tags,
    Document versionInfo,
    Instant registeredAt,
    long revision,
    String privateIpAddress,
    long registrationEpoch) {
  /** The epoch of an instance's first registration. */
  public static final long FIRST_EPOCH = 1;

  /**
   * The epoch the next registration of this instance gets. A row stored before epochs existed reads
   * as epoch 0, so its next registration is the first counted one.
   */
  public long nextRegistrationEpoch() {
    return Math.max(registrationEpoch, FIRST_EPOCH - 1) + 1;
  }

  public ContainerInstance {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(clusterArn, "clusterArn");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(registeredAt, "registeredAt");
    registeredResources = List.copyOf(registeredResources);
    attributes = List.copyOf(attributes);
    tags = List.copyOf(tags);
  }

  public ContainerInstance withStatus(ContainerInstanceStatus newStatus) {
    return new ContainerInstance(
        arn,
        clusterArn,
        ec2InstanceId,
        newStatus,
        agentConnected,
        registeredResources,
        attributes,
        tags,
        versionInfo,
        registeredAt,
        revision,
        privateIpAddress,
        registrationEpoch);
  }

  public ContainerInstance withAttributes(List<Attribute> newAttributes) {
    return new ContainerInstance(
        arn,
        clusterArn,
        ec2InstanceId,
        status,
        agentConnected,
        registeredResources,
        newAttributes,
        tags,
        versionInfo,
        registeredAt,
        revision,
        privateIpAddress,
        registrationEpoch);
  }

  public ContainerInstance withTags(List<Tag> newTags) {
    return new ContainerInstance(
        arn,
        clusterArn,
        ec2InstanceId,
        status,
        agentConnected,
        registeredResources,
        attributes,
        newTags,
        versionInfo,
        registeredAt,
        revision,
        privateIpAddress,
        registrationEpoch);
  }

  public ContainerInstance withRevision(long newRevision) {
    return new ContainerInstance(
        arn,
        clusterArn,
        ec2InstanceId,
        status,
        agentConnected,
        registeredResources,
        attributes,
        tags,
        versionInfo,
        registeredAt,
        newRevision,
        privateIpAddress,
        registrationEpoch);
  }
}
