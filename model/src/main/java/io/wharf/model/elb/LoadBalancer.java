package io.wharf.model.elb;

import io.wharf.model.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An application load balancer. Its listeners accept connections on {@code address}, an address of
 * the machine Wharf runs on (a loopback address of its own unless configured otherwise).
 *
 * @param id the 16 hex digits that end its ARN
 * @param scheme {@code internet-facing} or {@code internal}, as given (Wharf serves both alike)
 * @param securityGroups as given; Wharf has no security groups and enforces none
 * @param subnets as given; Wharf has no subnets
 * @param revision the state revision that last changed it
 */
public record LoadBalancer(
    String arn,
    String name,
    String id,
    String scheme,
    String address,
    List<String> securityGroups,
    List<String> subnets,
    List<Tag> tags,
    Instant createdAt,
    long revision) {
  public LoadBalancer {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(createdAt, "createdAt");
    securityGroups = List.copyOf(securityGroups);
    subnets = List.copyOf(subnets);
    tags = List.copyOf(tags);
  }

  public LoadBalancer withTags(List<Tag> newTags) {
    return new LoadBalancer(
        arn, name, id, scheme, address, securityGroups, subnets, newTags, createdAt, revision);
  }
}
