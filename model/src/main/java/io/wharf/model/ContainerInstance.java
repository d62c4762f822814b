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
    String privateIpAddress) {
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
        privateIpAddress);
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
        privateIpAddress);
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
        privateIpAddress);
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
        privateIpAddress);
  }
}
