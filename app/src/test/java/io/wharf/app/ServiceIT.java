package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.agent.Agent;
import io.wharf.runtime.ContainerRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerInstanceStatus;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.SchedulingStrategy;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Services on the real Docker engine with two agents: created with the aws CLI and the SDK, waited
 * on with the CLI's services-stable waiter, healed, rolled out, rolled back, drained, and run as
 * daemons.
 */
class ServiceIT {
  static final String CLUSTER = "svc";
  static TestServer server;
  static EcsClient ecs;
  static ContainerRuntime docker;
  static Agent first;
  static Agent second;

  @BeforeAll
  static void start() throws Exception {
    DockerFixture.ensureTestImage();
    server = TestServer.start();
    ecs = server.client();
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    docker = DockerFixture.docker();
    first =
        DockerFixture.startAgent(
            server.endpoint(), CLUSTER, DockerFixture.tempDir("wharf-a1"), "127.0.0.4", docker);
    second =
        DockerFixture.startAgent(
            server.endpoint(), CLUSTER, DockerFixture.tempDir("wharf-a2"), "127.0.0.5", docker);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ecs
                    .describeContainerInstances(
                        b ->
                            b.cluster(CLUSTER)
                                .containerInstances(
                                    first.containerInstanceArn(), second.containerInstanceArn()))
                    .containerInstances()
                    .stream()
                    .allMatch(i -> i.agentConnected()));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Agent a : List.of(first, second)) {
      String id = a.instanceId();
      a.close();
      DockerFixture.removeContainersOf(docker, id);
    }
    ecs.close();
    server.close();
    docker.close();
  }

  static String register(String family, String... command) {
    return registerImage(family, DockerFixture.IMAGE, command);
  }

  static String registerImage(String family, String image, String... command) {
    ContainerDefinition web =
        ContainerDefinition.builder()
            .name("web")
            .image(image)
            .memory(32)
            .command(command)
            .portMappings(PortMapping.builder().containerPort(8080).build())
            .build();
    return ecs.registerTaskDefinition(b -> b.family(family).containerDefinitions(web))
        .taskDefinition()
        .taskDefinitionArn();
  }

  static Service describe(String name) {
    return ecs.describeServices(b -> b.cluster(CLUSTER).services(name)).services().get(0);
  }

  static List<Task> tasks(String name) {
    List<String> arns =
        ecs.listTasks(
                b -> b.cluster(CLUSTER).serviceName(name).desiredStatus(DesiredStatus.RUNNING))
            .taskArns();
    if (arns.isEmpty()) {
      return List.of();
    }
    return ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(arns)).tasks();
  }

  /** The aws CLI's own waiter. */
  static void waitStable(String name) throws Exception {
    AwsCliTest.Run waited =
        AwsCliTestAccess.aws(
            server, "ecs", "wait", "services-stable", "--cluster", CLUSTER, "--services", name);
    assertThat(waited.exitCode()).as(waited.stderr() + waited.stdout()).isZero();
  }

  /** A file the container's httpd serves (with {@code -h /}): proof the task answers. */
  static String get(Task task) throws Exception {
    var binding = task.containers().get(0).networkBindings().get(0);
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + binding.bindIP()
                                + ":"
                                + binding.hostPort()
                                + "/etc/hostname"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  @Test
  void aServiceCreatedWithTheCliRunsHealsAndRollsOutANewRevision() throws Exception {
    String v1 = register("web", "httpd", "-f", "-p", "8080", "-h", "/");
    AwsCliTest.Run created =
        AwsCliTestAccess.aws(
            server,
            "ecs",
            "create-service",
            "--cluster",
            CLUSTER,
            "--service-name",
            "web",
            "--task-definition",
            "web",
            "--desired-count",
            "3");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    assertThat(created.json().path("service").path("serviceArn").asText())
        .endsWith(":service/" + CLUSTER + "/web");
    waitStable("web");
    List<Task> running = tasks("web");
    assertThat(running).hasSize(3).allMatch(t -> t.lastStatus().equals("RUNNING"));
    assertThat(running).allMatch(t -> t.group().equals("service:web"));
    for (Task t : running) {
      assertThat(get(t)).startsWith("200");
    }

    // A container removed behind Wharf's back: the task stops and the service replaces it.
    Task victim = running.getFirst();
    docker.remove(victim.containers().get(0).runtimeId());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> tasks("web"),
            tasks ->
                tasks.size() == 3
                    && tasks.stream().noneMatch(t -> t.taskArn().equals(victim.taskArn())));
    waitStable("web");
    assertThat(describe("web").events())
        .extracting(ServiceEvent::message)
        .anyMatch(m -> m.startsWith("(service web) has started 1 tasks: (task "));

    // A new revision rolls out: min 100 / max 200 by default.
    String v2 = register("web", "httpd", "-f", "-p", "8080", "-h", "/etc");
    ecs.updateService(b -> b.cluster(CLUSTER).service("web").taskDefinition(v2));
    assertThat(describe("web").deployments()).hasSize(2);
    await().atMost(Duration.ofSeconds(120)).until(() -> describe("web").deployments().size() == 1);
    waitStable("web");
    // The rollout completes once the new tasks count as healthy (2 s RUNNING in these tests).
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> describe("web").deployments().get(0).rolloutStateAsString().equals("COMPLETED"));
    Service after = describe("web");
    assertThat(after.taskDefinition()).isEqualTo(v2);
    assertThat(tasks("web")).hasSize(3).allMatch(t -> t.taskDefinitionArn().equals(v2));
    assertThat(v1).isNotEqualTo(v2);

    ecs.deleteService(b -> b.cluster(CLUSTER).service("web").force(true));
    AwsCliTest.Run inactive =
        AwsCliTestAccess.aws(
            server, "ecs", "wait", "services-inactive", "--cluster", CLUSTER, "--services", "web");
    assertThat(inactive.exitCode()).as(inactive.stderr()).isZero();
    await().atMost(Duration.ofSeconds(60)).until(() -> tasks("web").isEmpty());
  }

  @Test
  void aBrokenImageTripsTheCircuitBreakerAndRollsBack() throws Exception {
    DockerFixture.ensureBrokenImage();
    register("api", "httpd", "-f", "-p", "8080", "-h", "/");
    ecs.createService(
        b ->
            b.cluster(CLUSTER)
                .serviceName("api")
                .taskDefinition("api")
                .desiredCount(2)
                .deploymentConfiguration(
                    c -> c.deploymentCircuitBreaker(cb -> cb.enable(true).rollback(true))));
    waitStable("api");
    // Wait for the first rollout to complete, so there is something to roll back to.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> describe("api").deployments().get(0).rolloutStateAsString().equals("COMPLETED"));
    String good = describe("api").deployments().get(0).id();
    String broken = registerImage("api", DockerFixture.BROKEN_IMAGE, "httpd", "-f");
    ecs.updateService(b -> b.cluster(CLUSTER).service("api").taskDefinition(broken));
    await()
        .atMost(Duration.ofSeconds(180))
        .until(
            () -> {
              Service s = describe("api");
              return s.deployments().size() == 1
                  && s.deployments().get(0).id().equals(good)
                  && s.runningCount() == 2;
            });
    Service s = describe("api");
    assertThat(s.taskDefinition()).isNotEqualTo(broken);
    assertThat(tasks("api")).allMatch(t -> !t.taskDefinitionArn().equals(broken));
    assertThat(s.events())
        .extracting(ServiceEvent::message)
        .anyMatch(m -> m.contains("deployment failed: rolling back to deployment " + good));
    assertThat(
            ecs.listServiceDeployments(b -> b.cluster(CLUSTER).service("api")).serviceDeployments())
        .anyMatch(d -> d.statusAsString().startsWith("ROLLBACK_"));
    ecs.deleteService(b -> b.cluster(CLUSTER).service("api").force(true));
  }

  @Test
  void aDaemonRunsOnEveryInstanceAndDrainingMovesReplicasButLeavesStandaloneTasks()
      throws Exception {
    register("agentd", "httpd", "-f", "-p", "8080", "-h", "/");
    ecs.createService(
        b ->
            b.cluster(CLUSTER)
                .serviceName("agentd")
                .taskDefinition("agentd")
                .schedulingStrategy(SchedulingStrategy.DAEMON));
    waitStable("agentd");
    assertThat(tasks("agentd"))
        .hasSize(2)
        .extracting(Task::containerInstanceArn)
        .containsExactlyInAnyOrder(first.containerInstanceArn(), second.containerInstanceArn());

    register("rep", "httpd", "-f", "-p", "8080", "-h", "/");
    ecs.createService(
        b ->
            b.cluster(CLUSTER)
                .serviceName("rep")
                .taskDefinition("rep")
                .desiredCount(2)
                .deploymentConfiguration(c -> c.minimumHealthyPercent(50)));
    waitStable("rep");
    Task standalone =
        ecs.startTask(
                b ->
                    b.cluster(CLUSTER)
                        .taskDefinition("rep")
                        .containerInstances(second.containerInstanceArn()))
            .tasks()
            .get(0);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(standalone.taskArn()))
                    .tasks()
                    .get(0)
                    .lastStatus()
                    .equals("RUNNING"));

    ecs.updateContainerInstancesState(
        b ->
            b.cluster(CLUSTER)
                .containerInstances(second.containerInstanceArn())
                .status(ContainerInstanceStatus.DRAINING));
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () -> List.of(tasks("rep"), tasks("agentd")),
            both ->
                both.get(0).size() == 2
                    && both.get(0).stream()
                        .allMatch(
                            t ->
                                t.containerInstanceArn().equals(first.containerInstanceArn())
                                    && t.lastStatus().equals("RUNNING"))
                    && both.get(1).stream()
                        .noneMatch(
                            t -> t.containerInstanceArn().equals(second.containerInstanceArn())));
    waitStable("rep");
    assertThat(
            ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(standalone.taskArn()))
                .tasks()
                .get(0)
                .lastStatus())
        .isEqualTo("RUNNING");
    ecs.stopTask(b -> b.cluster(CLUSTER).task(standalone.taskArn()));
    ecs.updateContainerInstancesState(
        b ->
            b.cluster(CLUSTER)
                .containerInstances(second.containerInstanceArn())
                .status(ContainerInstanceStatus.ACTIVE));
    ecs.deleteService(b -> b.cluster(CLUSTER).service("rep").force(true));
    ecs.deleteService(b -> b.cluster(CLUSTER).service("agentd").force(true));
  }
}
