package io.wharf.elb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.ElbArn;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.RuleCondition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Listeners and their rules: CreateListener, DescribeListeners, ModifyListener, DeleteListener,
 * CreateRule, DescribeRules, DeleteRule, SetRulePriorities.
 */
final class ListenerOperations {
  /** ELB's quotas: listeners per load balancer, rules per listener (besides the default one). */
  static final int MAX_LISTENERS = 50;

  static final int MAX_RULES = 100;

  private final ElbContext elb;

  ListenerOperations(ElbContext elb) {
    this.elb = elb;
  }

  void register(Map<String, ElbApi.Operation> ops) {
    ops.put("CreateListener", this::create);
    ops.put("DescribeListeners", this::describe);
    ops.put("ModifyListener", this::modify);
    ops.put("DeleteListener", this::delete);
    ops.put("CreateRule", this::createRule);
    ops.put("DescribeRules", this::describeRules);
    ops.put("DeleteRule", this::deleteRule);
    ops.put("SetRulePriorities", this::setRulePriorities);
  }

  // ---- listeners
  // ---------------------------------------------------------------------------------

  private JsonNode create(JsonNode r) {
    String lbArn = r.path("LoadBalancerArn").asText();
    String protocol = listenerProtocol(r, "HTTP");
    if (!r.hasNonNull("Port")) {
      throw ElbRules.validation("A listener port must be specified");
    }
    int port = r.path("Port").asInt();
    List<Action> actions = ElbRules.actions(r.get("DefaultActions"));
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.get("Tags")));
    LoadBalancer lb = elb.loadBalancer(elb.states.current(), lbArn);
    checkPortFree(elb.states.current(), lb, port, null);
    Listener created =
        elb.states.execute(
            tx -> {
              LoadBalancer balancer = elb.loadBalancer(tx.state(), lbArn);
              checkTargets(tx.state(), balancer, actions);
              for (Listener l : tx.state().balancing().listenersOf(lbArn)) {
                if (l.port() == port) {
                  if (l.protocol().equals(protocol) && l.defaultActions().equals(actions)) {
                    return l; // the same listener again, as ELB allows
                  }
                  throw new WharfException(
                      ErrorCode.DUPLICATE_LISTENER,
                      "A listener already exists on port "
                          + port
                          + " of load balancer '"
                          + lbArn
                          + "'");
                }
              }
              checkSharedAddress(tx.state(), balancer, port, null);
              if (tx.state().balancing().listenersOf(lbArn).size() >= MAX_LISTENERS) {
                throw new WharfException(
                    ErrorCode.TOO_MANY_LISTENERS,
                    "You've reached the limit on the number of listeners per load balancer ("
                        + MAX_LISTENERS
                        + ")");
              }
              String arn = elb.arns.listener(balancer, elb.newId());
              Listener l =
                  new Listener(
                      arn,
                      lbArn,
                      protocol,
                      port,
                      actions,
                      elb.arns.rule(balancer, arn, elb.newId()),
                      tags,
                      tx.revision());
              tx.apply(new Change.ListenerPut(l));
              return l;
            });
    elb.changed();
    return listeners(List.of(created), null);
  }

  private static String listenerProtocol(JsonNode r, String fallback) {
    String protocol = ElbRules.text(r, "Protocol", fallback);
    if (r.has("Certificates") || r.has("SslPolicy")) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_PROTOCOL,
          "Wharf supports HTTP listeners; certificates and SSL policies are not supported yet");
    }
    return ElbRules.http(protocol, "listener");
  }

  private static ObjectNode listeners(List<Listener> listeners, String nextMarker) {
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("Listeners");
    listeners.forEach(l -> list.add(ElbShapes.listener(l)));
    if (nextMarker != null) {
      out.put("NextMarker", nextMarker);
    }
    return out;
  }

  private JsonNode describe(JsonNode r) {
    String lbArn = ElbRules.text(r, "LoadBalancerArn", null);
    List<String> arns = LoadBalancerOperations.strings(r.get("ListenerArns"));
    if ((lbArn == null) == arns.isEmpty()) {
      throw ElbRules.validation("You must specify either listener ARNs or a load balancer ARN");
    }
    State state = elb.states.current();
    List<String> keys = new ArrayList<>();
    if (lbArn != null) {
      elb.loadBalancer(state, lbArn);
      state.balancing().listenersOf(lbArn).forEach(l -> keys.add(l.arn()));
    } else {
      for (String arn : arns) {
        keys.add(elb.listener(state, arn).arn());
      }
    }
    ElbContext.Page page = ElbContext.Page.of(keys.stream().distinct().sorted().toList(), r);
    return listeners(
        page.items().stream().map(a -> state.balancing().listeners().get(a)).toList(),
        page.nextMarker());
  }

  private JsonNode modify(JsonNode r) {
    String arn = r.path("ListenerArn").asText();
    State now = elb.states.current();
    Listener current = elb.listener(now, arn);
    String protocol = listenerProtocol(r, current.protocol());
    int port = r.hasNonNull("Port") ? r.path("Port").asInt() : current.port();
    List<Action> actions =
        r.has("DefaultActions")
            ? ElbRules.actions(r.get("DefaultActions"))
            : current.defaultActions();
    if (port != current.port()) {
      checkPortFree(now, elb.loadBalancer(now, current.loadBalancerArn()), port, arn);
    }
    Listener changed =
        elb.states.execute(
            tx -> {
              Listener l = elb.listener(tx.state(), arn);
              LoadBalancer balancer = elb.loadBalancer(tx.state(), l.loadBalancerArn());
              checkTargets(tx.state(), balancer, actions);
              for (Listener other : tx.state().balancing().listenersOf(l.loadBalancerArn())) {
                if (other.port() == port && !other.arn().equals(arn)) {
                  throw new WharfException(
                      ErrorCode.DUPLICATE_LISTENER,
                      "A listener already exists on port "
                          + port
                          + " of load balancer '"
                          + balancer.arn()
                          + "'");
                }
              }
              checkSharedAddress(tx.state(), balancer, port, arn);
              Listener next =
                  new Listener(
                      arn,
                      l.loadBalancerArn(),
                      protocol,
                      port,
                      actions,
                      l.defaultRuleArn(),
                      l.tags(),
                      tx.revision());
              tx.apply(new Change.ListenerPut(next));
              return next;
            });
    elb.changed();
    return listeners(List.of(changed), null);
  }

  /** Deletes a listener with its rules. */
  private JsonNode delete(JsonNode r) {
    String arn = r.path("ListenerArn").asText();
    elb.states.execute(
        tx -> {
          elb.listener(tx.state(), arn);
          for (ListenerRule rule : tx.state().balancing().rulesOf(arn)) {
            tx.apply(new Change.RuleRemoved(rule.arn()));
          }
          tx.apply(new Change.ListenerRemoved(arn));
          return null;
        });
    elb.changed();
    return ElbShapes.object();
  }

  /**
   * Refuses forwarding to a target group that does not exist, or that another load balancer already
   * forwards to (an application load balancer's target group belongs to one load balancer).
   */
  private void checkTargets(State state, LoadBalancer lb, List<Action> actions) {
    for (Action a : actions) {
      if (!a.type().equals(Action.FORWARD)) {
        continue;
      }
      elb.targetGroup(state, a.targetGroupArn());
      Set<String> others = new HashSet<>(state.balancing().loadBalancersOf(a.targetGroupArn()));
      others.remove(lb.arn());
      if (!others.isEmpty()) {
        throw new WharfException(
            ErrorCode.TARGET_GROUP_ASSOCIATION_LIMIT,
            "The following target groups cannot be associated with more than one load balancer: '"
                + a.targetGroupArn()
                + "'");
      }
    }
  }

  /** When load balancers share one address, two of them cannot listen on one port. */
  private static void checkSharedAddress(State state, LoadBalancer lb, int port, String except) {
    for (Listener l : state.balancing().listeners().values()) {
      LoadBalancer owner = state.balancing().loadBalancers().get(l.loadBalancerArn());
      if (owner != null
          && !owner.arn().equals(lb.arn())
          && owner.address().equals(lb.address())
          && l.port() == port
          && !l.arn().equals(except)) {
        throw new WharfException(
            ErrorCode.DUPLICATE_LISTENER,
            "Port "
                + port
                + " of "
                + lb.address()
                + " is taken by a listener of load balancer '"
                + owner.name()
                + "' (the load balancers share that address)");
      }
    }
  }

  /**
   * Refuses a port that another program on this machine holds (or that needs privileges Wharf does
   * not have), so that HAProxy is never given a listener it cannot bind. Ports of Wharf's own
   * listeners are HAProxy's and not probed.
   */
  private static void checkPortFree(State state, LoadBalancer lb, int port, String except) {
    for (Listener l : state.balancing().listenersOf(lb.arn())) {
      if (l.port() == port && !l.arn().equals(except)) {
        return; // ours (the duplicate check answers)
      }
    }
    IOException last = null;
    // A listener deleted a moment ago may still hold its port while HAProxy reloads: try briefly.
    for (int attempt = 0; attempt < 10; attempt++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(lb.address()), port));
        return;
      } catch (IOException e) {
        last = e;
        try {
          Thread.sleep(200);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new WharfException(
        ErrorCode.INVALID_CONFIGURATION_REQUEST,
        "Port "
            + port
            + " of "
            + lb.address()
            + " cannot be listened on: "
            + (last == null ? "interrupted" : last.getMessage())
            + " (another program holds it, or ports below 1024 need root)");
  }

  // ---- rules
  // -------------------------------------------------------------------------------------

  private JsonNode createRule(JsonNode r) {
    String listenerArn = r.path("ListenerArn").asText();
    int priority = r.path("Priority").asInt();
    List<RuleCondition> conditions = ElbRules.conditions(r.get("Conditions"));
    List<Action> actions = ElbRules.actions(r.get("Actions"));
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.get("Tags")));
    ListenerRule created =
        elb.states.execute(
            tx -> {
              Listener listener = elb.listener(tx.state(), listenerArn);
              LoadBalancer lb = elb.loadBalancer(tx.state(), listener.loadBalancerArn());
              checkTargets(tx.state(), lb, actions);
              List<ListenerRule> rules = tx.state().balancing().rulesOf(listenerArn);
              for (ListenerRule existing : rules) {
                if (existing.priority() == priority) {
                  throw new WharfException(
                      ErrorCode.PRIORITY_IN_USE, "Priority '" + priority + "' is currently in use");
                }
              }
              if (rules.size() >= MAX_RULES) {
                throw new WharfException(
                    ErrorCode.TOO_MANY_RULES,
                    "You've reached the limit on the number of rules per listener ("
                        + MAX_RULES
                        + ")");
              }
              ListenerRule rule =
                  new ListenerRule(
                      elb.arns.rule(lb, listenerArn, elb.newId()),
                      listenerArn,
                      priority,
                      conditions,
                      actions,
                      tags,
                      tx.revision());
              tx.apply(new Change.RulePut(rule));
              return rule;
            });
    elb.changed();
    ObjectNode out = ElbShapes.object();
    out.putArray("Rules").add(ElbShapes.rule(created));
    return out;
  }

  private JsonNode describeRules(JsonNode r) {
    String listenerArn = ElbRules.text(r, "ListenerArn", null);
    List<String> arns = LoadBalancerOperations.strings(r.get("RuleArns"));
    if ((listenerArn == null) == arns.isEmpty()) {
      throw ElbRules.validation("You must specify either rule ARNs or a listener ARN");
    }
    State state = elb.states.current();
    List<ObjectNode> rules = new ArrayList<>();
    if (listenerArn != null) {
      Listener l = elb.listener(state, listenerArn);
      state.balancing().rulesOf(listenerArn).forEach(rule -> rules.add(ElbShapes.rule(rule)));
      rules.add(ElbShapes.defaultRule(l));
    } else {
      for (String arn : arns) {
        rules.add(ruleShape(state, arn));
      }
    }
    // Paged by position: a listener's rules are few (at most 101).
    int size = r.path("PageSize").asInt(400);
    int start = r.hasNonNull("Marker") ? markerIndex(r.path("Marker").asText()) : 0;
    int end = Math.min(rules.size(), start + size);
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("Rules");
    for (int i = start; i < end; i++) {
      list.add(rules.get(i));
    }
    if (end < rules.size()) {
      out.put("NextMarker", String.valueOf(end));
    }
    return out;
  }

  private static int markerIndex(String marker) {
    try {
      int i = Integer.parseInt(marker);
      if (i >= 0) {
        return i;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ElbRules.validation("The marker '" + marker + "' is not valid");
  }

  /** A rule or a listener's default rule, by ARN. */
  private static ObjectNode ruleShape(State state, String arn) {
    ListenerRule rule = state.balancing().rules().get(arn);
    if (rule != null) {
      return ElbShapes.rule(rule);
    }
    Listener l = defaultRuleListener(state, arn);
    if (l != null) {
      return ElbShapes.defaultRule(l);
    }
    throw new WharfException(ErrorCode.RULE_NOT_FOUND, "Rule '" + arn + "' not found");
  }

  private static Listener defaultRuleListener(State state, String ruleArn) {
    if (!"listener-rule".equals(ElbArn.type(ruleArn))) {
      return null;
    }
    for (Listener l : state.balancing().listeners().values()) {
      if (l.defaultRuleArn().equals(ruleArn)) {
        return l;
      }
    }
    return null;
  }

  private JsonNode deleteRule(JsonNode r) {
    String arn = r.path("RuleArn").asText();
    elb.states.execute(
        tx -> {
          if (defaultRuleListener(tx.state(), arn) != null) {
            throw new WharfException(
                ErrorCode.OPERATION_NOT_PERMITTED, "Default rules cannot be deleted");
          }
          if (!tx.state().balancing().rules().containsKey(arn)) {
            throw new WharfException(ErrorCode.RULE_NOT_FOUND, "Rule '" + arn + "' not found");
          }
          tx.apply(new Change.RuleRemoved(arn));
          return null;
        });
    elb.changed();
    return ElbShapes.object();
  }

  /** Changes the priorities of rules of one listener at once; the result must be unique. */
  private JsonNode setRulePriorities(JsonNode r) {
    List<ListenerRule> changed =
        elb.states.execute(
            tx -> {
              State state = tx.state();
              List<ListenerRule> out = new ArrayList<>();
              String listenerArn = null;
              for (JsonNode p : r.path("RulePriorities")) {
                String arn = p.path("RuleArn").asText();
                if (defaultRuleListener(state, arn) != null) {
                  throw new WharfException(
                      ErrorCode.OPERATION_NOT_PERMITTED,
                      "The priority of a default rule cannot be changed");
                }
                ListenerRule rule = state.balancing().rules().get(arn);
                if (rule == null) {
                  throw new WharfException(
                      ErrorCode.RULE_NOT_FOUND, "Rule '" + arn + "' not found");
                }
                if (listenerArn != null && !listenerArn.equals(rule.listenerArn())) {
                  throw ElbRules.validation("All rules must belong to the same listener");
                }
                listenerArn = rule.listenerArn();
                out.add(
                    new ListenerRule(
                        rule.arn(),
                        rule.listenerArn(),
                        p.path("Priority").asInt(),
                        rule.conditions(),
                        rule.actions(),
                        rule.tags(),
                        tx.revision()));
              }
              out.forEach(rule -> tx.apply(new Change.RulePut(rule)));
              if (listenerArn != null) {
                Set<Integer> seen = new HashSet<>();
                for (ListenerRule rule : tx.state().balancing().rulesOf(listenerArn)) {
                  if (!seen.add(rule.priority())) {
                    throw new WharfException(
                        ErrorCode.PRIORITY_IN_USE,
                        "Priority '" + rule.priority() + "' is currently in use");
                  }
                }
              }
              return out;
            });
    elb.changed();
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("Rules");
    changed.forEach(rule -> list.add(ElbShapes.rule(rule)));
    return out;
  }
}
