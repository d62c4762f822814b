package io.wharf.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Rolling deployments over seeded random runs: update-service to new revisions at random intervals
 * (most within the 40 s before ECS counts a task healthy, some with an image that cannot be
 * pulled), random health outcomes and timings, crashes and control-plane restarts. After every
 * one-second step, the tasks that serve never drop below {@code minimumHealthyPercent} of the
 * desired count, unless tasks failed on their own; at the end, a last good revision rolls out.
 *
 * <p><b>Serving</b>, on the control plane's view (the harness has no load balancers): RUNNING,
 * desired RUNNING (a task told to stop no longer serves), and, when its task definition's essential
 * container has a health check, HEALTHY. That is what a client could use: a task without health
 * checks serves once it runs, one with them once they pass.
 *
 * <p><b>The property</b>, for each step: {@code serving(after) >= min(minimum, serving(before)) -
 * failed}, where {@code failed} counts the tasks that served before and serve no more and that the
 * test made fail (crashed them, or turned their health UNHEALTHY). Once the service serves its
 * minimum, no stop the scheduler chooses takes it below; while it is short, no stop makes it
 * shorter.
 *
 * <p>Each repetition derives everything from its seed, which every assertion message names; rerun
 * one with {@link #run(long)} and that seed.
 */
class ServiceDeploymentPropertiesTest {
  static final String SERVICE = "web";

  /** The random part of a run: how long it goes on before the last revision. */
  static final Duration RANDOM_PHASE = Duration.ofMinutes(4);

  @RepeatedTest(value = 30, name = "seed {currentRepetition}")
  void servingTasksNeverDropBelowTheMinimumUnlessTheyFailOnTheirOwn(RepetitionInfo repetition)
      throws Exception {
    run(7_000L + repetition.getCurrentRepetition());
  }

  /** One revision of the service's task definition. */
  record Revision(String arn, String image, boolean checked, boolean broken) {}

  /** When a task's health checks report, and what. */
  record HealthReport(Instant at, String status) {}

  static void run(long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    int desired = 2 + r.nextInt(6);
    int minimumPercent = new int[] {0, 50, 50, 75, 100, 100}[r.nextInt(6)];
    int maximumPercent = new int[] {100, 150, 200, 200}[r.nextInt(4)];
    int grace = new int[] {0, 0, 10, 30}[r.nextInt(4)];
    boolean breaker = r.nextBoolean();
    boolean rollback = breaker && r.nextBoolean();
    Simulation.Options options =
        Simulation.Options.of(4 + r.nextInt(5), seed)
            .withStartDelay(Duration.ofSeconds(1 + r.nextInt(4)))
            .withStartFailureRate(r.nextInt(3) == 0 ? 0.05 : 0);
    String setup =
        String.format(
            "seed %d: desired %d, min %d%%, max %d%%, grace %d s, breaker %s, rollback %s,"
                + " %d instances, start delay %s, start failures %s",
            seed,
            desired,
            minimumPercent,
            maximumPercent,
            grace,
            breaker,
            rollback,
            options.instances(),
            options.startDelay(),
            options.startFailureRate());
    try (Simulation sim = Simulation.start(options)) {
      Run run = new Run(sim, r, setup, desired, minimumPercent, maximumPercent);
      Revision first = run.register(false);
      ObjectNode body =
          ServiceSimulationTest.JSON
              .createObjectNode()
              .put("cluster", Simulation.CLUSTER)
              .put("serviceName", SERVICE)
              .put("taskDefinition", first.arn())
              .put("desiredCount", desired)
              .put("healthCheckGracePeriodSeconds", grace);
      ObjectNode configuration = body.putObject("deploymentConfiguration");
      configuration.put("minimumHealthyPercent", minimumPercent);
      configuration.put("maximumPercent", maximumPercent);
      configuration
          .putObject("deploymentCircuitBreaker")
          .put("enable", breaker)
          .put("rollback", rollback);
      sim.call("CreateService", body);

      Instant end = sim.clock().instant().plus(RANDOM_PHASE);
      // The first update comes soon: within the 40 s of the first tasks.
      Instant nextUpdate = sim.clock().instant().plusSeconds(5 + r.nextInt(30));
      while (sim.clock().instant().isBefore(end)) {
        if (!sim.clock().instant().isBefore(nextUpdate)) {
          run.update(run.register(r.nextInt(7) == 0), null);
          nextUpdate =
              sim.clock()
                  .instant()
                  .plusSeconds(r.nextInt(4) == 0 ? 40 + r.nextInt(60) : 3 + r.nextInt(37));
        }
        run.healthAndFaults();
        run.step();
      }
      assertThat(run.updates).as(setup).isGreaterThanOrEqualTo(2);
      assertThat(run.quickUpdates).as(setup + ": updates within 40 s").isPositive();

      // The end: no more faults, one last good revision (breaker off, so that a chance start
      // failure cannot stall it), every health check passes. It rolls out, unless the
      // configuration blocks deployments (ECS: min = max = 100 of the count).
      run.faults = false;
      Revision last = run.register(false);
      run.update(last, false);
      boolean blocked =
          desired * maximumPercent / 100 <= desired
              && (desired * minimumPercent + 99) / 100 >= desired;
      Instant limit = sim.clock().instant().plus(Duration.ofMinutes(blocked ? 2 : 10));
      while (blocked ? sim.clock().instant().isBefore(limit) : !run.rolledOut(last)) {
        if (!sim.clock().instant().isBefore(limit)) {
          JsonNode service = ServiceSimulationTest.describe(sim, SERVICE);
          throw new AssertionError(
              String.format(
                  "%s: the last revision did not roll out within 10 min; deployments %s;"
                      + " events %s; tasks %s",
                  setup,
                  service.path("deployments"),
                  ServiceSimulationTest.events(service)
                      .subList(0, Math.min(8, ServiceSimulationTest.events(service).size())),
                  run.describe(run.tasks())));
        }
        run.healthAndFaults();
        run.step();
      }
      System.out.printf(
          "%s: %d updates (%d within 40 s), %d injected failures, %d steps checked%s%n",
          setup,
          run.updates,
          run.quickUpdates,
          run.injected,
          run.steps,
          blocked ? " (min and max block deployments: the last one not waited for)" : "");
    }
  }

  /** The state of one run: revisions, planned health reports, the failures injected. */
  static final class Run {
    final Simulation sim;
    final SplittableRandom r;
    final String setup;
    final int minimum;
    final int maxTotal;
    final Map<String, Revision> revisions = new HashMap<>();
    final Map<String, HealthReport> planned = new HashMap<>();
    final Set<String> failedOnPurpose = new HashSet<>();
    Set<String> servingBefore = Set.of();
    Instant lastUpdate;
    boolean faults = true;
    int updates;
    int quickUpdates;
    int injected;
    int steps;

    Run(
        Simulation sim,
        SplittableRandom r,
        String setup,
        int desired,
        int minimumPercent,
        int maximumPercent) {
      this.sim = sim;
      this.r = r;
      this.setup = setup;
      this.minimum = (desired * minimumPercent + 99) / 100;
      this.maxTotal = desired * maximumPercent / 100;
    }

    /** Registers the next revision: half with a container health check, some broken. */
    Revision register(boolean broken) {
      boolean checked = r.nextBoolean();
      String image = (broken ? "broken:" : "app:") + (revisions.size() + 1);
      if (broken) {
        sim.failImage(image);
      }
      ObjectNode body = ServiceSimulationTest.JSON.createObjectNode().put("family", SERVICE);
      ObjectNode container =
          body.putArray("containerDefinitions")
              .addObject()
              .put("name", "app")
              .put("image", image)
              .put("cpu", 128)
              .put("memory", 256);
      if (checked) {
        container.putObject("healthCheck").putArray("command").add("CMD-SHELL").add("true");
      }
      String arn =
          sim.call("RegisterTaskDefinition", body)
              .path("taskDefinition")
              .path("taskDefinitionArn")
              .asText();
      Revision revision = new Revision(arn, image, checked, broken);
      revisions.put(arn, revision);
      return revision;
    }

    /** update-service to the revision; {@code breaker} null leaves the configuration alone. */
    void update(Revision revision, Boolean breaker) {
      ObjectNode body =
          ServiceSimulationTest.JSON
              .createObjectNode()
              .put("service", SERVICE)
              .put("taskDefinition", revision.arn());
      if (breaker != null) {
        body.putObject("deploymentConfiguration")
            .putObject("deploymentCircuitBreaker")
            .put("enable", breaker)
            .put("rollback", false);
      }
      ServiceSimulationTest.update(sim, body);
      Instant now = sim.clock().instant();
      if (lastUpdate != null && lastUpdate.plusSeconds(40).isAfter(now)) {
        quickUpdates++;
      }
      lastUpdate = now;
      updates++;
    }

    List<Task> tasks() {
      return ServiceSimulationTest.live(sim, SERVICE);
    }

    boolean serving(Task t) {
      if (t.lastStatus() != TaskStatus.RUNNING || !t.desiredStatus().equals("RUNNING")) {
        return false;
      }
      Revision revision = revisions.get(t.taskDefinitionArn());
      return !revision.checked() || "HEALTHY".equals(t.healthStatus());
    }

    /**
     * Health outcomes and failures: each checked task, once running, reports HEALTHY after a random
     * while (most), UNHEALTHY (some: a failure), or never; now and then a serving task crashes or
     * turns UNHEALTHY, and the control plane restarts.
     */
    void healthAndFaults() throws Exception {
      Instant now = sim.clock().instant();
      List<Task> tasks = tasks();
      for (Task t : tasks) {
        if (t.lastStatus() != TaskStatus.RUNNING
            || !revisions.get(t.taskDefinitionArn()).checked()
            || planned.containsKey(t.arn())) {
          continue;
        }
        int pick = r.nextInt(10);
        String status = !faults || pick < 8 ? "HEALTHY" : pick == 8 ? "UNHEALTHY" : null;
        planned.put(t.arn(), new HealthReport(now.plusSeconds(r.nextInt(12)), status));
      }
      for (var e : planned.entrySet()) {
        HealthReport report = e.getValue();
        if (report.status() == null || report.at().isAfter(now)) {
          continue;
        }
        if (report.status().equals("UNHEALTHY")) {
          if (!faults) {
            continue;
          }
          fail(e.getKey());
        }
        sim.health(e.getKey(), report.status());
        e.setValue(new HealthReport(report.at(), null));
      }
      if (!faults) {
        return;
      }
      List<Task> serving = tasks.stream().filter(this::serving).toList();
      if (!serving.isEmpty() && r.nextInt(60) == 0) {
        Task victim = serving.get(r.nextInt(serving.size()));
        fail(victim.arn());
        sim.crash(victim.arn());
      }
      if (!serving.isEmpty() && r.nextInt(80) == 0) {
        Task victim = serving.get(r.nextInt(serving.size()));
        if (revisions.get(victim.taskDefinitionArn()).checked()) {
          fail(victim.arn());
          sim.health(victim.arn(), "UNHEALTHY");
        }
      }
      if (r.nextInt(150) == 0) {
        sim.restartControlPlane();
      }
    }

    private void fail(String taskArn) {
      if (failedOnPurpose.add(taskArn)) {
        injected++;
      }
    }

    /** One second, then the property and maximumPercent. */
    void step() {
      sim.advance(Duration.ofSeconds(1));
      steps++;
      List<Task> tasks = tasks();
      Set<String> servingNow = new HashSet<>();
      for (Task t : tasks) {
        if (serving(t)) {
          servingNow.add(t.arn());
        }
      }
      List<String> failedNow = new ArrayList<>();
      for (String arn : servingBefore) {
        if (!servingNow.contains(arn) && failedOnPurpose.contains(arn)) {
          failedNow.add(arn);
        }
      }
      int floor = Math.min(minimum, servingBefore.size()) - failedNow.size();
      assertThat(servingNow.size())
          .as(
              "%s; at %s: %d serving, %d before, minimum %d, failed on their own %s; tasks %s",
              setup,
              sim.clock().instant(),
              servingNow.size(),
              servingBefore.size(),
              minimum,
              failedNow,
              describe(tasks))
          .isGreaterThanOrEqualTo(floor);
      assertThat(tasks.size())
          .as("%s; at %s: never above maximumPercent", setup, sim.clock().instant())
          .isLessThanOrEqualTo(maxTotal);
      assertThat(sim.violations()).as(setup).isEmpty();
      servingBefore = servingNow;
    }

    /** The revision's rollout completed: one deployment, every task of it, all running. */
    boolean rolledOut(Revision last) {
      JsonNode service = ServiceSimulationTest.describe(sim, SERVICE);
      return ServiceSimulationTest.stable(service)
          && service.path("deployments").path(0).path("rolloutState").asText().equals("COMPLETED")
          && service.path("taskDefinition").asText().equals(last.arn())
          && tasks().stream().allMatch(t -> t.taskDefinitionArn().equals(last.arn()));
    }

    String describe(List<Task> tasks) {
      StringBuilder out = new StringBuilder();
      for (Task t : tasks) {
        out.append(
            String.format(
                "%n  %s %s %s/%s health %s started %s",
                t.id(),
                t.taskDefinitionArn().substring(t.taskDefinitionArn().lastIndexOf('/') + 1),
                t.lastStatus(),
                t.desiredStatus(),
                t.healthStatus(),
                t.startedAt()));
      }
      return out.toString();
    }
  }
}
