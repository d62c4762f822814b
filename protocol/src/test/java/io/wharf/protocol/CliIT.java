package io.wharf.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real clients end to end against in-memory services behind a test HTTP front: the aws CLI v1
 * (CloudWatch in AWS JSON 1.0, and in RPCv2 CBOR when its model lists only that and query) and v2
 * (CloudWatch in query); both speak Logs in AWS JSON 1.1. The front records the protocol of each
 * request, so each test also checks which protocol the client really spoke.
 */
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  @TempDir static Path models;

  /**
   * v1 speaks CloudWatch in JSON 1.0 (botocore ranks json before smithy-rpc-v2-cbor); "v1-cbor" is
   * the same CLI given, through AWS_DATA_PATH, the same CloudWatch model with only
   * smithy-rpc-v2-cbor and query listed, so that botocore's own RPCv2 CBOR serializer and parser
   * talk to the endpoint; v2 speaks query.
   */
  static Stream<String> clis() {
    return Stream.of("v1", "v1-cbor", "v2");
  }

  static Stream<String> logsClis() {
    return Stream.of("v1", "v2");
  }

  private static AwsCli cli(String which) throws IOException {
    Optional<AwsCli> cli = which.startsWith("v1") ? AwsCli.v1() : AwsCli.v2();
    assumeTrue(
        cli.isPresent(),
        which.startsWith("v1")
            ? "assumes the aws CLI v1 (aws-cli/1.x) on PATH"
            : "assumes Debian's aws CLI v2 at /usr/bin/aws");
    if (!which.equals("v1-cbor")) {
      return cli.orElseThrow();
    }
    Path dir = models.resolve("cloudwatch/2010-08-01");
    if (!Files.exists(dir.resolve("service-2.json"))) {
      ObjectNode model;
      try (InputStream in =
          new GZIPInputStream(CliIT.class.getResourceAsStream("cloudwatch-2010-08-01.json.gz"))) {
        model = (ObjectNode) JSON.readTree(in);
      }
      ObjectNode metadata = (ObjectNode) model.path("metadata");
      metadata.putArray("protocols").add("smithy-rpc-v2-cbor").add("query");
      Files.createDirectories(dir);
      JSON.writeValue(dir.resolve("service-2.json").toFile(), model);
    }
    return cli.orElseThrow().with("aws CLI v1 (CBOR)", Map.of("AWS_DATA_PATH", models.toString()));
  }

  private static WireProtocol cloudWatchProtocolOf(String which) {
    return switch (which) {
      case "v1" -> WireProtocol.AWS_JSON_1_0;
      case "v1-cbor" -> WireProtocol.RPC_V2_CBOR;
      default -> WireProtocol.AWS_QUERY;
    };
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
      assertThat(front.protocols).containsOnly(cloudWatchProtocolOf(which)).hasSize(4);
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
      assertThat(front.protocols).containsOnly(cloudWatchProtocolOf(which));
    }
  }

  @ParameterizedTest
  @MethodSource("logsClis")
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
      assertThat(front.protocols).containsOnly(WireProtocol.AWS_JSON_1_1);
    }
  }
}
