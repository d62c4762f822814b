package io.wharf.elb.api;

import static io.wharf.elb.api.ElbTagOperations.listOrEmpty;

import io.wharf.core.auth.Caller;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.elb.api.ElbShapes.MatcherView;
import io.wharf.elb.api.ElbShapes.TargetGroupAttributeView;
import io.wharf.elb.api.ElbShapes.TargetGroupView;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.elb.TargetType;
import io.wharf.protocol.Operations;
import java.util.ArrayList;
import java.util.List;
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

  void register(Operations.Builder<Caller> ops) {
    ops.add("CreateTargetGroup", CreateTargetGroupRequest.class, (caller, r) -> create(r));
    ops.add("DescribeTargetGroups", DescribeTargetGroupsRequest.class, (caller, r) -> describe(r));
    ops.add("ModifyTargetGroup", ModifyTargetGroupRequest.class, (caller, r) -> modify(r));
    ops.add("DeleteTargetGroup", DeleteTargetGroupRequest.class, (caller, r) -> delete(r));
    ops.add(
        "DescribeTargetGroupAttributes",
        DescribeTargetGroupAttributesRequest.class,
        (caller, r) -> describeAttributes(r));
    ops.add(
        "ModifyTargetGroupAttributes",
        ModifyTargetGroupAttributesRequest.class,
        (caller, r) -> modifyAttributes(r));
  }

  record CreateTargetGroupRequest(
      String name,
      String protocol,
      String protocolVersion,
      Integer port,
      String vpcId,
      String healthCheckProtocol,
      String healthCheckPort,
      Boolean healthCheckEnabled,
      String healthCheckPath,
      Integer healthCheckIntervalSeconds,
      Integer healthCheckTimeoutSeconds,
      Integer healthyThresholdCount,
      Integer unhealthyThresholdCount,
      MatcherView matcher,
      String targetType,
      List<Tag> tags)
      implements ElbRules.HealthCheckRequest {}

  /** CreateTargetGroup, ModifyTargetGroup: the group as it is now. */
  record TargetGroupsResponse(List<TargetGroupView> targetGroups) {}

  private TargetGroupsResponse create(CreateTargetGroupRequest r) {
    String name = ElbRules.targetGroupName(r.name());
    String typeName = ElbRules.or(r.targetType(), "instance");
    TargetType type = TargetType.ofWireName(typeName);
    if (type == null) {
      throw ElbRules.validation(
          "Wharf supports the target types instance and ip; '"
              + typeName
              + "' is not supported yet");
    }
    String protocol = ElbRules.http(r.protocol(), "target group");
    String version = ElbRules.or(r.protocolVersion(), "HTTP1");
    if (!version.equals("HTTP1")) {
      throw ElbRules.validation(
          "Wharf supports the protocol version HTTP1; '" + version + "' is not supported yet");
    }
    if (r.port() == null) {
      throw ElbRules.validation("A port must be specified");
    }
    int port = r.port();
    HealthCheck check = ElbRules.healthCheck(r, HealthCheck.DEFAULT);
    String vpc = r.vpcId();
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.tags()));
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
    return new TargetGroupsResponse(views(elb.states.current(), List.of(group)));
  }

  private static List<TargetGroupView> views(State state, List<TargetGroup> groups) {
    List<TargetGroupView> out = new ArrayList<>();
    for (TargetGroup tg : groups) {
      out.add(ElbShapes.targetGroup(tg, state.balancing().loadBalancersOf(tg.arn())));
    }
    return out;
  }

  record DescribeTargetGroupsRequest(
      String loadBalancerArn,
      List<String> targetGroupArns,
      List<String> names,
      String marker,
      Integer pageSize) {}

  record DescribeTargetGroupsResponse(List<TargetGroupView> targetGroups, String nextMarker) {}

  private DescribeTargetGroupsResponse describe(DescribeTargetGroupsRequest r) {
    String lbArn = r.loadBalancerArn();
    List<String> arns = listOrEmpty(r.targetGroupArns());
    List<String> names = listOrEmpty(r.names());
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
    ElbContext.Page page =
        ElbContext.Page.of(keys.stream().distinct().sorted().toList(), r.marker(), r.pageSize());
    return new DescribeTargetGroupsResponse(
        views(
            state,
            page.items().stream().map(a -> state.balancing().targetGroups().get(a)).toList()),
        page.nextMarker());
  }

  record ModifyTargetGroupRequest(
      String targetGroupArn,
      String healthCheckProtocol,
      String healthCheckPort,
      String healthCheckPath,
      Boolean healthCheckEnabled,
      Integer healthCheckIntervalSeconds,
      Integer healthCheckTimeoutSeconds,
      Integer healthyThresholdCount,
      Integer unhealthyThresholdCount,
      MatcherView matcher)
      implements ElbRules.HealthCheckRequest {}

  private TargetGroupsResponse modify(ModifyTargetGroupRequest r) {
    String arn = r.targetGroupArn();
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
    return new TargetGroupsResponse(views(elb.states.current(), List.of(group)));
  }

  record DeleteTargetGroupRequest(String targetGroupArn) {}

  record DeleteTargetGroupResponse() {}

  /** Deletes a target group no listener or rule uses, with its registrations. */
  private DeleteTargetGroupResponse delete(DeleteTargetGroupRequest r) {
    String arn = r.targetGroupArn();
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
    return new DeleteTargetGroupResponse();
  }

  record DescribeTargetGroupAttributesRequest(String targetGroupArn) {}

  /** DescribeTargetGroupAttributes, ModifyTargetGroupAttributes: all of the group's attributes. */
  record AttributesResponse(List<TargetGroupAttributeView> attributes) {}

  private AttributesResponse describeAttributes(DescribeTargetGroupAttributesRequest r) {
    TargetGroup tg = elb.targetGroup(elb.states.current(), r.targetGroupArn());
    return new AttributesResponse(ElbShapes.attributes(tg));
  }

  record ModifyTargetGroupAttributesRequest(
      String targetGroupArn, List<TargetGroupAttributeView> attributes) {}

  private AttributesResponse modifyAttributes(ModifyTargetGroupAttributesRequest r) {
    String arn = r.targetGroupArn();
    TargetGroup group =
        elb.states.execute(
            tx -> {
              TargetGroup tg = elb.targetGroup(tx.state(), arn);
              TargetGroup changed =
                  tg.withAttributes(
                          ElbRules.attributes(tg.attributes(), listOrEmpty(r.attributes())))
                      .withRevision(tx.revision());
              tx.apply(new Change.TargetGroupPut(changed));
              return changed;
            });
    elb.changed();
    return new AttributesResponse(ElbShapes.attributes(group));
  }
}
