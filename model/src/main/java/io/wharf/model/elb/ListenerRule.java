package io.wharf.model.elb;

import io.wharf.model.Tag;
import java.util.List;
import java.util.Objects;

/**
 * A listener rule: when every condition holds, its actions apply. Rules are evaluated from the
 * lowest priority number up; the listener's default actions apply when none matches.
 *
 * @param revision the state revision that last changed it
 */
public record ListenerRule(
    String arn,
    String listenerArn,
    int priority,
    List<RuleCondition> conditions,
    List<Action> actions,
    List<Tag> tags,
    long revision) {
  public ListenerRule {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(listenerArn, "listenerArn");
    conditions = List.copyOf(conditions);
    actions = List.copyOf(actions);
    tags = List.copyOf(tags);
  }

  public ListenerRule withTags(List<Tag> newTags) {
    return new ListenerRule(arn, listenerArn, priority, conditions, actions, newTags, revision);
  }
}
