package io.wharf.runtime;

import java.util.Locale;

/**
 * A container port published on the host. In a {@link ContainerSpec} it is a request; in a {@link
 * ContainerState} it is what the engine actually bound.
 *
 * @param containerPort the port inside the container, 1–65535
 * @param hostPort the host port, 1–65535; 0 lets the engine pick a free one (requests only)
 * @param protocol {@code tcp} (the default when null) or {@code udp}
 * @param hostIp the host address to bind, e.g. {@code 127.0.0.5}; null binds all addresses
 */
public record PortBinding(int containerPort, int hostPort, String protocol, String hostIp) {

  public PortBinding {
    if (containerPort < 1 || containerPort > 65_535) {
      throw new IllegalArgumentException("containerPort must be 1-65535, got " + containerPort);
    }
    if (hostPort < 0 || hostPort > 65_535) {
      throw new IllegalArgumentException("hostPort must be 0-65535, got " + hostPort);
    }
    protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
    if (!protocol.equals("tcp") && !protocol.equals("udp")) {
      throw new IllegalArgumentException("protocol must be tcp or udp, got " + protocol);
    }
    hostIp = hostIp == null || hostIp.isEmpty() ? null : hostIp;
  }

  /** A TCP port bound on all host addresses; {@code hostPort} 0 lets the engine pick. */
  public static PortBinding tcp(int containerPort, int hostPort) {
    return new PortBinding(containerPort, hostPort, "tcp", null);
  }
}
