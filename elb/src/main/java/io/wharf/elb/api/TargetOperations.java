package io.wharf.elb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.state.State;
import io.wharf.elb.targets.TargetRegistrations;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetHealth;
import io.wharf.model.elb.TargetRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** RegisterTargets, DeregisterTargets, DescribeTargetHealth. */
final class TargetOperations {
  private final ElbContext elb;

  TargetOperations(ElbContext elb) {
    this.elb = elb;
  }

  void register(Map<String, ElbApi.Operation> ops) {
    ops.put("RegisterTargets", this::registerTargets);
    ops.put("DeregisterTargets", this::deregisterTargets);
    ops.put("DescribeTargetHealth", this::describeHealth);
  }

  /** A target as given: its port defaults to the group's. */
  private record Given(Target target, String availabilityZone) {}

  private static List<Given> targets(TargetGroup group, JsonNode targets) {
    List<Given> out = new ArrayList<>();
    for (JsonNode t : targets) {
      String id = t.path("Id").asText();
      int port = t.hasNonNull("Port") ? t.path("Port").asInt() : group.port();
      out.add(new Given(new Target(id, port), ElbRules.text(t, "AvailabilityZone", null)));
    }
    return out;
  }

  /** Registers every target or none (all are checked before any is registered). */
  private JsonNode registerTargets(JsonNode r) {
    String arn = r.path("TargetGroupArn").asText();
    elb.states.execute(
        tx -> {
          TargetGroup group = elb.targetGroup(tx.state(), arn);
          for (Given g : targets(group, r.path("Targets"))) {
            TargetRegistrations.register(tx, arn, g.target(), g.availabilityZone());
          }
          return null;
        });
    elb.changed();
    return ElbShapes.object();
  }

  /** Starts draining the targets; deregistering one that is not registered changes nothing. */
  private JsonNode deregisterTargets(JsonNode r) {
    String arn = r.path("TargetGroupArn").asText();
    elb.states.execute(
        tx -> {
          TargetGroup group = elb.targetGroup(tx.state(), arn);
          for (Given g : targets(group, r.path("Targets"))) {
            TargetRegistrations.deregister(tx, arn, g.target());
          }
          return null;
        });
    elb.changed();
    return ElbShapes.object();
  }

  private JsonNode describeHealth(JsonNode r) {
    State state = elb.states.current();
    String arn = r.path("TargetGroupArn").asText();
    TargetGroup group = elb.targetGroup(state, arn);
    List<TargetRegistration> described = new ArrayList<>();
    List<Target> unregistered = new ArrayList<>();
    if (r.has("Targets") && !r.path("Targets").isEmpty()) {
      for (JsonNode t : r.path("Targets")) {
        String id = t.path("Id").asText();
        if (t.hasNonNull("Port")) {
          Target target = new Target(id, t.path("Port").asInt());
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
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("TargetHealthDescriptions");
    for (TargetRegistration reg : described) {
      list.add(description(group, reg.target(), reg.availabilityZone()));
    }
    for (Target t : unregistered) {
      list.add(description(group, t, null));
    }
    return out;
  }

  private ObjectNode description(TargetGroup group, Target target, String zone) {
    ObjectNode out = ElbShapes.object();
    ObjectNode t = out.putObject("Target").put("Id", target.id()).put("Port", target.port());
    if (zone != null) {
      t.put("AvailabilityZone", zone);
    }
    String checkPort = group.healthCheck().port();
    out.put(
        "HealthCheckPort",
        checkPort.equals(HealthCheck.TRAFFIC_PORT) ? String.valueOf(target.port()) : checkPort);
    TargetHealth health = elb.dataPlane.health(group.arn(), target);
    ObjectNode h = out.putObject("TargetHealth").put("State", health.state().wireName());
    if (health.reason() != null) {
      h.put("Reason", health.reason());
    }
    if (health.description() != null) {
      h.put("Description", health.description());
    }
    return out;
  }
}
