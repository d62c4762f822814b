package io.wharf.elb.api;

import static io.wharf.elb.api.ElbTagOperations.listOrEmpty;

import io.wharf.core.auth.Caller;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.elb.api.ElbShapes.ActionView;
import io.wharf.elb.api.ElbShapes.ListenerView;
import io.wharf.elb.api.ElbShapes.RuleConditionView;
import io.wharf.elb.api.ElbShapes.RuleView;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.ElbArn;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.RuleCondition;
import io.wharf.protocol.Operations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

  void register(Operations.Builder<Caller> ops) {
    ops.add("CreateListener", CreateListenerRequest.class, (caller, r) -> create(r));
    ops.add("DescribeListeners", DescribeListenersRequest.class, (caller, r) -> describe(r));
    ops.add("ModifyListener", ModifyListenerRequest.class, (caller, r) -> modify(r));
    ops.add("DeleteListener", DeleteListenerRequest.class, (caller, r) -> delete(r));
    ops.add("CreateRule", CreateRuleRequest.class, (caller, r) -> createRule(r));
    ops.add("DescribeRules", DescribeRulesRequest.class, (caller, r) -> describeRules(r));
    ops.add("DeleteRule", DeleteRuleRequest.class, (caller, r) -> deleteRule(r));
    ops.add(
        "SetRulePriorities", SetRulePrioritiesRequest.class, (caller, r) -> setRulePriorities(r));
  }

  /** The model's {@code Certificate}: only refused (Wharf's listeners speak HTTP). */
  record CertificateView(String certificateArn, Boolean isDefault) {}

  /** The members CreateListener and ModifyListener share that Wharf reads. */
  interface ListenerSettings {
    String protocol();

    String sslPolicy();

    List<CertificateView> certificates();
  }

  // ---- listeners
  // ---------------------------------------------------------------------------------

  record CreateListenerRequest(
      String loadBalancerArn,
      String protocol,
      Integer port,
      String sslPolicy,
      List<CertificateView> certificates,
      List<ActionView> defaultActions,
      List<Tag> tags)
      implements ListenerSettings {}

  /** CreateListener, ModifyListener: the listener as it is now. */
  record ListenersResponse(List<ListenerView> listeners) {}

  private ListenersResponse create(CreateListenerRequest r) {
    String lbArn = r.loadBalancerArn();
    String protocol = listenerProtocol(r, "HTTP");
    if (r.port() == null) {
      throw ElbRules.validation("A listener port must be specified");
    }
    int port = r.port();
    List<Action> actions = ElbRules.actions(r.defaultActions());
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.tags()));
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
    return new ListenersResponse(List.of(ElbShapes.listener(created)));
  }

  private static String listenerProtocol(ListenerSettings r, String fallback) {
    String protocol = ElbRules.or(r.protocol(), fallback);
    if (r.certificates() != null || r.sslPolicy() != null) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_PROTOCOL,
          "Wharf supports HTTP listeners; certificates and SSL policies are not supported yet");
    }
    return ElbRules.http(protocol, "listener");
  }

  record DescribeListenersRequest(
      String loadBalancerArn, List<String> listenerArns, String marker, Integer pageSize) {}

  record DescribeListenersResponse(List<ListenerView> listeners, String nextMarker) {}

  private DescribeListenersResponse describe(DescribeListenersRequest r) {
    String lbArn = r.loadBalancerArn();
    List<String> arns = listOrEmpty(r.listenerArns());
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
    ElbContext.Page page =
        ElbContext.Page.of(keys.stream().distinct().sorted().toList(), r.marker(), r.pageSize());
    return new DescribeListenersResponse(
        page.items().stream()
            .map(a -> ElbShapes.listener(state.balancing().listeners().get(a)))
            .toList(),
        page.nextMarker());
  }

  record ModifyListenerRequest(
      String listenerArn,
      Integer port,
      String protocol,
      String sslPolicy,
      List<CertificateView> certificates,
      List<ActionView> defaultActions)
      implements ListenerSettings {}

  private ListenersResponse modify(ModifyListenerRequest r) {
    String arn = r.listenerArn();
    State now = elb.states.current();
    Listener current = elb.listener(now, arn);
    String protocol = listenerProtocol(r, current.protocol());
    int port = r.port() != null ? r.port() : current.port();
    List<Action> actions =
        r.defaultActions() != null
            ? ElbRules.actions(r.defaultActions())
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
    return new ListenersResponse(List.of(ElbShapes.listener(changed)));
  }

  record DeleteListenerRequest(String listenerArn) {}

  record DeleteListenerResponse() {}

  /** Deletes a listener with its rules. */
  private DeleteListenerResponse delete(DeleteListenerRequest r) {
    String arn = r.listenerArn();
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
    return new DeleteListenerResponse();
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

  record CreateRuleRequest(
      String listenerArn,
      List<RuleConditionView> conditions,
      int priority,
      List<ActionView> actions,
      List<Tag> tags) {}

  /** CreateRule, SetRulePriorities: the rules as they are now. */
  record RulesResponse(List<RuleView> rules) {}

  private RulesResponse createRule(CreateRuleRequest r) {
    String listenerArn = r.listenerArn();
    int priority = r.priority();
    List<RuleCondition> conditions = ElbRules.conditions(r.conditions());
    List<Action> actions = ElbRules.actions(r.actions());
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.tags()));
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
    return new RulesResponse(List.of(ElbShapes.rule(created)));
  }

  record DescribeRulesRequest(
      String listenerArn, List<String> ruleArns, String marker, Integer pageSize) {}

  record DescribeRulesResponse(List<RuleView> rules, String nextMarker) {}

  private DescribeRulesResponse describeRules(DescribeRulesRequest r) {
    String listenerArn = r.listenerArn();
    List<String> arns = listOrEmpty(r.ruleArns());
    if ((listenerArn == null) == arns.isEmpty()) {
      throw ElbRules.validation("You must specify either rule ARNs or a listener ARN");
    }
    State state = elb.states.current();
    List<RuleView> rules = new ArrayList<>();
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
    int size = ElbRules.or(r.pageSize(), 400);
    int start = r.marker() != null ? markerIndex(r.marker()) : 0;
    int end = Math.min(rules.size(), start + size);
    List<RuleView> page = new ArrayList<>();
    for (int i = start; i < end; i++) {
      page.add(rules.get(i));
    }
    return new DescribeRulesResponse(page, end < rules.size() ? String.valueOf(end) : null);
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
  private static RuleView ruleShape(State state, String arn) {
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

  record DeleteRuleRequest(String ruleArn) {}

  record DeleteRuleResponse() {}

  private DeleteRuleResponse deleteRule(DeleteRuleRequest r) {
    String arn = r.ruleArn();
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
    return new DeleteRuleResponse();
  }

  /** The model's {@code RulePriorityPair}; either member may be missing. */
  record RulePriorityPairView(String ruleArn, Integer priority) {}

  record SetRulePrioritiesRequest(List<RulePriorityPairView> rulePriorities) {}

  /** Changes the priorities of rules of one listener at once; the result must be unique. */
  private RulesResponse setRulePriorities(SetRulePrioritiesRequest r) {
    List<ListenerRule> changed =
        elb.states.execute(
            tx -> {
              State state = tx.state();
              List<ListenerRule> out = new ArrayList<>();
              String listenerArn = null;
              for (RulePriorityPairView p : listOrEmpty(r.rulePriorities())) {
                // A pair without an ARN names the rule '' (not found), as it always did.
                String arn = ElbRules.or(p.ruleArn(), "");
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
                        ElbRules.or(p.priority(), 0),
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
    return new RulesResponse(changed.stream().map(ElbShapes::rule).toList());
  }
}
