package io.wharf.controlplane.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.controlplane.state.State;
import io.wharf.controlplane.state.StateMachine;
import io.wharf.model.Task;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's side of the agent channel (the ECS "ACS" channel): one WebSocket per
 * connected container instance, carrying the instance's desired state down and heartbeats both
 * ways.
 *
 * <p>Desired state is always sent whole: a manifest of every task the instance should know about
 * (all its tasks that have not reached STOPPED), with each task's desired status. That makes the
 * channel level-triggered: a lost or reordered message is repaired by the next manifest, which goes
 * out on every change, on connect, and every {@code manifestInterval}.
 *
 * <p>Connectivity is live state, not stored: an instance is connected while it has an open channel
 * on which it was heard within {@code disconnectAfter}. A restarted control plane starts with every
 * instance disconnected until its agent reconnects.
 *
 * <p>Threading: all methods are safe from any thread.
 */
public final class AgentGateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentGateway.class);

  /** The transport of one open channel (a WebSocket session). */
  public interface Channel {
    /** Sends one text message; must not block for long. */
    void send(String text);

    void close();
  }

  private record Session(Channel channel, Instant openedAt) {}

  private final StateMachine states;
  private final Clock clock;
  private final Duration disconnectAfter;
  private final Duration manifestInterval;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastHeard = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, JsonNode> definitions = new ConcurrentHashMap<>();

  /** Bounds the parsed-definition cache; past it the cache starts over (a rare, cheap refill). */
  private static final int MAX_CACHED_DEFINITIONS = 4096;

  private final Thread ticker;
  private final Instant startedAt;
  private volatile boolean closed;

  public AgentGateway(
      StateMachine states, Clock clock, Duration disconnectAfter, Duration manifestInterval) {
    this.states = states;
    this.clock = clock;
    this.disconnectAfter = disconnectAfter;
    this.manifestInterval = manifestInterval;
    this.startedAt = clock.instant();
    this.ticker = Thread.ofVirtual().name("wharf-agent-gateway").start(this::tick);
  }

  /** Whether the instance's agent is connected and was heard from recently. */
  public boolean isConnected(String instanceArn) {
    Instant heard = lastHeard.get(instanceArn);
    return sessions.containsKey(instanceArn)
        && heard != null
        && !heard.plus(disconnectAfter).isBefore(clock.instant());
  }

  /**
   * How long the instance's agent has not been heard from: since its last message, or since this
   * gateway started when it has not spoken since (a restarted control plane gives every agent the
   * full time to reconnect).
   */
  public Duration silentFor(String instanceArn) {
    Instant heard = lastHeard.get(instanceArn);
    Instant since = heard == null || heard.isBefore(startedAt) ? startedAt : heard;
    Duration silent = Duration.between(since, clock.instant());
    return silent.isNegative() ? Duration.ZERO : silent;
  }

  /** An agent opened its channel: it replaces any older one and gets its manifest at once. */
  public void opened(String instanceArn, Channel channel) {
    Session previous = sessions.put(instanceArn, new Session(channel, clock.instant()));
    lastHeard.put(instanceArn, clock.instant());
    if (previous != null) {
      previous.channel().close();
    }
    log.info("Agent of {} connected", instanceArn);
    sendManifest(instanceArn);
  }

  /** A channel closed; only the instance's current channel counts. */
  public void closed(String instanceArn, Channel channel) {
    sessions.computeIfPresent(instanceArn, (k, s) -> s.channel() == channel ? null : s);
    log.info("Agent of {} disconnected", instanceArn);
  }

  /** A message arrived from the agent (heartbeat, ack, anything). */
  public void heard(String instanceArn, String message) {
    lastHeard.put(instanceArn, clock.instant());
  }

  /** The desired state of these instances changed: send them their manifests now. */
  public void changed(Collection<String> instanceArns) {
    for (String arn : instanceArns) {
      if (arn != null) {
        sendManifest(arn);
      }
    }
  }

  private void sendManifest(String instanceArn) {
    Session session = sessions.get(instanceArn);
    if (session == null) {
      return;
    }
    try {
      session.channel().send(json.writeValueAsString(manifest(states.current(), instanceArn)));
    } catch (IOException | RuntimeException e) {
      log.warn("Sending the manifest to {} failed; the next one repairs it", instanceArn, e);
    }
  }

  /** Every task the instance should know about, with what it should do with each. */
  ObjectNode manifest(State state, String instanceArn) {
    ObjectNode out = json.createObjectNode();
    out.put("type", "manifest");
    out.put("seq", sequence.incrementAndGet());
    out.put("containerInstanceArn", instanceArn);
    ArrayNode tasks = out.putArray("tasks");
    // The instance's unstopped tasks, from the per-instance index rather than a scan of all tasks.
    for (String arn : state.usageOf(instanceArn).tasks()) {
      Task t = state.tasks().get(arn);
      if (t != null && t.lastStatus() != TaskStatus.STOPPED) {
        tasks.add(taskPayload(state, t));
      }
    }
    return out;
  }

  private ObjectNode taskPayload(State state, Task t) {
    ObjectNode task = json.createObjectNode();
    task.put("taskArn", t.arn());
    task.put("clusterArn", t.clusterArn());
    task.put("taskDefinitionArn", t.taskDefinitionArn());
    task.put("desiredStatus", t.desiredStatus());
    if (t.cpu() != null) {
      task.put("cpu", t.cpu());
    }
    if (t.memory() != null) {
      task.put("memory", t.memory());
    }
    TaskDefinition d = state.taskDefinition(t.taskDefinitionArn());
    try {
      task.set("taskDefinition", d == null ? json.createObjectNode() : definition(d));
      if (t.overrides() != null) {
        task.set("overrides", json.readTree(t.overrides().json()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("Stored JSON of " + t.arn() + " is unreadable", e);
    }
    ArrayNode containers = task.putArray("containers");
    t.containers()
        .forEach(
            c ->
                containers.addObject().put("name", c.name()).put("containerArn", c.containerArn()));
    return task;
  }

  /**
   * A task definition's document, parsed once: revisions never change, and manifests carry the same
   * few definitions over and over. The tree is shared read-only by every manifest that embeds it.
   */
  private JsonNode definition(TaskDefinition d) throws IOException {
    JsonNode parsed = definitions.get(d.arn());
    if (parsed == null) {
      parsed = json.readTree(d.definition().json());
      if (definitions.size() > MAX_CACHED_DEFINITIONS) {
        definitions.clear();
      }
      definitions.put(d.arn(), parsed);
    }
    return parsed;
  }

  /** Periodic manifests and heartbeats; also drops channels that went silent. */
  private void tick() {
    while (!closed) {
      try {
        Thread.sleep(manifestInterval);
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      }
      for (String arn : sessions.keySet()) {
        sendManifest(arn);
      }
    }
  }

  /** Parses a message from an agent; null when it is not JSON. */
  public JsonNode parse(String text) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    closed = true;
    ticker.interrupt();
    sessions.values().forEach(s -> s.channel().close());
    sessions.clear();
  }
}
