package io.wharf.elb.api;

import static io.wharf.elb.api.ElbTagOperations.listOrEmpty;

import io.wharf.core.auth.Caller;
import io.wharf.core.state.State;
import io.wharf.elb.api.ElbShapes.TargetDescriptionView;
import io.wharf.elb.api.ElbShapes.TargetHealthDescriptionView;
import io.wharf.elb.targets.TargetRegistrations;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.protocol.Operations;
import java.util.ArrayList;
import java.util.List;

/** RegisterTargets, DeregisterTargets, DescribeTargetHealth. */
final class TargetOperations {
  private final ElbContext elb;

  TargetOperations(ElbContext elb) {
    this.elb = elb;
  }

  void register(Operations.Builder<Caller> ops) {
    ops.add("RegisterTargets", TargetsRequest.class, (caller, r) -> registerTargets(r));
    ops.add("DeregisterTargets", TargetsRequest.class, (caller, r) -> deregisterTargets(r));
    ops.add(
        "DescribeTargetHealth",
        DescribeTargetHealthRequest.class,
        (caller, r) -> describeHealth(r));
  }

  /** RegisterTargets and DeregisterTargets: a group and targets in it. */
  record TargetsRequest(String targetGroupArn, List<TargetDescriptionView> targets) {}

  record TargetsResponse() {}

  /** A target as given: its port defaults to the group's. */
  private record Given(Target target, String availabilityZone) {}

  private static List<Given> targets(TargetGroup group, List<TargetDescriptionView> targets) {
    List<Given> out = new ArrayList<>();
    for (TargetDescriptionView t : listOrEmpty(targets)) {
      int port = t.port() != null ? t.port() : group.port();
      out.add(new Given(new Target(t.id(), port), t.availabilityZone()));
    }
    return out;
  }

  /** Registers every target or none (all are checked before any is registered). */
  private TargetsResponse registerTargets(TargetsRequest r) {
    String arn = r.targetGroupArn();
    elb.states.execute(
        tx -> {
          TargetGroup group = elb.targetGroup(tx.state(), arn);
          for (Given g : targets(group, r.targets())) {
            TargetRegistrations.register(tx, arn, g.target(), g.availabilityZone());
          }
          return null;
        });
    elb.changed();
    return new TargetsResponse();
  }

  /** Starts draining the targets; deregistering one that is not registered changes nothing. */
  private TargetsResponse deregisterTargets(TargetsRequest r) {
    String arn = r.targetGroupArn();
    elb.states.execute(
        tx -> {
          TargetGroup group = elb.targetGroup(tx.state(), arn);
          for (Given g : targets(group, r.targets())) {
            TargetRegistrations.deregister(tx, arn, g.target());
          }
          return null;
        });
    elb.changed();
    return new TargetsResponse();
  }

  record DescribeTargetHealthRequest(String targetGroupArn, List<TargetDescriptionView> targets) {}

  record DescribeTargetHealthResponse(List<TargetHealthDescriptionView> targetHealthDescriptions) {}

  private DescribeTargetHealthResponse describeHealth(DescribeTargetHealthRequest r) {
    State state = elb.states.current();
    String arn = r.targetGroupArn();
    TargetGroup group = elb.targetGroup(state, arn);
    List<TargetRegistration> described = new ArrayList<>();
    List<Target> unregistered = new ArrayList<>();
    if (r.targets() != null && !r.targets().isEmpty()) {
      for (TargetDescriptionView t : r.targets()) {
        String id = t.id();
        if (t.port() != null) {
          Target target = new Target(id, t.port());
          TargetRegistration reg = state.balancing().registration(arn, target);
          if (reg == null) {
            unregistered.add(target);
          } else {
            described.add(reg);
          }
        } else {
          // Without a port: every registration of the id, or the group's port when none.
          List<TargetRegistration> ofId =
              state.balancing().registrations(arn).values().stream()
                  .filter(reg -> reg.target().id().equals(id))
                  .toList();
          if (ofId.isEmpty()) {
            unregistered.add(new Target(id, group.port()));
          }
          described.addAll(ofId);
        }
      }
    } else {
      described.addAll(state.balancing().registrations(arn).values());
    }
    List<TargetHealthDescriptionView> out = new ArrayList<>();
    for (TargetRegistration reg : described) {
      out.add(description(group, reg.target(), reg.availabilityZone()));
    }
    for (Target t : unregistered) {
      out.add(description(group, t, null));
    }
    return new DescribeTargetHealthResponse(out);
  }

  private TargetHealthDescriptionView description(TargetGroup group, Target target, String zone) {
    return ElbShapes.targetHealth(group, target, zone, elb.dataPlane.health(group.arn(), target));
  }
}
