package io.wharf.simulation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.ecs.agent.AgentGateway;
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
    // Messages are read on the simulation's threads, which may be virtual: Jackson's default
    // per-thread buffers would be allocated afresh for each.
    JSON.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
  }

  /** A task as the simulated agent sees it. */
  private static final class SimTask {
    final String arn;
    final List<String> containers;
    final boolean fails;
    final Instant startsAt;
    String status = "PENDING";
    boolean crashed;
    String health;

    SimTask(String arn, List<String> containers, boolean fails, Instant startsAt) {
      this.arn = arn;
      this.containers = containers;
      this.fails = fails;
      this.startsAt = startsAt;
    }
  }

  /**
   * What the agent needs of a message from the gateway: its sequence number, whether it is a
   * manifest (every task) or an update (the tasks that changed, and the ARNs of those it no longer
   * lists), and each listed task's desired state.
   */
  private record Message(long seq, boolean manifest, List<Wanted> tasks, List<String> removed) {}

  /** A task of a message: its ARN, desired status, container names and images. */
  private record Wanted(
      String arn, String desiredStatus, List<String> containers, List<String> images) {}

  final String instanceArn;
  private final Simulation sim;
  private final SplittableRandom random;
  private final Map<String, SimTask> tasks = new LinkedHashMap<>();

  /**
   * Messages since the last step, in order, as the gateway sent them; a manifest makes those before
   * it moot. They are read when the agent steps, not when they are sent: a real agent reads them in
   * its own process, so their parsing must not land on the control plane's request threads.
   */
  private final List<String> pending = new ArrayList<>();

  /** How the gateway starts a manifest's text (it writes the type first). */
  private static final String MANIFEST_START = "{\"type\":\"manifest\"";

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
    synchronized (pending) {
      if (text.startsWith(MANIFEST_START)) {
        pending.clear();
      }
      pending.add(text);
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
    List<String> texts;
    synchronized (pending) {
      texts = List.copyOf(pending);
      pending.clear();
    }
    List<Message> messages = new ArrayList<>(texts.size());
    for (String text : texts) {
      messages.add(read(text));
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
      if (t.crashed && t.status.equals("RUNNING")) {
        report(t, "STOPPED", "Essential container in task exited");
        continue;
      }
      if (t.health != null && t.status.equals("RUNNING")) {
        reportHealth(t);
      }
      if (t.status.equals("PENDING") && !t.startsAt.isAfter(now)) {
        if (t.fails) {
          report(t, "STOPPED", "CannotPullContainerError: simulated pull failure");
        } else if (random.nextDouble() < sim.options().startFailureRate()) {
          report(t, "STOPPED", "CannotStartContainerError: simulated start failure");
        } else {
          report(t, "RUNNING", null);
        }
      }
    }
  }

  private void actOn(Message message, Instant now) {
    // As the real agent does: what the control plane no longer lists is stopped, nothing runs
    // unowned (a manifest lists every task; an update names the ones it dropped).
    if (message.manifest()) {
      java.util.Set<String> listed = new java.util.HashSet<>();
      for (Wanted task : message.tasks()) {
        listed.add(task.arn());
      }
      tasks.keySet().removeIf(arn -> !listed.contains(arn));
    } else {
      message.removed().forEach(tasks::remove);
    }
    for (Wanted task : message.tasks()) {
      SimTask t = tasks.get(task.arn());
      if (t == null) {
        boolean fails = task.images().stream().anyMatch(sim::imageFails);
        Duration delay = sim.options().startDelay();
        long jitter = delay.isZero() ? 0 : random.nextLong(delay.toMillis() + 1);
        t = new SimTask(task.arn(), task.containers(), fails, now.plus(delay).plusMillis(jitter));
        tasks.put(task.arn(), t);
      }
      if (task.desiredStatus().equals("STOPPED") && !t.status.equals("STOPPED")) {
        report(t, "STOPPED", null);
      }
    }
  }

  /** The tasks this agent runs (started and not stopped), as the agent sees them. */
  List<String> running() {
    List<String> out = new ArrayList<>();
    for (SimTask t : tasks.values()) {
      if (t.status.equals("RUNNING")) {
        out.add(t.arn);
      }
    }
    return out;
  }

  void crash(String taskArn) {
    SimTask t = tasks.get(taskArn);
    if (t != null) {
      t.crashed = true;
    }
  }

  void health(String taskArn, String status) {
    SimTask t = tasks.get(taskArn);
    if (t != null) {
      t.health = status;
    }
  }

  private void reportHealth(SimTask t) {
    for (String name : t.containers) {
      ObjectNode body = JSON.createObjectNode();
      body.put("cluster", Simulation.CLUSTER);
      body.put("task", t.arn);
      body.put("containerName", name);
      body.put("status", "RUNNING");
      body.put("healthStatus", t.health);
      sim.report("SubmitContainerStateChange", body);
    }
    t.health = null;
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
    sim.report("SubmitTaskStateChange", body);
    if (status.equals("STOPPED")) {
      tasks.remove(t.arn);
    }
  }

  /** Reads a message's type, sequence number and tasks, skipping what the agent does not need. */
  private static Message read(String text) {
    try (JsonParser p = JSON.getFactory().createParser(text)) {
      long seq = 0;
      boolean manifest = false;
      List<Draft> drafts = new ArrayList<>();
      List<String> removed = new ArrayList<>();
      Map<String, List<String>> imagesByDefinition = new java.util.HashMap<>();
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> manifest = p.getText().equals("manifest");
          case "seq" -> seq = p.getLongValue();
          case "tasks" -> {
            expect(value, JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_OBJECT) {
              drafts.add(readTask(p));
            }
          }
          case "removed" -> {
            expect(value, JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              removed.add(p.getText());
            }
          }
          case "taskDefinitions" -> {
            // Each task definition once, by ARN.
            expect(value, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String arn = p.currentName();
              List<String> images = new ArrayList<>();
              readImages(p, p.nextToken(), images);
              imagesByDefinition.put(arn, List.copyOf(images));
            }
          }
          default -> p.skipChildren();
        }
      }
      List<Wanted> wanted = new ArrayList<>(drafts.size());
      for (Draft d : drafts) {
        wanted.add(
            new Wanted(
                d.arn(),
                d.desiredStatus(),
                d.containers(),
                imagesByDefinition.getOrDefault(d.definitionArn(), List.of())));
      }
      return new Message(seq, manifest, wanted, removed);
    } catch (IOException e) {
      throw new IllegalStateException("bad message from the gateway", e);
    }
  }

  /** A task as read, before its definition's images are looked up. */
  private record Draft(
      String arn, String desiredStatus, List<String> containers, String definitionArn) {}

  private static Draft readTask(JsonParser p) throws IOException {
    String arn = null;
    String desired = "RUNNING";
    List<String> containers = new ArrayList<>();
    String definition = null;
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
        case "taskDefinitionArn" -> definition = p.getText();
        default -> p.skipChildren();
      }
    }
    return new Draft(arn, desired, List.copyOf(containers), definition);
  }

  /** The images of a task definition's containers (the harness fails some on purpose). */
  private static void readImages(JsonParser p, JsonToken value, List<String> images)
      throws IOException {
    expect(value, JsonToken.START_OBJECT);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if (!field.equals("containerDefinitions")) {
        p.skipChildren();
        continue;
      }
      expect(v, JsonToken.START_ARRAY);
      while (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          if (name.equals("image")) {
            images.add(p.getText());
          } else {
            p.skipChildren();
          }
        }
      }
    }
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + ", found " + actual);
    }
  }
}
