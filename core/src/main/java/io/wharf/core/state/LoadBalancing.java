package io.wharf.core.state;

import io.wharf.model.elb.Action;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The ELBv2 part of the state: load balancers, target groups, listeners, rules and registered
 * targets, each map keyed by ARN.
 *
 * <p>Every change names one entity, and deleting a parent is spelled out as removing each child
 * first (the API does that), so that replaying the store's rows in any order gives this value back.
 *
 * @param targets target group ARN → {@link Target#key} → registration
 */
public record LoadBalancing(
    PSortedMap<String, LoadBalancer> loadBalancers,
    PSortedMap<String, TargetGroup> targetGroups,
    PSortedMap<String, Listener> listeners,
    PSortedMap<String, ListenerRule> rules,
    PMap<String, PSortedMap<String, TargetRegistration>> targets) {

  public static final LoadBalancing EMPTY =
      new LoadBalancing(
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          HashTreePMap.empty());

  public LoadBalancing {
    Objects.requireNonNull(loadBalancers);
    Objects.requireNonNull(targetGroups);
    Objects.requireNonNull(listeners);
    Objects.requireNonNull(rules);
    Objects.requireNonNull(targets);
  }

  /** Replays one change. Pure. */
  LoadBalancing apply(Change.Balancing change) {
    return switch (change) {
      case Change.LoadBalancerPut(LoadBalancer lb) ->
          new LoadBalancing(
              loadBalancers.plus(lb.arn(), lb), targetGroups, listeners, rules, targets);
      case Change.LoadBalancerRemoved(String arn) ->
          new LoadBalancing(loadBalancers.minus(arn), targetGroups, listeners, rules, targets);
      case Change.TargetGroupPut(TargetGroup tg) ->
          new LoadBalancing(
              loadBalancers, targetGroups.plus(tg.arn(), tg), listeners, rules, targets);
      case Change.TargetGroupRemoved(String arn) ->
          new LoadBalancing(loadBalancers, targetGroups.minus(arn), listeners, rules, targets);
      case Change.ListenerPut(Listener l) ->
          new LoadBalancing(
              loadBalancers, targetGroups, listeners.plus(l.arn(), l), rules, targets);
      case Change.ListenerRemoved(String arn) ->
          new LoadBalancing(loadBalancers, targetGroups, listeners.minus(arn), rules, targets);
      case Change.RulePut(ListenerRule r) ->
          new LoadBalancing(
              loadBalancers, targetGroups, listeners, rules.plus(r.arn(), r), targets);
      case Change.RuleRemoved(String arn) ->
          new LoadBalancing(loadBalancers, targetGroups, listeners, rules.minus(arn), targets);
      case Change.TargetRegistrationPut(String group, TargetRegistration r) -> {
        PSortedMap<String, TargetRegistration> of = targets.getOrDefault(group, TreePMap.empty());
        yield withTargets(targets.plus(group, of.plus(r.target().key(), r)));
      }
      case Change.TargetRegistrationRemoved(String group, Target t) -> {
        PSortedMap<String, TargetRegistration> of = targets.getOrDefault(group, TreePMap.empty());
        of = of.minus(t.key());
        yield withTargets(of.isEmpty() ? targets.minus(group) : targets.plus(group, of));
      }
    };
  }

  private LoadBalancing withTargets(PMap<String, PSortedMap<String, TargetRegistration>> v) {
    return new LoadBalancing(loadBalancers, targetGroups, listeners, rules, v);
  }

  // ---- queries ---------------------------------------------------------------------------------

  /** The load balancer of this name, or null. */
  public LoadBalancer loadBalancerNamed(String name) {
    for (LoadBalancer lb : loadBalancers.values()) {
      if (lb.name().equals(name)) {
        return lb;
      }
    }
    return null;
  }

  /** The target group of this name, or null. */
  public TargetGroup targetGroupNamed(String name) {
    for (TargetGroup tg : targetGroups.values()) {
      if (tg.name().equals(name)) {
        return tg;
      }
    }
    return null;
  }

  /** The listeners of a load balancer, by port. */
  public List<Listener> listenersOf(String loadBalancerArn) {
    List<Listener> out = new ArrayList<>();
    for (Listener l : listeners.values()) {
      if (l.loadBalancerArn().equals(loadBalancerArn)) {
        out.add(l);
      }
    }
    out.sort(Comparator.comparingInt(Listener::port));
    return out;
  }

  /** The rules of a listener (not its default rule), by priority. */
  public List<ListenerRule> rulesOf(String listenerArn) {
    List<ListenerRule> out = new ArrayList<>();
    for (ListenerRule r : rules.values()) {
      if (r.listenerArn().equals(listenerArn)) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparingInt(ListenerRule::priority));
    return out;
  }

  /** The registrations of a target group, by target key. */
  public PSortedMap<String, TargetRegistration> registrations(String targetGroupArn) {
    return targets.getOrDefault(targetGroupArn, TreePMap.empty());
  }

  /** A target's registration in a group, or null. */
  public TargetRegistration registration(String targetGroupArn, Target target) {
    return registrations(targetGroupArn).get(target.key());
  }

  /** The load balancers whose listeners or rules forward to a target group, by ARN. */
  public Set<String> loadBalancersOf(String targetGroupArn) {
    Set<String> out = new LinkedHashSet<>();
    for (Listener l : listeners.values()) {
      if (forwardsTo(l.defaultActions(), targetGroupArn)) {
        out.add(l.loadBalancerArn());
      }
    }
    for (ListenerRule r : rules.values()) {
      Listener l = listeners.get(r.listenerArn());
      if (l != null && forwardsTo(r.actions(), targetGroupArn)) {
        out.add(l.loadBalancerArn());
      }
    }
    return out;
  }

  /** Whether any listener or rule forwards to the target group (else its targets are unused). */
  public boolean isInUse(String targetGroupArn) {
    return !loadBalancersOf(targetGroupArn).isEmpty();
  }

  static boolean forwardsTo(List<Action> actions, String targetGroupArn) {
    for (Action a : actions) {
      if (targetGroupArn.equals(a.targetGroupArn())) {
        return true;
      }
    }
    return false;
  }
}
