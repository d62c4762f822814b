package io.wharf.protocol;

import static io.wharf.protocol.Requests.form;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The query protocol on the CloudWatch model, with forms as the aws CLI v2 sends them. */
class QueryProtocolTest {
  private static final String NS = "http://monitoring.amazonaws.com/doc/2010-08-01/";
  private static final String XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  private final MetricsService metrics = new MetricsService(Instant.parse("2026-12-07T12:00:00Z"));
  private final Endpoint<String> endpoint = new Endpoint<>(List.of(metrics));

  private ProtocolResponse call(String body) {
    return endpoint.handle(metrics, form(body), "admin", "req-1");
  }

  private static String error(String type, String code, String message) {
    return XML
        + "<ErrorResponse xmlns=\""
        + NS
        + "\"><Error><Type>"
        + type
        + "</Type><Code>"
        + code
        + "</Code><Message>"
        + message
        + "</Message></Error><RequestId>req-1</RequestId></ErrorResponse>\n";
  }

  private static final String PUT =
      "Action=PutMetricData&Version=2010-08-01&Namespace=Wharf%2FTest"
          + "&MetricData.member.1.MetricName=Latency"
          + "&MetricData.member.1.Dimensions.member.1.Name=Host"
          + "&MetricData.member.1.Dimensions.member.1.Value=a"
          + "&MetricData.member.1.Timestamp=2026-12-07T10%3A00%3A30.250Z"
          + "&MetricData.member.1.Value=12.5&MetricData.member.1.Unit=Bytes%2FSecond";

  @Test
  void formsAreTypedByTheModelAndAnsweredInXml() {
    ProtocolResponse put = call(PUT);
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.headers()).containsEntry("Content-Type", "text/xml");
    assertThat(put.text())
        .isEqualTo(
            XML
                + "<PutMetricDataResponse xmlns=\""
                + NS
                + "\"><PutMetricDataResult></PutMetricDataResult><ResponseMetadata>"
                + "<RequestId>req-1</RequestId></ResponseMetadata></PutMetricDataResponse>\n");
    MetricsService.Sample sample = metrics.samples.peek();
    assertThat(sample)
        .isEqualTo(
            new MetricsService.Sample(
                "Wharf/Test",
                "Latency",
                List.of(new MetricsService.Dimension("Host", "a")),
                Instant.parse("2026-12-07T10:00:30.250Z"),
                12.5,
                MetricsService.Unit.BYTES_PER_SECOND));

    ProtocolResponse list = call("Action=ListMetrics&Version=2010-08-01&Namespace=Wharf%2FTest");
    assertThat(list.text())
        .isEqualTo(
            XML
                + "<ListMetricsResponse xmlns=\""
                + NS
                + "\"><ListMetricsResult><Metrics><member><Namespace>Wharf/Test</Namespace>"
                + "<MetricName>Latency</MetricName><Dimensions><member><Name>Host</Name>"
                + "<Value>a</Value></member></Dimensions></member></Metrics></ListMetricsResult>"
                + "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
                + "</ListMetricsResponse>\n");

    ProtocolResponse stats =
        call(
            "Action=GetMetricStatistics&Version=2010-08-01&Namespace=Wharf%2FTest"
                + "&MetricName=Latency&StartTime=2026-12-07T10%3A00%3A00Z"
                + "&EndTime=2026-12-07T10%3A05%3A00Z&Period=300"
                + "&Statistics.member.1=Sum&Statistics.member.2=Maximum");
    assertThat(stats.text())
        .contains(
            "<GetMetricStatisticsResult><Label>Latency</Label><Datapoints><member>"
                + "<Timestamp>2026-12-07T10:00:00.000Z</Timestamp><Sum>12.5</Sum>"
                + "<Maximum>12.5</Maximum><Unit>Bytes/Second</Unit></member></Datapoints>"
                + "</GetMetricStatisticsResult>");
  }

  @Test
  void aUrlQueryAndAGetAreQueryRequestsToo() {
    ProtocolRequest get =
        new ProtocolRequest(
            "GET", "/", "Action=ListMetrics&Version=2010-08-01", Map.of(), new byte[0]);
    assertThat(endpoint.protocolOf(metrics, get)).isEqualTo(WireProtocol.AWS_QUERY);
    ProtocolResponse r = endpoint.handle(metrics, get, "admin", "req-1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).contains("<ListMetricsResult><Metrics></Metrics></ListMetricsResult>");
  }

  @Test
  void actionAndVersionAreRequired() {
    ProtocolResponse none = call("Version=2010-08-01");
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.text())
        .isEqualTo(
            error("Sender", "InvalidAction", "The request must contain the parameter Action."));
    assertThat(call("Action=ListMetrics&Version=2009-01-01").text())
        .isEqualTo(
            error(
                "Sender",
                "InvalidAction",
                "Wharf serves Amazon CloudWatch version 2010-08-01 on its query API; the"
                    + " request asks for version &apos;2009-01-01&apos;."));
    assertThat(call("Action=ListMetrics").text()).contains("the request asks for version none.");
    assertThat(call("Action=Nope&Version=2010-08-01").text())
        .isEqualTo(
            error("Sender", "InvalidAction", "The action Nope is not valid for this web service."));
    ProtocolResponse unimplemented = call("Action=PutMetricAlarm&Version=2010-08-01");
    assertThat(unimplemented.text())
        .isEqualTo(
            error(
                "Sender",
                "UnsupportedFeatureException",
                "Wharf does not implement the CloudWatch operation PutMetricAlarm yet."));
  }

  @Test
  void badValuesAreRefusedNamingTheMember() {
    assertThat(
            call("Action=PutMetricData&Version=2010-08-01&Namespace=a"
                    + "&MetricData.member.1.MetricName=m&MetricData.member.1.Value=abc")
                .text())
        .isEqualTo(
            error(
                "Sender",
                "ValidationError",
                "1 validation error detected: Value &apos;abc&apos; at &apos;MetricData[0].Value"
                    + "&apos; failed to satisfy constraint: Member must be a number"));
    assertThat(call("Action=PutMetricData&Version=2010-08-01&Namespace=%3Aa").text())
        .isEqualTo(
            error(
                "Sender",
                "InvalidParameterValue",
                "Parameter Namespace does not match the pattern [^:].*."));
    assertThat(
            call("Action=PutMetricData&Version=2010-08-01&Namespace=a"
                    + "&MetricData.member.0.MetricName=m")
                .text())
        .contains("The list MetricData has a member numbered &apos;0&apos;; members count from 1.");
    String deep = "MetricData" + ".member.1.Dimensions".repeat(100) + "=x";
    assertThat(call("Action=PutMetricData&Version=2010-08-01&Namespace=a&" + deep).text())
        .contains("<Code>ValidationError</Code>")
        .contains("has more than 128 parts.");
    assertThat(call("Action=PutMetricData&Version=2010-08-01").text())
        .isEqualTo(
            error("Sender", "InvalidParameterValue", "Missing required parameter Namespace."));
    assertThat(metrics.samples).isEmpty();
  }

  @Test
  void modelErrorsUseTheirQueryCodeAndStatus() {
    ProtocolResponse r =
        call(
            "Action=GetMetricStatistics&Version=2010-08-01&Namespace=a&MetricName=m"
                + "&StartTime=2026-12-07T10%3A05%3A00Z&EndTime=2026-12-07T10%3A00%3A00Z"
                + "&Period=60");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text())
        .isEqualTo(
            error(
                "Sender",
                "InvalidParameterValue",
                "The parameter StartTime must be less than the parameter EndTime."));
  }

  @Test
  void faultsAreReceiverErrors() {
    ProtocolResponse r =
        endpoint.error(
            metrics, WireProtocol.AWS_QUERY, new IllegalStateException("internal detail"), "req-1");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.text())
        .isEqualTo(
            error("Receiver", "ServerException", "An internal error occurred. Request ID: req-1"));
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("internal detail");
  }
}
