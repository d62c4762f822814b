package io.wharf.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A series of durations measured once per round (a few dozen at most), summarized by order
 * statistics. Too few for a histogram: the values are kept and sorted.
 */
final class Samples {
  private final String label;
  private final List<Double> millis = new ArrayList<>();

  Samples(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  void addNanos(long nanos) {
    millis.add(nanos / 1e6);
  }

  void addMillis(double value) {
    millis.add(value);
  }

  int count() {
    return millis.size();
  }

  /** The median in milliseconds; the mean of the two middle values for an even count. */
  double median() {
    double[] sorted = sorted();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
  }

  /**
   * The 90th percentile in milliseconds, by nearest rank: the smallest value that at least 90% of
   * the values do not exceed (the 18th of 20).
   */
  double p90() {
    double[] sorted = sorted();
    int rank = (int) Math.ceil(0.9 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The 99th percentile in milliseconds, by nearest rank (the largest of fewer than 100). */
  double p99() {
    double[] sorted = sorted();
    int rank = (int) Math.ceil(0.99 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  double min() {
    return sorted()[0];
  }

  double max() {
    double[] sorted = sorted();
    return sorted[sorted.length - 1];
  }

  /** The last value added, in milliseconds (for progress lines). */
  double last() {
    return millis.getLast();
  }

  private double[] sorted() {
    if (millis.isEmpty()) {
      throw new IllegalStateException("no samples in " + label);
    }
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return sorted;
  }
}
