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
    final Instant startsAt;
    String status = "PENDING";

    SimTask(String arn, List<String> containers, Instant startsAt) {
      this.arn = arn;
      this.containers = containers;
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
      JsonNode manifest = parse(latestManifest);
      actOn(manifest, now);
      if (!silent) {
        // As the real agent does: the ack spares this instance the gateway's periodic resend.
        sim.plane()
            .gateway()
            .heard(instanceArn, "{\"type\":\"ack\",\"seq\":" + manifest.path("seq").asLong() + "}");
      }
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

  private void actOn(JsonNode manifest, Instant now) {
    for (JsonNode task : manifest.path("tasks")) {
      String arn = task.path("taskArn").asText();
      SimTask t = tasks.get(arn);
      if (t == null) {
        List<String> names = new ArrayList<>();
        task.path("taskDefinition")
            .path("containerDefinitions")
            .forEach(c -> names.add(c.path("name").asText()));
        Duration delay = sim.options().startDelay();
        long jitter = delay.isZero() ? 0 : random.nextLong(delay.toMillis() + 1);
        t = new SimTask(arn, names, now.plus(delay).plusMillis(jitter));
        tasks.put(arn, t);
      }
      if (task.path("desiredStatus").asText().equals("STOPPED") && !t.status.equals("STOPPED")) {
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

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("bad manifest", e);
    }
  }
}
