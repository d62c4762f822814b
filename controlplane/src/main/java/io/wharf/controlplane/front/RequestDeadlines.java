package io.wharf.controlplane.front;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Total deadlines for receiving a request's headers and its body, which Jetty lacks: its idle
 * timeout restarts with every byte that arrives, so a client sending one header line every few
 * seconds keeps a connection (and its buffers) for as long as it likes; five hundred such clients
 * held five hundred connections indefinitely. A connection whose request has been in its headers
 * longer than {@link Limits#headers}, or in its body longer than {@link Limits#body}, is closed.
 *
 * <pre>
 *   connection opened ─▶ tracked ─▶ every tick: parser in headers/body since? ─▶ over ─▶ closed
 *                                        └── idle between requests: the idle timeout's business
 * </pre>
 *
 * <p>Time is counted from the first tick that sees a request in a phase, so a deadline is met
 * within one tick of its length. Between requests on a kept-alive connection nothing is counted:
 * Jetty's idle timeout covers that.
 *
 * <p>Listens to a connector's connections ({@link Connection.Listener}) and runs its ticks on one
 * thread of its own while started; add it to the server as a bean so it starts and stops with it.
 * It reads only Jetty's volatile parser state, never blocks a connection and is thread-safe.
 */
final class RequestDeadlines extends AbstractLifeCycle implements Connection.Listener {
  private static final Logger log = LoggerFactory.getLogger(RequestDeadlines.class);

  /**
   * How long a request may take to arrive.
   *
   * @param headers from a request's first byte to the end of its headers
   * @param body from the end of the headers to the end of the body
   * @param tick how often connections are looked at: the precision of both deadlines
   */
  record Limits(Duration headers, Duration body, Duration tick) {
    /**
     * Ten seconds is far more than any client on a working network needs for a few hundred bytes of
     * headers, and a minute for a body of at most 1 MiB; a second's precision is plenty.
     */
    static final Limits DEFAULT =
        new Limits(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1));

    Limits {
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(tick, "tick");
      if (!headers.isPositive() || !body.isPositive() || !tick.isPositive()) {
        throw new IllegalArgumentException("Deadlines and tick must be positive: " + this);
      }
    }
  }

  /** Where a connection's current request is, as far as the deadlines are concerned. */
  enum Phase {
    /** No request in progress, or one whose body has arrived and that is being handled. */
    IDLE,
    HEADERS,
    BODY
  }

  /**
   * What the ticks have seen of a connection: the phase of which request (by Jetty's count of
   * requests received, which moves on when a request's headers are complete), since when. Touched
   * by the tick thread only.
   */
  private static final class Progress {
    Phase phase = Phase.IDLE;
    long request = -1;
    long since;
  }

  private final Limits limits;
  private final Map<HttpConnection, Progress> connections = new ConcurrentHashMap<>();
  private final AtomicLong closedInHeaders = new AtomicLong();
  private final AtomicLong closedInBody = new AtomicLong();
  private ScheduledExecutorService ticker;

  RequestDeadlines(Limits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public void onOpened(Connection connection) {
    // HTTP/1.1 only: the one protocol the connector speaks. A WebSocket that a request upgraded
    // to is a connection of another kind and has no request deadlines.
    if (connection instanceof HttpConnection http) {
      connections.put(http, new Progress());
    }
  }

  @Override
  public void onClosed(Connection connection) {
    connections.remove(connection);
  }

  @Override
  protected void doStart() {
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("wharf-request-deadlines").factory());
    long tickNanos = limits.tick().toNanos();
    // tick() catches its own failures, so the schedule's future has nothing to report.
    var unused =
        ticker.scheduleWithFixedDelay(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  protected void doStop() {
    ticker.shutdownNow();
    connections.clear();
  }

  /** Connections closed so far because their headers, or their body, were too slow. */
  long closedInHeaders() {
    return closedInHeaders.get();
  }

  long closedInBody() {
    return closedInBody.get();
  }

  private void tick() {
    try {
      long now = System.nanoTime();
      connections.forEach((connection, progress) -> check(connection, progress, now));
    } catch (RuntimeException e) {
      // A failed tick must not end the ticks (a scheduled task that throws is never run again).
      log.error("Checking request deadlines failed; the next tick tries again", e);
    }
  }

  private void check(HttpConnection connection, Progress progress, long now) {
    if (connection.getEndPoint().getConnection() != connection) {
      connections.remove(connection); // Upgraded: no longer an HTTP/1.1 connection.
      return;
    }
    Phase phase = phaseOf(connection.getParser());
    long request = connection.getMessagesIn();
    if (phase != progress.phase || request != progress.request) {
      progress.phase = phase;
      progress.request = request;
      progress.since = now;
      return;
    }
    Duration limit =
        switch (phase) {
          case IDLE -> null;
          case HEADERS -> limits.headers();
          case BODY -> limits.body();
        };
    if (limit != null && now - progress.since > limit.toNanos()) {
      (phase == Phase.HEADERS ? closedInHeaders : closedInBody).incrementAndGet();
      log.debug(
          "Closing the connection from {}: its request's {} took longer than {} s",
          connection.getEndPoint().getRemoteSocketAddress(),
          phase == Phase.HEADERS ? "headers" : "body",
          limit.toSeconds());
      connections.remove(connection);
      connection.getEndPoint().close();
    }
  }

  static Phase phaseOf(HttpParser parser) {
    // One read of the volatile state, so that the phase is of one moment.
    HttpParser.State state = parser.getState();
    if (state == HttpParser.State.START) {
      return Phase.IDLE;
    }
    if (state.ordinal() < HttpParser.State.CONTENT.ordinal()) {
      return Phase.HEADERS;
    }
    if (state.ordinal() < HttpParser.State.END.ordinal()) {
      return Phase.BODY;
    }
    return Phase.IDLE;
  }
}
