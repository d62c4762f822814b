package io.wharf.elb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer. */
final class LoadBalancerOperations {
  /** ELB's default quota of application load balancers per region. */
  static final int MAX_LOAD_BALANCERS = 50;

  private final ElbContext elb;
  private final String region;

  LoadBalancerOperations(ElbContext elb, String region) {
    this.elb = elb;
    this.region = region;
  }

  void register(Map<String, ElbApi.Operation> ops) {
    ops.put("CreateLoadBalancer", this::create);
    ops.put("DescribeLoadBalancers", this::describe);
    ops.put("DeleteLoadBalancer", this::delete);
  }

  private JsonNode create(JsonNode r) {
    String name = ElbRules.loadBalancerName(r.path("Name").asText());
    String type = ElbRules.text(r, "Type", "application");
    if (!type.equals("application")) {
      throw ElbRules.validation(
          "Wharf supports application load balancers; type '" + type + "' is not supported yet");
    }
    String ipType = ElbRules.text(r, "IpAddressType", "ipv4");
    if (!ipType.equals("ipv4")) {
      throw ElbRules.validation(
          "Wharf supports the ipv4 address type; '" + ipType + "' is not supported yet");
    }
    String scheme = ElbRules.text(r, "Scheme", "internet-facing");
    List<String> subnets = new ArrayList<>();
    r.path("Subnets").forEach(s -> subnets.add(s.asText()));
    r.path("SubnetMappings").forEach(m -> subnets.add(m.path("SubnetId").asText()));
    List<String> groups = new ArrayList<>();
    r.path("SecurityGroups").forEach(g -> groups.add(g.asText()));
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.get("Tags")));
    LoadBalancer created =
        elb.states.execute(
            tx -> {
              LoadBalancer existing = tx.state().balancing().loadBalancerNamed(name);
              if (existing != null) {
                // Creating the same load balancer again succeeds, as in ELB.
                if (existing.scheme().equals(scheme)) {
                  return existing;
                }
                throw new WharfException(
                    ErrorCode.DUPLICATE_LOAD_BALANCER_NAME,
                    "A load balancer with the same name '"
                        + name
                        + "' exists, but with different settings");
              }
              if (tx.state().balancing().loadBalancers().size() >= MAX_LOAD_BALANCERS) {
                throw new WharfException(
                    ErrorCode.TOO_MANY_LOAD_BALANCERS,
                    "You've reached the limit on the number of load balancers ("
                        + MAX_LOAD_BALANCERS
                        + ")");
              }
              Set<String> taken = new HashSet<>();
              tx.state()
                  .balancing()
                  .loadBalancers()
                  .values()
                  .forEach(lb -> taken.add(lb.address()));
              String address = elb.addresses.allocate(taken);
              if (address == null) {
                throw new WharfException(
                    ErrorCode.TOO_MANY_LOAD_BALANCERS,
                    "Every load balancer address of this Wharf ("
                        + elb.addresses
                        + ") is taken; delete a load balancer or give Wharf more addresses");
              }
              String id = elb.newId();
              LoadBalancer lb =
                  new LoadBalancer(
                      elb.arns.loadBalancer(name, id),
                      name,
                      id,
                      scheme,
                      address,
                      groups,
                      subnets,
                      tags,
                      tx.now(),
                      tx.revision());
              tx.apply(new Change.LoadBalancerPut(lb));
              return lb;
            });
    elb.changed();
    ObjectNode out = ElbShapes.object();
    out.putArray("LoadBalancers").add(shape(created));
    return out;
  }

  private ObjectNode shape(LoadBalancer lb) {
    return ElbShapes.loadBalancer(lb, region, elb.dataPlane.problem().orElse(null));
  }

  private JsonNode describe(JsonNode r) {
    List<String> arns = strings(r.get("LoadBalancerArns"));
    List<String> names = strings(r.get("Names"));
    if (!arns.isEmpty() && !names.isEmpty()) {
      throw ElbRules.validation(
          "Load balancer names and load balancer ARNs cannot be specified at the same time");
    }
    State state = elb.states.current();
    List<String> keys = new ArrayList<>();
    if (!arns.isEmpty()) {
      List<String> missing = new ArrayList<>();
      for (String arn : arns) {
        if (state.balancing().loadBalancers().containsKey(arn)) {
          keys.add(arn);
        } else {
          missing.add(arn);
        }
      }
      notFound(missing);
    } else if (!names.isEmpty()) {
      List<String> missing = new ArrayList<>();
      for (String name : names) {
        LoadBalancer lb = state.balancing().loadBalancerNamed(name);
        if (lb == null) {
          missing.add(name);
        } else {
          keys.add(lb.arn());
        }
      }
      notFound(missing);
    } else {
      keys.addAll(state.balancing().loadBalancers().keySet());
    }
    ElbContext.Page page = ElbContext.Page.of(keys.stream().distinct().sorted().toList(), r);
    ObjectNode out = ElbShapes.object();
    ArrayNode list = out.putArray("LoadBalancers");
    for (String arn : page.items()) {
      list.add(shape(state.balancing().loadBalancers().get(arn)));
    }
    if (page.nextMarker() != null) {
      out.put("NextMarker", page.nextMarker());
    }
    return out;
  }

  private static void notFound(List<String> missing) {
    if (!missing.isEmpty()) {
      throw new WharfException(
          ErrorCode.LOAD_BALANCER_NOT_FOUND, "Load balancers '" + missing + "' not found");
    }
  }

  /** Deletes a load balancer with its listeners and rules; target groups stay (then unused). */
  private JsonNode delete(JsonNode r) {
    String arn = r.path("LoadBalancerArn").asText();
    elb.states.execute(
        tx -> {
          LoadBalancer lb = tx.state().balancing().loadBalancers().get(arn);
          if (lb == null) {
            return null; // deleting a deleted load balancer succeeds, as in ELB
          }
          for (Listener l : tx.state().balancing().listenersOf(arn)) {
            for (ListenerRule rule : tx.state().balancing().rulesOf(l.arn())) {
              tx.apply(new Change.RuleRemoved(rule.arn()));
            }
            tx.apply(new Change.ListenerRemoved(l.arn()));
          }
          tx.apply(new Change.LoadBalancerRemoved(arn));
          return null;
        });
    elb.changed();
    return ElbShapes.object();
  }

  static List<String> strings(JsonNode list) {
    List<String> out = new ArrayList<>();
    if (list != null) {
      list.forEach(v -> out.add(v.asText()));
    }
    return out;
  }
}
