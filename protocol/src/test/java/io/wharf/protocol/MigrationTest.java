package io.wharf.protocol;

import static io.wharf.protocol.Requests.form;
import static io.wharf.protocol.Requests.json;
import static io.wharf.protocol.Requests.readJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ECS (JSON 1.1) and ELBv2 (query) served through this module with JsonNode handlers, as they will
 * be while their operations migrate: the answers are the ones ApiHandler, EcsApi and ElbApi give
 * today, message for message.
 */
class MigrationTest {
  private static final ServiceModel ECS =
      ServiceModel.load(MigrationTest.class, "ecs-2014-11-13.json.gz");
  private static final ServiceModel ELB =
      ServiceModel.load(MigrationTest.class, "elbv2-2015-12-01.json.gz");
  private static final String ECS_PREFIX = "AmazonEC2ContainerServiceV20141113.";

  private record Ecs(ServiceModel model, Operations<String> operations)
      implements AwsService<String> {}

  /** ELBv2 as ElbApi answers: its errorOf, InvalidAction for what Wharf lacks, its version text. */
  private record Elb(ServiceModel model, Operations<String> operations)
      implements AwsService<String> {
    @Override
    public ErrorAnswer answer(ErrorCode code) {
      return switch (code) {
        case INVALID_PARAMETER, SERIALIZATION, CLIENT, UNSUPPORTED_FEATURE ->
            new ErrorAnswer("ValidationError", 400, true);
        case UNKNOWN_OPERATION -> new ErrorAnswer("InvalidAction", 400, true);
        case ACCESS_DENIED -> new ErrorAnswer("AccessDenied", 403, true);
        case SERVER -> new ErrorAnswer("InternalFailure", 500, false);
        default ->
            code.httpStatus() >= 500
                ? new ErrorAnswer("InternalFailure", 500, false)
                : new ErrorAnswer(code.wireCode(), code.httpStatus(), true);
      };
    }

    @Override
    public String notImplementedMessage(String operation) {
      return "Wharf does not implement the Elastic Load Balancing operation " + operation + " yet.";
    }

    @Override
    public WharfException notImplemented(String operation) {
      return new WharfException(ErrorCode.UNKNOWN_OPERATION, notImplementedMessage(operation));
    }

    @Override
    public String versionMismatchMessage(String requested) {
      return "Wharf serves Elastic Load Balancing version "
          + model().apiVersion()
          + " (ELBv2) on its query API; the request asks for version "
          + (requested == null ? "none" : "'" + requested + "'")
          + ".";
    }
  }

  private final Ecs ecs =
      new Ecs(
          ECS,
          Operations.<String>builder(ECS)
              .add(
                  "CreateCluster",
                  JsonNode.class,
                  (caller, in) ->
                      Requests.JSON
                          .createObjectNode()
                          .set(
                              "cluster",
                              Requests.JSON
                                  .createObjectNode()
                                  .put("clusterName", in.path("clusterName").asText())
                                  .put("status", "ACTIVE")))
              .add("ListServiceDeployments", JsonNode.class, (caller, in) -> null)
              .build());

  private final Elb elb =
      new Elb(
          ELB,
          Operations.<String>builder(ELB)
              .guard(
                  (caller, action, request) -> {
                    if (!caller.equals("admin")) {
                      throw new WharfException(
                          ErrorCode.ACCESS_DENIED,
                          "User: "
                              + caller
                              + " is not authorized to perform: elasticloadbalancing:"
                              + action
                              + " because no identity-based policy allows the"
                              + " elasticloadbalancing:"
                              + action
                              + " action");
                    }
                  })
              .add(
                  "DescribeLoadBalancers",
                  JsonNode.class,
                  (caller, in) -> {
                    var lb =
                        Requests.JSON
                            .createObjectNode()
                            .put("LoadBalancerName", in.at("/Names/0").asText())
                            .put("DNSName", "a.example")
                            .put("CreatedTime", "2026-12-07T10:00:00.000Z");
                    lb.putObject("State").put("Code", "active");
                    lb.putArray("AvailabilityZones");
                    var out = Requests.JSON.createObjectNode();
                    out.putArray("LoadBalancers").add(lb);
                    return out;
                  })
              .build());

  private final Endpoint<String> endpoint = new Endpoint<>(List.of(ecs, elb));

  private JsonNode ecsError(String operation, String body) {
    ProtocolResponse r =
        endpoint.handle(ecs, json("1.1", ECS_PREFIX + operation, body), "admin", "r");
    assertThat(r.status()).isEqualTo(400);
    return readJson(r);
  }

  @Test
  void ecsAnswersAsApiHandlerAndEcsApiDo() {
    assertThat(endpoint.service("ecs")).containsSame(ecs);
    ProtocolResponse created =
        endpoint.handle(
            ecs,
            json("1.1", ECS_PREFIX + "CreateCluster", "{\"clusterName\":\"a\"}"),
            "admin",
            "r");
    assertThat(created.text())
        .isEqualTo("{\"cluster\":{\"clusterName\":\"a\",\"status\":\"ACTIVE\"}}");
    assertThat(ecsError("CreateCluster", "{\"clusterName\":\"half\"} x").path("message").asText())
        .startsWith("The request body is not valid JSON: Unrecognized token 'x'");
    assertThat(
            ecsError(
                    "ListServiceDeployments",
                    "{\"cluster\":\"bad\",\"service\":\"svc\",\"createdAt\":{\"after\":\"yesterday\"}}")
                .path("message")
                .asText())
        .isEqualTo(
            "Parameter createdAt.after must be a timestamp, epoch seconds (a number) or ISO-8601"
                + " text such as 2026-11-22T12:00:00Z, between the years 1 and 9999; it is"
                + " \"yesterday\".");
    assertThat(ecsError("ListServiceDeployments", "{}").path("message").asText())
        .isEqualTo("Missing required parameter service.");
    JsonNode unimplemented = ecsError("CreateCapacityProvider", "{}");
    assertThat(unimplemented.path("__type").asText()).isEqualTo("UnsupportedFeatureException");
    assertThat(unimplemented.path("message").asText())
        .isEqualTo("Wharf does not implement the ECS operation CreateCapacityProvider yet.");
    assertThat(ecsError("Nope", "{}").path("message").asText())
        .isEqualTo("Unknown operation Nope.");
  }

  @Test
  void elbAnswersAsElbApiDoes() {
    // Members come out in the output shape's order, timestamps as ElbShapes writes them.
    assertThat(endpoint.service("elasticloadbalancing")).containsSame(elb);
    ProtocolResponse described =
        endpoint.handle(
            elb,
            form("Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=web"),
            "admin",
            "req-1");
    assertThat(described.text())
        .isEqualTo(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeLoadBalancersResponse"
                + " xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
                + "<DescribeLoadBalancersResult><LoadBalancers><member><DNSName>a.example</DNSName>"
                + "<CreatedTime>2026-12-07T10:00:00.000Z</CreatedTime>"
                + "<LoadBalancerName>web</LoadBalancerName><State><Code>active</Code></State>"
                + "<AvailabilityZones></AvailabilityZones></member></LoadBalancers>"
                + "</DescribeLoadBalancersResult><ResponseMetadata><RequestId>req-1</RequestId>"
                + "</ResponseMetadata></DescribeLoadBalancersResponse>\n");
    assertThat(elbText("Action=DescribeLoadBalancers&Version=2012-06-01", "admin"))
        .contains(
            "<Code>InvalidAction</Code><Message>Wharf serves Elastic Load Balancing version"
                + " 2015-12-01 (ELBv2) on its query API; the request asks for version"
                + " &apos;2012-06-01&apos;.</Message>");
    assertThat(elbText("Action=DescribeAccountLimits&Version=2015-12-01", "admin"))
        .contains(
            "<Code>InvalidAction</Code><Message>Wharf does not implement the Elastic Load"
                + " Balancing operation DescribeAccountLimits yet.</Message>");
    assertThat(elbText("Action=DescribeLoadBalancers&Version=2015-12-01&PageSize=0", "admin"))
        .contains(
            "<Code>ValidationError</Code><Message>Parameter PageSize is 0; the minimum is 1."
                + "</Message>");
    ProtocolResponse denied =
        endpoint.handle(elb, form("Action=DeleteLoadBalancer"), "instance", "req-1");
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.text())
        .contains(
            "<Code>AccessDenied</Code><Message>User: instance is not authorized to perform:"
                + " elasticloadbalancing:DeleteLoadBalancer because no identity-based policy"
                + " allows the elasticloadbalancing:DeleteLoadBalancer action</Message>");
  }

  private String elbText(String body, String caller) {
    ProtocolResponse r = endpoint.handle(elb, form(body), caller, "req-1");
    assertThat(r.status()).isEqualTo(400);
    return r.text();
  }
}
