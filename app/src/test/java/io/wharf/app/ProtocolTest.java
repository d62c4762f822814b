package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The wire protocol and authentication: error codes, statuses and messages for bad requests. */
class ProtocolTest {
  static final String PREFIX = "AmazonEC2ContainerServiceV20141113.";
  static TestServer server;
  static RawClient raw;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    raw = new RawClient(server.endpoint());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void answersWithRequestIdAndJsonContentType() {
    RawClient.Answer a = raw.send(PREFIX + "ListClusters", "{}");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.headers().get("x-amzn-requestid")).singleElement().asString().hasSize(36);
    assertThat(a.headers().get("content-type")).containsExactly("application/x-amz-json-1.1");
    assertThat(a.body().has("clusterArns")).isTrue();
  }

  /**
   * Some operations make SDKs prepend {@code stream-} to the host (Logs' StartLiveTail): a request
   * signed for and addressed to such a host is served as any other.
   */
  @Test
  void requestsAddressedToAPrefixedHostAreServed() {
    RawClient.Reply prefixed =
        raw.sendAddressedTo("stream-localhost", PREFIX + "ListClusters", "{}");
    assertThat(prefixed.status()).isEqualTo(200);
    assertThat(prefixed.body()).contains("clusterArns");
  }

  @Test
  void unknownAndUnimplementedOperations() {
    RawClient.Answer unknown = raw.send(PREFIX + "MakeCoffee", "{}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.type()).isEqualTo("UnknownOperationException");
    assertThat(unknown.message()).contains("MakeCoffee");

    RawClient.Answer otherService = raw.send("DynamoDB_20120810.ListTables", "{}");
    assertThat(otherService.type()).isEqualTo("UnknownOperationException");

    RawClient.Answer notYet = raw.send(PREFIX + "CreateExpressGatewayService", "{}");
    assertThat(notYet.status()).isEqualTo(400);
    assertThat(notYet.type()).isEqualTo("UnsupportedFeatureException");
    assertThat(notYet.message()).contains("CreateExpressGatewayService");

    RawClient.Answer noTarget = raw.send(null, "{}");
    assertThat(noTarget.status()).isEqualTo(400);
    assertThat(noTarget.type()).isEqualTo("UnknownOperationException");
  }

  @Test
  void malformedBodiesAreClientErrorsNamingTheProblem() {
    RawClient.Answer notJson = raw.send(PREFIX + "CreateCluster", "{\"clusterName\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.type()).isEqualTo("SerializationException");

    RawClient.Answer array = raw.send(PREFIX + "CreateCluster", "[1,2]");
    assertThat(array.type()).isEqualTo("SerializationException");

    RawClient.Answer wrongType = raw.send(PREFIX + "CreateCluster", "{\"clusterName\": 42}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.type()).isEqualTo("InvalidParameterException");
    assertThat(wrongType.message()).contains("clusterName").contains("string");

    RawClient.Answer missing = raw.send(PREFIX + "RegisterTaskDefinition", "{\"family\": \"x\"}");
    assertThat(missing.type()).isEqualTo("InvalidParameterException");
    assertThat(missing.message()).contains("containerDefinitions");

    RawClient.Answer nested =
        raw.send(
            PREFIX + "RegisterTaskDefinition",
            "{\"family\":\"x\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"b\",\"memory\":\"lots\"}]}");
    assertThat(nested.type()).isEqualTo("InvalidParameterException");
    assertThat(nested.message()).contains("containerDefinitions[0].memory");

    RawClient.Answer badEnum = raw.send(PREFIX + "ListTaskDefinitions", "{\"sort\": \"SIDEWAYS\"}");
    assertThat(badEnum.type()).isEqualTo("InvalidParameterException");
    assertThat(badEnum.message()).contains("sort").contains("ASC");

    RawClient.Answer tooMany =
        raw.send(
            PREFIX + "CreateCluster",
            "{\"clusterName\":\"t\",\"tags\":["
                + "{\"key\":\"k\"},".repeat(50)
                + "{\"key\":\"k\"}]}");
    assertThat(tooMany.type()).isEqualTo("InvalidParameterException");
    assertThat(tooMany.message()).contains("tags").contains("50");

    RawClient.Answer huge =
        raw.send(PREFIX + "CreateCluster", "{\"clusterName\":\"" + "x".repeat(2 << 20) + "\"}");
    assertThat(huge.status()).isEqualTo(400);
    assertThat(huge.message()).contains("larger than");

    // None of these changed anything.
    assertThat(raw.send(PREFIX + "ListClusters", "{}").body().path("clusterArns")).isEmpty();
  }

  @Test
  void signatureFailuresGetAwsCodes() {
    RawClient.Answer none = raw.unsigned(PREFIX + "ListClusters", "{}");
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.type()).isEqualTo("MissingAuthenticationTokenException");

    RawClient.Answer unknownKey =
        raw.send(
            PREFIX + "ListClusters",
            "{}",
            "AKIAUNKNOWNKEY000000",
            TestServer.SECRET,
            Clock.systemUTC());
    assertThat(unknownKey.type()).isEqualTo("UnrecognizedClientException");

    RawClient.Answer wrongSecret =
        raw.send(
            PREFIX + "ListClusters", "{}", TestServer.KEY_ID, "not-the-secret", Clock.systemUTC());
    assertThat(wrongSecret.type()).isEqualTo("InvalidSignatureException");

    Clock skewed = Clock.fixed(Instant.now().minus(Duration.ofMinutes(20)), ZoneOffset.UTC);
    RawClient.Answer expired =
        raw.send(PREFIX + "ListClusters", "{}", TestServer.KEY_ID, TestServer.SECRET, skewed);
    assertThat(expired.type()).isEqualTo("InvalidSignatureException");
    assertThat(expired.message()).contains("Signature expired");

    Clock slightlyOff = Clock.fixed(Instant.now().minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
    assertThat(
            raw.send(
                    PREFIX + "ListClusters",
                    "{}",
                    TestServer.KEY_ID,
                    TestServer.SECRET,
                    slightlyOff)
                .status())
        .isEqualTo(200);
  }

  @Test
  void theSdkSeesWrongCredentialsAsServiceErrors() {
    try (EcsClient wrong = server.client(TestServer.KEY_ID, "nope")) {
      assertThatThrownBy(wrong::listClusters)
          .isInstanceOfSatisfying(
              AwsServiceException.class,
              e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                assertThat(e.statusCode()).isEqualTo(400);
              });
    }
  }
}
