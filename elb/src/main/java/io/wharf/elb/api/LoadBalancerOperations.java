package io.wharf.elb.api;

import static io.wharf.elb.api.ElbTagOperations.listOrEmpty;

import io.wharf.core.auth.Caller;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.elb.api.ElbShapes.LoadBalancerView;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.protocol.Operations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

  void register(Operations.Builder<Caller> ops) {
    ops.add("CreateLoadBalancer", CreateLoadBalancerRequest.class, (caller, r) -> create(r));
    ops.add(
        "DescribeLoadBalancers", DescribeLoadBalancersRequest.class, (caller, r) -> describe(r));
    ops.add("DeleteLoadBalancer", DeleteLoadBalancerRequest.class, (caller, r) -> delete(r));
  }

  /** The model's {@code SubnetMapping}: Wharf keeps only the subnet id. */
  record SubnetMappingView(String subnetId) {}

  record CreateLoadBalancerRequest(
      String name,
      List<String> subnets,
      List<SubnetMappingView> subnetMappings,
      List<String> securityGroups,
      String scheme,
      List<Tag> tags,
      String type,
      String ipAddressType) {}

  record CreateLoadBalancerResponse(List<LoadBalancerView> loadBalancers) {}

  private CreateLoadBalancerResponse create(CreateLoadBalancerRequest r) {
    String name = ElbRules.loadBalancerName(r.name());
    String type = ElbRules.or(r.type(), "application");
    if (!type.equals("application")) {
      throw ElbRules.validation(
          "Wharf supports application load balancers; type '" + type + "' is not supported yet");
    }
    String ipType = ElbRules.or(r.ipAddressType(), "ipv4");
    if (!ipType.equals("ipv4")) {
      throw ElbRules.validation(
          "Wharf supports the ipv4 address type; '" + ipType + "' is not supported yet");
    }
    String scheme = ElbRules.or(r.scheme(), "internet-facing");
    List<String> subnets = new ArrayList<>(listOrEmpty(r.subnets()));
    // A mapping without a subnet id is kept as an empty one, as it always was.
    listOrEmpty(r.subnetMappings()).forEach(m -> subnets.add(ElbRules.or(m.subnetId(), "")));
    List<String> groups = listOrEmpty(r.securityGroups());
    List<Tag> tags = ElbRules.merge(List.of(), ElbRules.tags(r.tags()));
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
    return new CreateLoadBalancerResponse(List.of(view(created)));
  }

  private LoadBalancerView view(LoadBalancer lb) {
    return ElbShapes.loadBalancer(lb, region, elb.dataPlane.problem().orElse(null));
  }

  record DescribeLoadBalancersRequest(
      List<String> loadBalancerArns, List<String> names, String marker, Integer pageSize) {}

  record DescribeLoadBalancersResponse(List<LoadBalancerView> loadBalancers, String nextMarker) {}

  private DescribeLoadBalancersResponse describe(DescribeLoadBalancersRequest r) {
    List<String> arns = listOrEmpty(r.loadBalancerArns());
    List<String> names = listOrEmpty(r.names());
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
    ElbContext.Page page =
        ElbContext.Page.of(keys.stream().distinct().sorted().toList(), r.marker(), r.pageSize());
    List<LoadBalancerView> out = new ArrayList<>();
    for (String arn : page.items()) {
      out.add(view(state.balancing().loadBalancers().get(arn)));
    }
    return new DescribeLoadBalancersResponse(out, page.nextMarker());
  }

  private static void notFound(List<String> missing) {
    if (!missing.isEmpty()) {
      throw new WharfException(
          ErrorCode.LOAD_BALANCER_NOT_FOUND, "Load balancers '" + missing + "' not found");
    }
  }

  /** Deletes a load balancer with its listeners and rules; target groups stay (then unused). */
  record DeleteLoadBalancerRequest(String loadBalancerArn) {}

  record DeleteLoadBalancerResponse() {}

  private DeleteLoadBalancerResponse delete(DeleteLoadBalancerRequest r) {
    String arn = r.loadBalancerArn();
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
    return new DeleteLoadBalancerResponse();
  }
}
