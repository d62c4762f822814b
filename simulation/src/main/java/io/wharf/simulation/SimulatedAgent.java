package io.wharf.simulation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.controlplane.agent.AgentGateway;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated container instance: it receives manifests through the real agent gateway, "runs"
 * tasks without containers, and reports through the real ECS API, like the agent does.
 *
 * <p>Driven only by {@link Simulation#advance} on the simulation's thread, so runs are reproducible
 * from a seed: manifests are kept as they arrive and acted on at the next step.
 */
final class SimulatedAgent implements AgentGateway.Channel {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // Manifests arrive on the control plane's request threads, which are virtual: Jackson's
    // default per-thread buffers would be allocated afresh for each.
    JSON.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
  }

  /** A task as the simulated agent sees it. */
  private static final class SimTask {
    final String arn;
    final List<String> containers;
    final Instant startsAt;
    String status = "PENDING";

    SimTask(String arn, List<String> containers, Instant startsAt) {
      this.arn = arn;
      this.containers = containers;
      this.startsAt = startsAt;
    }
  }

  /**
   * What the agent needs of a message from the gateway: its sequence number, whether it is a
   * manifest (every task) or an update (the tasks that changed), and each listed task's desired
   * state.
   */
  private record Message(long seq, boolean manifest, List<Wanted> tasks) {}

  /** A task of a message: its ARN, desired status and container names. */
  private record Wanted(String arn, String desiredStatus, List<String> containers) {}

  final String instanceArn;
  private final Simulation sim;
  private final SplittableRandom random;
  private final Map<String, SimTask> tasks = new LinkedHashMap<>();

  /** Messages since the last step, in order; a manifest makes those before it moot. */
  private final List<Message> pending = new ArrayList<>();

  boolean connected;
  boolean silent;

  SimulatedAgent(String instanceArn, Simulation sim, long seed) {
    this.instanceArn = instanceArn;
    this.sim = sim;
    this.random = new SplittableRandom(seed);
  }

  /**
   * Keeps a message for the next step, as the few things the agent acts on rather than its text:
   * ten thousand agents holding the text of their last messages kept tens of megabytes alive that a
   * real agent, on its own machine, would have dropped after reading, and the control plane's
   * collector copied them at every young collection.
   */
  @Override
  public void send(String text) {
    Message message = read(text);
    synchronized (pending) {
      if (message.manifest()) {
        pending.clear();
      }
      pending.add(message);
    }
  }

  @Override
  public void close() {
    connected = false;
  }

  /** One step: heartbeat, act on the newest manifest, finish starts that are due. */
  void step(Instant now) {
    if (!connected) {
      return;
    }
    if (!silent) {
      sim.plane().gateway().heard(instanceArn, "{\"type\":\"heartbeat\"}");
    }
    List<Message> messages;
    synchronized (pending) {
      messages = List.copyOf(pending);
      pending.clear();
    }
    for (Message message : messages) {
      actOn(message, now);
    }
    if (!messages.isEmpty() && !silent) {
      // As the real agent does: the ack (of the last, which acknowledges all before it) spares
      // this instance the gateway's periodic resend.
      sim.plane()
          .gateway()
          .heard(instanceArn, "{\"type\":\"ack\",\"seq\":" + messages.getLast().seq() + "}");
    }
    for (SimTask t : new ArrayList<>(tasks.values())) {
      if (t.status.equals("PENDING") && !t.startsAt.isAfter(now)) {
        if (random.nextDouble() < sim.options().startFailureRate()) {
          report(t, "STOPPED", "CannotStartContainerError: simulated start failure");
        } else {
          report(t, "RUNNING", null);
        }
      }
    }
  }

  private void actOn(Message message, Instant now) {
    for (Wanted task : message.tasks()) {
      SimTask t = tasks.get(task.arn());
      if (t == null) {
        Duration delay = sim.options().startDelay();
        long jitter = delay.isZero() ? 0 : random.nextLong(delay.toMillis() + 1);
        t = new SimTask(task.arn(), task.containers(), now.plus(delay).plusMillis(jitter));
        tasks.put(task.arn(), t);
      }
      if (task.desiredStatus().equals("STOPPED") && !t.status.equals("STOPPED")) {
        report(t, "STOPPED", null);
      }
    }
  }

  private void report(SimTask t, String status, String reason) {
    t.status = status;
    ObjectNode body = JSON.createObjectNode();
    body.put("cluster", Simulation.CLUSTER);
    body.put("task", t.arn);
    body.put("status", status);
    if (reason != null) {
      body.put("reason", reason);
    }
    ArrayNode containers = body.putArray("containers");
    for (String name : t.containers) {
      ObjectNode c =
          containers
              .addObject()
              .put("containerName", name)
              .put("status", status)
              .put("runtimeId", "sim-" + Integer.toHexString(t.arn.hashCode()) + "-" + name);
      if (status.equals("STOPPED")) {
        c.put("exitCode", reason == null ? 0 : 1);
      }
    }
    sim.call("SubmitTaskStateChange", body);
    if (status.equals("STOPPED")) {
      tasks.remove(t.arn);
    }
  }

  /** Reads a message's type, sequence number and tasks, skipping what the agent does not need. */
  private static Message read(String text) {
    try (JsonParser p = JSON.getFactory().createParser(text)) {
      long seq = 0;
      boolean manifest = false;
      List<Wanted> wanted = new ArrayList<>();
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("type")) {
          manifest = p.getText().equals("manifest");
        } else if (field.equals("seq")) {
          seq = p.getLongValue();
        } else if (field.equals("tasks")) {
          expect(value, JsonToken.START_ARRAY);
          while (p.nextToken() == JsonToken.START_OBJECT) {
            wanted.add(readTask(p));
          }
        } else {
          // "removed" too: the tasks it names stopped, as this agent reported.
          p.skipChildren();
        }
      }
      return new Message(seq, manifest, wanted);
    } catch (IOException e) {
      throw new IllegalStateException("bad message from the gateway", e);
    }
  }

  private static Wanted readTask(JsonParser p) throws IOException {
    String arn = null;
    String desired = "RUNNING";
    List<String> containers = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "taskArn" -> arn = p.getText();
        // Two statuses only: shared constants rather than a string per manifest.
        case "desiredStatus" -> desired = p.getText().equals("STOPPED") ? "STOPPED" : "RUNNING";
        case "containers" -> {
          expect(value, JsonToken.START_ARRAY);
          while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              p.nextToken();
              if (name.equals("name")) {
                containers.add(p.getText());
              } else {
                p.skipChildren();
              }
            }
          }
        }
        default -> p.skipChildren();
      }
    }
    return new Wanted(arn, desired, List.copyOf(containers));
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + ", found " + actual);
    }
  }
}
