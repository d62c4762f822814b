package io.wharf.elb.api;

import io.wharf.model.Tag;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.RuleCondition;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The ELBv2 model's structures as records (named as the model names them, suffix {@code View}), and
 * Wharf's entities as those records. The protocol layer writes them under the model's member names,
 * in the model's order, nulls left out; a list that is empty is written (as ELB writes an empty
 * {@code Conditions}), a null one is not. Several views are also read from requests (actions,
 * conditions, targets, attributes), with the members Wharf reads.
 */
final class ElbShapes {
  /** Wharf's stand-ins where ELB names an AWS network resource Wharf does not have. */
  static final String VPC = "vpc-wharf";

  static final String SUBNET = "subnet-wharf";

  /** The hosted zone ALBs in us-east-1 have; Wharf's DNS names are addresses, in no zone. */
  static final String HOSTED_ZONE = "Z35SXDOTRQ7X7K";

  private ElbShapes() {}

  /** The model's {@code LoadBalancer}. */
  record LoadBalancerView(
      String loadBalancerArn,
      String dnsName,
      String canonicalHostedZoneId,
      Instant createdTime,
      String loadBalancerName,
      String scheme,
      String vpcId,
      LoadBalancerStateView state,
      String type,
      List<AvailabilityZoneView> availabilityZones,
      List<String> securityGroups,
      String ipAddressType) {}

  /** The model's {@code LoadBalancerState}: {@code reason} only when {@code failed}. */
  record LoadBalancerStateView(String code, String reason) {}

  record AvailabilityZoneView(
      String zoneName, String subnetId, List<LoadBalancerAddressView> loadBalancerAddresses) {}

  record LoadBalancerAddressView(String ipAddress) {}

  /** The model's {@code TargetGroup}. */
  record TargetGroupView(
      String targetGroupArn,
      String targetGroupName,
      String protocol,
      int port,
      String vpcId,
      String healthCheckProtocol,
      String healthCheckPort,
      boolean healthCheckEnabled,
      int healthCheckIntervalSeconds,
      int healthCheckTimeoutSeconds,
      int healthyThresholdCount,
      int unhealthyThresholdCount,
      String healthCheckPath,
      MatcherView matcher,
      List<String> loadBalancerArns,
      String targetType,
      String protocolVersion,
      String ipAddressType) {}

  /** The model's {@code Matcher}; requests may name a gRPC code, which Wharf refuses. */
  record MatcherView(String httpCode, String grpcCode) {}

  /** The model's {@code TargetGroupAttribute}; either member may be missing from a request. */
  record TargetGroupAttributeView(String key, String value) {}

  /** The model's {@code Listener}. */
  record ListenerView(
      String listenerArn,
      String loadBalancerArn,
      int port,
      String protocol,
      List<ActionView> defaultActions) {}

  /** The model's {@code Action}: {@code forward} or {@code fixed-response} in Wharf. */
  record ActionView(
      String type,
      String targetGroupArn,
      Integer order,
      FixedResponseConfigView fixedResponseConfig,
      ForwardConfigView forwardConfig) {}

  record FixedResponseConfigView(String messageBody, String statusCode, String contentType) {}

  /** The model's {@code ForwardActionConfig}. */
  record ForwardConfigView(
      List<TargetGroupTupleView> targetGroups,
      TargetGroupStickinessConfigView targetGroupStickinessConfig) {}

  record TargetGroupTupleView(String targetGroupArn, Integer weight) {}

  record TargetGroupStickinessConfigView(Boolean enabled) {}

  /** The model's {@code Rule}; {@code priority} is text, {@code default} for a default rule. */
  record RuleView(
      String ruleArn,
      String priority,
      List<RuleConditionView> conditions,
      List<ActionView> actions,
      boolean isDefault) {}

  /**
   * The model's {@code RuleCondition}: a rule's values are written both in {@code Values} and in
   * the field's configuration, as ELB does.
   */
  record RuleConditionView(
      String field,
      List<String> values,
      ConditionValuesView hostHeaderConfig,
      ConditionValuesView pathPatternConfig,
      List<String> regexValues) {}

  /** The model's {@code HostHeaderConditionConfig} and {@code PathPatternConditionConfig}. */
  record ConditionValuesView(List<String> values, List<String> regexValues) {}

  /** The model's {@code TargetDescription}: a port and zone may be missing from a request. */
  record TargetDescriptionView(String id, Integer port, String availabilityZone) {}

  /** The model's {@code TargetHealthDescription}. */
  record TargetHealthDescriptionView(
      TargetDescriptionView target, String healthCheckPort, TargetHealthStatusView targetHealth) {}

  /** The model's {@code TargetHealth} (named apart from the data plane's health view). */
  record TargetHealthStatusView(String state, String reason, String description) {}

  /** The model's {@code TagDescription}. */
  record TagDescriptionView(String resourceArn, List<Tag> tags) {}

  /**
   * A load balancer. Its DNS name is its address: it resolves everywhere without a DNS server
   * (names under {@code .localhost} do not resolve through glibc without systemd-resolved).
   *
   * @param problem why listeners are not served (the state is then {@code failed}), or null
   */
  static LoadBalancerView loadBalancer(LoadBalancer lb, String region, String problem) {
    List<AvailabilityZoneView> zones = new ArrayList<>();
    List<String> subnets = lb.subnets().isEmpty() ? List.of(SUBNET) : lb.subnets();
    for (int i = 0; i < subnets.size(); i++) {
      zones.add(
          new AvailabilityZoneView(
              region + (char) ('a' + i % 26),
              subnets.get(i),
              List.of(new LoadBalancerAddressView(lb.address()))));
    }
    return new LoadBalancerView(
        lb.arn(),
        lb.address(),
        HOSTED_ZONE,
        lb.createdAt(),
        lb.name(),
        lb.scheme(),
        VPC,
        new LoadBalancerStateView(problem == null ? "active" : "failed", problem),
        "application",
        zones,
        lb.securityGroups(),
        "ipv4");
  }

  static TargetGroupView targetGroup(TargetGroup tg, Collection<String> loadBalancerArns) {
    HealthCheck hc = tg.healthCheck();
    return new TargetGroupView(
        tg.arn(),
        tg.name(),
        tg.protocol(),
        tg.port(),
        tg.vpcId() == null ? VPC : tg.vpcId(),
        hc.protocol(),
        hc.port(),
        hc.enabled(),
        hc.intervalSeconds(),
        hc.timeoutSeconds(),
        hc.healthyThreshold(),
        hc.unhealthyThreshold(),
        hc.path(),
        new MatcherView(hc.matcher(), null),
        List.copyOf(loadBalancerArns),
        tg.targetType().wireName(),
        "HTTP1",
        "ipv4");
  }

  static ListenerView listener(Listener l) {
    return new ListenerView(
        l.arn(), l.loadBalancerArn(), l.port(), l.protocol(), actions(l.defaultActions()));
  }

  static RuleView rule(ListenerRule r) {
    List<RuleConditionView> conditions = new ArrayList<>();
    for (RuleCondition c : r.conditions()) {
      ConditionValuesView config = new ConditionValuesView(c.values(), null);
      boolean path = c.field().equals(RuleCondition.PATH_PATTERN);
      conditions.add(
          new RuleConditionView(
              c.field(), c.values(), path ? null : config, path ? config : null, null));
    }
    return new RuleView(
        r.arn(), String.valueOf(r.priority()), conditions, actions(r.actions()), false);
  }

  /** A listener's default rule: its default actions, no conditions, priority "default". */
  static RuleView defaultRule(Listener l) {
    return new RuleView(
        l.defaultRuleArn(), "default", List.of(), actions(l.defaultActions()), true);
  }

  /** Actions as ELB describes them: a forward also in its configuration, with weight 1. */
  static List<ActionView> actions(List<Action> actions) {
    List<ActionView> out = new ArrayList<>();
    for (Action a : actions) {
      if (a.type().equals(Action.FORWARD)) {
        out.add(
            new ActionView(
                a.type(),
                a.targetGroupArn(),
                a.order(),
                null,
                new ForwardConfigView(
                    List.of(new TargetGroupTupleView(a.targetGroupArn(), 1)),
                    new TargetGroupStickinessConfigView(false))));
      } else {
        Action.FixedResponse r = a.fixedResponse();
        out.add(
            new ActionView(
                a.type(),
                null,
                a.order(),
                new FixedResponseConfigView(r.messageBody(), r.statusCode(), r.contentType()),
                null));
      }
    }
    return out;
  }

  /**
   * A target's health as DescribeTargetHealth describes it.
   *
   * @param zone the zone it was registered in, or null
   */
  static TargetHealthDescriptionView targetHealth(
      TargetGroup group, Target target, String zone, TargetHealth health) {
    String checkPort = group.healthCheck().port();
    return new TargetHealthDescriptionView(
        new TargetDescriptionView(target.id(), target.port(), zone),
        checkPort.equals(HealthCheck.TRAFFIC_PORT) ? String.valueOf(target.port()) : checkPort,
        new TargetHealthStatusView(
            health.state().wireName(), health.reason(), health.description()));
  }

  static List<TargetGroupAttributeView> attributes(TargetGroup tg) {
    List<TargetGroupAttributeView> out = new ArrayList<>();
    tg.attributes().forEach((k, v) -> out.add(new TargetGroupAttributeView(k, v)));
    return out;
  }
}
