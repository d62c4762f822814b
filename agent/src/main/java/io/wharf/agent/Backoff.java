package io.wharf.agent;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with full jitter: each wait is drawn uniformly from zero to a ceiling that
 * doubles from {@code first} up to {@code cap}, and starts over at {@link #reset}.
 *
 * <p>Why a small cap: the agent cannot tell an outage that ends in a second from one that lasts an
 * hour, and every second it waits after the control plane answers again counts towards {@code
 * --instance-lost-after}. With a cap of {@link #RECONNECT_CAP} it tries again at least that often,
 * so it is back within about that long of the control plane answering (and on average in a third of
 * it). Why full jitter: thousands of agents lose their channel at the same instant when the control
 * plane stops; drawing each wait from the whole range spreads their attempts evenly over the cap
 * instead of sending them in synchronised waves. An attempt against a port nobody listens on is
 * refused at once, so trying every second or so costs the agent and the network nothing worth
 * saving.
 *
 * <p>Not thread-safe: each retry loop has its own.
 */
final class Backoff {
  /** The first ceiling: a channel that drops once is back at once. */
  static final Duration FIRST = Duration.ofMillis(250);

  /**
   * The largest wait between two reconnect attempts. The control plane's minimum {@code
   * --instance-lost-after} allows for it (see the app's {@code ServerOptions}).
   */
  static final Duration RECONNECT_CAP = Duration.ofMillis(1500);

  private final long firstNanos;
  private final long capNanos;
  private final RandomGenerator random;
  private long ceilingNanos;

  Backoff(Duration first, Duration cap, RandomGenerator random) {
    if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
      throw new IllegalArgumentException("Bad back-off " + first + " to " + cap);
    }
    this.firstNanos = first.toNanos();
    this.capNanos = cap.toNanos();
    this.random = random;
    this.ceilingNanos = firstNanos;
  }

  /** The reconnect back-off: {@link #FIRST} doubling to {@link #RECONNECT_CAP}. */
  static Backoff reconnect() {
    return new Backoff(FIRST, RECONNECT_CAP, RandomGenerator.of("L64X128MixRandom"));
  }

  /** The next wait, and raises the ceiling for the one after. */
  Duration next() {
    long ceiling = ceilingNanos;
    ceilingNanos = Math.min(capNanos, ceiling * 2);
    return Duration.ofNanos(random.nextLong(ceiling + 1));
  }

  /** After a success: the next failure waits briefly again. */
  void reset() {
    ceilingNanos = firstNanos;
  }
}
