package io.wharf.elb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.RuleCondition;
import io.wharf.model.elb.TargetGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ElbRulesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static void refused(ErrorCode code, String message, Executable call) {
    assertThatThrownBy(call::execute)
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void namesAreLettersDigitsAndInnerHyphens() {
    assertThat(ElbRules.loadBalancerName("my-lb-1")).isEqualTo("my-lb-1");
    refused(
        ErrorCode.VALIDATION,
        "cannot be longer than '32'",
        () -> ElbRules.loadBalancerName("a".repeat(33)));
    refused(ErrorCode.VALIDATION, "alphanumeric", () -> ElbRules.targetGroupName("tg_1"));
    refused(ErrorCode.VALIDATION, "hyphen", () -> ElbRules.targetGroupName("-tg"));
    refused(ErrorCode.VALIDATION, "internal-", () -> ElbRules.loadBalancerName("internal-x"));
  }

  @Test
  void healthChecksFollowElbsRules() {
    HealthCheck hc =
        ElbRules.healthCheck(
            json(
                """
                {"HealthCheckPath":"/health","HealthCheckIntervalSeconds":10,
                 "HealthCheckTimeoutSeconds":3,"HealthyThresholdCount":2,
                 "Matcher":{"HttpCode":"200-299"}}
                """),
            HealthCheck.DEFAULT);
    assertThat(hc)
        .isEqualTo(
            new HealthCheck(true, "HTTP", "traffic-port", "/health", 10, 3, 2, 2, "200-299"));
    refused(
        ErrorCode.VALIDATION,
        "must be smaller than the interval",
        () ->
            ElbRules.healthCheck(json("{\"HealthCheckIntervalSeconds\":5}"), HealthCheck.DEFAULT));
    refused(
        ErrorCode.VALIDATION,
        "must begin with a '/'",
        () -> ElbRules.healthCheck(json("{\"HealthCheckPath\":\"health\"}"), HealthCheck.DEFAULT));
    refused(
        ErrorCode.VALIDATION,
        "traffic-port",
        () -> ElbRules.healthCheck(json("{\"HealthCheckPort\":\"http\"}"), HealthCheck.DEFAULT));
    refused(ErrorCode.VALIDATION, "from 200 to 499", () -> ElbRules.checkMatcher("100-199"));
    refused(ErrorCode.VALIDATION, "such as", () -> ElbRules.checkMatcher("2xx"));
    ElbRules.checkMatcher("200,202,300-302");
  }

  @Test
  void attributesAreKnownKeysWithValidValues() {
    Map<String, String> out =
        ElbRules.attributes(
            TargetGroup.DEFAULT_ATTRIBUTES,
            json(
                """
                [{"Key":"deregistration_delay.timeout_seconds","Value":"20"},
                 {"Key":"load_balancing.algorithm.type","Value":"least_outstanding_requests"}]
                """));
    assertThat(out)
        .containsEntry("deregistration_delay.timeout_seconds", "20")
        .containsEntry("load_balancing.algorithm.type", "least_outstanding_requests")
        .containsEntry("stickiness.enabled", "false");
    refused(
        ErrorCode.VALIDATION,
        "between 0 and 3600",
        () ->
            ElbRules.attributes(
                Map.of(),
                json("[{\"Key\":\"deregistration_delay.timeout_seconds\",\"Value\":\"4000\"}]")));
    refused(
        ErrorCode.VALIDATION,
        "not recognized",
        () -> ElbRules.attributes(Map.of(), json("[{\"Key\":\"nope\",\"Value\":\"1\"}]")));
    refused(
        ErrorCode.VALIDATION,
        "sticky",
        () ->
            ElbRules.attributes(
                Map.of(), json("[{\"Key\":\"stickiness.enabled\",\"Value\":\"true\"}]")));
  }

  @Test
  void oneForwardOrFixedResponseAction() {
    assertThat(ElbRules.actions(json("[{\"Type\":\"forward\",\"TargetGroupArn\":\"arn:tg\"}]")))
        .containsExactly(Action.forward(1, "arn:tg"));
    assertThat(
            ElbRules.actions(
                json(
                    "[{\"Type\":\"forward\",\"ForwardConfig\":{\"TargetGroups\":[{\"TargetGroupArn\":\"arn:tg\"}]}}]")))
        .containsExactly(Action.forward(1, "arn:tg"));
    assertThat(
            ElbRules.actions(
                json(
                    "[{\"Type\":\"fixed-response\",\"FixedResponseConfig\":{\"StatusCode\":\"404\",\"ContentType\":\"text/plain\"}}]")))
        .containsExactly(Action.fixed(1, new Action.FixedResponse("404", "text/plain", null)));
    refused(
        ErrorCode.INVALID_LOAD_BALANCER_ACTION,
        "redirect",
        () -> ElbRules.actions(json("[{\"Type\":\"redirect\"}]")));
    refused(
        ErrorCode.INVALID_LOAD_BALANCER_ACTION,
        "several weighted",
        () ->
            ElbRules.actions(
                json(
                    "[{\"Type\":\"forward\",\"ForwardConfig\":{\"TargetGroups\":[{\"TargetGroupArn\":\"a\"},{\"TargetGroupArn\":\"b\"}]}}]")));
    refused(
        ErrorCode.INVALID_LOAD_BALANCER_ACTION,
        "needs a target group",
        () -> ElbRules.actions(json("[{\"Type\":\"forward\"}]")));
  }

  @Test
  void pathAndHostConditionsWithAtMostFiveValues() {
    assertThat(
            ElbRules.conditions(
                json(
                    """
                    [{"Field":"path-pattern","Values":["/api/*"]},
                     {"Field":"host-header","HostHeaderConfig":{"Values":["*.example.com"]}}]
                    """)))
        .containsExactly(
            new RuleCondition("path-pattern", List.of("/api/*")),
            new RuleCondition("host-header", List.of("*.example.com")));
    refused(
        ErrorCode.VALIDATION,
        "'5' condition values",
        () ->
            ElbRules.conditions(
                json(
                    "[{\"Field\":\"path-pattern\",\"Values\":[\"/a\",\"/b\",\"/c\",\"/d\",\"/e\",\"/f\"]}]")));
    refused(
        ErrorCode.VALIDATION,
        "only have one 'path-pattern'",
        () ->
            ElbRules.conditions(
                json(
                    "[{\"Field\":\"path-pattern\",\"Values\":[\"/a\"]},{\"Field\":\"path-pattern\",\"Values\":[\"/b\"]}]")));
    refused(
        ErrorCode.VALIDATION,
        "'source-ip' is not supported",
        () -> ElbRules.conditions(json("[{\"Field\":\"source-ip\",\"Values\":[\"1.2.3.4/32\"]}]")));
    refused(
        ErrorCode.VALIDATION,
        "not allowed",
        () -> ElbRules.conditions(json("[{\"Field\":\"host-header\",\"Values\":[\"a b\"]}]")));
  }

  @Test
  void tagKeysAreUniqueAndNotReserved() {
    refused(
        ErrorCode.DUPLICATE_TAG_KEYS,
        "duplicated",
        () ->
            ElbRules.tags(
                json("[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"a\",\"Value\":\"2\"}]")));
    refused(ErrorCode.VALIDATION, "reserved", () -> ElbRules.tags(json("[{\"Key\":\"aws:x\"}]")));
  }
}
