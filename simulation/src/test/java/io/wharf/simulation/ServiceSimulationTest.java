package io.wharf.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Service scenarios and invariants on the real control plane with simulated instances. */
class ServiceSimulationTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static void register(Simulation sim, String family, String image, int cpu, int memory) {
    ObjectNode body = JSON.createObjectNode().put("family", family);
    body.putArray("containerDefinitions")
        .addObject()
        .put("name", "app")
        .put("image", image)
        .put("cpu", cpu)
        .put("memory", memory);
    sim.call("RegisterTaskDefinition", body);
  }

  static JsonNode create(Simulation sim, String name, String taskDefinition, int desired) {
    ObjectNode body =
        JSON.createObjectNode()
            .put("cluster", Simulation.CLUSTER)
            .put("serviceName", name)
            .put("taskDefinition", taskDefinition)
            .put("desiredCount", desired);
    return sim.call("CreateService", body).path("service");
  }

  static JsonNode describe(Simulation sim, String name) {
    ObjectNode body = JSON.createObjectNode().put("cluster", Simulation.CLUSTER);
    body.putArray("services").add(name);
    return sim.call("DescribeServices", body).path("services").path(0);
  }

  static JsonNode update(Simulation sim, ObjectNode body) {
    body.put("cluster", Simulation.CLUSTER);
    return sim.call("UpdateService", body).path("service");
  }

  /** What the ServicesStable waiter checks: one deployment, running == desired. */
  static boolean stable(JsonNode service) {
    return service.path("deployments").size() == 1
        && service.path("runningCount").asInt() == service.path("desiredCount").asInt();
  }

  /** Advances in steps until the condition holds, checking the invariant after every step. */
  static void advanceUntil(
      Simulation sim, Duration limit, Predicate<Simulation> done, Runnable invariant) {
    Duration spent = Duration.ZERO;
    while (!done.test(sim)) {
      assertThat(spent).as("condition not reached within %s", limit).isLessThan(limit);
      sim.advance(Duration.ofSeconds(1));
      spent = spent.plusSeconds(1);
      invariant.run();
      assertThat(sim.violations()).isEmpty();
    }
  }

  static Service service(Simulation sim, String name) {
    return sim.state()
        .services()
        .get("arn:aws:ecs:us-east-1:123456789012:service/" + Simulation.CLUSTER + "/" + name);
  }

  static List<Task> live(Simulation sim, String name) {
    return sim.state().liveTasksOf(service(sim, name));
  }

  static List<String> events(JsonNode service) {
    List<String> out = new ArrayList<>();
    service.path("events").forEach(e -> out.add(e.path("message").asText()));
    return out;
  }

  @Test
  void aServiceReachesItsDesiredCountSpreadOverZonesAndReplacesACrashedTask() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(30, 3))) {
      register(sim, "web", "web:1", 256, 512);
      JsonNode created = create(sim, "web", "web", 12);
      assertThat(created.path("status").asText()).isEqualTo("ACTIVE");
      assertThat(created.path("deployments").path(0).path("id").asText())
          .matches("ecs-svc/\\d{19}");
      advanceUntil(sim, Duration.ofMinutes(2), s -> stable(describe(s, "web")), () -> {});
      List<Task> tasks = live(sim, "web");
      assertThat(tasks).hasSize(12);
      assertThat(tasks)
          .allSatisfy(
              t -> {
                assertThat(t.group()).isEqualTo("service:web");
                assertThat(t.startedBy()).startsWith("ecs-svc/");
              });
      // Spread over the three zones: four in each.
      Map<String, Long> perZone = new java.util.TreeMap<>();
      for (Task t : tasks) {
        perZone.merge(zoneOf(sim, t.containerInstanceArn()), 1L, Long::sum);
      }
      assertThat(perZone.values()).containsOnly(4L);
      // Past 40 s the tasks count as healthy: the rollout completes and the service is steady.
      sim.advance(Duration.ofSeconds(45));
      JsonNode steady = describe(sim, "web");
      assertThat(steady.path("deployments").path(0).path("rolloutState").asText())
          .isEqualTo("COMPLETED");
      assertThat(events(steady).getFirst()).isEqualTo("(service web) has reached a steady state.");
      assertThat(events(steady))
          .anyMatch(
              m ->
                  m.matches(
                      "\\(service web\\) has started 12 tasks: (\\(task [0-9a-f]{32}\\) ?){12}\\."));

      Task victim = tasks.getFirst();
      sim.crash(victim.arn());
      advanceUntil(
          sim,
          Duration.ofMinutes(1),
          s ->
              s.state().tasks().get(victim.arn()).lastStatus() == TaskStatus.STOPPED
                  && stable(describe(s, "web")),
          () -> {});
      assertThat(live(sim, "web")).hasSize(12).noneMatch(t -> t.arn().equals(victim.arn()));
    }
  }

  @Test
  void aRollingDeploymentStaysWithinItsPercentagesAndLeavesOneDeployment() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(40, 5))) {
      register(sim, "api", "api:1", 256, 512);
      create(sim, "api", "api", 20);
      advanceUntil(sim, Duration.ofMinutes(2), s -> stable(describe(s, "api")), () -> {});
      sim.advance(Duration.ofSeconds(45));
      register(sim, "api", "api:2", 256, 512);
      ObjectNode body = JSON.createObjectNode().put("service", "api").put("taskDefinition", "api");
      body.putObject("deploymentConfiguration")
          .put("minimumHealthyPercent", 50)
          .put("maximumPercent", 150);
      update(sim, body);
      assertThat(describe(sim, "api").path("deployments").size()).isEqualTo(2);
      String newDefinition = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2";
      advanceUntil(
          sim,
          Duration.ofMinutes(10),
          s ->
              stable(describe(s, "api"))
                  && live(s, "api").stream()
                      .allMatch(t -> t.taskDefinitionArn().equals(newDefinition)),
          () -> {
            List<Task> tasks = live(sim, "api");
            // Never above maximumPercent: 150% of 20.
            assertThat(tasks.size()).isLessThanOrEqualTo(30);
            // Never below minimumHealthyPercent: 50% of 20 running.
            long running =
                tasks.stream()
                    .filter(
                        t ->
                            t.lastStatus() == TaskStatus.RUNNING
                                && t.desiredStatus().equals("RUNNING"))
                    .count();
            assertThat(running).isGreaterThanOrEqualTo(10);
          });
      sim.advance(Duration.ofSeconds(45));
      JsonNode done = describe(sim, "api");
      assertThat(done.path("deployments").size()).isEqualTo(1);
      assertThat(done.path("deployments").path(0).path("rolloutState").asText())
          .isEqualTo("COMPLETED");
      assertThat(done.path("taskDefinition").asText()).isEqualTo(newDefinition);
      assertThat(events(done))
          .anyMatch(
              m ->
                  m.matches(
                      "\\(service api\\) \\(deployment ecs-svc/\\d{19}\\) deployment completed\\."));
      JsonNode list =
          sim.call(
              "ListServiceDeployments",
              JSON.createObjectNode().put("cluster", Simulation.CLUSTER).put("service", "api"));
      assertThat(list.path("serviceDeployments").size()).isEqualTo(2);
      assertThat(list.path("serviceDeployments").path(0).path("status").asText())
          .isEqualTo("SUCCESSFUL");
    }
  }

  @Test
  void aBrokenImageTripsTheCircuitBreakerAndRollsBack() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(10, 9))) {
      register(sim, "pay", "pay:1", 256, 512);
      ObjectNode body =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("serviceName", "pay")
              .put("taskDefinition", "pay")
              .put("desiredCount", 4);
      body.putObject("deploymentConfiguration")
          .putObject("deploymentCircuitBreaker")
          .put("enable", true)
          .put("rollback", true);
      sim.call("CreateService", body);
      advanceUntil(sim, Duration.ofMinutes(2), s -> stable(describe(s, "pay")), () -> {});
      sim.advance(Duration.ofSeconds(45));
      String first = describe(sim, "pay").path("deployments").path(0).path("id").asText();

      sim.failImage("pay:broken");
      register(sim, "pay", "pay:broken", 256, 512);
      update(sim, JSON.createObjectNode().put("service", "pay").put("taskDefinition", "pay:2"));
      advanceUntil(
          sim,
          Duration.ofMinutes(10),
          s -> {
            JsonNode d = describe(s, "pay");
            return d.path("deployments").path(0).path("id").asText().equals(first)
                && stable(d)
                && d.path("deployments").path(0).path("rolloutState").asText().equals("COMPLETED");
          },
          () -> {});
      JsonNode after = describe(sim, "pay");
      assertThat(after.path("taskDefinition").asText()).endsWith("task-definition/pay:1");
      assertThat(events(after))
          .anyMatch(m -> m.contains("deployment failed: rolling back to deployment " + first));
      JsonNode list =
          sim.call(
              "ListServiceDeployments",
              JSON.createObjectNode().put("cluster", Simulation.CLUSTER).put("service", "pay"));
      assertThat(list.path("serviceDeployments"))
          .anyMatch(d -> d.path("status").asText().equals("ROLLBACK_SUCCESSFUL"));
      // Every task of the service runs the good revision; none of the broken one is left.
      assertThat(live(sim, "pay"))
          .hasSize(4)
          .allMatch(t -> t.taskDefinitionArn().endsWith("pay:1"));
    }
  }

  /** Tasks that run and are meant to: what the minimum counts, on the control plane's view. */
  static long runningOf(Simulation sim, String name, String taskDefinition) {
    return live(sim, name).stream()
        .filter(
            t ->
                t.taskDefinitionArn().endsWith(taskDefinition)
                    && t.lastStatus() == TaskStatus.RUNNING
                    && t.desiredStatus().equals("RUNNING"))
        .count();
  }

  /** Tasks of this definition healthy by ECS's rule without health checks: 40 s RUNNING. */
  static long healthyOf(Simulation sim, String name, String taskDefinition) {
    return live(sim, name).stream()
        .filter(
            t ->
                t.taskDefinitionArn().endsWith(taskDefinition)
                    && t.lastStatus() == TaskStatus.RUNNING
                    && t.desiredStatus().equals("RUNNING")
                    && !t.startedAt().plusSeconds(40).isAfter(sim.clock().instant()))
        .count();
  }

  @Test
  void youngTasksOfAnOlderDeploymentRunUntilTheirReplacementsAreHealthy() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(6, 59))) {
      register(sim, "web", "web:1", 256, 512);
      create(sim, "web", "web", 3);
      advanceUntil(sim, Duration.ofMinutes(1), s -> stable(describe(s, "web")), () -> {});
      List<String> first = live(sim, "web").stream().map(Task::arn).toList();
      // Well within the 40 s after which ECS counts them healthy.
      assertThat(live(sim, "web"))
          .allSatisfy(
              t -> assertThat(t.startedAt().plusSeconds(30)).isAfter(sim.clock().instant()));
      register(sim, "web", "web:2", 256, 512);
      update(sim, JSON.createObjectNode().put("service", "web").put("taskDefinition", "web"));
      advanceUntil(
          sim,
          Duration.ofMinutes(3),
          s ->
              stable(describe(s, "web"))
                  && live(s, "web").stream().allMatch(t -> t.taskDefinitionArn().endsWith("web:2")),
          () -> {
            // minimumHealthyPercent 100: the young first tasks that still run and the new ones
            // healthy by ECS's rule are never fewer than 3.
            long oldRunning = runningOf(sim, "web", "web:1");
            long newHealthy = healthyOf(sim, "web", "web:2");
            assertThat(oldRunning + newHealthy)
                .as("web:1 running %d + web:2 healthy %d", oldRunning, newHealthy)
                .isGreaterThanOrEqualTo(3);
          });
      // The first tasks went, each once a replacement had run its 40 s.
      for (String arn : first) {
        Task t = sim.state().tasks().get(arn);
        assertThat(t.stopCode()).isEqualTo("ServiceSchedulerInitiated");
      }
    }
  }

  /**
   * The outage: revision 2 is the service's first deployment, and within 40 s a revision
   * whose image cannot be pulled replaces it, with the breaker on. There is no COMPLETED deployment
   * to roll back to, so the rollout stalls FAILED and revision 2 keeps running.
   */
  private static void aBrokenRevisionWithNothingToRollBackTo(boolean rollback) throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(6, rollback ? 61 : 67))) {
      register(sim, "pay", "pay:1", 256, 512);
      register(sim, "pay", "pay:2", 256, 512);
      ObjectNode body =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("serviceName", "pay")
              .put("taskDefinition", "pay:2")
              .put("desiredCount", 3);
      body.putObject("deploymentConfiguration")
          .putObject("deploymentCircuitBreaker")
          .put("enable", true)
          .put("rollback", rollback);
      sim.call("CreateService", body);
      advanceUntil(sim, Duration.ofMinutes(1), s -> stable(describe(s, "pay")), () -> {});
      List<String> revision2 = live(sim, "pay").stream().map(Task::arn).toList();
      assertThat(revision2).hasSize(3);
      String failing = describe(sim, "pay").path("deployments").path(0).path("id").asText();

      sim.failImage("pay:broken");
      register(sim, "pay", "pay:broken", 256, 512);
      update(sim, JSON.createObjectNode().put("service", "pay").put("taskDefinition", "pay:3"));
      Runnable revision2Runs =
          () ->
              assertThat(revision2)
                  .allSatisfy(
                      arn -> {
                        Task t = sim.state().tasks().get(arn);
                        assertThat(t.lastStatus()).as(arn).isEqualTo(TaskStatus.RUNNING);
                        assertThat(t.desiredStatus()).as(arn).isEqualTo("RUNNING");
                      });
      advanceUntil(
          sim,
          Duration.ofMinutes(5),
          s ->
              describe(s, "pay")
                  .path("deployments")
                  .path(0)
                  .path("rolloutState")
                  .asText()
                  .equals("FAILED"),
          revision2Runs);
      // Long after, nothing has changed: the failed deployment launches no more, the old stays.
      sim.advance(Duration.ofMinutes(2));
      revision2Runs.run();
      JsonNode after = describe(sim, "pay");
      assertThat(after.path("runningCount").asInt()).isEqualTo(3);
      assertThat(after.path("deployments").path(0).path("taskDefinition").asText())
          .endsWith("pay:3");
      assertThat(after.path("deployments").path(0).path("rolloutStateReason").asText())
          .isEqualTo("ECS deployment circuit breaker: tasks failed to start.");
      assertThat(after.path("deployments").path(1).path("id").asText()).isEqualTo(failing);
      assertThat(after.path("deployments").path(1).path("runningCount").asInt()).isEqualTo(3);
      assertThat(live(sim, "pay"))
          .filteredOn(t -> t.desiredStatus().equals("RUNNING"))
          .extracting(Task::arn)
          .containsExactlyInAnyOrderElementsOf(revision2);
    }
  }

  @Test
  void aBrokenRevisionWithRollbackButNothingCompletedLeavesThePreviousTasksRunning()
      throws Exception {
    aBrokenRevisionWithNothingToRollBackTo(true);
  }

  @Test
  void aBrokenRevisionWithoutRollbackLeavesThePreviousTasksRunning() throws Exception {
    aBrokenRevisionWithNothingToRollBackTo(false);
  }

  @Test
  void aDaemonRunsOnEveryInstanceAndLeavesADrainingOne() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(6, 13))) {
      register(sim, "log", "log:1", 128, 128);
      ObjectNode body =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("serviceName", "log")
              .put("taskDefinition", "log")
              .put("schedulingStrategy", "DAEMON");
      sim.call("CreateService", body);
      advanceUntil(
          sim,
          Duration.ofMinutes(1),
          s -> stable(describe(s, "log")) && live(s, "log").size() == 6,
          () -> {});
      assertThat(live(sim, "log")).extracting(Task::containerInstanceArn).doesNotHaveDuplicates();
      String added = sim.addInstance(6);
      advanceUntil(sim, Duration.ofMinutes(1), s -> live(s, "log").size() == 7, () -> {});
      assertThat(live(sim, "log")).anyMatch(t -> t.containerInstanceArn().equals(added));
      ObjectNode drain =
          JSON.createObjectNode().put("cluster", Simulation.CLUSTER).put("status", "DRAINING");
      drain.putArray("containerInstances").add(added);
      sim.call("UpdateContainerInstancesState", drain);
      advanceUntil(
          sim,
          Duration.ofMinutes(1),
          s -> live(s, "log").stream().noneMatch(t -> t.containerInstanceArn().equals(added)),
          () -> {});
      assertThat(describe(sim, "log").path("desiredCount").asInt()).isEqualTo(6);
    }
  }

  @Test
  void drainingAnInstanceMovesServiceTasksAndLeavesStandaloneOnes() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(4, 17))) {
      register(sim, "web", "web:1", 256, 512);
      create(sim, "web", "web", 8);
      advanceUntil(sim, Duration.ofMinutes(2), s -> stable(describe(s, "web")), () -> {});
      sim.advance(Duration.ofSeconds(45));
      String instance = live(sim, "web").getFirst().containerInstanceArn();
      ObjectNode run =
          JSON.createObjectNode().put("cluster", Simulation.CLUSTER).put("taskDefinition", "web");
      run.putArray("containerInstances").add(instance);
      String standalone = sim.call("StartTask", run).path("tasks").path(0).path("taskArn").asText();
      sim.advance(Duration.ofSeconds(5));
      ObjectNode drain =
          JSON.createObjectNode().put("cluster", Simulation.CLUSTER).put("status", "DRAINING");
      drain.putArray("containerInstances").add(instance);
      sim.call("UpdateContainerInstancesState", drain);
      advanceUntil(
          sim,
          Duration.ofMinutes(5),
          s ->
              stable(describe(s, "web"))
                  && live(s, "web").stream()
                      .noneMatch(t -> t.containerInstanceArn().equals(instance)),
          () -> {
            // minimumHealthyPercent 100: never fewer than 8 running while tasks move.
            long running =
                live(sim, "web").stream()
                    .filter(
                        t ->
                            t.lastStatus() == TaskStatus.RUNNING
                                && t.desiredStatus().equals("RUNNING"))
                    .count();
            assertThat(running).isGreaterThanOrEqualTo(8);
          });
      assertThat(sim.state().tasks().get(standalone).lastStatus()).isEqualTo(TaskStatus.RUNNING);
    }
  }

  @Test
  void tasksOfALostInstanceAreReplacedAndStoppedWhenItsAgentReturns() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(5, 21))) {
      register(sim, "web", "web:1", 256, 512);
      create(sim, "web", "web", 10);
      advanceUntil(sim, Duration.ofMinutes(2), s -> stable(describe(s, "web")), () -> {});
      String lost = live(sim, "web").getFirst().containerInstanceArn();
      List<String> onLost =
          live(sim, "web").stream()
              .filter(t -> t.containerInstanceArn().equals(lost))
              .map(Task::arn)
              .toList();
      assertThat(onLost).isNotEmpty();
      sim.disconnect(lost);
      sim.advance(Duration.ofSeconds(70));
      advanceUntil(sim, Duration.ofMinutes(2), s -> stable(describe(s, "web")), () -> {});
      for (String arn : onLost) {
        Task t = sim.state().tasks().get(arn);
        assertThat(t.lastStatus()).isEqualTo(TaskStatus.STOPPED);
        assertThat(t.stoppedReason()).contains("lost contact with Wharf");
      }
      assertThat(live(sim, "web"))
          .hasSize(10)
          .noneMatch(t -> t.containerInstanceArn().equals(lost));
      sim.reconnect(lost);
      sim.advance(Duration.ofSeconds(3));
      // The returning agent stopped what was replaced: each task runs once, on one agent.
      Map<String, String> running = sim.runningOnAgents();
      assertThat(onLost).noneMatch(running::containsKey);
      assertThat(running.keySet())
          .containsExactlyInAnyOrderElementsOf(live(sim, "web").stream().map(Task::arn).toList());
    }
  }

  @Test
  void faultsAndRestartsNeverLoseOrDuplicateServiceTasks() throws Exception {
    Random random = new Random(31);
    try (Simulation sim =
        Simulation.start(Simulation.Options.of(400, 31).withStartFailureRate(0.05))) {
      register(sim, "web", "web:1", 256, 512);
      create(sim, "web", "web", 2000);
      List<String> instances = sim.instanceArns();
      for (int round = 0; round < 12; round++) {
        switch (round % 4) {
          case 0 -> {
            List<Task> tasks = live(sim, "web");
            for (int k = 0; k < 5 && !tasks.isEmpty(); k++) {
              sim.crash(tasks.get(random.nextInt(tasks.size())).arn());
            }
          }
          case 1 -> {
            String i = instances.get(random.nextInt(instances.size()));
            sim.disconnect(i);
            sim.advance(Duration.ofSeconds(5));
            sim.reconnect(i);
          }
          case 2 -> sim.restartControlPlane();
          default -> {
            register(sim, "web", "web:" + (round + 2), 256, 512);
            update(sim, JSON.createObjectNode().put("service", "web").put("taskDefinition", "web"));
          }
        }
        sim.advance(Duration.ofSeconds(10));
        assertThat(sim.violations()).isEmpty();
        // Never above maximumPercent (200% of 2,000).
        assertThat(live(sim, "web").size()).as("round %d", round).isLessThanOrEqualTo(4000);
      }
      advanceUntil(sim, Duration.ofMinutes(20), s -> stable(describe(s, "web")), () -> {});
      sim.advance(Duration.ofSeconds(45));
      advanceUntil(sim, Duration.ofMinutes(20), s -> stable(describe(s, "web")), () -> {});
      Map<String, String> running = sim.runningOnAgents();
      List<String> wanted =
          live(sim, "web").stream()
              .filter(t -> t.desiredStatus().equals("RUNNING"))
              .map(Task::arn)
              .toList();
      assertThat(wanted).hasSize(2000);
      // Every task the control plane counts runs on exactly one agent, and nothing else runs.
      assertThat(running.keySet()).containsExactlyInAnyOrderElementsOf(wanted);
    }
  }

  @Test
  void scalingInRemovesTasksFromTheBusiestZoneFirst() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(9, 41))) {
      register(sim, "web", "web:1", 256, 512);
      create(sim, "web", "web", 9);
      advanceUntil(sim, Duration.ofMinutes(2), s -> stable(describe(s, "web")), () -> {});
      update(sim, JSON.createObjectNode().put("service", "web").put("desiredCount", 5));
      advanceUntil(
          sim,
          Duration.ofMinutes(2),
          s -> stable(describe(s, "web")) && live(s, "web").size() == 5,
          () -> {});
      Map<String, Long> perZone = new java.util.TreeMap<>();
      for (Task t : live(sim, "web")) {
        perZone.merge(zoneOf(sim, t.containerInstanceArn()), 1L, Long::sum);
      }
      // 3/3/3 scaled in by four, one at a time from the busiest zone: 2/2/1.
      assertThat(perZone.values()).containsExactlyInAnyOrder(2L, 2L, 1L);
      assertThat(events(describe(sim, "web")))
          .anyMatch(m -> m.startsWith("(service web) has stopped 4 running tasks: "));
    }
  }

  @Test
  void unhealthyTasksAreReplacedOnceTheGracePeriodIsOver() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(4, 43))) {
      ObjectNode td = JSON.createObjectNode().put("family", "checked");
      ObjectNode c =
          td.putArray("containerDefinitions")
              .addObject()
              .put("name", "app")
              .put("image", "app:1")
              .put("cpu", 256)
              .put("memory", 512);
      c.putObject("healthCheck").putArray("command").add("CMD-SHELL").add("true");
      sim.call("RegisterTaskDefinition", td);
      ObjectNode body =
          JSON.createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("serviceName", "checked")
              .put("taskDefinition", "checked")
              .put("desiredCount", 2)
              .put("healthCheckGracePeriodSeconds", 30);
      sim.call("CreateService", body);
      advanceUntil(sim, Duration.ofMinutes(1), s -> stable(describe(s, "checked")), () -> {});
      for (Task t : live(sim, "checked")) {
        sim.health(t.arn(), "HEALTHY");
      }
      // With health checks, HEALTHY tasks complete the rollout without the 40 s wait.
      advanceUntil(
          sim,
          Duration.ofSeconds(10),
          s ->
              describe(s, "checked")
                  .path("deployments")
                  .path(0)
                  .path("rolloutState")
                  .asText()
                  .equals("COMPLETED"),
          () -> {});
      Task sick = live(sim, "checked").getFirst();
      sim.health(sick.arn(), "UNHEALTHY");
      sim.advance(Duration.ofSeconds(2));
      Task during = sim.state().tasks().get(sick.arn());
      boolean withinGrace = during.startedAt().plusSeconds(30).isAfter(sim.clock().instant());
      if (withinGrace) {
        assertThat(during.desiredStatus()).isEqualTo("RUNNING");
      }
      advanceUntil(
          sim,
          Duration.ofMinutes(1),
          s -> s.state().tasks().get(sick.arn()).lastStatus() == TaskStatus.STOPPED,
          () -> {});
      Task stopped = sim.state().tasks().get(sick.arn());
      assertThat(stopped.stoppedReason()).isEqualTo("Task failed container health checks");
      assertThat(stopped.stoppedAt()).isAfterOrEqualTo(stopped.startedAt().plusSeconds(30));
      advanceUntil(
          sim,
          Duration.ofMinutes(1),
          s -> stable(describe(s, "checked")) && live(s, "checked").size() == 2,
          () -> {});
    }
  }

  @Test
  void tasksThatNeverStartAreThrottledUntilANewTaskDefinition() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(4, 47))) {
      sim.failImage("bad:1");
      register(sim, "flaky", "bad:1", 256, 512);
      create(sim, "flaky", "flaky", 2);
      sim.advance(Duration.ofMinutes(3));
      int launchedInFirstThreeMinutes = tasksOf(sim, "flaky");
      // Without a throttle, two tasks every two seconds or so: about 180. Backing off, far fewer.
      assertThat(launchedInFirstThreeMinutes).isLessThan(20);
      assertThat(events(describe(sim, "flaky")))
          .contains("(service flaky) is unable to consistently start tasks successfully.");
      assertThat(service(sim, "flaky").nextLaunchAt()).isAfter(sim.clock().instant());

      register(sim, "flaky", "good:1", 256, 512);
      update(sim, JSON.createObjectNode().put("service", "flaky").put("taskDefinition", "flaky"));
      // A new task definition resets the throttle: the service starts at once.
      advanceUntil(sim, Duration.ofSeconds(15), s -> stable(describe(s, "flaky")), () -> {});
    }
  }

  @Test
  void aServiceThatFitsNowhereSaysWhyWithTheClosestInstance() throws Exception {
    try (Simulation sim = Simulation.start(Simulation.Options.of(3, 53))) {
      register(sim, "huge", "huge:1", 256, 100_000);
      create(sim, "huge", "huge", 1);
      sim.advance(Duration.ofSeconds(3));
      assertThat(events(describe(sim, "huge")).getFirst())
          .matches(
              "\\(service huge\\) was unable to place a task because no container instance met all"
                  + " of its requirements\\. The closest matching \\(container-instance [0-9a-f]+\\)"
                  + " has insufficient memory available\\. For more information, see the"
                  + " Troubleshooting section\\.");
      // Repeats are not piled up: the same event stays the newest, once.
      sim.advance(Duration.ofSeconds(10));
      assertThat(events(describe(sim, "huge"))).hasSize(1);
    }
  }

  /** How many tasks the service ever had, stopped or not. */
  private static int tasksOf(Simulation sim, String name) {
    return (int)
        sim.state().tasks().values().stream()
            .filter(t -> ("service:" + name).equals(t.group()))
            .count();
  }

  private static String zoneOf(Simulation sim, String instanceArn) {
    return sim.state().containerInstances().get(instanceArn).attributes().stream()
        .filter(a -> a.name().equals("ecs.availability-zone"))
        .findFirst()
        .orElseThrow()
        .value();
  }
}
