package io.wharf.model.elb;

import io.wharf.model.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A target group: where listeners forward requests, and the health check of its targets.
 *
 * @param port the default port of targets registered without one
 * @param vpcId as given; Wharf has no VPCs
 * @param attributes every attribute with its value (defaults filled in), sorted by key
 * @param revision the state revision that last changed it
 */
public record TargetGroup(
    String arn,
    String name,
    String protocol,
    int port,
    String vpcId,
    TargetType targetType,
    HealthCheck healthCheck,
    Map<String, String> attributes,
    List<Tag> tags,
    Instant createdAt,
    long revision) {

  /** How long a deregistered target drains before it is removed. */
  public static final String DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds";

  /** {@code round_robin} or {@code least_outstanding_requests}. */
  public static final String ALGORITHM = "load_balancing.algorithm.type";

  /** The attributes of a new HTTP target group, as ELB gives them. */
  public static final Map<String, String> DEFAULT_ATTRIBUTES =
      Collections.unmodifiableMap(
          new TreeMap<>(
              Map.of(
                  DEREGISTRATION_DELAY,
                  "300",
                  ALGORITHM,
                  "round_robin",
                  "slow_start.duration_seconds",
                  "0",
                  "stickiness.enabled",
                  "false",
                  "stickiness.type",
                  "lb_cookie",
                  "stickiness.lb_cookie.duration_seconds",
                  "86400",
                  "load_balancing.cross_zone.enabled",
                  "use_load_balancer_configuration")));

  public TargetGroup {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(targetType, "targetType");
    Objects.requireNonNull(healthCheck, "healthCheck");
    Objects.requireNonNull(createdAt, "createdAt");
    attributes = Collections.unmodifiableMap(new TreeMap<>(attributes));
    tags = List.copyOf(tags);
  }

  /** The deregistration delay (attribute {@value #DEREGISTRATION_DELAY}). */
  public Duration deregistrationDelay() {
    return Duration.ofSeconds(Long.parseLong(attributes.getOrDefault(DEREGISTRATION_DELAY, "300")));
  }

  public TargetGroup withHealthCheck(HealthCheck newCheck) {
    return new TargetGroup(
        arn,
        name,
        protocol,
        port,
        vpcId,
        targetType,
        newCheck,
        attributes,
        tags,
        createdAt,
        revision);
  }

  public TargetGroup withAttributes(Map<String, String> newAttributes) {
    return new TargetGroup(
        arn,
        name,
        protocol,
        port,
        vpcId,
        targetType,
        healthCheck,
        newAttributes,
        tags,
        createdAt,
        revision);
  }

  public TargetGroup withTags(List<Tag> newTags) {
    return new TargetGroup(
        arn,
        name,
        protocol,
        port,
        vpcId,
        targetType,
        healthCheck,
        attributes,
        newTags,
        createdAt,
        revision);
  }

  public TargetGroup withRevision(long newRevision) {
    return new TargetGroup(
        arn,
        name,
        protocol,
        port,
        vpcId,
        targetType,
        healthCheck,
        attributes,
        tags,
        createdAt,
        newRevision);
  }
}
