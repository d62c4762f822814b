package io.wharf.controlplane.api;

import io.wharf.controlplane.agent.AgentGateway;
import io.wharf.controlplane.state.State;
import io.wharf.model.ContainerInstance;
import io.wharf.scheduler.InstanceView;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Container instances as placement and the cluster query language see them. */
final class InstanceViews {
  /**
   * The parts of an instance that change only when it is re-registered or its attributes change,
   * computed once per instance version rather than once per placement.
   */
  private record Facts(
      ContainerInstance source, String agentVersion, Map<String, String> attributes) {}

  private static final Map<String, Facts> FACTS = new ConcurrentHashMap<>();

  private InstanceViews() {}

  static InstanceView of(State state, ContainerInstance i, AgentGateway gateway) {
    TaskOperations.Remaining r = TaskOperations.Remaining.of(state, i);
    Facts facts = facts(i);
    return new InstanceView(
        i.arn(),
        i.ec2InstanceId(),
        i.status().name(),
        gateway.isConnected(i.arn()),
        facts.agentVersion(),
        i.registeredAt(),
        facts.attributes(),
        r.cpu(),
        r.memory(),
        r.ports(),
        r.running(),
        state.usageOf(i.arn()).groups());
  }

  private static Facts facts(ContainerInstance i) {
    Facts cached = FACTS.get(i.arn());
    // Records are immutable: the same object means the same instance version.
    if (cached != null && cached.source() == i) {
      return cached;
    }
    Map<String, String> attributes = new HashMap<>();
    i.attributes().forEach(a -> attributes.put(a.name(), a.value()));
    String version =
        i.versionInfo() == null
            ? null
            : Wire.parse(i.versionInfo()).path("agentVersion").asText(null);
    Facts facts = new Facts(i, version, Collections.unmodifiableMap(attributes));
    FACTS.put(i.arn(), facts);
    return facts;
  }
}
