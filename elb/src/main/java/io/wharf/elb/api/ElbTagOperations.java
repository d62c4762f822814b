package io.wharf.elb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.ElbArn;
import io.wharf.model.elb.ListenerRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** AddTags, RemoveTags, DescribeTags on load balancers, target groups, listeners and rules. */
final class ElbTagOperations {
  private final ElbContext elb;

  ElbTagOperations(ElbContext elb) {
    this.elb = elb;
  }

  void register(Map<String, ElbApi.Operation> ops) {
    ops.put("AddTags", this::add);
    ops.put("RemoveTags", this::remove);
    ops.put("DescribeTags", this::describe);
  }

  private JsonNode add(JsonNode r) {
    List<Tag> added = ElbRules.tags(r.get("Tags"));
    List<String> arns = LoadBalancerOperations.strings(r.get("ResourceArns"));
    elb.states.execute(
        tx -> {
          for (String arn : arns) {
            retag(tx, arn, tags -> ElbRules.merge(tags, added));
          }
          return null;
        });
    return ElbShapes.object();
  }

  private JsonNode remove(JsonNode r) {
    Set<String> keys = new HashSet<>(LoadBalancerOperations.strings(r.get("TagKeys")));
    List<String> arns = LoadBalancerOperations.strings(r.get("ResourceArns"));
    elb.states.execute(
        tx -> {
          for (String arn : arns) {
            retag(tx, arn, tags -> tags.stream().filter(t -> !keys.contains(t.key())).toList());
          }
          return null;
        });
    return ElbShapes.object();
  }

  private JsonNode describe(JsonNode r) {
    State state = elb.states.current();
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("TagDescriptions");
    for (String arn : LoadBalancerOperations.strings(r.get("ResourceArns"))) {
      ObjectNode d = list.addObject().put("ResourceArn", arn);
      d.set("Tags", ElbShapes.tags(tagsOf(state, arn)));
    }
    return out;
  }

  private List<Tag> tagsOf(State state, String arn) {
    String type = ElbArn.type(arn);
    if (type == null) {
      throw ElbRules.validation("'" + arn + "' is not a valid load balancing resource ARN");
    }
    return switch (type) {
      case "loadbalancer" -> elb.loadBalancer(state, arn).tags();
      case "targetgroup" -> elb.targetGroup(state, arn).tags();
      case "listener" -> elb.listener(state, arn).tags();
      case "listener-rule" -> rule(state, arn).tags();
      default -> throw ElbRules.validation("Wharf does not keep tags on '" + type + "' resources");
    };
  }

  private void retag(StateMachine.Transaction tx, String arn, UnaryOperator<List<Tag>> edit) {
    State s = tx.state();
    String type = ElbArn.type(arn);
    if (type == null) {
      throw ElbRules.validation("'" + arn + "' is not a valid load balancing resource ARN");
    }
    switch (type) {
      case "loadbalancer" -> {
        var lb = elb.loadBalancer(s, arn);
        tx.apply(new Change.LoadBalancerPut(lb.withTags(edit.apply(lb.tags()))));
      }
      case "targetgroup" -> {
        var tg = elb.targetGroup(s, arn);
        tx.apply(new Change.TargetGroupPut(tg.withTags(edit.apply(tg.tags()))));
      }
      case "listener" -> {
        var l = elb.listener(s, arn);
        tx.apply(new Change.ListenerPut(l.withTags(edit.apply(l.tags()))));
      }
      case "listener-rule" -> {
        ListenerRule rule = rule(s, arn);
        tx.apply(new Change.RulePut(rule.withTags(edit.apply(new ArrayList<>(rule.tags())))));
      }
      default -> throw ElbRules.validation("Wharf does not keep tags on '" + type + "' resources");
    }
  }

  private static ListenerRule rule(State state, String arn) {
    ListenerRule rule = state.balancing().rules().get(arn);
    if (rule == null) {
      boolean isDefault =
          state.balancing().listeners().values().stream()
              .anyMatch(l -> l.defaultRuleArn().equals(arn));
      throw isDefault
          ? ElbRules.validation("Wharf does not keep tags on default rules")
          : new WharfException(ErrorCode.RULE_NOT_FOUND, "Rule '" + arn + "' not found");
    }
    return rule;
  }
}
