package io.wharf.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Scale and fault scenarios on the real control plane with simulated instances. */
class SimulationTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static void registerTaskDefinition(Simulation sim, String family, int cpu, int memory) {
    ObjectNode body = JSON.createObjectNode().put("family", family);
    body.putArray("containerDefinitions")
        .addObject()
        .put("name", "app")
        .put("image", "app:1")
        .put("cpu", cpu)
        .put("memory", memory);
    sim.call("RegisterTaskDefinition", body);
  }

  static JsonNode runTask(Simulation sim, String family, int count) {
    return sim.call(
        "RunTask",
        JSON.createObjectNode()
            .put("cluster", Simulation.CLUSTER)
            .put("taskDefinition", family)
            .put("count", count));
  }

  static long tasksIn(Simulation sim, TaskStatus status) {
    return sim.state().tasks().values().stream().filter(t -> t.lastStatus() == status).count();
  }

  @Test
  void thousandsOfTasksOnAThousandInstancesStayWithinCapacity() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(1000, 7))) {
      registerTaskDefinition(sim, "web", 512, 1024);
      int placed = 0;
      for (int call = 0; call < 300; call++) {
        placed += runTask(sim, "web", 10).path("tasks").size();
        if (call % 50 == 0) {
          sim.advance(Duration.ofSeconds(1));
          assertThat(sim.violations()).as("after call %d", call).isEmpty();
        }
      }
      sim.advance(Duration.ofSeconds(5));
      assertThat(placed).isEqualTo(3000);
      assertThat(tasksIn(sim, TaskStatus.RUNNING)).isEqualTo(3000);
      assertThat(sim.violations()).isEmpty();
      // 8 tasks of 512 CPU / 1024 MiB fill a 4096 / 8192 instance: the cluster holds 8,000.
      JsonNode more = runTask(sim, "web", 10);
      assertThat(more.path("tasks").size()).isEqualTo(10);
    }
  }

  @Test
  void aFullClusterRefusesWithResourceReasonsAndNeverOversubscribes() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(20, 11))) {
      registerTaskDefinition(sim, "big", 1024, 2048);
      int placed = 0;
      List<String> reasons = new ArrayList<>();
      for (int call = 0; call < 12; call++) {
        JsonNode r = runTask(sim, "big", 10);
        placed += r.path("tasks").size();
        r.path("failures").forEach(f -> reasons.add(f.path("reason").asText()));
        sim.advance(Duration.ofSeconds(1));
      }
      assertThat(placed).isEqualTo(80);
      assertThat(reasons).isNotEmpty().allMatch(r -> r.startsWith("RESOURCE:"));
      assertThat(sim.violations()).isEmpty();
    }
  }

  @Test
  void concurrentRunTaskCallsNeverOversubscribeAnInstance() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(50, 3));
        ExecutorService pool = Executors.newFixedThreadPool(16)) {
      registerTaskDefinition(sim, "racer", 1000, 1000);
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        calls.add(pool.submit(() -> runTask(sim, "racer", 10).path("tasks").size()));
      }
      int placed = 0;
      for (Future<Integer> f : calls) {
        placed += f.get();
      }
      // 4 tasks of 1000 CPU fit a 4096-CPU instance: exactly 200 in all, never more.
      assertThat(placed).isEqualTo(200);
      assertThat(sim.violations()).isEmpty();
    }
  }

  @Test
  void aSilentAgentLosesConnectivityAndGetsNoTasksUntilItSpeaksAgain() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(3, 5))) {
      registerTaskDefinition(sim, "web", 256, 256);
      String quiet = sim.instanceArns().get(0);
      sim.silence(quiet, true);
      sim.advance(Duration.ofSeconds(25));
      assertThat(sim.plane().gateway().isConnected(quiet)).isFalse();
      for (int i = 0; i < 5; i++) {
        runTask(sim, "web", 10);
      }
      assertThat(sim.state().tasks().values())
          .noneMatch(t -> t.containerInstanceArn().equals(quiet));
      sim.silence(quiet, false);
      sim.advance(Duration.ofSeconds(1));
      assertThat(sim.plane().gateway().isConnected(quiet)).isTrue();
      sim.disconnect(quiet);
      assertThat(sim.plane().gateway().isConnected(quiet)).isFalse();
      sim.reconnect(quiet);
      assertThat(sim.plane().gateway().isConnected(quiet)).isTrue();
    }
  }

  @Test
  void failingStartsStopTasksAndReleaseTheirResources() throws Exception {
    try (Simulation sim =
        Simulation.start(Simulation.Options.of(10, 9).withStartFailureRate(0.3))) {
      registerTaskDefinition(sim, "flaky", 256, 256);
      for (int i = 0; i < 10; i++) {
        runTask(sim, "flaky", 10);
      }
      sim.advance(Duration.ofSeconds(5));
      long stopped = tasksIn(sim, TaskStatus.STOPPED);
      long running = tasksIn(sim, TaskStatus.RUNNING);
      assertThat(stopped + running).isEqualTo(100);
      assertThat(stopped).isBetween(10L, 60L);
      assertThat(sim.state().tasks().values())
          .filteredOn(t -> t.lastStatus() == TaskStatus.STOPPED)
          .allSatisfy(
              t -> {
                assertThat(t.stopCode()).isEqualTo("TaskFailedToStart");
                assertThat(t.stoppedReason()).startsWith("CannotStartContainerError");
              });
      long held = sim.instanceArns().stream().mapToLong(a -> sim.state().usageOf(a).cpu()).sum();
      assertThat(held).isEqualTo(running * 256);
    }
  }

  @Test
  void aControlPlaneRestartLosesNoTaskAndDuplicatesNone() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(100, 13))) {
      registerTaskDefinition(sim, "web", 256, 256);
      for (int i = 0; i < 50; i++) {
        runTask(sim, "web", 10);
      }
      sim.advance(Duration.ofSeconds(3));
      Map<String, String> before = new TreeMap<>();
      sim.state()
          .tasks()
          .values()
          .forEach(t -> before.put(t.arn(), t.containerInstanceArn() + " " + t.lastStatus()));
      long revision = sim.state().revision();
      sim.restartControlPlane();
      assertThat(sim.state().revision()).isEqualTo(revision);
      Map<String, String> after = new TreeMap<>();
      sim.state()
          .tasks()
          .values()
          .forEach(t -> after.put(t.arn(), t.containerInstanceArn() + " " + t.lastStatus()));
      assertThat(after).isEqualTo(before).hasSize(500);
      sim.advance(Duration.ofSeconds(3));
      assertThat(sim.violations()).isEmpty();
      assertThat(tasksIn(sim, TaskStatus.RUNNING)).isEqualTo(500);
      // The reloaded usage index matches: the cluster is as full as before the restart.
      long held = sim.instanceArns().stream().mapToLong(a -> sim.state().usageOf(a).cpu()).sum();
      assertThat(held).isEqualTo(500 * 256);
      // Every agent is back, and the restarted control plane places new tasks on them.
      assertThat(sim.instanceArns()).allMatch(a -> sim.plane().gateway().isConnected(a));
      assertThat(runTask(sim, "web", 10).path("tasks").size()).isEqualTo(10);
      sim.advance(Duration.ofSeconds(3));
      assertThat(tasksIn(sim, TaskStatus.RUNNING)).isEqualTo(510);
    }
  }

  @Test
  void samplingNeverMissesTheOneInstanceThatFits() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(1000, 21))) {
      registerTaskDefinition(sim, "picky", 256, 256);
      String only = "i-sim000000000777";
      for (int i = 0; i < 5; i++) {
        ObjectNode body =
            JSON.createObjectNode()
                .put("cluster", Simulation.CLUSTER)
                .put("taskDefinition", "picky")
                .put("count", 2);
        body.putArray("placementConstraints")
            .addObject()
            .put("type", "memberOf")
            .put("expression", "ec2InstanceId == " + only);
        JsonNode r = sim.call("RunTask", body);
        assertThat(r.path("tasks").size()).isEqualTo(2);
        r.path("tasks")
            .forEach(
                t ->
                    assertThat(
                            sim.state()
                                .containerInstances()
                                .get(t.path("containerInstanceArn").asText())
                                .ec2InstanceId())
                        .isEqualTo(only));
      }
      // Random placement spreads over far more than one sample's worth of instances.
      for (int i = 0; i < 100; i++) {
        runTask(sim, "picky", 10);
      }
      long used =
          sim.instanceArns().stream()
              .filter(a -> !sim.state().usageOf(a).tasks().isEmpty())
              .count();
      assertThat(used).isGreaterThan(400);
      assertThat(sim.violations()).isEmpty();
    }
  }

  @Test
  void theSameSeedGivesTheSameRun() throws Exception {
    assertThat(placements(42)).isEqualTo(placements(42));
  }

  private static Map<String, String> placements(long seed) throws Exception {
    try (Simulation sim =
        Simulation.start(Simulation.Options.of(30, seed).withStartFailureRate(0.1))) {
      registerTaskDefinition(sim, "web", 300, 300);
      for (int i = 0; i < 8; i++) {
        runTask(sim, "web", 10);
        sim.advance(Duration.ofSeconds(1));
      }
      sim.advance(Duration.ofSeconds(5));
      Map<String, String> out = new TreeMap<>();
      for (Task t : sim.state().tasks().values()) {
        out.put(t.arn(), t.containerInstanceArn() + " " + t.lastStatus());
      }
      return out;
    }
  }
}
