package io.wharf.elb.api;

import io.wharf.core.auth.Caller;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.elb.api.ElbShapes.TagDescriptionView;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.ElbArn;
import io.wharf.model.elb.ListenerRule;
import io.wharf.protocol.Operations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** AddTags, RemoveTags, DescribeTags on load balancers, target groups, listeners and rules. */
final class ElbTagOperations {
  private final ElbContext elb;

  ElbTagOperations(ElbContext elb) {
    this.elb = elb;
  }

  void register(Operations.Builder<Caller> ops) {
    ops.add("AddTags", AddTagsRequest.class, (caller, r) -> add(r));
    ops.add("RemoveTags", RemoveTagsRequest.class, (caller, r) -> remove(r));
    ops.add("DescribeTags", DescribeTagsRequest.class, (caller, r) -> describe(r));
  }

  record AddTagsRequest(List<String> resourceArns, List<Tag> tags) {}

  record AddTagsResponse() {}

  private AddTagsResponse add(AddTagsRequest r) {
    List<Tag> added = ElbRules.tags(r.tags());
    List<String> arns = listOrEmpty(r.resourceArns());
    elb.states.execute(
        tx -> {
          for (String arn : arns) {
            retag(tx, arn, tags -> ElbRules.merge(tags, added));
          }
          return null;
        });
    return new AddTagsResponse();
  }

  record RemoveTagsRequest(List<String> resourceArns, List<String> tagKeys) {}

  record RemoveTagsResponse() {}

  private RemoveTagsResponse remove(RemoveTagsRequest r) {
    Set<String> keys = new HashSet<>(listOrEmpty(r.tagKeys()));
    List<String> arns = listOrEmpty(r.resourceArns());
    elb.states.execute(
        tx -> {
          for (String arn : arns) {
            retag(tx, arn, tags -> tags.stream().filter(t -> !keys.contains(t.key())).toList());
          }
          return null;
        });
    return new RemoveTagsResponse();
  }

  record DescribeTagsRequest(List<String> resourceArns) {}

  record DescribeTagsResponse(List<TagDescriptionView> tagDescriptions) {}

  private DescribeTagsResponse describe(DescribeTagsRequest r) {
    State state = elb.states.current();
    List<TagDescriptionView> out = new ArrayList<>();
    for (String arn : listOrEmpty(r.resourceArns())) {
      out.add(new TagDescriptionView(arn, tagsOf(state, arn)));
    }
    return new DescribeTagsResponse(out);
  }

  /** A list member as given, or none when the request leaves it out. */
  static <T> List<T> listOrEmpty(List<T> given) {
    return given == null ? List.of() : given;
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
