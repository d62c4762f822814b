package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.agent.Agent;
import io.wharf.runtime.ContainerRuntime;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * Deployments that follow each other quickly, on real Docker behind a real HAProxy listener, under
 * continuous keep-alive load from loopback through the listener (issue 22). The server counts a
 * task without health checks healthy after ECS's 40 s, so every update here lands on tasks that are
 * not healthy by that rule yet; the target groups check every 5 s and count a target healthy after
 * 2 checks, as in the issue.
 */
class QuickDeploymentsIT {
  static final String CLUSTER = "quick";
  static final int DESIRED = 3;

  /** A registry on a closed loopback port: a pull of this image can only fail, and stays local. */
  static final String UNPULLABLE = "127.0.0.1:1/wharf-test/absent:latest";

  static TestServer server;
  static EcsClient ecs;
  static ElasticLoadBalancingV2Client elb;
  static ContainerRuntime docker;
  static Agent agent;

  @BeforeAll
  static void start() throws Exception {
    DockerFixture.ensureTestImage();
    server = TestServer.startWithHealthyAfter(Duration.ofSeconds(40));
    ecs = server.client();
    elb = server.elb();
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    docker = DockerFixture.docker();
    agent =
        DockerFixture.startAgent(
            server.endpoint(), CLUSTER, DockerFixture.tempDir("wharf-quick"), "127.0.0.12", docker);
  }

  @AfterAll
  static void stop() throws Exception {
    String id = agent.instanceId();
    agent.close();
    DockerFixture.removeContainersOf(docker, id);
    elb.close();
    ecs.close();
    server.close();
    docker.close();
  }

  static ElbTesting.Balancer balancer(String name) {
    return ElbTesting.balancer(elb, name);
  }

  /** A web server answering {@code version} on / (its health check path too). */
  static String register(String family, String version) {
    return register(
        family,
        ContainerDefinition.builder()
            .name("web")
            .image(DockerFixture.IMAGE)
            .memory(32)
            .command(
                "sh",
                "-c",
                "mkdir -p /tmp/w && echo "
                    + version
                    + " > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w")
            .portMappings(PortMapping.builder().containerPort(8080).build())
            .build());
  }

  /** A revision whose image cannot be pulled: its tasks never start. */
  static String registerUnpullable(String family) {
    return register(
        family,
        ContainerDefinition.builder()
            .name("web")
            .image(UNPULLABLE)
            .memory(32)
            .portMappings(PortMapping.builder().containerPort(8080).build())
            .build());
  }

  static String register(String family, ContainerDefinition web) {
    return ecs.registerTaskDefinition(b -> b.family(family).containerDefinitions(web))
        .taskDefinition()
        .taskDefinitionArn();
  }

  static void create(String name, String taskDefinition, ElbTesting.Balancer lb, boolean breaker) {
    ecs.createService(
        b ->
            b.cluster(CLUSTER)
                .serviceName(name)
                .taskDefinition(taskDefinition)
                .desiredCount(DESIRED)
                .deploymentConfiguration(
                    c -> c.deploymentCircuitBreaker(cb -> cb.enable(breaker).rollback(breaker)))
                .loadBalancers(
                    l ->
                        l.targetGroupArn(lb.targetGroupArn())
                            .containerName("web")
                            .containerPort(8080)));
  }

  static void update(String name, String taskDefinition) {
    ecs.updateService(b -> b.cluster(CLUSTER).service(name).taskDefinition(taskDefinition));
  }

  static Service describe(String name) {
    return ecs.describeServices(b -> b.cluster(CLUSTER).services(name)).services().get(0);
  }

  static List<Task> tasks(String name) {
    List<String> arns =
        ecs.listTasks(
                b -> b.cluster(CLUSTER).serviceName(name).desiredStatus(DesiredStatus.RUNNING))
            .taskArns();
    return arns.isEmpty()
        ? List.of()
        : ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(arns)).tasks();
  }

  /** What the services-stable waiter checks: one deployment, running == desired. */
  static boolean stable(String name) {
    Service s = describe(name);
    return s.deployments().size() == 1 && s.runningCount().equals(s.desiredCount());
  }

  static boolean completedOn(String name, String taskDefinition) {
    Service s = describe(name);
    return s.deployments().size() == 1
        && s.deployments().get(0).rolloutStateAsString().equals("COMPLETED")
        && s.taskDefinition().equals(taskDefinition)
        && s.runningCount() == DESIRED
        && tasks(name).stream().allMatch(t -> t.taskDefinitionArn().equals(taskDefinition));
  }

  /** How many targets the group reports healthy. */
  static long healthyTargets(ElbTesting.Balancer lb) {
    return elb
        .describeTargetHealth(r -> r.targetGroupArn(lb.targetGroupArn()))
        .targetHealthDescriptions()
        .stream()
        .filter(d -> d.targetHealth().stateAsString().equals("healthy"))
        .count();
  }

  /**
   * Waits until the service is stable (the services-stable waiter's test) and serves: every one of
   * its targets healthy, or, 9 s after stable, at least one (the group checks every 5 s and counts
   * a target healthy after 2 checks). Its tasks are seconds old then, far from ECS's 40 s.
   */
  static Instant awaitServing(String name, ElbTesting.Balancer lb) {
    await().atMost(Duration.ofSeconds(120)).until(() -> stable(name));
    Instant stableAt = Instant.now();
    Instant enough = stableAt.plusSeconds(9);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              long healthy = healthyTargets(lb);
              return healthy == DESIRED || (healthy > 0 && Instant.now().isAfter(enough));
            });
    return stableAt;
  }

  /** What a number of answers in a row say, to see which revision serves now. */
  static Set<String> bodies(HttpClient http, String url, int requests) {
    Set<String> out = new TreeSet<>();
    for (int i = 0; i < requests; i++) {
      out.add(ElbTesting.get(http, url).body().trim());
    }
    return out;
  }

  static void report(String scenario, ElbTesting.Load load) {
    System.out.printf(
        "QuickDeploymentsIT %s: %d requests through the listener, %d failed %s%n",
        scenario, load.sent(), load.failed(), load.failures());
  }

  @Test
  void aServiceUpdatedWithinTenSecondsOfBecomingStableLosesNoRequest() throws Exception {
    ElbTesting.Balancer lb = balancer("fresh");
    String v1 = register("fresh", "v1");
    String v2 = register("fresh", "v2");
    create("fresh", v1, lb, false);
    HttpClient http = ElbTesting.keepAliveClient();
    ElbTesting.Load load;
    try (ElbTesting.Load running = ElbTesting.Load.start(http, lb.url())) {
      load = running;
      Instant stableAt = awaitServing("fresh", lb);
      List<Task> first = tasks("fresh");
      update("fresh", v2);
      System.out.printf(
          "QuickDeploymentsIT (a): updated %d ms after stable, %d of its %d targets healthy%n",
          Duration.between(stableAt, Instant.now()).toMillis(), healthyTargets(lb), DESIRED);
      // The first tasks were within their 40 s: their deployment never completed.
      assertThat(describe("fresh").deployments())
          .filteredOn(d -> d.taskDefinition().equals(v1))
          .singleElement()
          .extracting(Deployment::rolloutStateAsString)
          .isEqualTo("IN_PROGRESS");
      await().atMost(Duration.ofSeconds(180)).until(() -> completedOn("fresh", v2));
      Thread.sleep(1_000);
      assertThat(load.serving()).isTrue();
      // The first tasks went only once replaced, each through its target's draining.
      for (Task t : first) {
        Task now = ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(t.taskArn())).tasks().get(0);
        assertThat(now.stopCodeAsString()).isEqualTo("ServiceSchedulerInitiated");
      }
    }
    report("(a) create, update seconds after stable", load);
    assertThat(load.failed())
        .as("failed requests of %d: %s", load.sent(), load.failures())
        .isZero();
    assertThat(load.sent()).isGreaterThan(50);
    assertThat(load.bodies()).isSubsetOf("v1", "v2").contains("v2");
    assertThat(bodies(http, lb.url(), 20)).containsExactly("v2");
    ecs.deleteService(b -> b.cluster(CLUSTER).service("fresh").force(true));
  }

  @Test
  void threeUpdatesTenSecondsApartLoseNoRequest() throws Exception {
    ElbTesting.Balancer lb = balancer("train");
    String v1 = register("train", "v1");
    create("train", v1, lb, false);
    HttpClient http = ElbTesting.keepAliveClient();
    String v4;
    ElbTesting.Load load;
    try (ElbTesting.Load running = ElbTesting.Load.start(http, lb.url())) {
      load = running;
      // The first update lands on serving tasks seconds old, each later one on tasks of the one
      // before, 10 s old.
      awaitServing("train", lb);
      await().atMost(Duration.ofSeconds(10)).until(load::serving);
      update("train", register("train", "v2"));
      Thread.sleep(10_000);
      update("train", register("train", "v3"));
      Thread.sleep(10_000);
      v4 = register("train", "v4");
      update("train", v4);
      String last = v4;
      await().atMost(Duration.ofSeconds(240)).until(() -> completedOn("train", last));
      Thread.sleep(1_000);
    }
    report("(b) three updates 10 s apart, the first on tasks seconds old", load);
    assertThat(load.failed())
        .as("failed requests of %d: %s", load.sent(), load.failures())
        .isZero();
    assertThat(load.sent()).isGreaterThan(50);
    assertThat(load.bodies()).isSubsetOf("v1", "v2", "v3", "v4").contains("v4");
    assertThat(bodies(http, lb.url(), 20)).containsExactly("v4");
    ecs.deleteService(b -> b.cluster(CLUSTER).service("train").force(true));
  }

  @Test
  void aRevisionThatCannotBePulledRightAfterAGoodOneLeavesTheGoodTasksServing() throws Exception {
    ElbTesting.Balancer lb = balancer("pull");
    String good = register("pull", "good");
    String broken = registerUnpullable("pull");
    create("pull", good, lb, true);
    HttpClient http = ElbTesting.keepAliveClient();
    ElbTesting.Load load;
    List<String> goodTasks;
    try (ElbTesting.Load running = ElbTesting.Load.start(http, lb.url())) {
      load = running;
      awaitServing("pull", lb);
      goodTasks = tasks("pull").stream().map(Task::taskArn).toList();
      // Seconds after stable; the good deployment has not completed (its tasks are not 40 s old),
      // so the breaker will have nothing to roll back to.
      update("pull", broken);
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () -> describe("pull").deployments().get(0).rolloutStateAsString().equals("FAILED"));
      // And the good tasks go on serving: the failed deployment launches no more.
      Thread.sleep(15_000);
    }
    report("(c) good revision, then one that cannot be pulled", load);
    Service s = describe("pull");
    assertThat(s.deployments().get(0).taskDefinition()).isEqualTo(broken);
    assertThat(s.deployments().get(0).rolloutStateReason())
        .isEqualTo("ECS deployment circuit breaker: tasks failed to start.");
    assertThat(s.deployments())
        .filteredOn(d -> d.taskDefinition().equals(good))
        .singleElement()
        .satisfies(d -> assertThat(d.runningCount()).isEqualTo(DESIRED));
    assertThat(s.runningCount()).isEqualTo(DESIRED);
    assertThat(s.events())
        .extracting(ServiceEvent::message)
        .anyMatch(m -> m.contains("deployment failed: tasks failed to start"));
    assertThat(tasks("pull"))
        .extracting(Task::taskArn)
        .containsExactlyInAnyOrderElementsOf(goodTasks);
    assertThat(tasks("pull")).allMatch(t -> t.lastStatus().equals("RUNNING"));
    assertThat(load.failed())
        .as("failed requests of %d: %s", load.sent(), load.failures())
        .isZero();
    assertThat(load.sent()).isGreaterThan(50);
    assertThat(load.bodies()).containsExactly("good");
    ecs.deleteService(b -> b.cluster(CLUSTER).service("pull").force(true));
  }
}
