package io.wharf.elb.balancing;

import java.util.Set;

/**
 * The addresses load balancers get: each new load balancer takes the lowest one no other load
 * balancer has, so that several load balancers can each have a listener on port 80. A pool of one
 * address is shared by every load balancer (their listeners then need distinct ports).
 *
 * <p>The default, 127.0.1.1-127.0.1.254, is loopback (Linux routes all of 127.0.0.0/8 to the
 * loopback interface), so listeners are reachable from this machine only; give the pool a routable
 * address of the machine to serve others.
 */
public record AddressPool(long first, long last) {
  public static final AddressPool DEFAULT = parse("127.0.1.1-127.0.1.254");

  public AddressPool {
    if (first > last || first < 0 || last > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("Not an address range");
    }
  }

  /**
   * Parses {@code 127.0.1.1-127.0.1.254} or one address.
   *
   * @throws IllegalArgumentException with a message for the user
   */
  public static AddressPool parse(String spec) {
    String[] parts = spec.trim().split("-", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException("Not an IPv4 address or range: " + spec);
    }
    long first = ipv4(parts[0].trim(), spec);
    long last = parts.length == 2 ? ipv4(parts[1].trim(), spec) : first;
    if (first > last) {
      throw new IllegalArgumentException("The range " + spec + " ends before it starts");
    }
    return new AddressPool(first, last);
  }

  /** Whether every load balancer shares one address. */
  public boolean isShared() {
    return first == last;
  }

  /** The lowest address not in {@code taken}, or null when all are taken. */
  public String allocate(Set<String> taken) {
    if (isShared()) {
      return format(first);
    }
    for (long a = first; a <= last; a++) {
      String text = format(a);
      if (!taken.contains(text)) {
        return text;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return isShared() ? format(first) : format(first) + "-" + format(last);
  }

  private static long ipv4(String text, String spec) {
    String[] b = text.split("\\.", -1);
    if (b.length != 4) {
      throw new IllegalArgumentException("Not an IPv4 address or range: " + spec);
    }
    long out = 0;
    for (String part : b) {
      if (!part.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(part) > 255) {
        throw new IllegalArgumentException("Not an IPv4 address or range: " + spec);
      }
      out = out * 256 + Integer.parseInt(part);
    }
    return out;
  }

  static String format(long a) {
    return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
  }
}
