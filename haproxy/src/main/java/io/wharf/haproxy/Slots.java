package io.wharf.haproxy;

import java.util.Map;
import java.util.TreeMap;

/**
 * A backend's server slots as a configuration declares them: {@code capacity} servers named {@code
 * s1 … sN}, some holding a target and the others free (declared {@code disabled}).
 *
 * <p>Why slots: HAProxy 2.6 keeps no idle connections to servers created with the runtime API's
 * {@code add server}, so every request through one would open a new connection to its target.
 * Servers declared in the configuration keep and reuse them; the runtime API can still point such a
 * server at any address ({@code set server … addr}) and take it in and out of rotation, so targets
 * still come and go without a reload. A backend that runs out of free slots gets twice as many at
 * the next reload.
 *
 * @param occupied slot number (from 1) → the server it holds
 */
public record Slots(int capacity, Map<Integer, ProxyConfig.Server> occupied) {
  /** Slots of a new backend; a backend never has fewer. */
  public static final int MINIMUM = 16;

  public Slots {
    occupied = Map.copyOf(new TreeMap<>(occupied));
    for (int i : occupied.keySet()) {
      if (i < 1 || i > capacity) {
        throw new IllegalArgumentException("Slot " + i + " of " + capacity);
      }
    }
  }

  /** The name of slot {@code index}. */
  public static String name(int index) {
    return "s" + index;
  }

  /** The number of a slot's name, or -1 when it is not a slot's. */
  public static int index(String name) {
    if (name.length() < 2 || name.charAt(0) != 's') {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Enough slots for {@code servers}: {@link #MINIMUM}, doubled as often as needed. */
  public static int capacityFor(int servers) {
    int capacity = MINIMUM;
    while (capacity < servers) {
      capacity *= 2;
    }
    return capacity;
  }
}
