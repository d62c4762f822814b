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

  /** What the agent needs of a manifest: its sequence number and each task's desired state. */
  private record Manifest(long seq, List<Wanted> tasks) {}

  /** A task of a manifest: its ARN, desired status and container names. */
  private record Wanted(
      String arn, String desiredStatus, List<String> containers, List<String> images) {}

  final String instanceArn;
  private final Simulation sim;
  private final SplittableRandom random;
  private final Map<String, SimTask> tasks = new LinkedHashMap<>();
  private volatile Manifest latestManifest;
  private volatile boolean dirty;
  boolean connected;
  boolean silent;

  SimulatedAgent(String instanceArn, Simulation sim, long seed) {
    this.instanceArn = instanceArn;
    this.sim = sim;
    this.random = new SplittableRandom(seed);
  }

  /**
   * Keeps the newest manifest for the next step, as the few things the agent acts on rather than
   * its text. The text embeds each task's whole task definition; ten thousand agents holding their
   * last one kept tens of megabytes alive that a real agent, on its own machine, would have dropped
   * after reading, and the control plane's collector copied them at every young collection.
   */
  @Override
  public void send(String text) {
    latestManifest = read(text);
    dirty = true;
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
    if (dirty) {
      dirty = false;
      Manifest manifest = latestManifest;
      actOn(manifest, now);
      if (!silent) {
        // As the real agent does: the ack spares this instance the gateway's periodic resend.
        sim.plane()
            .gateway()
            .heard(instanceArn, "{\"type\":\"ack\",\"seq\":" + manifest.seq() + "}");
      }
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

  private void actOn(Manifest manifest, Instant now) {
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (Wanted task : manifest.tasks()) {
      listed.add(task.arn());
    }
    // As the real agent does: what the control plane no longer lists is stopped, nothing runs
    // unowned.
    tasks.keySet().removeIf(arn -> !listed.contains(arn));
    for (Wanted task : manifest.tasks()) {
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

  /** Reads a manifest's sequence number and tasks, skipping what the agent does not need. */
  private static Manifest read(String text) {
    try (JsonParser p = JSON.getFactory().createParser(text)) {
      long seq = 0;
      List<Wanted> wanted = new ArrayList<>();
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("seq")) {
          seq = p.getLongValue();
        } else if (field.equals("tasks")) {
          expect(value, JsonToken.START_ARRAY);
          while (p.nextToken() == JsonToken.START_OBJECT) {
            wanted.add(readTask(p));
          }
        } else {
          p.skipChildren();
        }
      }
      return new Manifest(seq, wanted);
    } catch (IOException e) {
      throw new IllegalStateException("bad manifest", e);
    }
  }

  private static Wanted readTask(JsonParser p) throws IOException {
    String arn = null;
    String desired = "RUNNING";
    List<String> containers = new ArrayList<>();
    List<String> images = new ArrayList<>();
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
        case "taskDefinition" -> readImages(p, value, images);
        default -> p.skipChildren();
      }
    }
    return new Wanted(arn, desired, List.copyOf(containers), List.copyOf(images));
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
