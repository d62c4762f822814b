package io.wharf.model.elb;

import java.util.Objects;

/**
 * A target of a target group: an id (an instance id or an IPv4 address, per the group's target
 * type) and the port it receives traffic on. One id may be registered on several ports.
 */
public record Target(String id, int port) {
  public Target {
    Objects.requireNonNull(id, "id");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("A target's port is 1-65535, not " + port);
    }
  }

  /** The key of this target within its group: {@code id:port}. */
  public String key() {
    return id + ":" + port;
  }
}
