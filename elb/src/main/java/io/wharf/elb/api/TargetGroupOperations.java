package io.wharf.elb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.elb.TargetType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup,
 * DescribeTargetGroupAttributes, ModifyTargetGroupAttributes.
 */
final class TargetGroupOperations {
  /** ELB's default quota of target groups per region. */
  static final int MAX_TARGET_GROUPS = 3000;

  private final ElbContext elb;

  TargetGroupOperations(ElbContext elb) {
    this.elb = elb;
  }

  void register(Map<String, ElbApi.Operation> ops) {
    ops.put("CreateTargetGroup", this::create);
    ops.put("DescribeTargetGroups", this::describe);
    ops.put("ModifyTargetGroup", this::modify);
    ops.put("DeleteTargetGroup", this::delete);
    ops.put("DescribeTargetGroupAttributes", this::describeAttributes);
    ops.put("ModifyTargetGroupAttributes", this::modifyAttributes);
  }

  private JsonNode create(JsonNode r) {
    String name = ElbRules.targetGroupName(r.path("Name").asText());
    String typeName = ElbRules.text(r, "TargetType", "instance");
    TargetType type = TargetType.ofWireName(typeName);
    if (type == null) {
      throw ElbRules.validation(
          "Wharf supports the target types instance and ip; '"
              + typeName
              + "' is not supported yet");
    }
    String protocol = ElbRules.http(ElbRules.text(r, "Protocol", null), "target group");
    String version = ElbRules.text(r, "ProtocolVersion", "HTTP1");
    if (!version.equals("HTTP1")) {
      throw ElbRules.validation(
          "Wharf supports the protocol version HTTP1; '" + version + "' is not supported yet");
    }
    if (!r.hasNonNull("Port")) {
      throw ElbRules.validation("A port must be specified");
    }
    int port = r.path("Port").asInt();
    HealthCheck check = ElbRules.healthCheck(r, HealthCheck.DEFAULT);
    String vpc = ElbRules.text(r, "VpcId", null);
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.get("Tags")));
    TargetGroup group =
        elb.states.execute(
            tx -> {
              TargetGroup existing = tx.state().balancing().targetGroupNamed(name);
              if (existing != null) {
                // Creating the same target group again succeeds, as in ELB.
                if (existing.protocol().equals(protocol)
                    && existing.port() == port
                    && existing.targetType() == type
                    && existing.healthCheck().equals(check)
                    && Objects.equals(existing.vpcId(), vpc)) {
                  return existing;
                }
                throw new WharfException(
                    ErrorCode.DUPLICATE_TARGET_GROUP_NAME,
                    "A target group with the same name '"
                        + name
                        + "' exists, but with different settings");
              }
              if (tx.state().balancing().targetGroups().size() >= MAX_TARGET_GROUPS) {
                throw new WharfException(
                    ErrorCode.TOO_MANY_TARGET_GROUPS,
                    "You've reached the limit on the number of target groups ("
                        + MAX_TARGET_GROUPS
                        + ")");
              }
              TargetGroup tg =
                  new TargetGroup(
                      elb.arns.targetGroup(name, elb.newId()),
                      name,
                      protocol,
                      port,
                      vpc,
                      type,
                      check,
                      TargetGroup.DEFAULT_ATTRIBUTES,
                      tags,
                      tx.now(),
                      tx.revision());
              tx.apply(new Change.TargetGroupPut(tg));
              return tg;
            });
    return groups(elb.states.current(), List.of(group), null);
  }

  private ObjectNode groups(State state, List<TargetGroup> groups, String nextMarker) {
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("TargetGroups");
    for (TargetGroup tg : groups) {
      list.add(ElbShapes.targetGroup(tg, state.balancing().loadBalancersOf(tg.arn())));
    }
    if (nextMarker != null) {
      out.put("NextMarker", nextMarker);
    }
    return out;
  }

  private JsonNode describe(JsonNode r) {
    String lbArn = ElbRules.text(r, "LoadBalancerArn", null);
    List<String> arns = LoadBalancerOperations.strings(r.get("TargetGroupArns"));
    List<String> names = LoadBalancerOperations.strings(r.get("Names"));
    int given = (lbArn == null ? 0 : 1) + (arns.isEmpty() ? 0 : 1) + (names.isEmpty() ? 0 : 1);
    if (given > 1) {
      throw ElbRules.validation(
          "Specify only one of a load balancer ARN, target group ARNs or target group names");
    }
    State state = elb.states.current();
    List<String> keys = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    if (lbArn != null) {
      elb.loadBalancer(state, lbArn);
      for (TargetGroup tg : state.balancing().targetGroups().values()) {
        if (state.balancing().loadBalancersOf(tg.arn()).contains(lbArn)) {
          keys.add(tg.arn());
        }
      }
    } else if (!arns.isEmpty()) {
      for (String arn : arns) {
        if (state.balancing().targetGroups().containsKey(arn)) {
          keys.add(arn);
        } else {
          missing.add(arn);
        }
      }
    } else if (!names.isEmpty()) {
      for (String name : names) {
        TargetGroup tg = state.balancing().targetGroupNamed(name);
        if (tg == null) {
          missing.add(name);
        } else {
          keys.add(tg.arn());
        }
      }
    } else {
      keys.addAll(state.balancing().targetGroups().keySet());
    }
    if (!missing.isEmpty()) {
      throw new WharfException(
          ErrorCode.TARGET_GROUP_NOT_FOUND, "Target groups '" + missing + "' not found");
    }
    ElbContext.Page page = ElbContext.Page.of(keys.stream().distinct().sorted().toList(), r);
    return groups(
        state,
        page.items().stream().map(a -> state.balancing().targetGroups().get(a)).toList(),
        page.nextMarker());
  }

  private JsonNode modify(JsonNode r) {
    String arn = r.path("TargetGroupArn").asText();
    TargetGroup group =
        elb.states.execute(
            tx -> {
              TargetGroup tg = elb.targetGroup(tx.state(), arn);
              TargetGroup changed =
                  tg.withHealthCheck(ElbRules.healthCheck(r, tg.healthCheck()))
                      .withRevision(tx.revision());
              tx.apply(new Change.TargetGroupPut(changed));
              return changed;
            });
    elb.changed();
    return groups(elb.states.current(), List.of(group), null);
  }

  /** Deletes a target group no listener or rule uses, with its registrations. */
  private JsonNode delete(JsonNode r) {
    String arn = r.path("TargetGroupArn").asText();
    elb.states.execute(
        tx -> {
          TargetGroup tg = tx.state().balancing().targetGroups().get(arn);
          if (tg == null) {
            return null; // deleting a deleted target group succeeds, as in ELB
          }
          if (tx.state().balancing().isInUse(arn)) {
            throw new WharfException(
                ErrorCode.ELB_RESOURCE_IN_USE,
                "Target group '" + arn + "' is currently in use by a listener or a rule");
          }
          for (TargetRegistration reg : tx.state().balancing().registrations(arn).values()) {
            tx.apply(new Change.TargetRegistrationRemoved(arn, reg.target()));
          }
          tx.apply(new Change.TargetGroupRemoved(arn));
          return null;
        });
    elb.changed();
    return ElbShapes.object();
  }

  private JsonNode describeAttributes(JsonNode r) {
    TargetGroup tg = elb.targetGroup(elb.states.current(), r.path("TargetGroupArn").asText());
    return attributes(tg);
  }

  private JsonNode modifyAttributes(JsonNode r) {
    String arn = r.path("TargetGroupArn").asText();
    TargetGroup group =
        elb.states.execute(
            tx -> {
              TargetGroup tg = elb.targetGroup(tx.state(), arn);
              TargetGroup changed =
                  tg.withAttributes(ElbRules.attributes(tg.attributes(), r.path("Attributes")))
                      .withRevision(tx.revision());
              tx.apply(new Change.TargetGroupPut(changed));
              return changed;
            });
    elb.changed();
    return attributes(group);
  }

  private static ObjectNode attributes(TargetGroup tg) {
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("Attributes");
    tg.attributes().forEach((k, v) -> list.addObject().put("Key", k).put("Value", v));
    return out;
  }
}
