package io.wharf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/** The start-ups timed on one kind of data directory, summarized by their median. */
final class StartupTimes {
  /**
   * One start and stop of the server.
   *
   * @param toReady nanoseconds from spawning the process to reading its ready line
   * @param toFirstAnswer nanoseconds from spawning to the first successful ListClusters answer
   * @param firstRequest nanoseconds the first ListClusters took (the server's cold request path)
   * @param toExit nanoseconds from SIGTERM to the process's exit
   */
  record Sample(long toReady, long toFirstAnswer, long firstRequest, long toExit) {}

  private final String label;
  private final List<Sample> samples = new ArrayList<>();

  StartupTimes(String label) {
    this.label = label;
  }

  void add(Sample sample) {
    samples.add(sample);
  }

  String label() {
    return label;
  }

  int runs() {
    return samples.size();
  }

  double medianReadyMillis() {
    return median(Sample::toReady);
  }

  double medianFirstAnswerMillis() {
    return median(Sample::toFirstAnswer);
  }

  double medianFirstRequestMillis() {
    return median(Sample::firstRequest);
  }

  double medianExitMillis() {
    return median(Sample::toExit);
  }

  String readyRangeMillis() {
    return "%.0f–%.0f"
        .formatted(
            samples.stream().mapToLong(Sample::toReady).min().orElse(0) / 1e6,
            samples.stream().mapToLong(Sample::toReady).max().orElse(0) / 1e6);
  }

  /** The median in milliseconds; the mean of the two middle values for an even count. */
  private double median(ToLongFunction<Sample> field) {
    long[] sorted = samples.stream().mapToLong(field).sorted().toArray();
    int mid = sorted.length / 2;
    double nanos = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    return nanos / 1e6;
  }
}
