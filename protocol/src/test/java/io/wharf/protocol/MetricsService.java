package io.wharf.protocol;

import io.wharf.model.ErrorCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A small in-memory CloudWatch on the real CloudWatch model, for the protocol tests: PutMetricData,
 * ListMetrics and GetMetricStatistics. It speaks whatever the model speaks (RPCv2 CBOR, JSON 1.0,
 * query); the caller is the access key id.
 */
final class MetricsService implements AwsService<String> {
  static final ServiceModel MODEL =
      ServiceModel.load(MetricsService.class, "cloudwatch-2010-08-01.json.gz");

  /** CloudWatch's units: their wire values are not Java names, so toString gives the wire value. */
  enum Unit {
    SECONDS("Seconds"),
    MILLISECONDS("Milliseconds"),
    BYTES("Bytes"),
    BYTES_PER_SECOND("Bytes/Second"),
    COUNT("Count"),
    NONE("None");

    private final String wire;

    Unit(String wire) {
      this.wire = wire;
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  enum Statistic {
    SampleCount,
    Average,
    Sum,
    Minimum,
    Maximum
  }

  record Dimension(String name, String value) {}

  record Datum(
      String metricName, List<Dimension> dimensions, Instant timestamp, Double value, Unit unit) {}

  record PutMetricDataInput(String namespace, List<Datum> metricData) {}

  record DimensionFilter(String name, String value) {}

  record ListMetricsInput(String namespace, String metricName, List<DimensionFilter> dimensions) {}

  record Metric(String namespace, String metricName, List<Dimension> dimensions) {}

  record ListMetricsOutput(List<Metric> metrics, String nextToken) {}

  record GetMetricStatisticsInput(
      String namespace,
      String metricName,
      List<Dimension> dimensions,
      Instant startTime,
      Instant endTime,
      Integer period,
      List<Statistic> statistics) {}

  record Datapoint(
      Instant timestamp,
      Double sampleCount,
      Double average,
      Double sum,
      Double minimum,
      Double maximum,
      Unit unit) {}

  record GetMetricStatisticsOutput(String label, List<Datapoint> datapoints) {}

  /** One stored sample. */
  record Sample(
      String namespace,
      String metricName,
      List<Dimension> dimensions,
      Instant at,
      double value,
      Unit unit) {}

  final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final Operations<String> operations;

  MetricsService(Instant now) {
    operations =
        Operations.<String>builder(MODEL)
            .add(
                "PutMetricData",
                PutMetricDataInput.class,
                (caller, in) -> {
                  for (Datum d : in.metricData() == null ? List.<Datum>of() : in.metricData()) {
                    samples.add(
                        new Sample(
                            in.namespace(),
                            d.metricName(),
                            d.dimensions() == null ? List.of() : d.dimensions(),
                            d.timestamp() == null ? now : d.timestamp(),
                            d.value() == null ? 0 : d.value(),
                            d.unit() == null ? Unit.NONE : d.unit()));
                  }
                  return null;
                })
            .add("ListMetrics", ListMetricsInput.class, (caller, in) -> listMetrics(in))
            .add(
                "GetMetricStatistics",
                GetMetricStatisticsInput.class,
                (caller, in) -> statistics(in))
            .build();
  }

  private ListMetricsOutput listMetrics(ListMetricsInput in) {
    Map<Metric, Boolean> metrics = new LinkedHashMap<>();
    for (Sample s : samples) {
      if ((in.namespace() == null || in.namespace().equals(s.namespace()))
          && (in.metricName() == null || in.metricName().equals(s.metricName()))) {
        metrics.put(new Metric(s.namespace(), s.metricName(), s.dimensions()), true);
      }
    }
    List<Metric> sorted = new ArrayList<>(metrics.keySet());
    sorted.sort(Comparator.comparing(Metric::metricName));
    return new ListMetricsOutput(sorted, null);
  }

  private GetMetricStatisticsOutput statistics(GetMetricStatisticsInput in) {
    if (!in.startTime().isBefore(in.endTime())) {
      throw new AwsServiceException(
          "InvalidParameterValueException",
          "The parameter StartTime must be less than the parameter EndTime.");
    }
    List<Sample> matching = new ArrayList<>();
    for (Sample s : samples) {
      if (s.namespace().equals(in.namespace())
          && s.metricName().equals(in.metricName())
          && !s.at().isBefore(in.startTime())
          && s.at().isBefore(in.endTime())
          && (in.dimensions() == null || Objects.equals(in.dimensions(), s.dimensions()))) {
        matching.add(s);
      }
    }
    if (matching.isEmpty()) {
      return new GetMetricStatisticsOutput(in.metricName(), List.of());
    }
    double sum = matching.stream().mapToDouble(Sample::value).sum();
    double min = matching.stream().mapToDouble(Sample::value).min().orElseThrow();
    double max = matching.stream().mapToDouble(Sample::value).max().orElseThrow();
    List<Statistic> wanted = in.statistics() == null ? List.of() : in.statistics();
    Datapoint point =
        new Datapoint(
            in.startTime(),
            wanted.contains(Statistic.SampleCount) ? (double) matching.size() : null,
            wanted.contains(Statistic.Average) ? sum / matching.size() : null,
            wanted.contains(Statistic.Sum) ? sum : null,
            wanted.contains(Statistic.Minimum) ? min : null,
            wanted.contains(Statistic.Maximum) ? max : null,
            matching.get(0).unit());
    return new GetMetricStatisticsOutput(in.metricName(), List.of(point));
  }

  @Override
  public ServiceModel model() {
    return MODEL;
  }

  @Override
  public Operations<String> operations() {
    return operations;
  }

  /** CloudWatch names a bad parameter InvalidParameterValue, in every protocol. */
  @Override
  public ErrorAnswer answer(ErrorCode code) {
    return switch (code) {
      case INVALID_PARAMETER -> new ErrorAnswer("InvalidParameterValue", 400, true);
      default -> AwsService.super.answer(code);
    };
  }
}
