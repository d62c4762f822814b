package io.wharf.model.elb;

import io.wharf.model.Tag;
import java.util.List;
import java.util.Objects;

/**
 * A listener: a port of a load balancer, its rules, and what happens when no rule matches.
 *
 * @param defaultRuleArn the ARN of the listener's default rule (DescribeRules shows it with {@code
 *     IsDefault}); its actions are {@code defaultActions}
 * @param revision the state revision that last changed it
 */
public record Listener(
    String arn,
    String loadBalancerArn,
    String protocol,
    int port,
    List<Action> defaultActions,
    String defaultRuleArn,
    List<Tag> tags,
    long revision) {
  public Listener {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(loadBalancerArn, "loadBalancerArn");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(defaultRuleArn, "defaultRuleArn");
    defaultActions = List.copyOf(defaultActions);
    tags = List.copyOf(tags);
  }

  public Listener withTags(List<Tag> newTags) {
    return new Listener(
        arn, loadBalancerArn, protocol, port, defaultActions, defaultRuleArn, newTags, revision);
  }
}
