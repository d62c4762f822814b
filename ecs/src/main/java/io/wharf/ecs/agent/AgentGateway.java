package io.wharf.ecs.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.core.state.InstanceUsage;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.model.Task;
import io.wharf.model.TaskContainer;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's side of the agent channel (the ECS "ACS" channel): one WebSocket per
 * connected container instance, carrying the instance's desired state down and heartbeats and acks
 * up.
 *
 * <p>Desired state goes down as a manifest, every task the instance should know about (all its
 * tasks that have not reached STOPPED) with each task's desired status, or as an update, the tasks
 * that changed since. A manifest goes out on connect; an update when a change names its tasks
 * ({@link #tasksChanged}): a RunTask of 10 tasks then writes 10 tasks to 10 instances, not each
 * instance's whole list. One channel delivers its messages in order or breaks (and a reconnect gets
 * a manifest), so an agent that acknowledges a message has seen every one before it.
 *
 * <p>The channel stays level-triggered: a periodic pass (every {@code manifestInterval}) sends a
 * manifest to the instances that need one:
 *
 * <ul>
 *   <li>the agent has not acknowledged the last message within one interval (it was lost, or its
 *       ack was, or the agent is stuck): a manifest, until one is acknowledged;
 *   <li>the instance's desired state (its tasks and their desired statuses) differs from what the
 *       messages sent said (a change that nobody announced): a manifest.
 * </ul>
 *
 * <p>An instance whose agent acknowledged its current desired state gets nothing, so the pass costs
 * a lookup per instance rather than a manifest per instance: at 10,000 instances with 100,000
 * tasks, sending every manifest every interval took about a second of CPU each time.
 *
 * <p>Connectivity is live state, not stored: an instance is connected while it has an open channel
 * on which it was heard within {@code disconnectAfter}. A restarted control plane starts with every
 * instance disconnected until its agent reconnects.
 *
 * <p>Threading: all methods are safe from any thread. Messages to one channel are built and sent
 * one at a time, each from the newest state, so a channel never gets an older desired status of a
 * task after a newer one.
 */
public final class AgentGateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentGateway.class);

  /** The transport of one open channel (a WebSocket session). */
  public interface Channel {
    /** Sends one text message; must not block for long. */
    void send(String text);

    void close();

    /**
     * The registration epoch the agent opened the channel with, or 0 when it sent none (the admin,
     * an agent that predates epochs): such a channel is not fenced.
     */
    default long registrationEpoch() {
      return 0;
    }
  }

  /**
   * What the messages sent on a channel told the agent, as of the last one.
   *
   * @param seq the last message's sequence number
   * @param usage the instance's usage record the desired state was checked against: while the state
   *     still holds this very record, no task of the instance changed, so neither did its desired
   *     state; null after an update (the next pass checks)
   * @param desired task ARN → desired status: what the agent was told
   * @param sentMillis when the last message was sent (the injected clock)
   * @param acked whether the agent acknowledged the last message (and so every one before it)
   */
  private record Delivery(
      long seq, InstanceUsage usage, PMap<String, String> desired, long sentMillis, boolean acked) {
    Delivery withUsage(InstanceUsage newer) {
      return new Delivery(seq, newer, desired, sentMillis, acked);
    }

    Delivery ackedNow() {
      return new Delivery(seq, usage, desired, sentMillis, true);
    }
  }

  /** One open channel, and what the gateway knows of it. Its monitor orders its manifests. */
  private static final class Session {
    final Channel channel;
    volatile long heardMillis;
    volatile Delivery delivery;

    Session(Channel channel, long heardMillis) {
      this.channel = channel;
      this.heardMillis = heardMillis;
    }
  }

  private final StateMachine states;
  private final Clock clock;
  private final long disconnectAfterMillis;
  private final Duration manifestInterval;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  private final Thread ticker;
  private final Instant startedAt;

  /** When agents whose channel is closed were last heard, as epoch milliseconds. */
  private final Map<String, Long> heardBeforeClose = new ConcurrentHashMap<>();

  private volatile boolean closed;

  public AgentGateway(
      StateMachine states, Clock clock, Duration disconnectAfter, Duration manifestInterval) {
    this.states = states;
    this.clock = clock;
    this.disconnectAfterMillis = disconnectAfter.toMillis();
    this.manifestInterval = manifestInterval;
    this.startedAt = clock.instant();
    // Buffers shared by all threads: manifests are written on request threads, which are virtual
    // (one new thread per request), so Jackson's default per-thread buffers were never reused.
    json.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
    this.ticker = Thread.ofVirtual().name("wharf-agent-gateway").start(this::tick);
  }

  /** Whether the instance's agent is connected and was heard from recently. */
  public boolean isConnected(String instanceArn) {
    Session session = sessions.get(instanceArn);
    return session != null && session.heardMillis + disconnectAfterMillis >= clock.millis();
  }

  /**
   * How long the instance's agent has not been heard from: since its last message, or since this
   * gateway started when it has not spoken since (a restarted control plane gives every agent the
   * full time to reconnect).
   */
  public Duration silentFor(String instanceArn) {
    Session session = sessions.get(instanceArn);
    Long heard =
        session != null ? Long.valueOf(session.heardMillis) : heardBeforeClose.get(instanceArn);
    long since =
        heard == null ? startedAt.toEpochMilli() : Math.max(heard, startedAt.toEpochMilli());
    long silent = clock.millis() - since;
    return Duration.ofMillis(Math.max(0, silent));
  }

  /** An agent opened its channel: it replaces any older one and gets its manifest at once. */
  public void opened(String instanceArn, Channel channel) {
    Session session = new Session(channel, clock.millis());
    Session previous = sessions.put(instanceArn, session);
    if (previous != null) {
      previous.channel.close();
    }
    log.info("Agent of {} connected", instanceArn);
    send(instanceArn, session);
  }

  /**
   * The instance's key was revoked (its instance deregistered): its channel is closed at once, and
   * nothing more is sent or heard on it.
   */
  public void revoke(String instanceArn) {
    Session session = sessions.remove(instanceArn);
    if (session != null) {
      heardBeforeClose.put(instanceArn, session.heardMillis);
      session.channel.close();
      log.info("Closed the agent channel of {}: its key was revoked", instanceArn);
    }
  }

  /**
   * The instance registered again, at {@code epoch}: a channel opened with an older epoch belongs
   * to the agent process that registered before, now stale, and is closed at once (the process
   * cannot open another with that epoch). A channel that carried no epoch stays.
   */
  public void supersede(String instanceArn, long epoch) {
    Session session = sessions.get(instanceArn);
    if (session == null) {
      return;
    }
    long opened = session.channel.registrationEpoch();
    if (opened > 0 && opened < epoch && sessions.remove(instanceArn, session)) {
      heardBeforeClose.put(instanceArn, session.heardMillis);
      session.channel.close();
      log.info(
          "Closed the agent channel of {}: opened with registration epoch {}, the instance"
              + " registered again (epoch {})",
          instanceArn,
          opened,
          epoch);
    }
  }

  /** A channel closed; only the instance's current channel counts. */
  public void closed(String instanceArn, Channel channel) {
    sessions.computeIfPresent(
        instanceArn,
        (k, s) -> {
          if (s.channel != channel) {
            return s;
          }
          // When it was last heard outlives the channel: a lost instance is timed from it.
          heardBeforeClose.put(instanceArn, s.heardMillis);
          return null;
        });
    log.info("Agent of {} disconnected", instanceArn);
  }

  /**
   * A message arrived from the agent (heartbeat, ack, anything): it is alive. An ack of the last
   * manifest sent ({@code {"type":"ack","seq":n}}) spares the instance the periodic resend.
   */
  public void heard(String instanceArn, String message) {
    Session session = sessions.get(instanceArn);
    if (session == null) {
      return;
    }
    session.heardMillis = clock.millis();
    if (message.contains("\"ack\"")) {
      JsonNode ack = parse(message);
      if (ack != null && "ack".equals(ack.path("type").asText())) {
        long seq = ack.path("seq").asLong(-1);
        synchronized (session) {
          Delivery d = session.delivery;
          if (d != null && d.seq() == seq) {
            session.delivery = d.ackedNow();
          }
        }
      }
    }
  }

  /**
   * These tasks were created, or what their instance should do with them changed (a desired status,
   * or they stopped): each of their instances gets an update naming them, built from the newest
   * state.
   */
  public void tasksChanged(Collection<Task> tasks) {
    Map<String, List<String>> byInstance = new LinkedHashMap<>();
    for (Task t : tasks) {
      if (t.containerInstanceArn() != null) {
        byInstance.computeIfAbsent(t.containerInstanceArn(), k -> new ArrayList<>()).add(t.arn());
      }
    }
    byInstance.forEach(
        (instanceArn, taskArns) -> {
          Session session = sessions.get(instanceArn);
          if (session != null) {
            sendUpdate(instanceArn, session, taskArns);
          }
        });
  }

  /** Builds the instance's manifest from the newest state and sends it. */
  private void send(String instanceArn, Session session) {
    synchronized (session) {
      State state = states.current();
      InstanceUsage usage = state.usageOf(instanceArn);
      long seq = sequence.incrementAndGet();
      Map<String, String> desired = new LinkedHashMap<>();
      String text;
      try {
        text = manifest(state, instanceArn, usage, seq, desired);
      } catch (RuntimeException e) {
        log.warn("Building the manifest of {} failed; the next pass retries", instanceArn, e);
        return;
      }
      // Recorded before sending: an ack can arrive before send() returns.
      session.delivery =
          new Delivery(seq, usage, HashTreePMap.from(desired), clock.millis(), false);
      try {
        session.channel.send(text);
      } catch (RuntimeException e) {
        log.warn("Sending the manifest to {} failed; the next one repairs it", instanceArn, e);
      }
    }
  }

  /** Sends the named tasks as they are now: an update, or a manifest when there was none yet. */
  private void sendUpdate(String instanceArn, Session session, List<String> taskArns) {
    synchronized (session) {
      Delivery d = session.delivery;
      if (d == null) {
        send(instanceArn, session);
        return;
      }
      State state = states.current();
      // What the agent was told, changed persistently: no copy of the instance's whole list.
      PMap<String, String> desired = d.desired();
      List<Task> changed = new ArrayList<>(taskArns.size());
      List<String> removed = new ArrayList<>();
      for (String arn : taskArns) {
        Task t = state.tasks().get(arn);
        if (t == null
            || t.lastStatus() == TaskStatus.STOPPED
            || !instanceArn.equals(t.containerInstanceArn())) {
          // Gone from the instance's desired state (its agent reported it stopped).
          if (desired.containsKey(arn)) {
            desired = desired.minus(arn);
            removed.add(arn);
          }
        } else if (!t.desiredStatus().equals(desired.get(arn))) {
          desired = desired.plus(arn, t.desiredStatus());
          changed.add(t);
        }
      }
      if (changed.isEmpty() && removed.isEmpty()) {
        return; // the agent was told all this already
      }
      long seq = sequence.incrementAndGet();
      String text;
      try {
        text = message("update", state, instanceArn, seq, changed, removed);
      } catch (RuntimeException e) {
        log.warn("Building an update for {} failed; the next pass repairs it", instanceArn, e);
        return;
      }
      // Unacknowledged until the agent says so; the next pass checks the desired state.
      session.delivery = new Delivery(seq, null, desired, clock.millis(), false);
      try {
        session.channel.send(text);
      } catch (RuntimeException e) {
        log.warn("Sending an update to {} failed; the next pass repairs it", instanceArn, e);
      }
    }
  }

  /**
   * Every task the instance should know about, with what it should do with each, as the JSON text
   * of a manifest; {@code desired} receives each task's ARN and desired status.
   *
   * <pre>
   *  {"type":"manifest","seq":n,"containerInstanceArn":"...",
   *   "tasks":[{"taskArn":..,"taskDefinitionArn":"d",..,"containers":[..]}, ..],
   *   "taskDefinitions":{"d":{..the definition..}, ..}}
   *  an update: "type":"update", only the tasks that changed, and "removed":[task ARNs]
   * </pre>
   *
   * <p>Each task definition goes once, however many of the instance's tasks use it (ten tasks of a
   * service on one instance used to carry ten copies). Written straight to text: definitions and
   * overrides are stored as JSON already and go in as they are, so a manifest costs no tree of
   * nodes and no re-parse of a definition.
   */
  String manifest(
      State state, String instanceArn, InstanceUsage usage, long seq, Map<String, String> desired) {
    // The instance's unstopped tasks, from the per-instance index rather than a scan of all.
    List<Task> tasks = new ArrayList<>(usage.tasks().size());
    for (String arn : usage.tasks()) {
      Task t = state.tasks().get(arn);
      if (t != null && t.lastStatus() != TaskStatus.STOPPED) {
        tasks.add(t);
        desired.put(t.arn(), t.desiredStatus());
      }
    }
    return message("manifest", state, instanceArn, seq, tasks, List.of());
  }

  /**
   * A manifest or an update: {@code tasks} in full, each task definition they use once, and (in an
   * update) the ARNs of tasks no longer in the instance's desired state.
   */
  private String message(
      String type,
      State state,
      String instanceArn,
      long seq,
      List<Task> tasks,
      List<String> removed) {
    Map<String, TaskDefinition> definitions = new LinkedHashMap<>();
    // The text's length, closely: sized once, the buffer is neither grown nor copied but once.
    int length = 128 + instanceArn.length();
    for (Task t : tasks) {
      length += taskLength(t);
      if (!definitions.containsKey(t.taskDefinitionArn())) {
        TaskDefinition d = state.taskDefinition(t.taskDefinitionArn());
        definitions.put(t.taskDefinitionArn(), d);
        length += 8 + t.taskDefinitionArn().length();
        length += d == null ? 2 : d.definition().json().length();
      }
    }
    for (String arn : removed) {
      length += 4 + arn.length();
    }
    StringWriter out = new StringWriter(length);
    try (JsonGenerator g = json.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", type);
      g.writeNumberField("seq", seq);
      g.writeStringField("containerInstanceArn", instanceArn);
      g.writeArrayFieldStart("tasks");
      for (Task t : tasks) {
        writeTask(g, t);
      }
      g.writeEndArray();
      if (!removed.isEmpty()) {
        g.writeArrayFieldStart("removed");
        for (String arn : removed) {
          g.writeString(arn);
        }
        g.writeEndArray();
      }
      g.writeObjectFieldStart("taskDefinitions");
      for (Map.Entry<String, TaskDefinition> e : definitions.entrySet()) {
        g.writeFieldName(e.getKey());
        if (e.getValue() == null) {
          // Unknown (never expected: revisions are never deleted while tasks use them).
          g.writeStartObject();
          g.writeEndObject();
        } else {
          g.writeRawValue(e.getValue().definition().json());
        }
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * The length of {@link #writeTask}'s text for a task: its field names and punctuation (a little
   * over) and its values (exact, unless one needs escaping, which ARNs, names and statuses never
   * do; the buffer grows then).
   */
  private static int taskLength(Task t) {
    int length =
        128
            + t.arn().length()
            + t.clusterArn().length()
            + t.taskDefinitionArn().length()
            + t.desiredStatus().length();
    length += t.cpu() == null ? 0 : 10 + t.cpu().length();
    length += t.memory() == null ? 0 : 12 + t.memory().length();
    length += t.overrides() == null ? 0 : 14 + t.overrides().json().length();
    for (TaskContainer c : t.containers()) {
      length += 32 + c.name().length() + c.containerArn().length();
    }
    return length;
  }

  /** One task of a manifest; its definition is in the manifest's {@code taskDefinitions}. */
  private static void writeTask(JsonGenerator g, Task t) throws IOException {
    g.writeStartObject();
    g.writeStringField("taskArn", t.arn());
    g.writeStringField("clusterArn", t.clusterArn());
    g.writeStringField("taskDefinitionArn", t.taskDefinitionArn());
    g.writeStringField("desiredStatus", t.desiredStatus());
    if (t.cpu() != null) {
      g.writeStringField("cpu", t.cpu());
    }
    if (t.memory() != null) {
      g.writeStringField("memory", t.memory());
    }
    if (t.overrides() != null) {
      g.writeFieldName("overrides");
      g.writeRawValue(t.overrides().json());
    }
    g.writeArrayFieldStart("containers");
    for (TaskContainer c : t.containers()) {
      g.writeStartObject();
      g.writeStringField("name", c.name());
      g.writeStringField("containerArn", c.containerArn());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** What a manifest built now would tell the agent: task ARN → desired status. */
  private static Map<String, String> desiredOf(State state, InstanceUsage usage) {
    Map<String, String> desired = new LinkedHashMap<>();
    for (String arn : usage.tasks()) {
      Task t = state.tasks().get(arn);
      if (t != null && t.lastStatus() != TaskStatus.STOPPED) {
        desired.put(t.arn(), t.desiredStatus());
      }
    }
    return desired;
  }

  /** Periodic resends (see the class comment) until closed. */
  private void tick() {
    while (!closed) {
      try {
        Thread.sleep(manifestInterval);
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      }
      try {
        resendWhereNeeded();
      } catch (RuntimeException e) {
        log.error("The periodic manifest pass failed; the next one tries again", e);
      }
    }
  }

  /** One periodic pass: resends the manifests that were not acknowledged or are out of date. */
  void resendWhereNeeded() {
    State state = states.current();
    long now = clock.millis();
    long interval = manifestInterval.toMillis();
    for (Map.Entry<String, Session> e : sessions.entrySet()) {
      String arn = e.getKey();
      Session session = e.getValue();
      Delivery d = session.delivery;
      InstanceUsage usage = state.usageOf(arn);
      if (d == null || (!d.acked() && now - d.sentMillis() >= interval)) {
        send(arn, session);
      } else if (usage != d.usage()) {
        // Some task of the instance changed, or an update was sent; mostly (a task reported
        // RUNNING, an update that said it all) the agent knows the desired state already.
        if (desiredOf(state, usage).equals(d.desired())) {
          synchronized (session) {
            if (session.delivery == d) {
              session.delivery = d.withUsage(usage);
            }
          }
        } else {
          send(arn, session);
        }
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
    sessions.values().forEach(s -> s.channel.close());
    sessions.clear();
  }
}
