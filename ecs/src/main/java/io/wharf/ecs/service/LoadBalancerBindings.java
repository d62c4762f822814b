package io.wharf.ecs.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.elb.targets.TargetRegistrations;
import io.wharf.model.Document;
import io.wharf.model.ServiceConfig;
import io.wharf.model.Task;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A service's {@code loadBalancers}: which target groups a task's container port is registered in,
 * and the targets that makes.
 */
public final class LoadBalancerBindings {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One entry of {@code loadBalancers}. */
  public record Binding(String targetGroupArn, String containerName, int containerPort) {}

  /** A task's target in one group, once its port is bound. */
  public record Bound(String targetGroupArn, Target target) {}

  private LoadBalancerBindings() {}

  /** The entries of a deployment's configuration (none when it has no load balancers). */
  public static List<Binding> of(ServiceConfig config) {
    return of(config.loadBalancers());
  }

  public static List<Binding> of(Document loadBalancers) {
    if (loadBalancers == null) {
      return List.of();
    }
    JsonNode array;
    try {
      array = JSON.readTree(loadBalancers.json());
    } catch (IOException e) {
      throw new IllegalStateException("Stored loadBalancers are unreadable", e);
    }
    List<Binding> out = new ArrayList<>();
    for (JsonNode n : array) {
      if (n.hasNonNull("targetGroupArn")) {
        out.add(
            new Binding(
                n.get("targetGroupArn").asText(),
                n.path("containerName").asText(),
                n.path("containerPort").asInt()));
      }
    }
    return out;
  }

  /** The targets a task makes in its groups (groups that no longer exist are skipped). */
  public static List<Bound> targets(State state, List<Binding> bindings, Task task) {
    List<Bound> out = new ArrayList<>();
    for (Binding b : bindings) {
      TargetGroup group = state.balancing().targetGroups().get(b.targetGroupArn());
      if (group == null) {
        continue;
      }
      Optional<Target> target =
          TargetRegistrations.targetOf(state, group, task, b.containerName(), b.containerPort());
      target.ifPresent(t -> out.add(new Bound(b.targetGroupArn(), t)));
    }
    return out;
  }

  /** Whether the target is registered and not draining. */
  public static boolean inRotation(State state, Bound bound) {
    TargetRegistration r = state.balancing().registration(bound.targetGroupArn(), bound.target());
    return r != null && !r.isDraining();
  }

  /**
   * Starts draining the task's targets that are in rotation; returns the ones it deregistered.
   * Called when a task stops or is about to.
   */
  public static List<Bound> deregister(
      StateMachine.Transaction tx, List<Binding> bindings, Task task) {
    List<Bound> out = new ArrayList<>();
    for (Bound b : targets(tx.state(), bindings, task)) {
      if (inRotation(tx.state(), b)) {
        TargetRegistrations.deregister(tx, b.targetGroupArn(), b.target());
        out.add(b);
      }
    }
    return out;
  }
}
