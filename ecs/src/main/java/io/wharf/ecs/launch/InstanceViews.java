package io.wharf.ecs.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.wharf.core.state.InstanceUsage;
import io.wharf.core.state.State;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.model.ContainerInstance;
import io.wharf.scheduler.InstanceView;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Container instances as placement and the cluster query language see them. */
public final class InstanceViews {
  /**
   * The parts of an instance that change only when it is re-registered or its attributes change,
   * computed once per instance version rather than once per placement.
   */
  private record Facts(
      ContainerInstance source, String agentVersion, Map<String, String> attributes) {}

  private final Map<String, Facts> facts = new ConcurrentHashMap<>();

  /** A view and what it was built from; reused while none of its sources changed. */
  private record Cached(
      ContainerInstance instance, InstanceUsage usage, boolean connected, InstanceView view) {}

  /**
   * Views by instance ARN. Building a view copies its maps; at 10,000 instances that is the bulk of
   * a placement, so a view is rebuilt only when its instance, its usage or its connectivity
   * changed.
   */
  private final Map<String, Cached> views = new ConcurrentHashMap<>();

  private final AgentGateway gateway;

  public InstanceViews(AgentGateway gateway) {
    this.gateway = gateway;
  }

  /** The instance as placement sees it now. Thread-safe. */
  public InstanceView of(State state, ContainerInstance i) {
    InstanceUsage usage = state.usageOf(i.arn());
    boolean connected = gateway.isConnected(i.arn());
    Cached cached = views.get(i.arn());
    // Records are immutable: the same objects mean the same inputs.
    if (cached != null
        && cached.instance() == i
        && cached.usage() == usage
        && cached.connected() == connected) {
      return cached.view();
    }
    InstanceView view = build(state, i, connected);
    views.put(i.arn(), new Cached(i, usage, connected, view));
    return view;
  }

  private InstanceView build(State state, ContainerInstance i, boolean connected) {
    Remaining r = Remaining.of(state, i);
    Facts facts = factsOf(i);
    return new InstanceView(
        i.arn(),
        i.ec2InstanceId(),
        i.status().name(),
        connected,
        facts.agentVersion(),
        i.registeredAt(),
        facts.attributes(),
        r.cpu(),
        r.memory(),
        r.ports(),
        r.running(),
        state.usageOf(i.arn()).groups());
  }

  private Facts factsOf(ContainerInstance i) {
    Facts cached = facts.get(i.arn());
    // Records are immutable: the same object means the same instance version.
    if (cached != null && cached.source() == i) {
      return cached;
    }
    Map<String, String> attributes = new HashMap<>();
    i.attributes().forEach(a -> attributes.put(a.name(), a.value()));
    String version =
        i.versionInfo() == null
            ? null
            : parse(i.versionInfo().json()).path("agentVersion").asText(null);
    Facts fresh = new Facts(i, version, Collections.unmodifiableMap(attributes));
    facts.put(i.arn(), fresh);
    return fresh;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return MissingNode.getInstance();
    }
  }
}
