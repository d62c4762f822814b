package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharf.agent.Agent;
import io.wharf.agent.AgentConfig;
import io.wharf.runtime.ContainerRuntime;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.PlacementConstraintType;
import software.amazon.awssdk.services.ecs.model.PlacementStrategyType;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Task;

/** Placement constraints, strategies and the query language across two real agents. */
class PlacementIT {
  static final String CLUSTER = "placement";
  static TestServer server;
  static EcsClient ecs;
  static ContainerRuntime docker;
  static Agent blue;
  static Agent green;

  @BeforeAll
  static void start() throws Exception {
    DockerFixture.ensureTestImage();
    server = TestServer.start();
    ecs = server.client();
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    docker = DockerFixture.docker();
    blue = agent("127.0.0.10", "blue");
    green = agent("127.0.0.11", "green");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ecs
                    .describeContainerInstances(
                        b ->
                            b.cluster(CLUSTER)
                                .containerInstances(
                                    blue.containerInstanceArn(), green.containerInstanceArn()))
                    .containerInstances()
                    .stream()
                    .allMatch(i -> i.agentConnected()));
    ecs.registerTaskDefinition(
        b ->
            b.family("spread")
                .containerDefinitions(
                    ContainerDefinition.builder()
                        .name("main")
                        .image(DockerFixture.IMAGE)
                        .memory(16)
                        .command("sleep", "600")
                        .build()));
  }

  static Agent agent(String address, String color) throws Exception {
    AgentConfig base =
        DockerFixture.agentConfig(
            server.endpoint(), CLUSTER, DockerFixture.tempDir("wharf-agent-" + color), address);
    AgentConfig config =
        new AgentConfig(
            URI.create(server.endpoint()),
            CLUSTER,
            base.dataDir(),
            address,
            2048,
            2048,
            "us-east-1a",
            Map.of("color", color),
            base.joinToken(),
            "us-east-1",
            AgentConfig.DEFAULT_RESERVED_PORTS,
            42000,
            42999,
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofMinutes(5));
    Agent agent = new Agent(config, docker, Clock.systemUTC()).start();
    assertThat(agent.awaitRegistered(Duration.ofSeconds(30))).isTrue();
    return agent;
  }

  @AfterAll
  static void stop() throws Exception {
    for (Agent a : List.of(blue, green)) {
      a.close();
      DockerFixture.removeContainersOf(docker, a.instanceId());
    }
    ecs.close();
    server.close();
    docker.close();
  }

  static void stopAll(List<Task> tasks) {
    tasks.forEach(t -> ecs.stopTask(b -> b.cluster(CLUSTER).task(t.taskArn())));
  }

  @Test
  void memberOfPlacesOnMatchingInstancesOnly() {
    RunTaskResponse r =
        ecs.runTask(
            b ->
                b.cluster(CLUSTER)
                    .taskDefinition("spread")
                    .count(3)
                    .placementConstraints(
                        c ->
                            c.type(PlacementConstraintType.MEMBER_OF)
                                .expression("attribute:color == green")));
    assertThat(r.tasks())
        .hasSize(3)
        .allSatisfy(
            t -> assertThat(t.containerInstanceArn()).isEqualTo(green.containerInstanceArn()));
    stopAll(r.tasks());
  }

  @Test
  void distinctInstanceAllowsOnePerInstanceAndSaysWhyTheRestFailed() {
    RunTaskResponse r =
        ecs.runTask(
            b ->
                b.cluster(CLUSTER)
                    .taskDefinition("spread")
                    .count(3)
                    .group("one-each")
                    .placementConstraints(c -> c.type(PlacementConstraintType.DISTINCT_INSTANCE)));
    assertThat(r.tasks()).hasSize(2);
    assertThat(r.tasks().stream().map(Task::containerInstanceArn).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(blue.containerInstanceArn(), green.containerInstanceArn());
    assertThat(r.failures())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).contains("DistinctInstance"));
    stopAll(r.tasks());
  }

  @Test
  void spreadByInstanceBalancesACall() {
    RunTaskResponse r =
        ecs.runTask(
            b ->
                b.cluster(CLUSTER)
                    .taskDefinition("spread")
                    .count(4)
                    .group("balanced")
                    .placementStrategy(
                        s -> s.type(PlacementStrategyType.SPREAD).field("instanceId")));
    Map<String, Long> perInstance =
        r.tasks().stream()
            .collect(Collectors.groupingBy(Task::containerInstanceArn, Collectors.counting()));
    assertThat(perInstance.values()).containsExactly(2L, 2L);
    stopAll(r.tasks());
  }

  @Test
  void badExpressionsAreInvalidParametersThatSayWhere() {
    assertThatThrownBy(
            () ->
                ecs.runTask(
                    b ->
                        b.cluster(CLUSTER)
                            .taskDefinition("spread")
                            .placementConstraints(
                                c ->
                                    c.type(PlacementConstraintType.MEMBER_OF)
                                        .expression("attribute:color == "))))
        .isInstanceOf(InvalidParameterException.class);
    assertThatThrownBy(
            () ->
                ecs.listContainerInstances(
                    b -> b.cluster(CLUSTER).filter("attribute:color in [blue")))
        .isInstanceOf(InvalidParameterException.class);
  }

  @Test
  void listContainerInstancesFiltersWithTheQueryLanguage() {
    assertThat(
            ecs.listContainerInstances(b -> b.cluster(CLUSTER).filter("attribute:color == blue"))
                .containerInstanceArns())
        .containsExactly(blue.containerInstanceArn());
    // agentConnected is live state: wait out a heartbeat delayed by a busy machine.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Set.copyOf(
                            ecs.listContainerInstances(
                                    b ->
                                        b.cluster(CLUSTER)
                                            .filter(
                                                "attribute:color in [blue, green] and agentConnected == true"))
                                .containerInstanceArns()))
                    .containsExactlyInAnyOrder(
                        blue.containerInstanceArn(), green.containerInstanceArn()));
    assertThat(
            ecs.listContainerInstances(
                    b -> b.cluster(CLUSTER).filter("not(attribute:color == blue)"))
                .containerInstanceArns())
        .containsExactly(green.containerInstanceArn());
  }
}
