package io.wharf.elb.api;

import io.wharf.elb.api.ElbShapes.ActionView;
import io.wharf.elb.api.ElbShapes.ConditionValuesView;
import io.wharf.elb.api.ElbShapes.FixedResponseConfigView;
import io.wharf.elb.api.ElbShapes.MatcherView;
import io.wharf.elb.api.ElbShapes.RuleConditionView;
import io.wharf.elb.api.ElbShapes.TargetGroupAttributeView;
import io.wharf.elb.api.ElbShapes.TargetGroupTupleView;
import io.wharf.elb.balancing.ProxyConfigs;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.RuleCondition;
import io.wharf.model.elb.TargetGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ELB's own rules for requests, beyond what the service model checks (types, enums, ranges): names,
 * health checks, attributes, actions, conditions and tags. Pure: reads only the request (already
 * checked against the model, bound to records), throws ELB's error codes with ELB-like messages.
 */
final class ElbRules {
  private ElbRules() {}

  /**
   * The health check members CreateTargetGroup and ModifyTargetGroup share; each is null when the
   * request leaves it out.
   */
  interface HealthCheckRequest {
    String healthCheckProtocol();

    String healthCheckPort();

    String healthCheckPath();

    Boolean healthCheckEnabled();

    Integer healthCheckIntervalSeconds();

    Integer healthCheckTimeoutSeconds();

    Integer healthyThresholdCount();

    Integer unhealthyThresholdCount();

    MatcherView matcher();
  }

  static final int MAX_NAME = 32;
  static final int MAX_TAGS = 50;
  static final int MAX_CONDITION_VALUES = 5;
  static final int MAX_CONDITION_VALUE_LENGTH = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9-]+");
  private static final Pattern PATH_PATTERN = Pattern.compile("[A-Za-z0-9_\\-.$/~\"'@:+&*?]+");
  private static final Pattern HOST_PATTERN = Pattern.compile("[A-Za-z0-9\\-.*?]+");
  private static final Pattern MATCHER = Pattern.compile("\\d{3}(-\\d{3})?(,\\d{3}(-\\d{3})?)*");
  private static final Set<String> CONTENT_TYPES =
      Set.of("text/plain", "text/css", "text/html", "application/javascript", "application/json");

  /** A load balancer name: 1-32 letters, digits and hyphens, no hyphen at either end. */
  static String loadBalancerName(String name) {
    checkName(name, "load balancer");
    if (name.startsWith("internal-")) {
      throw validation("Load balancer name '" + name + "' cannot begin with 'internal-'");
    }
    return name;
  }

  /** A target group name: 1-32 letters, digits and hyphens, no hyphen at either end. */
  static String targetGroupName(String name) {
    checkName(name, "target group");
    return name;
  }

  private static void checkName(String name, String what) {
    if (name.isEmpty() || name.length() > MAX_NAME) {
      throw validation(
          capitalize(what)
              + " name '"
              + name
              + "' cannot be longer than '"
              + MAX_NAME
              + "' characters");
    }
    if (!NAME.matcher(name).matches()) {
      throw validation(
          capitalize(what)
              + " name '"
              + name
              + "' can only contain characters that are alphanumeric characters or hyphens(-)");
    }
    if (name.startsWith("-") || name.endsWith("-")) {
      throw validation(capitalize(what) + " name '" + name + "' cannot begin or end with a hyphen");
    }
  }

  /** The only protocol Wharf's listeners and target groups speak. */
  static String http(String protocol, String what) {
    if (protocol == null) {
      throw validation("A protocol must be specified for the " + what);
    }
    if (!protocol.equals("HTTP")) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_PROTOCOL,
          "Wharf supports the HTTP protocol for "
              + what
              + "s; '"
              + protocol
              + "' is not supported yet");
    }
    return protocol;
  }

  /**
   * A health check from CreateTargetGroup or ModifyTargetGroup members, over {@code base} (ELB's
   * defaults, or the group's current check).
   */
  static HealthCheck healthCheck(HealthCheckRequest r, HealthCheck base) {
    String protocol = or(r.healthCheckProtocol(), base.protocol());
    if (!protocol.equals("HTTP")) {
      throw validation(
          "Wharf supports HTTP health checks; health check protocol '"
              + protocol
              + "' is not supported yet");
    }
    String port = or(r.healthCheckPort(), base.port());
    if (!port.equals(HealthCheck.TRAFFIC_PORT)) {
      int p;
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        p = 0;
      }
      if (p < 1 || p > 65535) {
        throw validation(
            "Health check port '" + port + "' must be 'traffic-port' or a port from 1 to 65535");
      }
    }
    String path = or(r.healthCheckPath(), base.path());
    if (!path.startsWith("/")) {
      throw validation("Health check path '" + path + "' must begin with a '/' character");
    }
    if (path.chars().anyMatch(c -> c <= ' ' || c == '"' || c >= 0x7f)) {
      throw validation("Health check path '" + path + "' contains characters that are not allowed");
    }
    int interval = or(r.healthCheckIntervalSeconds(), base.intervalSeconds());
    int timeout = or(r.healthCheckTimeoutSeconds(), base.timeoutSeconds());
    if (timeout >= interval) {
      throw validation(
          "Health check timeout '"
              + timeout
              + "' must be smaller than the interval '"
              + interval
              + "'");
    }
    String matcher = base.matcher();
    MatcherView m = r.matcher();
    if (m != null) {
      if (m.grpcCode() != null) {
        throw validation(
            "A gRPC matcher needs the gRPC protocol version, which Wharf does not support");
      }
      matcher = or(m.httpCode(), matcher);
    }
    checkMatcher(matcher);
    return new HealthCheck(
        or(r.healthCheckEnabled(), base.enabled()),
        protocol,
        port,
        path,
        interval,
        timeout,
        or(r.healthyThresholdCount(), base.healthyThreshold()),
        or(r.unhealthyThresholdCount(), base.unhealthyThreshold()),
        matcher);
  }

  /** HTTP codes 200-499 as a list ({@code 200,202}) and/or ranges ({@code 200-299}). */
  static void checkMatcher(String matcher) {
    String compact = matcher.replace(" ", "");
    if (!MATCHER.matcher(compact).matches()) {
      throw validation(
          "Matcher HttpCode '"
              + matcher
              + "' must be HTTP codes such as '200', '200,202' or '200-299'");
    }
    for (String part : compact.split(",")) {
      String[] ends = part.split("-");
      int from = Integer.parseInt(ends[0]);
      int to = Integer.parseInt(ends[ends.length - 1]);
      if (from < 200 || to > 499 || from > to) {
        throw validation("Matcher HttpCode '" + matcher + "' must be codes from 200 to 499");
      }
    }
    ProxyConfigs.httpCodes(compact);
  }

  /** New attributes over the current ones, each key known and each value valid. */
  static Map<String, String> attributes(
      Map<String, String> current, List<TargetGroupAttributeView> attributes) {
    Map<String, String> out = new LinkedHashMap<>(current);
    for (TargetGroupAttributeView a : attributes) {
      String key = or(a.key(), "");
      String value = or(a.value(), "");
      switch (key) {
        case TargetGroup.DEREGISTRATION_DELAY -> {
          int seconds = parseInt(value, key);
          if (seconds < 0 || seconds > 3600) {
            throw validation("'" + key + "' must be between 0 and 3600 seconds, not " + value);
          }
          value = String.valueOf(seconds);
        }
        case TargetGroup.ALGORITHM -> {
          if (!value.equals("round_robin") && !value.equals("least_outstanding_requests")) {
            throw validation(
                "'"
                    + key
                    + "' must be 'round_robin' or 'least_outstanding_requests' in Wharf, not '"
                    + value
                    + "'");
          }
        }
        case "stickiness.enabled" -> {
          if (!value.equals("false")) {
            throw validation(
                "Wharf does not support sticky sessions yet; stickiness.enabled must be false");
          }
        }
        case "slow_start.duration_seconds" -> {
          if (!value.equals("0")) {
            throw validation(
                "Wharf does not support slow start yet; slow_start.duration_seconds must be 0");
          }
        }
        case "stickiness.type",
            "stickiness.lb_cookie.duration_seconds",
            "load_balancing.cross_zone.enabled" -> {
          if (!value.equals(TargetGroup.DEFAULT_ATTRIBUTES.get(key))) {
            throw validation(
                "Wharf supports only '"
                    + TargetGroup.DEFAULT_ATTRIBUTES.get(key)
                    + "' for '"
                    + key
                    + "' yet");
          }
        }
        default -> throw validation("Target group attribute key '" + key + "' is not recognized");
      }
      out.put(key, value);
    }
    return out;
  }

  /**
   * The actions of a listener or rule. Wharf supports exactly one action: {@code forward} (to one
   * target group) or {@code fixed-response}.
   */
  static List<Action> actions(List<ActionView> actions) {
    if (actions == null || actions.isEmpty()) {
      throw validation("At least one action must be specified");
    }
    if (actions.size() > 1) {
      throw new WharfException(
          ErrorCode.INVALID_LOAD_BALANCER_ACTION,
          "Wharf supports one action per rule (forward or fixed-response); "
              + actions.size()
              + " were given");
    }
    ActionView a = actions.get(0);
    String type = a.type();
    int order = or(a.order(), 1);
    return switch (type) {
      case Action.FORWARD -> List.of(Action.forward(order, forwardTarget(a)));
      case Action.FIXED_RESPONSE -> {
        FixedResponseConfigView c = a.fixedResponseConfig();
        if (c == null) {
          throw new WharfException(
              ErrorCode.INVALID_LOAD_BALANCER_ACTION,
              "A fixed-response action needs a FixedResponseConfig");
        }
        String contentType = c.contentType();
        if (contentType != null && !CONTENT_TYPES.contains(contentType)) {
          throw validation("Content type '" + contentType + "' is not supported");
        }
        yield List.of(
            Action.fixed(
                order, new Action.FixedResponse(c.statusCode(), contentType, c.messageBody())));
      }
      default ->
          throw new WharfException(
              ErrorCode.INVALID_LOAD_BALANCER_ACTION,
              "Wharf does not support the '"
                  + type
                  + "' action yet; use forward or fixed-response");
    };
  }

  private static String forwardTarget(ActionView a) {
    String direct = a.targetGroupArn();
    List<String> configured = new ArrayList<>();
    var forward = a.forwardConfig();
    if (forward != null && forward.targetGroups() != null) {
      for (TargetGroupTupleView t : forward.targetGroups()) {
        // A tuple without an ARN names the group '' (not found), not no group.
        configured.add(or(t.targetGroupArn(), ""));
      }
    }
    if (forward != null
        && forward.targetGroupStickinessConfig() != null
        && Boolean.TRUE.equals(forward.targetGroupStickinessConfig().enabled())) {
      throw new WharfException(
          ErrorCode.INVALID_LOAD_BALANCER_ACTION,
          "Wharf does not support target group stickiness yet");
    }
    if (configured.size() > 1) {
      throw new WharfException(
          ErrorCode.INVALID_LOAD_BALANCER_ACTION,
          "Wharf does not support forwarding to several weighted target groups yet; give one");
    }
    if (direct != null && !configured.isEmpty() && !configured.get(0).equals(direct)) {
      throw new WharfException(
          ErrorCode.INVALID_LOAD_BALANCER_ACTION,
          "TargetGroupArn and ForwardConfig name different target groups");
    }
    String arn = direct != null ? direct : configured.isEmpty() ? null : configured.get(0);
    if (arn == null) {
      throw new WharfException(
          ErrorCode.INVALID_LOAD_BALANCER_ACTION,
          "A forward action needs a target group (TargetGroupArn or ForwardConfig)");
    }
    return arn;
  }

  /**
   * A rule's conditions: {@code path-pattern} and {@code host-header}, each at most once, at most
   * five values in all.
   */
  static List<RuleCondition> conditions(List<RuleConditionView> conditions) {
    if (conditions == null || conditions.isEmpty()) {
      throw validation("A rule must have at least one condition");
    }
    List<RuleCondition> out = new ArrayList<>();
    int total = 0;
    for (RuleConditionView c : conditions) {
      String field = or(c.field(), "");
      ConditionValuesView config =
          switch (field) {
            case RuleCondition.PATH_PATTERN -> c.pathPatternConfig();
            case RuleCondition.HOST_HEADER -> c.hostHeaderConfig();
            default ->
                throw validation(
                    "Wharf supports the path-pattern and host-header conditions; '"
                        + field
                        + "' is not supported yet");
          };
      if (c.regexValues() != null || (config != null && config.regexValues() != null)) {
        throw validation("Wharf does not support regular-expression conditions yet");
      }
      List<String> values = new ArrayList<>();
      if (c.values() != null) {
        values.addAll(c.values());
      }
      if (config != null && config.values() != null) {
        if (!values.isEmpty()) {
          throw validation(
              "Specify condition values in Values or in the " + field + " configuration, not both");
        }
        values.addAll(config.values());
      }
      if (values.isEmpty()) {
        throw validation("A '" + field + "' condition must have at least one value");
      }
      for (RuleCondition seen : out) {
        if (seen.field().equals(field)) {
          throw validation("A rule can only have one '" + field + "' condition");
        }
      }
      Pattern allowed = field.equals(RuleCondition.PATH_PATTERN) ? PATH_PATTERN : HOST_PATTERN;
      for (String v : values) {
        if (v.length() > MAX_CONDITION_VALUE_LENGTH) {
          throw validation(
              "Condition value '"
                  + v
                  + "' cannot be longer than "
                  + MAX_CONDITION_VALUE_LENGTH
                  + " characters");
        }
        if (!allowed.matcher(v).matches()) {
          throw validation("Condition value '" + v + "' contains characters that are not allowed");
        }
      }
      total += values.size();
      out.add(new RuleCondition(field, values));
    }
    if (total > MAX_CONDITION_VALUES) {
      throw validation("A rule can only have '" + MAX_CONDITION_VALUES + "' condition values");
    }
    return out;
  }

  /** Tags of a request: unique keys, no {@code aws:} prefix, at most 50. */
  static List<Tag> tags(List<Tag> tags) {
    List<Tag> out = new ArrayList<>();
    if (tags == null) {
      return out;
    }
    Set<String> keys = new java.util.HashSet<>();
    for (Tag t : tags) {
      String key = t.key();
      if (!keys.add(key)) {
        throw new WharfException(
            ErrorCode.DUPLICATE_TAG_KEYS, "Tag key '" + key + "' is duplicated in the request");
      }
      if (key.regionMatches(true, 0, "aws:", 0, 4)) {
        throw validation("Tag keys starting with 'aws:' are reserved for internal use");
      }
      out.add(t);
    }
    return out;
  }

  /** Tags merged (a key given again replaces its value), at most 50 in all. */
  static List<Tag> merge(List<Tag> existing, List<Tag> added) {
    Map<String, Tag> byKey = new LinkedHashMap<>();
    existing.forEach(t -> byKey.put(t.key(), t));
    added.forEach(t -> byKey.put(t.key(), t));
    if (byKey.size() > MAX_TAGS) {
      throw new WharfException(
          ErrorCode.TOO_MANY_TAGS,
          "A resource can have at most "
              + MAX_TAGS
              + " tags; this request would give it "
              + byKey.size());
    }
    return new ArrayList<>(byKey.values());
  }

  /** A member's value, or its default when the request leaves it out. */
  static <T> T or(T given, T fallback) {
    return given == null ? fallback : given;
  }

  private static int parseInt(String value, String key) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw validation("'" + key + "' must be a whole number of seconds, not '" + value + "'");
    }
  }

  static WharfException validation(String message) {
    return new WharfException(ErrorCode.VALIDATION, message);
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
