package io.wharf.simulation;

import com.fasterxml.jackson.databind.JsonNode;
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

  final String instanceArn;
  private final Simulation sim;
  private final SplittableRandom random;
  private final Map<String, SimTask> tasks = new LinkedHashMap<>();
  private volatile String latestManifest;
  private volatile boolean dirty;
  boolean connected;
  boolean silent;

  SimulatedAgent(String instanceArn, Simulation sim, long seed) {
    this.instanceArn = instanceArn;
    this.sim = sim;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public void send(String text) {
    latestManifest = text;
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
      actOn(parse(latestManifest), now);
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

  private void actOn(JsonNode manifest, Instant now) {
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (JsonNode task : manifest.path("tasks")) {
      listed.add(task.path("taskArn").asText());
    }
    // As the real agent does: what the control plane no longer lists is stopped, nothing runs
    // unowned.
    tasks.keySet().removeIf(arn -> !listed.contains(arn));
    for (JsonNode task : manifest.path("tasks")) {
      String arn = task.path("taskArn").asText();
      SimTask t = tasks.get(arn);
      if (t == null) {
        List<String> names = new ArrayList<>();
        boolean fails = false;
        for (JsonNode c : task.path("taskDefinition").path("containerDefinitions")) {
          names.add(c.path("name").asText());
          fails |= sim.imageFails(c.path("image").asText());
        }
        Duration delay = sim.options().startDelay();
        long jitter = delay.isZero() ? 0 : random.nextLong(delay.toMillis() + 1);
        t = new SimTask(arn, names, fails, now.plus(delay).plusMillis(jitter));
        tasks.put(arn, t);
      }
      if (task.path("desiredStatus").asText().equals("STOPPED") && !t.status.equals("STOPPED")) {
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

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("bad manifest", e);
    }
  }
}
