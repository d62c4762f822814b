package io.wharf.elb.balancing;

import io.wharf.core.state.LoadBalancing;
import io.wharf.core.state.State;
import io.wharf.haproxy.ConfigRenderer;
import io.wharf.haproxy.ProxyConfig;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ContainerInstanceStatus;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.ElbArn;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.RuleCondition;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.elb.TargetType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Translates the load-balancing state into what HAProxy should run. Pure: the same state always
 * gives the same configuration.
 *
 * <pre>
 *  Listener (LB address:port) ──▶ frontend l-LISTENERID
 *    rules by priority ──────────▶   use_backend … if conditions (path-pattern, host-header)
 *    default actions ────────────▶   default_backend
 *  TargetGroup in use ───────────▶ backend tg-GROUPID (health check, balance)
 *    registrations ──────────────▶   servers at ADDRESS:PORT (draining ones marked so)
 *  fixed-response action ────────▶ backend fr-RULEID (answers itself)
 * </pre>
 *
 * <p>A target group no listener forwards to gets no backend: its targets are {@code unused}, as in
 * ELB, and are not health-checked.
 */
public final class ProxyConfigs {
  private ProxyConfigs() {}

  /** The HAProxy configuration for a state. */
  public static ProxyConfig of(State state) {
    LoadBalancing lb = state.balancing();
    Map<String, String> addresses = instanceAddresses(state);
    List<ProxyConfig.Frontend> frontends = new ArrayList<>();
    Map<String, ProxyConfig.Backend> backends = new LinkedHashMap<>();
    for (LoadBalancer balancer : lb.loadBalancers().values()) {
      for (Listener listener : lb.listenersOf(balancer.arn())) {
        List<ProxyConfig.Route> routes = new ArrayList<>();
        for (ListenerRule rule : lb.rulesOf(listener.arn())) {
          String backend =
              backendFor(rule.actions(), "fr-" + ElbArn.id(rule.arn()), lb, addresses, backends);
          routes.add(new ProxyConfig.Route("r-" + ElbArn.id(rule.arn()), backend, matches(rule)));
        }
        String fallback =
            backendFor(
                listener.defaultActions(),
                "fr-" + ElbArn.id(listener.defaultRuleArn()),
                lb,
                addresses,
                backends);
        frontends.add(
            new ProxyConfig.Frontend(
                "l-" + ElbArn.id(listener.arn()),
                balancer.address(),
                listener.port(),
                routes,
                fallback));
      }
    }
    return new ProxyConfig(frontends, List.copyOf(backends.values()));
  }

  /** The backend of a target group. */
  public static String backendName(String targetGroupArn) {
    return "tg-" + ElbArn.id(targetGroupArn);
  }

  /**
   * Where traffic for a target goes: the id itself for an ip target, the container instance's
   * address for an instance target; null when the instance is unknown, deregistered, or gave no
   * address.
   */
  public static String addressOf(TargetType type, Target target, Map<String, String> addresses) {
    return type == TargetType.IP ? target.id() : addresses.get(target.id());
  }

  /** EC2-style instance id → address, for container instances that are not deregistered. */
  public static Map<String, String> instanceAddresses(State state) {
    Map<String, String> out = new HashMap<>();
    for (ContainerInstance i : state.containerInstances().values()) {
      if (i.status() != ContainerInstanceStatus.INACTIVE
          && i.ec2InstanceId() != null
          && i.privateIpAddress() != null) {
        out.put(i.ec2InstanceId(), i.privateIpAddress());
      }
    }
    return out;
  }

  private static String backendFor(
      List<Action> actions,
      String fixedName,
      LoadBalancing lb,
      Map<String, String> addresses,
      Map<String, ProxyConfig.Backend> backends) {
    // The API allows exactly one action, forward or fixed-response.
    Action action = actions.get(0);
    if (action.type().equals(Action.FIXED_RESPONSE)) {
      Action.FixedResponse r = action.fixedResponse();
      backends.put(
          fixedName,
          ProxyConfig.Backend.fixed(
              fixedName,
              new ProxyConfig.FixedResponse(
                  Integer.parseInt(r.statusCode()),
                  r.contentType() == null ? "text/plain; charset=utf-8" : r.contentType(),
                  r.messageBody())));
      return fixedName;
    }
    TargetGroup group = lb.targetGroups().get(action.targetGroupArn());
    String name = backendName(action.targetGroupArn());
    if (group != null && !backends.containsKey(name)) {
      backends.put(name, backend(group, lb, addresses));
    } else if (group == null && !backends.containsKey(name)) {
      // Cannot happen through the API (a group in use cannot be deleted); an empty pool answers
      // 503.
      backends.put(
          name, ProxyConfig.Backend.pool(name, ProxyConfig.Balance.ROUND_ROBIN, null, List.of()));
    }
    return name;
  }

  static ProxyConfig.Backend backend(
      TargetGroup group, LoadBalancing lb, Map<String, String> addresses) {
    // One server per address and port: two instance ids resolving to one address and port (two
    // agents sharing an address) are one place to send traffic; a registered one wins.
    Map<String, ProxyConfig.Server> servers = new LinkedHashMap<>();
    for (TargetRegistration r : lb.registrations(group.arn()).values()) {
      String address = addressOf(group.targetType(), r.target(), addresses);
      if (address != null) {
        ProxyConfig.Server server =
            new ProxyConfig.Server(address, r.target().port(), r.isDraining());
        ProxyConfig.Server seen = servers.get(server.key());
        if (seen == null || seen.draining()) {
          servers.put(server.key(), server);
        }
      }
    }
    ProxyConfig.Balance balance =
        "least_outstanding_requests".equals(group.attributes().get(TargetGroup.ALGORITHM))
            ? ProxyConfig.Balance.LEAST_CONNECTIONS
            : ProxyConfig.Balance.ROUND_ROBIN;
    return ProxyConfig.Backend.pool(
        backendName(group.arn()),
        balance,
        check(group.healthCheck()),
        List.copyOf(servers.values()));
  }

  /** The HAProxy check of an ELB health check, or null when checks are disabled. */
  static ProxyConfig.HealthCheck check(HealthCheck hc) {
    if (!hc.enabled()) {
      return null;
    }
    return new ProxyConfig.HealthCheck(
        hc.path(),
        hc.port().equals(HealthCheck.TRAFFIC_PORT) ? 0 : Integer.parseInt(hc.port()),
        Duration.ofSeconds(hc.intervalSeconds()),
        Duration.ofSeconds(hc.timeoutSeconds()),
        hc.healthyThreshold(),
        hc.unhealthyThreshold(),
        ConfigRenderer.statusRegex(httpCodes(hc.matcher())));
  }

  /** The codes of a matcher such as {@code 200}, {@code 200,202} or {@code 200-299,302}. */
  public static TreeSet<Integer> httpCodes(String matcher) {
    TreeSet<Integer> codes = new TreeSet<>();
    for (String part : matcher.split(",")) {
      String p = part.trim();
      int dash = p.indexOf('-');
      if (dash > 0) {
        int from = Integer.parseInt(p.substring(0, dash).trim());
        int to = Integer.parseInt(p.substring(dash + 1).trim());
        for (int c = from; c <= to; c++) {
          codes.add(c);
        }
      } else {
        codes.add(Integer.parseInt(p));
      }
    }
    return codes;
  }

  private static List<ProxyConfig.Match> matches(ListenerRule rule) {
    List<ProxyConfig.Match> out = new ArrayList<>();
    for (RuleCondition c : rule.conditions()) {
      ProxyConfig.Field field =
          c.field().equals(RuleCondition.HOST_HEADER)
              ? ProxyConfig.Field.HOST
              : ProxyConfig.Field.PATH;
      out.add(new ProxyConfig.Match(field, c.values()));
    }
    return out;
  }
}
