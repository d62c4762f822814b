package io.wharf.core.state;

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
import java.time.Instant;
import java.util.List;

/** Load-balancing entities for tests, with plausible ARNs and defaults. */
public final class ElbFixtures {
  public static final ElbArn.Builder ARNS = new ElbArn.Builder("us-east-1", "123456789012");
  public static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");

  private ElbFixtures() {}

  /** A 16-hex id derived from a name, so fixtures are stable. */
  public static String id(String name) {
    return String.format("%016x", (long) name.hashCode() & 0xffffffffL);
  }

  public static LoadBalancer loadBalancer(String name, String address) {
    return new LoadBalancer(
        ARNS.loadBalancer(name, id(name)),
        name,
        id(name),
        "internet-facing",
        address,
        List.of(),
        List.of(),
        List.of(),
        T0,
        1);
  }

  public static TargetGroup targetGroup(String name, TargetType type, HealthCheck check) {
    return new TargetGroup(
        ARNS.targetGroup(name, id(name)),
        name,
        "HTTP",
        80,
        null,
        type,
        check,
        TargetGroup.DEFAULT_ATTRIBUTES,
        List.of(),
        T0,
        1);
  }

  public static Listener listener(LoadBalancer lb, int port, Action action) {
    String arn = ARNS.listener(lb, id(lb.name() + port));
    return new Listener(
        arn,
        lb.arn(),
        "HTTP",
        port,
        List.of(action),
        ARNS.rule(lb, arn, id(lb.name() + port + "default")),
        List.of(),
        1);
  }

  public static ListenerRule rule(
      LoadBalancer lb, Listener l, int priority, Action action, RuleCondition... conditions) {
    return new ListenerRule(
        ARNS.rule(lb, l.arn(), id(l.arn() + priority)),
        l.arn(),
        priority,
        List.of(conditions),
        List.of(action),
        List.of(),
        1);
  }

  public static TargetRegistration registered(String id, int port) {
    return new TargetRegistration(new Target(id, port), null, T0, null);
  }

  public static ContainerInstance instance(String ec2InstanceId, String address) {
    return new ContainerInstance(
        "arn:aws:ecs:us-east-1:123456789012:container-instance/default/" + id(ec2InstanceId),
        "arn:aws:ecs:us-east-1:123456789012:cluster/default",
        ec2InstanceId,
        ContainerInstanceStatus.ACTIVE,
        true,
        List.of(),
        List.of(),
        List.of(),
        null,
        T0,
        1,
        address,
        ContainerInstance.FIRST_EPOCH);
  }
}
