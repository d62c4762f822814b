package io.wharf.protocol;

import static io.wharf.protocol.Requests.cbor;
import static io.wharf.protocol.Requests.readCbor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Smithy RPCv2 CBOR on the CloudWatch model, with bodies as botocore 1.43 encodes them. */
class CborProtocolTest {
  private static final String SERVICE = "GraniteServiceVersion20100801";
  private final MetricsService metrics = new MetricsService(Instant.parse("2026-12-07T12:00:00Z"));
  private final Endpoint<String> endpoint = new Endpoint<>(List.of(metrics));

  private ProtocolResponse call(String operation, byte[] body) {
    return endpoint.handle(metrics, cbor(SERVICE, operation, body), "admin", "req-1");
  }

  /** PutMetricData as botocore writes it: definite-length maps, tag 1 epoch-second timestamps. */
  private static byte[] put(String namespace, double value, long epochSeconds) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
      g.writeStartObject(2);
      g.writeStringField("Namespace", namespace);
      g.writeFieldName("MetricData");
      g.writeStartArray(null, 1);
      g.writeStartObject(5);
      g.writeStringField("MetricName", "Latency");
      g.writeFieldName("Timestamp");
      g.writeTag(1);
      g.writeNumber(epochSeconds);
      g.writeNumberField("Value", value);
      g.writeStringField("Unit", "Milliseconds");
      g.writeFieldName("Dimensions");
      g.writeStartArray(null, 1);
      g.writeStartObject(2);
      g.writeStringField("Name", "Host");
      g.writeStringField("Value", "a");
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static byte[] encode(Object value) throws IOException {
    return Requests.CBOR.writeValueAsBytes(value);
  }

  @Test
  void theProtocolIsTheSmithyHeaderAndThePathNamesTheTargetPrefix() {
    assertThat(endpoint.protocolOf(metrics, cbor(SERVICE, "ListMetrics", new byte[0])))
        .isEqualTo(WireProtocol.RPC_V2_CBOR);
    assertThat(MetricsService.MODEL.protocols())
        .containsExactly(
            WireProtocol.RPC_V2_CBOR, WireProtocol.AWS_JSON_1_0, WireProtocol.AWS_QUERY);
    assertThat(MetricsService.MODEL.signingName()).isEqualTo("monitoring");
  }

  @Test
  void putsAndListsInCbor() throws IOException {
    ProtocolResponse put = call("PutMetricData", put("Wharf/Test", 12.5, 1_796_637_630L));
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.headers())
        .containsEntry("smithy-protocol", "rpc-v2-cbor")
        .containsEntry("Content-Type", "application/cbor");
    assertThat(readCbor(put).isObject()).isTrue();
    assertThat(metrics.samples.peek().at()).isEqualTo(Instant.ofEpochSecond(1_796_637_630L));

    ProtocolResponse list = call("ListMetrics", encode(Map.of("Namespace", "Wharf/Test")));
    JsonNode listed = readCbor(list);
    assertThat(listed.at("/Metrics/0/MetricName").asText()).isEqualTo("Latency");
    assertThat(listed.at("/Metrics/0/Dimensions/0/Value").asText()).isEqualTo("a");
    assertThat(listed.has("NextToken")).isFalse();
  }

  @Test
  void timestampsGoOutAsTag1EpochSeconds() throws IOException {
    call("PutMetricData", put("Wharf/Test", 3, 1_796_637_600L));
    Map<String, Object> query = new HashMap<>();
    query.put("Namespace", "Wharf/Test");
    query.put("MetricName", "Latency");
    query.put("StartTime", 1_796_637_600L);
    query.put("EndTime", 1_796_637_900.5);
    query.put("Period", 300);
    query.put("Statistics", List.of("Sum"));
    ProtocolResponse stats = call("GetMetricStatistics", encode(query));
    assertThat(stats.status()).as(readCbor(stats).toString()).isEqualTo(200);
    try (CBORParser p = new CBORFactory().createParser(stats.body())) {
      int tag = -1;
      long seconds = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME && p.currentName().equals("Timestamp")) {
          p.nextToken();
          tag = p.getCurrentTag();
          seconds = p.getLongValue();
        }
      }
      assertThat(tag).isEqualTo(1);
      assertThat(seconds).isEqualTo(1_796_637_600L);
    }
    assertThat(readCbor(stats).at("/Datapoints/0/Sum").asDouble()).isEqualTo(3.0);
  }

  @Test
  void errorsAreCborMapsWithTypeAndTheQueryCodeInAHeader() throws IOException {
    ProtocolResponse invalid = call("PutMetricData", encode(Map.of("Namespace", ":bad")));
    assertThat(invalid.status()).isEqualTo(400);
    JsonNode body = readCbor(invalid);
    assertThat(body.path("__type").asText()).isEqualTo("InvalidParameterValue");
    assertThat(body.path("message").asText())
        .isEqualTo("Parameter Namespace does not match the pattern [^:].*.");
    assertThat(invalid.headers())
        .containsEntry("x-amzn-query-error", "InvalidParameterValue;Sender")
        .containsEntry("smithy-protocol", "rpc-v2-cbor");

    Map<String, Object> backwards =
        Map.of("Namespace", "a", "MetricName", "m", "StartTime", 20, "EndTime", 10, "Period", 60);
    ProtocolResponse model = call("GetMetricStatistics", encode(backwards));
    assertThat(readCbor(model).path("__type").asText()).isEqualTo("InvalidParameterValueException");
    assertThat(model.headers()).containsEntry("x-amzn-query-error", "InvalidParameterValue;Sender");

    ProtocolResponse garbage = call("ListMetrics", new byte[] {(byte) 0xbf, 0x61});
    assertThat(readCbor(garbage).path("__type").asText()).isEqualTo("SerializationException");
    assertThat(readCbor(garbage).path("message").asText())
        .startsWith("The request body is not valid CBOR: ");

    ProtocolResponse notAMap = call("ListMetrics", encode(List.of(1)));
    assertThat(readCbor(notAMap).path("message").asText())
        .isEqualTo("The request body must be a CBOR map.");

    ProtocolResponse unknown = call("Nope", new byte[0]);
    assertThat(readCbor(unknown).path("__type").asText()).isEqualTo("UnknownOperationException");
    assertThat(readCbor(unknown).path("message").asText()).isEqualTo("Unknown operation Nope.");

    ProtocolResponse wrongService =
        endpoint.handle(metrics, cbor("CloudWatch", "ListMetrics", new byte[0]), "admin", "r");
    assertThat(readCbor(wrongService).path("message").asText())
        .isEqualTo(
            "RPCv2 CBOR requests to CloudWatch are POST"
                + " /service/GraniteServiceVersion20100801/operation/<Operation>; this one is POST"
                + " /service/CloudWatch/operation/ListMetrics.");
    assertThat(metrics.samples).isEmpty();
  }
}
