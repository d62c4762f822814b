package io.wharf.elb.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.Tag;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.RuleCondition;
import io.wharf.model.elb.TargetGroup;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;

/**
 * The ELBv2 response shapes of Wharf's entities, as JSON with the model's member names (the query
 * protocol writes them as XML).
 */
final class ElbShapes {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Wharf's stand-ins where ELB names an AWS network resource Wharf does not have. */
  static final String VPC = "vpc-wharf";

  static final String SUBNET = "subnet-wharf";

  /** The hosted zone ALBs in us-east-1 have; Wharf's DNS names are addresses, in no zone. */
  static final String HOSTED_ZONE = "Z35SXDOTRQ7X7K";

  private ElbShapes() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  static String timestamp(Instant instant) {
    return ISO.format(instant);
  }

  static ArrayNode strings(Collection<String> values) {
    ArrayNode out = array();
    values.forEach(out::add);
    return out;
  }

  /**
   * A load balancer. Its DNS name is its address: it resolves everywhere without a DNS server
   * (names under {@code .localhost} do not resolve through glibc without systemd-resolved).
   *
   * @param problem why listeners are not served (the state is then {@code failed}), or null
   */
  static ObjectNode loadBalancer(LoadBalancer lb, String region, String problem) {
    ObjectNode out =
        object()
            .put("LoadBalancerArn", lb.arn())
            .put("DNSName", lb.address())
            .put("CanonicalHostedZoneId", HOSTED_ZONE)
            .put("CreatedTime", timestamp(lb.createdAt()))
            .put("LoadBalancerName", lb.name())
            .put("Scheme", lb.scheme())
            .put("VpcId", VPC)
            .put("Type", "application")
            .put("IpAddressType", "ipv4");
    ObjectNode state = out.putObject("State").put("Code", problem == null ? "active" : "failed");
    if (problem != null) {
      state.put("Reason", problem);
    }
    ArrayNode zones = out.putArray("AvailabilityZones");
    List<String> subnets = lb.subnets().isEmpty() ? List.of(SUBNET) : lb.subnets();
    for (int i = 0; i < subnets.size(); i++) {
      ObjectNode zone =
          zones
              .addObject()
              .put("ZoneName", region + (char) ('a' + i % 26))
              .put("SubnetId", subnets.get(i));
      zone.putArray("LoadBalancerAddresses").addObject().put("IpAddress", lb.address());
    }
    out.set("SecurityGroups", strings(lb.securityGroups()));
    return out;
  }

  static ObjectNode targetGroup(TargetGroup tg, Collection<String> loadBalancerArns) {
    HealthCheck hc = tg.healthCheck();
    ObjectNode out =
        object()
            .put("TargetGroupArn", tg.arn())
            .put("TargetGroupName", tg.name())
            .put("Protocol", tg.protocol())
            .put("Port", tg.port())
            .put("VpcId", tg.vpcId() == null ? VPC : tg.vpcId())
            .put("HealthCheckProtocol", hc.protocol())
            .put("HealthCheckPort", hc.port())
            .put("HealthCheckEnabled", hc.enabled())
            .put("HealthCheckIntervalSeconds", hc.intervalSeconds())
            .put("HealthCheckTimeoutSeconds", hc.timeoutSeconds())
            .put("HealthyThresholdCount", hc.healthyThreshold())
            .put("UnhealthyThresholdCount", hc.unhealthyThreshold())
            .put("HealthCheckPath", hc.path())
            .put("TargetType", tg.targetType().wireName())
            .put("ProtocolVersion", "HTTP1")
            .put("IpAddressType", "ipv4");
    out.putObject("Matcher").put("HttpCode", hc.matcher());
    out.set("LoadBalancerArns", strings(loadBalancerArns));
    return out;
  }

  static ObjectNode listener(Listener l) {
    ObjectNode out =
        object()
            .put("ListenerArn", l.arn())
            .put("LoadBalancerArn", l.loadBalancerArn())
            .put("Port", l.port())
            .put("Protocol", l.protocol());
    out.set("DefaultActions", actions(l.defaultActions()));
    return out;
  }

  static ObjectNode rule(ListenerRule r) {
    ObjectNode out = object().put("RuleArn", r.arn()).put("Priority", String.valueOf(r.priority()));
    ArrayNode conditions = out.putArray("Conditions");
    for (RuleCondition c : r.conditions()) {
      ObjectNode cond = conditions.addObject().put("Field", c.field());
      cond.set("Values", strings(c.values()));
      String config =
          c.field().equals(RuleCondition.PATH_PATTERN) ? "PathPatternConfig" : "HostHeaderConfig";
      cond.putObject(config).set("Values", strings(c.values()));
    }
    out.set("Actions", actions(r.actions()));
    out.put("IsDefault", false);
    return out;
  }

  /** A listener's default rule: its default actions, no conditions, priority "default". */
  static ObjectNode defaultRule(Listener l) {
    ObjectNode out = object().put("RuleArn", l.defaultRuleArn()).put("Priority", "default");
    out.putArray("Conditions");
    out.set("Actions", actions(l.defaultActions()));
    out.put("IsDefault", true);
    return out;
  }

  static ArrayNode actions(List<Action> actions) {
    ArrayNode out = array();
    for (Action a : actions) {
      ObjectNode action = out.addObject().put("Type", a.type()).put("Order", a.order());
      if (a.type().equals(Action.FORWARD)) {
        action.put("TargetGroupArn", a.targetGroupArn());
        ObjectNode forward = action.putObject("ForwardConfig");
        forward
            .putArray("TargetGroups")
            .addObject()
            .put("TargetGroupArn", a.targetGroupArn())
            .put("Weight", 1);
        forward.putObject("TargetGroupStickinessConfig").put("Enabled", false);
      } else {
        Action.FixedResponse r = a.fixedResponse();
        ObjectNode config =
            action.putObject("FixedResponseConfig").put("StatusCode", r.statusCode());
        if (r.contentType() != null) {
          config.put("ContentType", r.contentType());
        }
        if (r.messageBody() != null) {
          config.put("MessageBody", r.messageBody());
        }
      }
    }
    return out;
  }

  static ArrayNode tags(List<Tag> tags) {
    ArrayNode out = array();
    for (Tag t : tags) {
      out.addObject().put("Key", t.key()).put("Value", t.value());
    }
    return out;
  }
}
