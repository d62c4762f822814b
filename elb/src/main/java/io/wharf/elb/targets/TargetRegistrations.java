package io.wharf.elb.targets;

import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.elb.balancing.ProxyConfigs;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ContainerInstanceStatus;
import io.wharf.model.ErrorCode;
import io.wharf.model.NetworkBinding;
import io.wharf.model.Task;
import io.wharf.model.TaskContainer;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.elb.TargetType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registering and deregistering targets, inside a state-machine command: the one place that changes
 * registrations, used by RegisterTargets/DeregisterTargets and by the service controller.
 *
 * <p>Only the state changes here; the data plane follows it (adds the server, drains it, removes
 * it) without a reload. Every method throws {@link WharfException}s with ELB's codes, before
 * changing anything.
 */
public final class TargetRegistrations {
  /** ELB's limit on targets per target group. */
  public static final int MAX_TARGETS_PER_GROUP = 1000;

  private TargetRegistrations() {}

  /**
   * Registers a target in a group. Registering a registered target changes nothing; registering a
   * draining one takes it back into rotation (it keeps its health).
   *
   * @param availabilityZone as given by the caller, or null
   * @return the registration as it now is
   * @throws WharfException TargetGroupNotFound; InvalidTarget when the id is no running container
   *     instance (type instance) or no usable IPv4 address (type ip); TooManyTargets
   */
  public static TargetRegistration register(
      StateMachine.Transaction tx, String targetGroupArn, Target target, String availabilityZone) {
    TargetGroup group = group(tx.state(), targetGroupArn);
    checkTarget(tx.state(), group, target);
    TargetRegistration existing = tx.state().balancing().registration(targetGroupArn, target);
    if (existing != null && !existing.isDraining()) {
      return existing;
    }
    if (existing == null
        && tx.state().balancing().registrations(targetGroupArn).size() >= MAX_TARGETS_PER_GROUP) {
      throw new WharfException(
          ErrorCode.TOO_MANY_TARGETS,
          "You've reached the limit on the number of targets registered to a target group ("
              + MAX_TARGETS_PER_GROUP
              + ")");
    }
    TargetRegistration registration =
        new TargetRegistration(
            target, availabilityZone, existing == null ? tx.now() : existing.registeredAt(), null);
    tx.apply(new Change.TargetRegistrationPut(targetGroupArn, registration));
    return registration;
  }

  /** As {@link #register(StateMachine.Transaction, String, Target, String)}, without a zone. */
  public static TargetRegistration register(
      StateMachine.Transaction tx, String targetGroupArn, Target target) {
    return register(tx, targetGroupArn, target, null);
  }

  /**
   * Starts deregistering a target: from now on it gets no new requests; requests in flight finish,
   * and the registration is removed once the group's deregistration delay has passed (the data
   * plane does that). Deregistering a target that is not registered, or already draining, changes
   * nothing.
   *
   * @return the draining registration, or null when the target was not registered
   * @throws WharfException TargetGroupNotFound
   */
  public static TargetRegistration deregister(
      StateMachine.Transaction tx, String targetGroupArn, Target target) {
    group(tx.state(), targetGroupArn);
    TargetRegistration existing = tx.state().balancing().registration(targetGroupArn, target);
    if (existing == null || existing.isDraining()) {
      return existing;
    }
    TargetRegistration draining = existing.draining(tx.now());
    tx.apply(new Change.TargetRegistrationPut(targetGroupArn, draining));
    return draining;
  }

  /**
   * Removes the registrations whose deregistration delay has passed (as of the command's time).
   *
   * @return how many were removed
   */
  public static int finishDeregistrations(StateMachine.Transaction tx) {
    List<Change> removals = new ArrayList<>();
    Instant now = tx.now();
    for (TargetGroup group : tx.state().balancing().targetGroups().values()) {
      for (TargetRegistration r : tx.state().balancing().registrations(group.arn()).values()) {
        if (r.isDraining() && !r.drainingSince().plus(group.deregistrationDelay()).isAfter(now)) {
          removals.add(new Change.TargetRegistrationRemoved(group.arn(), r.target()));
        }
      }
    }
    removals.forEach(tx::apply);
    return removals.size();
  }

  /** Whether some registration's delay has passed by {@code now} (no command needed otherwise). */
  public static boolean anyDeregistrationDue(State state, Instant now) {
    for (TargetGroup group : state.balancing().targetGroups().values()) {
      for (TargetRegistration r : state.balancing().registrations(group.arn()).values()) {
        if (r.isDraining() && !r.drainingSince().plus(group.deregistrationDelay()).isAfter(now)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The target that a task's container port is reached at, for a group: for type {@code instance},
   * the task's container instance (its EC2-style id) and the host port; for type {@code ip}, the
   * address the port is published on and the host port. Empty while the task has no binding for
   * that container port (it is not running yet).
   */
  public static Optional<Target> targetOf(
      State state, TargetGroup group, Task task, String containerName, int containerPort) {
    ContainerInstance instance =
        task.containerInstanceArn() == null
            ? null
            : state.containerInstances().get(task.containerInstanceArn());
    for (TaskContainer c : task.containers()) {
      if (!c.name().equals(containerName)) {
        continue;
      }
      for (NetworkBinding b : c.networkBindings()) {
        if (b.containerPort() != containerPort || b.hostPort() <= 0) {
          continue;
        }
        if (group.targetType() == TargetType.INSTANCE) {
          return instance == null || instance.ec2InstanceId() == null
              ? Optional.empty()
              : Optional.of(new Target(instance.ec2InstanceId(), b.hostPort()));
        }
        String address =
            b.bindIp() == null || b.bindIp().equals("0.0.0.0")
                ? (instance == null ? null : instance.privateIpAddress())
                : b.bindIp();
        return address == null ? Optional.empty() : Optional.of(new Target(address, b.hostPort()));
      }
    }
    return Optional.empty();
  }

  static TargetGroup group(State state, String targetGroupArn) {
    TargetGroup group = state.balancing().targetGroups().get(targetGroupArn);
    if (group == null) {
      throw new WharfException(
          ErrorCode.TARGET_GROUP_NOT_FOUND, "Target groups '" + targetGroupArn + "' not found");
    }
    return group;
  }

  /** Refuses a target its group cannot send traffic to. */
  static void checkTarget(State state, TargetGroup group, Target target) {
    if (group.targetType() == TargetType.INSTANCE) {
      Map<String, String> addresses = ProxyConfigs.instanceAddresses(state);
      if (!addresses.containsKey(target.id())) {
        boolean known =
            state.containerInstances().values().stream()
                .anyMatch(
                    i ->
                        target.id().equals(i.ec2InstanceId())
                            && i.status() != ContainerInstanceStatus.INACTIVE);
        throw new WharfException(
            ErrorCode.INVALID_TARGET,
            known
                ? "The container instance '"
                    + target.id()
                    + "' did not say which address it publishes ports on; restart its agent"
                : "The following targets are not in a running state and cannot be registered: '"
                    + target.id()
                    + "'");
      }
    } else if (!isUsableIpv4(target.id())) {
      throw new WharfException(
          ErrorCode.INVALID_TARGET,
          "The IP address '"
              + target.id()
              + "' is not a valid private or loopback IPv4 address for a target");
    }
  }

  /**
   * Whether an ip target's id is an IPv4 address Wharf may send traffic to: loopback, private (RFC
   * 1918), shared (100.64.0.0/10) or link-local; as ELB, no publicly routable addresses.
   */
  static boolean isUsableIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    int[] b = new int[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("0|[1-9][0-9]{0,2}")) {
        return false;
      }
      b[i] = Integer.parseInt(parts[i]);
      if (b[i] > 255) {
        return false;
      }
    }
    return b[0] == 127
        || b[0] == 10
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
        || (b[0] == 192 && b[1] == 168)
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
        || (b[0] == 169 && b[1] == 254);
  }
}
