package io.wharf.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The query protocol on ELBv2's model: the shapes ELB's clients send and read. */
class ElbQueryWireTest {
  static final ServiceModel MODEL =
      ServiceModel.load(ElbQueryWireTest.class, "elbv2-2015-12-01.json.gz");
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void formsAreDecoded() {
    assertThat(QueryWire.decodeForm("Action=CreateRule&Names.member.1=a%2Bb+c&Empty=&Flag"))
        .containsExactly(
            Map.entry("Action", "CreateRule"),
            Map.entry("Names.member.1", "a+b c"),
            Map.entry("Empty", ""),
            Map.entry("Flag", ""));
  }

  @Test
  void nestedListsAndStructuresBecomeTypedJsonByTheModel() throws Exception {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("Action", "CreateRule");
    p.put("Version", "2015-12-01");
    p.put("ListenerArn", "arn:l");
    p.put("Priority", "10");
    p.put("Conditions.member.2.Field", "host-header");
    p.put("Conditions.member.2.HostHeaderConfig.Values.member.1", "*.example.com");
    p.put("Conditions.member.1.Field", "path-pattern");
    p.put("Conditions.member.1.Values.member.1", "/api/*");
    p.put("Conditions.member.1.Values.member.2", "/v2/*");
    p.put("Actions.member.1.Type", "forward");
    p.put("Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", "arn:tg");
    p.put("Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "1");
    p.put("Actions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled", "false");
    p.put("Unknown.Member", "ignored");
    ObjectNode input = QueryWire.input(MODEL, "CreateRule", p);
    // Compared as text: the numbers are longs here, ints when Jackson reads the text.
    assertThat(input.toString())
        .isEqualTo(
            JSON.readTree(
                    """
                {"ListenerArn":"arn:l",
                 "Conditions":[{"Field":"path-pattern","Values":["/api/*","/v2/*"]},
                               {"Field":"host-header","HostHeaderConfig":{"Values":["*.example.com"]}}],
                 "Priority":10,
                 "Actions":[{"Type":"forward","ForwardConfig":{
                    "TargetGroups":[{"TargetGroupArn":"arn:tg","Weight":1}],
                    "TargetGroupStickinessConfig":{"Enabled":false}}}]}
                """)
                .toString());
    assertThat(input.get("Priority").isIntegralNumber()).isTrue();
  }

  @Test
  void anEmptyParameterIsAnEmptyList() {
    ObjectNode input = QueryWire.input(MODEL, "DescribeLoadBalancers", Map.of("Names", ""));
    assertThat(input.get("Names").isArray()).isTrue();
    assertThat(input.get("Names")).isEmpty();
  }

  @Test
  void aValueOfTheWrongTypeIsAValidationError() {
    assertThatThrownBy(
            () ->
                QueryWire.input(MODEL, "CreateTargetGroup", Map.of("Name", "x", "Port", "eighty")))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION);
              assertThat(e.getMessage()).contains("'eighty'").contains("Port");
            });
    assertThatThrownBy(
            () -> QueryWire.input(MODEL, "DescribeLoadBalancers", Map.of("Names.member.x", "a")))
        .isInstanceOf(WharfException.class)
        .hasMessageContaining("count from 1");
  }

  @Test
  void responsesAreXmlInTheOutputShape() throws Exception {
    JsonNode result =
        JSON.readTree(
            """
            {"TargetGroups":[{"TargetGroupArn":"arn:tg","TargetGroupName":"a&b","Port":80,
              "HealthCheckEnabled":true,"Matcher":{"HttpCode":"200"},"LoadBalancerArns":["arn:lb"]}]}
            """);
    String xml = QueryWire.response(MODEL, "DescribeTargetGroups", result, "req-1");
    assertThat(xml)
        .contains(
            "<DescribeTargetGroupsResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">")
        .contains(
            "<DescribeTargetGroupsResult><TargetGroups><member><TargetGroupArn>arn:tg</TargetGroupArn>"
                + "<TargetGroupName>a&amp;b</TargetGroupName><Port>80</Port>")
        .contains("<HealthCheckEnabled>true</HealthCheckEnabled>")
        .contains("<Matcher><HttpCode>200</HttpCode></Matcher>")
        .contains("<LoadBalancerArns><member>arn:lb</member></LoadBalancerArns>")
        .contains("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>")
        .endsWith("</DescribeTargetGroupsResponse>\n");
  }

  @Test
  void anOperationWithoutResultMembersHasAnEmptyResult() {
    assertThat(QueryWire.response(MODEL, "DeleteLoadBalancer", JSON.createObjectNode(), "r"))
        .contains("<DeleteLoadBalancerResult></DeleteLoadBalancerResult>");
  }

  @Test
  void errorsAreInElbsFormat() {
    assertThat(QueryWire.error(MODEL, "LoadBalancerNotFound", true, "No <lb>", "r-9"))
        .contains(
            "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
                + "<Error><Type>Sender</Type><Code>LoadBalancerNotFound</Code>"
                + "<Message>No &lt;lb&gt;</Message></Error><RequestId>r-9</RequestId></ErrorResponse>");
  }

  @Test
  void controlCharactersCannotBreakTheXml() {
    assertThat(QueryWire.escape("a\u0001b'\"")).isEqualTo("a\uFFFDb&apos;&quot;");
  }
}
