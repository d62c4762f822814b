package io.wharf.protocol;

import static io.wharf.protocol.Requests.json;
import static io.wharf.protocol.Requests.readJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AWS JSON 1.0 and 1.1, on the Logs model, with requests as the aws CLI sends them. */
class JsonProtocolTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private final LogsService logs = new LogsService(NOW);
  private final Endpoint<String> endpoint = new Endpoint<>(List.of(logs));

  private ProtocolResponse call(ProtocolRequest request) {
    return endpoint.handle(logs, request, "admin", "req-1");
  }

  private static void assertError(ProtocolResponse r, int status, String type, String message) {
    assertThat(r.status()).isEqualTo(status);
    JsonNode body = readJson(r);
    assertThat(body.path("__type").asText()).isEqualTo(type);
    assertThat(body.path("message").asText()).isEqualTo(message);
    assertThat(body.size()).isEqualTo(2);
  }

  @Test
  void theServiceIsFoundBySigningNameAndTheProtocolByHeaders() {
    assertThat(endpoint.service("logs")).containsSame(logs);
    assertThat(endpoint.service("ecs")).isEmpty();
    assertThat(endpoint.protocolOf(logs, json("1.1", "Logs_20140328.CreateLogGroup", "")))
        .isEqualTo(WireProtocol.AWS_JSON_1_1);
    assertThat(endpoint.protocolOf(logs, json("1.0", "Logs_20140328.CreateLogGroup", "")))
        .isEqualTo(WireProtocol.AWS_JSON_1_0);
    assertThat(LogsService.MODEL.protocols()).containsExactly(WireProtocol.AWS_JSON_1_1);
    assertThat(LogsService.MODEL.signingName()).isEqualTo("logs");
    assertThat(LogsService.MODEL.targetPrefix()).isEqualTo("Logs_20140328");
  }

  @Test
  void createsAndDescribesWithTheContentTypeEchoed() {
    ProtocolResponse created =
        call(
            json(
                "1.1",
                "Logs_20140328.CreateLogGroup",
                "{\"logGroupName\": \"/wharf/web\", \"tags\": {\"team\": \"a\"}}"));
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.text()).isEqualTo("{}");
    assertThat(created.headers())
        .containsEntry("Content-Type", "application/x-amz-json-1.1")
        .containsEntry("x-amzn-RequestId", "req-1");

    ProtocolResponse described =
        call(json("1.0", "Logs_20140328.DescribeLogGroups", "{\"limit\": 5}"));
    assertThat(described.status()).isEqualTo(200);
    assertThat(described.headers()).containsEntry("Content-Type", "application/x-amz-json-1.0");
    assertThat(described.text())
        .isEqualTo(
            "{\"logGroups\":[{\"logGroupName\":\"/wharf/web\",\"creationTime\":"
                + NOW.toEpochMilli()
                + ",\"arn\":\"arn:aws:logs:us-east-1:000000000000:log-group:/wharf/web\","
                + "\"storedBytes\":0}]}");
  }

  @Test
  void bodiesAreReadAsApiHandlerReadsThem() {
    // An empty body is {}: the required member is then missing.
    assertError(
        call(json("1.1", "Logs_20140328.CreateLogGroup", "")),
        400,
        "InvalidParameterException",
        "Missing required parameter logGroupName.");
    assertError(
        call(json("1.1", "Logs_20140328.DescribeLogGroups", "{}{}")),
        400,
        "SerializationException",
        "The request body must be one JSON object with nothing after it.");
    assertError(
        call(json("1.1", "Logs_20140328.DescribeLogGroups", "[1]")),
        400,
        "SerializationException",
        "The request body must be a JSON object.");
    ProtocolResponse broken = call(json("1.1", "Logs_20140328.DescribeLogGroups", "{\"limit\":"));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(readJson(broken).path("__type").asText()).isEqualTo("SerializationException");
    assertThat(readJson(broken).path("message").asText())
        .startsWith("The request body is not valid JSON: ")
        .doesNotContain("\n");
    String deep = "{\"a\":".repeat(70) + "1" + "}".repeat(70);
    ProtocolResponse tooDeep = call(json("1.1", "Logs_20140328.DescribeLogGroups", deep));
    assertThat(readJson(tooDeep).path("__type").asText()).isEqualTo("SerializationException");
    assertThat(readJson(tooDeep).path("message").asText()).contains("nesting depth");
  }

  @Test
  void validationMessagesAreInputValidatorsNamingTheMember() {
    assertError(
        call(json("1.1", "Logs_20140328.DescribeLogGroups", "{\"limit\": 100}")),
        400,
        "InvalidParameterException",
        "Parameter limit is 100; the maximum is 50.");
    assertError(
        call(json("1.1", "Logs_20140328.DescribeLogGroups", "{\"limit\": \"5\"}")),
        400,
        "InvalidParameterException",
        "Parameter limit must be an integer.");
    assertError(
        call(json("1.1", "Logs_20140328.CreateLogGroup", "{\"logGroupName\": \"bad name!\"}")),
        400,
        "InvalidParameterException",
        "Parameter logGroupName does not match the pattern [\\.\\-_/#A-Za-z0-9]+.");
    assertError(
        call(
            json("1.1", "Logs_20140328.CreateLogGroup", "{\"logGroupName\": \"a\", \"tags\": {}}")),
        400,
        "InvalidParameterException",
        "Parameter tags has 0 entries; the minimum is 1.");
    assertThat(logs.groups).isEmpty();
  }

  @Test
  void unknownAndUnimplementedOperationsAreNamed() {
    assertError(
        call(json("1.1", "Logs_20140328.Nope", "{}")),
        400,
        "UnknownOperationException",
        "Unknown operation Nope.");
    assertError(
        call(json("1.1", "Other_1.CreateLogGroup", "{}")),
        400,
        "UnknownOperationException",
        "Unknown operation Other_1.CreateLogGroup.");
    assertError(
        call(json("1.1", "Logs_20140328.PutLogEvents", "{}")),
        400,
        "UnsupportedFeatureException",
        "Wharf does not implement the CloudWatch Logs operation PutLogEvents yet.");
    ProtocolRequest noTarget =
        new ProtocolRequest(
            "POST",
            "/",
            null,
            Map.of("content-type", List.of("application/x-amz-json-1.1")),
            "{}".getBytes(StandardCharsets.UTF_8));
    assertError(
        call(noTarget),
        400,
        "UnknownOperationException",
        "The request has no X-Amz-Target header.");
    ProtocolRequest get =
        new ProtocolRequest(
            "GET",
            "/",
            null,
            Map.of(
                "x-amz-target", List.of("Logs_20140328.DescribeLogGroups"),
                "content-type", List.of("application/x-amz-json-1.1")),
            new byte[0]);
    assertError(
        call(get),
        400,
        "UnknownOperationException",
        "Wharf's API takes AWS JSON 1.1 requests: POST / with X-Amz-Target.");
    assertError(
        call(Requests.form("Action=DescribeLogGroups&Version=2014-03-28")),
        400,
        "UnknownOperationException",
        "The CloudWatch Logs API does not take AWS_QUERY requests; it takes [AWS_JSON_1_1].");
  }

  @Test
  void guardsRunBeforeTheOperationIsLookedUpAndSeeTheRawInput() {
    ProtocolResponse refused =
        endpoint.handle(
            logs,
            json("1.1", "Logs_20140328.NotAnOperation", "{\"logGroupName\": 7}"),
            "someone",
            "req-2");
    assertError(
        refused,
        400,
        "AccessDeniedException",
        "User someone may not call logs:NotAnOperation on *");
    ProtocolResponse named =
        endpoint.handle(
            logs,
            json("1.1", "Logs_20140328.CreateLogGroup", "{\"logGroupName\": \"/a/b\"}"),
            "someone",
            "req-3");
    assertError(
        named,
        400,
        "AccessDeniedException",
        "User someone may not call logs:CreateLogGroup on /a/b");
  }

  @Test
  void modelErrorsAreAnsweredByTheirShape() {
    call(json("1.1", "Logs_20140328.CreateLogGroup", "{\"logGroupName\": \"/a\"}"));
    assertError(
        call(json("1.1", "Logs_20140328.CreateLogGroup", "{\"logGroupName\": \"/a\"}")),
        400,
        "ResourceAlreadyExistsException",
        "The specified log group already exists");
  }

  /** A service whose handlers fail in ways that are the server's fault. */
  private record Broken(ServiceModel model, Operations<String> operations)
      implements AwsService<String> {}

  @Test
  void faultsAreAnswered500WithTheRequestIdAndNoInternals() {
    Broken broken =
        new Broken(
            LogsService.MODEL,
            Operations.<String>builder(LogsService.MODEL)
                .add(
                    "CreateLogGroup",
                    LogsService.CreateLogGroupRequest.class,
                    (caller, in) -> {
                      throw new IllegalStateException("secret internals");
                    })
                .add(
                    "DeleteLogGroup",
                    com.fasterxml.jackson.databind.JsonNode.class,
                    (caller, in) -> {
                      throw new AwsServiceException("NoSuchShapeException", "made up");
                    })
                .build());
    Endpoint<String> brokenEndpoint = new Endpoint<>(List.of(broken));
    ProtocolResponse fault =
        brokenEndpoint.handle(
            broken,
            json("1.1", "Logs_20140328.CreateLogGroup", "{\"logGroupName\":\"/a\"}"),
            "admin",
            "req-9");
    assertError(fault, 500, "ServerException", "An internal error occurred. Request ID: req-9");
    ProtocolResponse unknownShape =
        brokenEndpoint.handle(
            broken,
            json("1.1", "Logs_20140328.DeleteLogGroup", "{\"logGroupName\":\"/a\"}"),
            "admin",
            "req-10");
    assertError(
        unknownShape, 500, "ServerException", "An internal error occurred. Request ID: req-10");
  }

  @Test
  void theFrontsOwnRefusalsAreAnsweredInTheProtocolsShape() {
    ProtocolResponse r =
        endpoint.error(
            logs,
            WireProtocol.AWS_JSON_1_1,
            new io.wharf.model.WharfException(
                io.wharf.model.ErrorCode.INVALID_SIGNATURE, "The signature does not match."),
            "req-5");
    assertError(r, 400, "InvalidSignatureException", "The signature does not match.");
    assertThat(r.headers()).containsEntry("Content-Type", "application/x-amz-json-1.1");
  }
}
