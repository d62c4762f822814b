package io.wharf.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Picks dynamic host ports from the configured range on the instance address: a port is given only
 * if this agent has not given it out and nothing listens on it right now.
 *
 * <p>Threading: synchronized.
 */
final class PortAllocator {
  private final String address;
  private final int first;
  private final int last;
  private final Set<Integer> given = new HashSet<>();
  private int next;

  PortAllocator(String address, int first, int last) {
    this.address = address;
    this.first = first;
    this.last = last;
    this.next = first;
  }

  /** A free port, or -1 when the whole range is taken. */
  synchronized int allocate() {
    int span = last - first + 1;
    for (int i = 0; i < span; i++) {
      int port = next;
      next = next == last ? first : next + 1;
      if (!given.contains(port) && isFree(port)) {
        given.add(port);
        return port;
      }
    }
    return -1;
  }

  /** Marks a port as in use (a re-adopted container holds it). */
  synchronized void taken(int port) {
    given.add(port);
  }

  synchronized void release(int port) {
    given.remove(port);
  }

  private boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
