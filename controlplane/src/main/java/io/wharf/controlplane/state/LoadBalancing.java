package io.wharf.controlplane.state;

/**
 * The ELBv2 part of the state: load balancers, target groups, listeners, rules and registered
 * targets. Empty until the load-balancing API arrives (issue 6).
 */
public record LoadBalancing() {
  public static final LoadBalancing EMPTY = new LoadBalancing();
}
