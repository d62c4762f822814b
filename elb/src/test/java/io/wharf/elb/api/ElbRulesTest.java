package io.wharf.elb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.elb.api.ElbShapes.ActionView;
import io.wharf.elb.api.ElbShapes.ConditionValuesView;
import io.wharf.elb.api.ElbShapes.FixedResponseConfigView;
import io.wharf.elb.api.ElbShapes.ForwardConfigView;
import io.wharf.elb.api.ElbShapes.MatcherView;
import io.wharf.elb.api.ElbShapes.RuleConditionView;
import io.wharf.elb.api.ElbShapes.TargetGroupAttributeView;
import io.wharf.elb.api.ElbShapes.TargetGroupTupleView;
import io.wharf.elb.api.TargetGroupOperations.ModifyTargetGroupRequest;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
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
  /** A ModifyTargetGroup request with only these health check members. */
  static ModifyTargetGroupRequest check(
      String port, String path, Integer interval, Integer timeout, Integer healthy, String codes) {
    return new ModifyTargetGroupRequest(
        "arn:tg",
        null,
        port,
        path,
        null,
        interval,
        timeout,
        healthy,
        null,
        codes == null ? null : new MatcherView(codes, null));
  }

  static ActionView forward(String arn, List<String> configured) {
    return new ActionView(
        "forward",
        arn,
        null,
        null,
        configured == null
            ? null
            : new ForwardConfigView(
                configured.stream().map(a -> new TargetGroupTupleView(a, null)).toList(), null));
  }

  static RuleConditionView condition(String field, List<String> values) {
    return new RuleConditionView(field, values, null, null, null);
  }

  static TargetGroupAttributeView attribute(String key, String value) {
    return new TargetGroupAttributeView(key, value);
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
        ElbRules.healthCheck(check(null, "/health", 10, 3, 2, "200-299"), HealthCheck.DEFAULT);
    assertThat(hc)
        .isEqualTo(
            new HealthCheck(true, "HTTP", "traffic-port", "/health", 10, 3, 2, 2, "200-299"));
    refused(
        ErrorCode.VALIDATION,
        "must be smaller than the interval",
        () -> ElbRules.healthCheck(check(null, null, 5, null, null, null), HealthCheck.DEFAULT));
    refused(
        ErrorCode.VALIDATION,
        "must begin with a '/'",
        () ->
            ElbRules.healthCheck(
                check(null, "health", null, null, null, null), HealthCheck.DEFAULT));
    refused(
        ErrorCode.VALIDATION,
        "traffic-port",
        () ->
            ElbRules.healthCheck(check("http", null, null, null, null, null), HealthCheck.DEFAULT));
    refused(ErrorCode.VALIDATION, "from 200 to 499", () -> ElbRules.checkMatcher("100-199"));
    refused(ErrorCode.VALIDATION, "such as", () -> ElbRules.checkMatcher("2xx"));
    ElbRules.checkMatcher("200,202,300-302");
  }

  @Test
  void attributesAreKnownKeysWithValidValues() {
    Map<String, String> out =
        ElbRules.attributes(
            TargetGroup.DEFAULT_ATTRIBUTES,
            List.of(
                attribute("deregistration_delay.timeout_seconds", "20"),
                attribute("load_balancing.algorithm.type", "least_outstanding_requests")));
    assertThat(out)
        .containsEntry("deregistration_delay.timeout_seconds", "20")
        .containsEntry("load_balancing.algorithm.type", "least_outstanding_requests")
        .containsEntry("stickiness.enabled", "false");
    refused(
        ErrorCode.VALIDATION,
        "between 0 and 3600",
        () ->
            ElbRules.attributes(
                Map.of(), List.of(attribute("deregistration_delay.timeout_seconds", "4000"))));
    refused(
        ErrorCode.VALIDATION,
        "not recognized",
        () -> ElbRules.attributes(Map.of(), List.of(attribute("nope", "1"))));
    refused(
        ErrorCode.VALIDATION,
        "sticky",
        () -> ElbRules.attributes(Map.of(), List.of(attribute("stickiness.enabled", "true"))));
  }

  @Test
  void oneForwardOrFixedResponseAction() {
    assertThat(ElbRules.actions(List.of(forward("arn:tg", null))))
        .containsExactly(Action.forward(1, "arn:tg"));
    assertThat(ElbRules.actions(List.of(forward(null, List.of("arn:tg")))))
        .containsExactly(Action.forward(1, "arn:tg"));
    assertThat(
            ElbRules.actions(
                List.of(
                    new ActionView(
                        "fixed-response",
                        null,
                        null,
                        new FixedResponseConfigView(null, "404", "text/plain"),
                        null))))
        .containsExactly(Action.fixed(1, new Action.FixedResponse("404", "text/plain", null)));
    refused(
        ErrorCode.INVALID_LOAD_BALANCER_ACTION,
        "redirect",
        () -> ElbRules.actions(List.of(new ActionView("redirect", null, null, null, null))));
    refused(
        ErrorCode.INVALID_LOAD_BALANCER_ACTION,
        "several weighted",
        () -> ElbRules.actions(List.of(forward(null, List.of("a", "b")))));
    refused(
        ErrorCode.INVALID_LOAD_BALANCER_ACTION,
        "needs a target group",
        () -> ElbRules.actions(List.of(forward(null, null))));
  }

  @Test
  void pathAndHostConditionsWithAtMostFiveValues() {
    assertThat(
            ElbRules.conditions(
                List.of(
                    condition("path-pattern", List.of("/api/*")),
                    new RuleConditionView(
                        "host-header",
                        null,
                        new ConditionValuesView(List.of("*.example.com"), null),
                        null,
                        null))))
        .containsExactly(
            new RuleCondition("path-pattern", List.of("/api/*")),
            new RuleCondition("host-header", List.of("*.example.com")));
    refused(
        ErrorCode.VALIDATION,
        "'5' condition values",
        () ->
            ElbRules.conditions(
                List.of(condition("path-pattern", List.of("/a", "/b", "/c", "/d", "/e", "/f")))));
    refused(
        ErrorCode.VALIDATION,
        "only have one 'path-pattern'",
        () ->
            ElbRules.conditions(
                List.of(
                    condition("path-pattern", List.of("/a")),
                    condition("path-pattern", List.of("/b")))));
    refused(
        ErrorCode.VALIDATION,
        "'source-ip' is not supported",
        () -> ElbRules.conditions(List.of(condition("source-ip", List.of("1.2.3.4/32")))));
    refused(
        ErrorCode.VALIDATION,
        "not allowed",
        () -> ElbRules.conditions(List.of(condition("host-header", List.of("a b")))));
  }

  @Test
  void tagKeysAreUniqueAndNotReserved() {
    refused(
        ErrorCode.DUPLICATE_TAG_KEYS,
        "duplicated",
        () -> ElbRules.tags(List.of(new Tag("a", "1"), new Tag("a", "2"))));
    refused(ErrorCode.VALIDATION, "reserved", () -> ElbRules.tags(List.of(new Tag("aws:x", null))));
  }
}
