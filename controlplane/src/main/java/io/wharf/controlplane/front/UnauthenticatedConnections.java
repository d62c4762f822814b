package io.wharf.controlplane.front;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound on the connections that have not (yet) carried a request whose signature verified:
 * without one, anybody who can reach the port holds as many idle or refused connections as the
 * operating system allows, each until the idle timeout. When a new connection would make more than
 * {@link #limit} of them, the oldest is closed.
 *
 * <pre>
 *   connection opened ─▶ unauthenticated (oldest first) ─▶ over the limit? ─▶ the oldest closed
 *         └── a request's signature verifies, or a channel is accepted ─▶ authenticated: left alone
 * </pre>
 *
 * <p>Closing the oldest rather than refusing the newest means an attacker must keep reopening to
 * hold the limit, while a legitimate client's fresh connection always gets its chance to
 * authenticate: its signed request arrives right after it connects, so to evict it the attacker has
 * to open {@link #limit} connections in that moment. Authenticated connections (SDK clients' pools,
 * agents' channels) are never counted and never closed here.
 *
 * <p>Listens to a connector's connections ({@link Connection.Listener}); {@link #authenticated}
 * finds it as a bean of the request's connector. Thread-safe: one lock over an ordered set, held
 * for a few pointer moves, never while closing.
 */
final class UnauthenticatedConnections implements Connection.Listener {
  private static final Logger log = LoggerFactory.getLogger(UnauthenticatedConnections.class);

  /**
   * A thousand connections is far more than the clients that connect at one moment on a working
   * network (an SDK opens a handful, and each authenticates with its first request), and at Jetty's
   * few kilobytes of buffers each still a few megabytes of memory at most.
   */
  static final int DEFAULT_LIMIT = 1_024;

  private final int limit;

  /** In the order they were opened: the first is the oldest. Guarded by itself. */
  private final LinkedHashSet<Connection> waiting = new LinkedHashSet<>();

  private final AtomicLong closedAsOldest = new AtomicLong();

  UnauthenticatedConnections(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("The limit must be positive: " + limit);
    }
    this.limit = limit;
  }

  /**
   * Marks the connection that carried {@code request} as authenticated, once its signature has
   * verified; a request on a connector without the bound changes nothing.
   */
  static void authenticated(Request request) {
    Connector connector = request.getConnectionMetaData().getConnector();
    UnauthenticatedConnections bound =
        connector == null ? null : connector.getBean(UnauthenticatedConnections.class);
    if (bound != null) {
      bound.authenticated(request.getConnectionMetaData().getConnection());
    }
  }

  void authenticated(Connection connection) {
    synchronized (waiting) {
      waiting.remove(connection);
    }
  }

  @Override
  public void onOpened(Connection connection) {
    // HTTP/1.1 only: the one protocol the connector speaks. A WebSocket is opened by an upgrade,
    // which is accepted only once authenticated.
    if (!(connection instanceof HttpConnection)) {
      return;
    }
    List<Connection> evicted = new ArrayList<>(1);
    synchronized (waiting) {
      waiting.add(connection);
      Iterator<Connection> oldest = waiting.iterator();
      while (waiting.size() > limit) {
        evicted.add(oldest.next());
        oldest.remove();
      }
    }
    for (Connection old : evicted) {
      closedAsOldest.incrementAndGet();
      log.debug(
          "Closing the connection from {}: the oldest of more than {} unauthenticated ones",
          old.getEndPoint().getRemoteSocketAddress(),
          limit);
      old.getEndPoint().close();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    synchronized (waiting) {
      waiting.remove(connection);
    }
  }

  /** How many connections are unauthenticated now. */
  int count() {
    synchronized (waiting) {
      return waiting.size();
    }
  }

  /** Connections closed so far to make room for a newer one. */
  long closedAsOldest() {
    return closedAsOldest.get();
  }
}
