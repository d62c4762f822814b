package io.wharf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * {@code n} concurrent clients, each with its own SDK client and connection pool and, during a run,
 * its own platform thread, in a closed loop: a client sends its next request when the previous one
 * has been answered. Latency is therefore service time as a client sees it (signing, HTTP, server,
 * parsing); closed-loop clients slow down with the server, so these figures show no queueing beyond
 * the {@code n} requests in flight.
 *
 * <pre>
 *  run(callers, warmup, window):
 *    all clients: warm-up requests (not recorded)
 *    ─── barrier: the clock starts ───
 *    all clients: record every request until the window closes (or the callers run out of work)
 *    ─── the clock stops when the last in-flight request is answered ───
 * </pre>
 *
 * <p>The same clients serve several runs, so that alternating short runs of two operations compares
 * them under the same connections and the same machine load.
 */
final class ClosedLoop implements AutoCloseable {
  /** One client's requests; called from one thread at a time. */
  @FunctionalInterface
  interface Caller {
    /**
     * Sends one request and waits for its answer.
     *
     * @return false when there is no more work (the request was not sent)
     * @throws RuntimeException when the request failed; it is counted as an error
     */
    boolean call();
  }

  /** Makes the caller of client {@code index}, which sends through {@code ecs}. */
  @FunctionalInterface
  interface CallerFactory {
    Caller create(int index, EcsClient ecs);
  }

  /**
   * What one or more runs measured.
   *
   * @param requests answered requests in the measured windows (not counting warm-up or errors)
   * @param errors failed requests, warm-up included
   * @param seconds the measured windows, each from the barrier to the last answer
   * @param latency nanoseconds per answered request
   * @param firstError the first failure's message, or null
   */
  record Figures(long requests, long errors, double seconds, Histogram latency, String firstError) {
    static Figures none() {
      return new Figures(0, 0, 0, new Histogram(3), null);
    }

    /** These figures and {@code other}'s together, as if measured in one window. */
    Figures plus(Figures other) {
      Histogram both = latency.copy();
      both.add(other.latency);
      return new Figures(
          requests + other.requests,
          errors + other.errors,
          seconds + other.seconds,
          both,
          firstError != null ? firstError : other.firstError);
    }

    double throughput() {
      return requests / seconds;
    }

    double millisAt(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1e6;
    }

    double maxMillis() {
      return latency.getMaxValue() / 1e6;
    }
  }

  private final List<EcsClient> clients = new ArrayList<>();

  /** Opens {@code n} SDK clients to {@code endpoint}. */
  ClosedLoop(String endpoint, int n) {
    for (int i = 0; i < n; i++) {
      clients.add(Clients.ecs(endpoint));
    }
  }

  /**
   * One caller per client. Made once per operation and reused across runs, so that a caller's own
   * state (its random sequence) carries on instead of repeating.
   */
  List<Caller> callers(CallerFactory factory) {
    List<Caller> callers = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      callers.add(factory.create(i, clients.get(i)));
    }
    return callers;
  }

  /**
   * Runs every caller on its own thread.
   *
   * @param warmup requests sent (and not recorded) before the clock starts, split over the clients
   * @param windowNanos how long the measured window lasts; 0: warm-up only; {@link Long#MAX_VALUE}:
   *     until every caller has run out of work
   */
  Figures run(List<Caller> callers, int warmup, long windowNanos) throws InterruptedException {
    return runCallers(callers, warmup, windowNanos);
  }

  /**
   * {@link #run} for callers that bring their own transport (PlacementBench's signed HTTP client):
   * the same threads, barrier, clock and histograms, without this class's SDK clients.
   */
  static Figures runCallers(List<Caller> callers, int warmup, long windowNanos)
      throws InterruptedException {
    int n = callers.size();
    AtomicLong start = new AtomicLong();
    // The barrier's action runs once, when the last client has finished warming up.
    CyclicBarrier ready = new CyclicBarrier(n, () -> start.set(System.nanoTime()));
    AtomicLong errors = new AtomicLong();
    AtomicLong lastAnswer = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<Histogram> histograms = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Caller caller = callers.get(i);
      // Split the warm-up evenly; the first clients take the remainder.
      int myWarmup = warmup / n + (i < warmup % n ? 1 : 0);
      // Three significant digits: 1 µs resolution up to 1 ms, 1 ms up to 1 s.
      Histogram histogram = new Histogram(3);
      histograms.add(histogram);
      threads.add(
          Thread.ofPlatform()
              .name("bench-client-" + i)
              .start(
                  () -> {
                    for (int w = 0; w < myWarmup; w++) {
                      if (!send(caller, null, errors, firstError)) {
                        break;
                      }
                    }
                    try {
                      ready.await();
                    } catch (InterruptedException | BrokenBarrierException e) {
                      return;
                    }
                    long deadline =
                        windowNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start.get() + windowNanos;
                    while (System.nanoTime() < deadline
                        && send(caller, histogram, errors, firstError)) {
                      // send() recorded the request.
                    }
                    lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    Histogram total = new Histogram(3);
    histograms.forEach(total::add);
    double seconds = windowNanos == 0 ? 0 : (lastAnswer.get() - start.get()) / 1e9;
    return new Figures(total.getTotalCount(), errors.get(), seconds, total, firstError.get());
  }

  /** One request; records its latency when {@code histogram} is given and it succeeded. */
  private static boolean send(
      Caller caller, Histogram histogram, AtomicLong errors, AtomicReference<String> firstError) {
    long t0 = System.nanoTime();
    boolean sent;
    try {
      sent = caller.call();
    } catch (RuntimeException e) {
      errors.incrementAndGet();
      firstError.compareAndSet(null, e.toString());
      return true;
    }
    long elapsed = System.nanoTime() - t0;
    if (sent && histogram != null) {
      histogram.recordValue(elapsed);
    }
    return sent;
  }

  @Override
  public void close() {
    clients.forEach(EcsClient::close);
  }
}
