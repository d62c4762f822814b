package io.wharf.model.elb;

import java.util.Objects;

/**
 * A target group's HTTP health check, with ELB's names and units.
 *
 * @param port {@code traffic-port} (the target's own port) or a port number
 * @param matcher the HTTP codes that mean healthy: {@code 200}, {@code 200,202}, {@code 200-299}
 */
public record HealthCheck(
    boolean enabled,
    String protocol,
    String port,
    String path,
    int intervalSeconds,
    int timeoutSeconds,
    int healthyThreshold,
    int unhealthyThreshold,
    String matcher) {

  /** The check's port that means "the port the target receives traffic on". */
  public static final String TRAFFIC_PORT = "traffic-port";

  /** ELB's defaults for an HTTP target group of type instance or ip. */
  public static final HealthCheck DEFAULT =
      new HealthCheck(true, "HTTP", TRAFFIC_PORT, "/", 30, 5, 5, 2, "200");

  public HealthCheck {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(matcher, "matcher");
  }
}
