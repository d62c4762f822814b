package io.wharf.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real clients end to end: the aws CLI v1 (CloudWatch in RPCv2 CBOR) and v2 (CloudWatch in
 * query), both Logs in AWS JSON 1.1, against in-memory services behind a test HTTP front.
 */
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  static Stream<String> clis() {
    return Stream.of("v1", "v2");
  }

  private static AwsCli cli(String which) {
    Optional<AwsCli> cli = which.equals("v1") ? AwsCli.v1() : AwsCli.v2();
    assumeTrue(
        cli.isPresent(),
        which.equals("v1")
            ? "assumes the aws CLI v1 (aws-cli/1.x) on PATH"
            : "assumes Debian's aws CLI v2 at /usr/bin/aws");
    return cli.orElseThrow();
  }

  @ParameterizedTest
  @MethodSource("clis")
  void cloudWatchPutsListsAndSummarisesMetrics(String which) throws Exception {
    AwsCli aws = cli(which);
    MetricsService metrics = new MetricsService(NOW);
    try (TestFront front = new TestFront(new Endpoint<>(List.of(metrics)))) {
      for (String value : List.of("12.5", "7.5")) {
        AwsCli.Result put =
            aws.run(
                front.url(),
                "admin",
                "cloudwatch",
                "put-metric-data",
                "--namespace",
                "Wharf/Test",
                "--metric-name",
                "Latency",
                "--value",
                value,
                "--unit",
                "Milliseconds",
                "--dimensions",
                "Host=a",
                "--timestamp",
                "2026-12-07T10:00:30Z");
        assertThat(put.exit()).as(put.stderr()).isZero();
      }
      assertThat(metrics.samples)
          .extracting(MetricsService.Sample::value, MetricsService.Sample::unit)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(12.5, MetricsService.Unit.MILLISECONDS),
              org.assertj.core.groups.Tuple.tuple(7.5, MetricsService.Unit.MILLISECONDS));
      assertThat(metrics.samples)
          .extracting(MetricsService.Sample::at)
          .containsOnly(Instant.parse("2026-12-07T10:00:30Z"));

      AwsCli.Result list =
          aws.run(front.url(), "admin", "cloudwatch", "list-metrics", "--namespace", "Wharf/Test");
      assertThat(list.exit()).as(list.stderr()).isZero();
      JsonNode listed = JSON.readTree(list.stdout());
      assertThat(listed.path("Metrics")).hasSize(1);
      assertThat(listed.at("/Metrics/0/MetricName").asText()).isEqualTo("Latency");
      assertThat(listed.at("/Metrics/0/Namespace").asText()).isEqualTo("Wharf/Test");
      assertThat(listed.at("/Metrics/0/Dimensions/0/Name").asText()).isEqualTo("Host");
      assertThat(listed.at("/Metrics/0/Dimensions/0/Value").asText()).isEqualTo("a");

      AwsCli.Result stats =
          aws.run(
              front.url(),
              "admin",
              "cloudwatch",
              "get-metric-statistics",
              "--namespace",
              "Wharf/Test",
              "--metric-name",
              "Latency",
              "--dimensions",
              "Name=Host,Value=a",
              "--start-time",
              "2026-12-07T10:00:00Z",
              "--end-time",
              "2026-12-07T10:05:00Z",
              "--period",
              "300",
              "--statistics",
              "Sum",
              "Maximum",
              "SampleCount");
      assertThat(stats.exit()).as(stats.stderr()).isZero();
      JsonNode summary = JSON.readTree(stats.stdout());
      assertThat(summary.path("Label").asText()).isEqualTo("Latency");
      JsonNode point = summary.at("/Datapoints/0");
      assertThat(point.path("Sum").asDouble()).isEqualTo(20.0);
      assertThat(point.path("Maximum").asDouble()).isEqualTo(12.5);
      assertThat(point.path("SampleCount").asDouble()).isEqualTo(2.0);
      assertThat(point.has("Average")).isFalse();
      assertThat(point.path("Unit").asText()).isEqualTo("Milliseconds");
      // CLI v1 prints timestamps as the service sent them (here epoch seconds); v2 as ISO-8601.
      JsonNode at = point.path("Timestamp");
      if (at.isNumber()) {
        assertThat(at.asLong()).isEqualTo(Instant.parse("2026-12-07T10:00:00Z").getEpochSecond());
      } else {
        assertThat(at.asText()).startsWith("2026-12-07T10:00:00");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("clis")
  void cloudWatchErrorsReachTheCliWithTheirQueryCodes(String which) throws Exception {
    AwsCli aws = cli(which);
    try (TestFront front = new TestFront(new Endpoint<>(List.of(new MetricsService(NOW))))) {
      AwsCli.Result backwards =
          aws.run(
              front.url(),
              "admin",
              "cloudwatch",
              "get-metric-statistics",
              "--namespace",
              "Wharf/Test",
              "--metric-name",
              "Latency",
              "--start-time",
              "2026-12-07T10:05:00Z",
              "--end-time",
              "2026-12-07T10:00:00Z",
              "--period",
              "60",
              "--statistics",
              "Sum");
      assertThat(backwards.exit()).isNotZero();
      assertThat(backwards.stderr())
          .contains("(InvalidParameterValue)")
          .contains("The parameter StartTime must be less than the parameter EndTime.");

      AwsCli.Result badNamespace =
          aws.run(
              front.url(),
              "admin",
              "cloudwatch",
              "put-metric-data",
              "--namespace",
              ":Wharf",
              "--metric-name",
              "Latency",
              "--value",
              "1");
      assertThat(badNamespace.exit()).isNotZero();
      assertThat(badNamespace.stderr())
          .contains("(InvalidParameterValue)")
          .contains("Parameter Namespace does not match the pattern [^:].*.");
    }
  }

  @ParameterizedTest
  @MethodSource("clis")
  void logsCreatesAndDescribesLogGroupsInJson11(String which) throws Exception {
    AwsCli aws = cli(which);
    LogsService logs = new LogsService(NOW);
    try (TestFront front = new TestFront(new Endpoint<>(List.of(logs)))) {
      for (String name : List.of("/wharf/web", "/wharf/worker", "/other/x")) {
        AwsCli.Result created =
            aws.run(front.url(), "admin", "logs", "create-log-group", "--log-group-name", name);
        assertThat(created.exit()).as(created.stderr()).isZero();
        assertThat(created.stdout()).isBlank();
      }
      AwsCli.Result described =
          aws.run(
              front.url(),
              "admin",
              "logs",
              "describe-log-groups",
              "--log-group-name-prefix",
              "/wharf/");
      assertThat(described.exit()).as(described.stderr()).isZero();
      JsonNode groups = JSON.readTree(described.stdout()).path("logGroups");
      assertThat(groups).hasSize(2);
      assertThat(groups.get(0).path("logGroupName").asText()).isEqualTo("/wharf/web");
      assertThat(groups.get(0).path("creationTime").asLong()).isEqualTo(NOW.toEpochMilli());
      assertThat(groups.get(1).path("logGroupName").asText()).isEqualTo("/wharf/worker");

      AwsCli.Result again =
          aws.run(
              front.url(), "admin", "logs", "create-log-group", "--log-group-name", "/wharf/web");
      assertThat(again.exit()).isNotZero();
      assertThat(again.stderr())
          .contains("(ResourceAlreadyExistsException)")
          .contains("The specified log group already exists");

      AwsCli.Result tooMany =
          aws.run(front.url(), "admin", "logs", "describe-log-groups", "--limit", "100");
      assertThat(tooMany.exit()).isNotZero();
      assertThat(tooMany.stderr())
          .contains("(InvalidParameterException)")
          .contains("Parameter limit is 100; the maximum is 50.");

      AwsCli.Result stranger =
          aws.run(front.url(), "someone", "logs", "create-log-group", "--log-group-name", "/x/y");
      assertThat(stranger.exit()).isNotZero();
      assertThat(stranger.stderr())
          .contains("(AccessDeniedException)")
          .contains("User someone may not call logs:CreateLogGroup on /x/y");
      assertThat(logs.groups).containsOnlyKeys("/wharf/web", "/wharf/worker", "/other/x");
    }
  }
}
