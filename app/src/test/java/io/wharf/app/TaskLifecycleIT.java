package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharf.agent.Agent;
import io.wharf.runtime.ContainerRuntime;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ConflictException;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;
import software.amazon.awssdk.services.ecs.model.ContainerInstanceStatus;
import software.amazon.awssdk.services.ecs.model.HealthCheck;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

/**
 * Tasks on the real Docker engine: a control plane, an agent, real containers and real ports,
 * driven by the AWS SDK and the aws CLI's waiters.
 */
class TaskLifecycleIT {
  static final String CLUSTER = "it";
  static final String ADDRESS = "127.0.0.2";
  static TestServer server;
  static EcsClient ecs;
  static ContainerRuntime docker;
  static Agent agent;
  static Path agentDir;

  @BeforeAll
  static void start() throws Exception {
    DockerFixture.ensureTestImage();
    server = TestServer.start();
    ecs = server.client();
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    docker = DockerFixture.docker();
    agentDir = DockerFixture.tempDir("wharf-agent");
    agent = DockerFixture.startAgent(server.endpoint(), CLUSTER, agentDir, ADDRESS, docker);
    await().atMost(Duration.ofSeconds(30)).until(() -> instance().agentConnected());
  }

  @AfterAll
  static void stop() throws Exception {
    String id = agent.instanceId();
    agent.close();
    DockerFixture.removeContainersOf(docker, id);
    ecs.close();
    server.close();
    docker.close();
  }

  static ContainerInstance instance() {
    return ecs.describeContainerInstances(
            b -> b.cluster(CLUSTER).containerInstances(agent.containerInstanceArn()))
        .containerInstances()
        .get(0);
  }

  static String register(String family, ContainerDefinition... containers) {
    return ecs.registerTaskDefinition(b -> b.family(family).containerDefinitions(containers))
        .taskDefinition()
        .taskDefinitionArn();
  }

  static ContainerDefinition container(String name, String... command) {
    return ContainerDefinition.builder()
        .name(name)
        .image(DockerFixture.IMAGE)
        .memory(32)
        .command(command)
        .build();
  }

  static Task run(String taskDefinition) {
    RunTaskResponse r = ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(taskDefinition));
    assertThat(r.failures()).isEmpty();
    return r.tasks().get(0);
  }

  static Task describe(String taskArn) {
    return ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(taskArn)).tasks().get(0);
  }

  static Task awaitStatus(String taskArn, String status) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> describe(taskArn).lastStatus().equals(status));
    return describe(taskArn);
  }

  @Test
  void runsAWebServerOnADynamicPortAndStopsItOnRequest() throws Exception {
    String td =
        register(
            "web",
            container("web", "httpd", "-f", "-p", "8080", "-h", "/www").toBuilder()
                .portMappings(PortMapping.builder().containerPort(8080).build())
                .build());
    Task task = run(td);
    assertThat(task.lastStatus()).isEqualTo("PENDING");
    assertThat(task.desiredStatus()).isEqualTo("RUNNING");

    // The aws CLI's own waiter, polling DescribeTasks until RUNNING.
    AwsCliTest.Run waited =
        AwsCliTestAccess.aws(
            server,
            "ecs",
            "wait",
            "tasks-running",
            "--cluster",
            CLUSTER,
            "--tasks",
            task.taskArn());
    assertThat(waited.exitCode()).as(waited.stderr()).isZero();
    Task running = describe(task.taskArn());
    assertThat(running.startedAt()).isNotNull();
    assertThat(running.pullStartedAt()).isNotNull();
    assertThat(running.version()).isGreaterThan(task.version());
    Container web = running.containers().get(0);
    assertThat(web.lastStatus()).isEqualTo("RUNNING");
    assertThat(web.runtimeId()).isNotBlank();
    assertThat(web.networkBindings())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.bindIP()).isEqualTo(ADDRESS);
              assertThat(b.containerPort()).isEqualTo(8080);
              assertThat(b.hostPort()).isBetween(40000, 40999);
            });
    int port = web.networkBindings().get(0).hostPort();
    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + ADDRESS + ":" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isIn(200, 404);
    assertThat(instance().runningTasksCount()).isGreaterThanOrEqualTo(1);

    Task stopping = ecs.stopTask(b -> b.cluster(CLUSTER).task(task.taskArn())).task();
    assertThat(stopping.desiredStatus()).isEqualTo("STOPPED");
    AwsCliTest.Run stopped =
        AwsCliTestAccess.aws(
            server,
            "ecs",
            "wait",
            "tasks-stopped",
            "--cluster",
            CLUSTER,
            "--tasks",
            task.taskArn());
    assertThat(stopped.exitCode()).as(stopped.stderr()).isZero();
    Task done = describe(task.taskArn());
    assertThat(done.stopCode().toString()).isEqualTo("UserInitiated");
    assertThat(done.stoppedReason()).isEqualTo("Task stopped by user");
    assertThat(done.stoppingAt()).isNotNull();
    assertThat(done.executionStoppedAt()).isNotNull();
    assertThat(done.stoppedAt()).isNotNull();
    assertThat(done.containers().get(0).exitCode()).isNotNull();
    assertThat(DockerFixture.running(docker, task.taskArn())).isEmpty();
  }

  @Test
  void anEssentialContainerExitStopsTheTaskWithItsExitCode() {
    String td =
        ecs.registerTaskDefinition(
                b ->
                    b.family("exits")
                        .containerDefinitions(
                            container("main", "sh", "-c", "sleep 1; exit 3"),
                            container("side", "sleep", "600").toBuilder().essential(false).build()))
            .taskDefinition()
            .taskDefinitionArn();
    Task task = run(td);
    Task done = awaitStatus(task.taskArn(), "STOPPED");
    assertThat(done.stopCode().toString()).isEqualTo("EssentialContainerExited");
    assertThat(done.stoppedReason()).isEqualTo("Essential container in task exited");
    assertThat(done.containers())
        .filteredOn(c -> c.name().equals("main"))
        .singleElement()
        .satisfies(c -> assertThat(c.exitCode()).isEqualTo(3));
    assertThat(done.containers()).allSatisfy(c -> assertThat(c.lastStatus()).isEqualTo("STOPPED"));
  }

  @Test
  void aNonEssentialExitLeavesTheTaskRunning() {
    String td =
        ecs.registerTaskDefinition(
                b ->
                    b.family("sidecar-exits")
                        .containerDefinitions(
                            container("main", "sleep", "600"),
                            container("side", "sh", "-c", "exit 0").toBuilder()
                                .essential(false)
                                .build()))
            .taskDefinition()
            .taskDefinitionArn();
    Task task = run(td);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                describe(task.taskArn()).containers().stream()
                    .anyMatch(c -> c.name().equals("side") && "STOPPED".equals(c.lastStatus())));
    Task t = describe(task.taskArn());
    assertThat(t.lastStatus()).isEqualTo("RUNNING");
    assertThat(t.containers())
        .filteredOn(c -> c.name().equals("side"))
        .singleElement()
        .satisfies(c -> assertThat(c.exitCode()).isZero());
    ecs.stopTask(b -> b.cluster(CLUSTER).task(task.taskArn()));
    awaitStatus(task.taskArn(), "STOPPED");
  }

  @Test
  void aMissingImageFailsTheTaskWithCannotPullContainerError() {
    String td =
        register(
            "no-image",
            ContainerDefinition.builder()
                .name("x")
                .image("127.0.0.1:1/wharf-test/absent:latest")
                .memory(16)
                .build());
    Task done = awaitStatus(run(td).taskArn(), "STOPPED");
    assertThat(done.stopCode().toString()).isEqualTo("TaskFailedToStart");
    assertThat(done.stoppedReason()).startsWith("CannotPullContainerError");
    assertThat(done.containers().get(0).reason()).startsWith("CannotPullContainerError");
  }

  @Test
  void aTakenHostPortFailsTheTaskWithAStartError() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(ADDRESS, 41234));
      String td =
          register(
              "port-taken",
              container("web", "sleep", "600").toBuilder()
                  .portMappings(PortMapping.builder().containerPort(80).hostPort(41234).build())
                  .build());
      Task done = awaitStatus(run(td).taskArn(), "STOPPED");
      assertThat(done.stopCode().toString()).isEqualTo("TaskFailedToStart");
      assertThat(done.stoppedReason()).contains("CannotStartContainerError");
    }
  }

  @Test
  void anOutOfMemoryKillReportsExit137AndTheReason() {
    String td =
        register(
            "oom",
            ContainerDefinition.builder()
                .name("hog")
                .image(DockerFixture.IMAGE)
                .memory(8)
                .command("sh", "-c", "x=a; while true; do x=$x$x; done")
                .build());
    Task done = awaitStatus(run(td).taskArn(), "STOPPED");
    Container hog = done.containers().get(0);
    assertThat(hog.exitCode()).isEqualTo(137);
    assertThat(hog.reason()).startsWith("OutOfMemoryError");
  }

  @Test
  void dependsOnStartsContainersInOrderAndWaitsForHealth() {
    String td =
        ecs.registerTaskDefinition(
                b ->
                    b.family("ordered")
                        .containerDefinitions(
                            container("init", "sh", "-c", "echo ready > /tmp/ready").toBuilder()
                                .essential(false)
                                .build(),
                            container("db", "sleep", "600").toBuilder()
                                .healthCheck(
                                    HealthCheck.builder()
                                        .command("CMD-SHELL", "true")
                                        .interval(5)
                                        .retries(1)
                                        .build())
                                .build(),
                            container("app", "sleep", "600").toBuilder()
                                .dependsOn(
                                    d ->
                                        d.containerName("init")
                                            .condition(ContainerCondition.SUCCESS),
                                    d ->
                                        d.containerName("db").condition(ContainerCondition.HEALTHY))
                                .build()))
            .taskDefinition()
            .taskDefinitionArn();
    Task task = run(td);
    Task running = awaitStatus(task.taskArn(), "RUNNING");
    assertThat(running.containers())
        .filteredOn(c -> c.name().equals("init"))
        .singleElement()
        .satisfies(c -> assertThat(c.exitCode()).isZero());
    assertThat(running.containers())
        .filteredOn(c -> c.name().equals("db"))
        .singleElement()
        .satisfies(c -> assertThat(c.healthStatusAsString()).isEqualTo("HEALTHY"));
    assertThat(running.containers())
        .filteredOn(c -> c.name().equals("app"))
        .singleElement()
        .satisfies(c -> assertThat(c.lastStatus()).isEqualTo("RUNNING"));
    ecs.stopTask(b -> b.cluster(CLUSTER).task(task.taskArn()));
    awaitStatus(task.taskArn(), "STOPPED");
  }

  @Test
  void noRoomGivesResourceFailures() {
    String td =
        register(
            "huge",
            ContainerDefinition.builder()
                .name("x")
                .image(DockerFixture.IMAGE)
                .memory(100_000)
                .build());
    RunTaskResponse r = ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(td));
    assertThat(r.tasks()).isEmpty();
    assertThat(r.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reason()).isEqualTo("RESOURCE:MEMORY");
              assertThat(f.arn()).isEqualTo(agent.containerInstanceArn());
            });
  }

  @Test
  void theInstanceReportsRegisteredAndRemainingResources() {
    ContainerInstance i = instance();
    assertThat(i.agentConnected()).isTrue();
    assertThat(i.status()).isEqualTo("ACTIVE");
    assertThat(i.registeredResources())
        .anySatisfy(
            r -> {
              assertThat(r.name()).isEqualTo("MEMORY");
              assertThat(r.integerValue()).isEqualTo(2048);
            });
    assertThat(i.attributes()).anySatisfy(a -> assertThat(a.name()).isEqualTo("ecs.os-type"));
    assertThat(i.attributes()).anySatisfy(a -> assertThat(a.name()).isEqualTo("stack"));
    assertThat(i.versionInfo().agentVersion()).isNotBlank();
  }

  @Test
  void startTaskListTasksOverridesAndClientTokens() {
    String td = register("misc", container("main", "sleep", "600"));
    // StartTask on a named instance, with a command override and tags.
    Task started =
        ecs.startTask(
                b ->
                    b.cluster(CLUSTER)
                        .taskDefinition(td)
                        .containerInstances(agent.containerInstanceArn())
                        .startedBy("tester")
                        .group("g1")
                        .overrides(
                            o ->
                                o.containerOverrides(
                                    c ->
                                        c.name("main")
                                            .command("sh", "-c", "sleep 600")
                                            .environment(e -> e.name("FROM").value("override"))))
                        .tags(t -> t.key("k").value("v")))
            .tasks()
            .get(0);
    assertThat(started.containerInstanceArn()).isEqualTo(agent.containerInstanceArn());
    assertThat(started.group()).isEqualTo("g1");
    Task running = awaitStatus(started.taskArn(), "RUNNING");
    assertThat(running.overrides().containerOverrides().get(0).command())
        .containsExactly("sh", "-c", "sleep 600");
    assertThat(docker.inspect(running.containers().get(0).runtimeId()).orElseThrow().labels())
        .containsEntry("com.amazonaws.ecs.container-name", "main");
    assertThat(
            ecs.describeTasks(
                    b -> b.cluster(CLUSTER).tasks(started.taskArn()).include(TaskField.TAGS))
                .tasks()
                .get(0)
                .tags())
        .singleElement()
        .satisfies(t -> assertThat(t.key()).isEqualTo("k"));

    // ListTasks filters.
    assertThat(ecs.listTasks(b -> b.cluster(CLUSTER).startedBy("tester")).taskArns())
        .containsExactly(started.taskArn());
    assertThat(ecs.listTasks(b -> b.cluster(CLUSTER).family("misc")).taskArns())
        .contains(started.taskArn());
    assertThat(
            ecs.listTasks(b -> b.cluster(CLUSTER).containerInstance(agent.containerInstanceArn()))
                .taskArns())
        .contains(started.taskArn());
    assertThat(ecs.listTasks(b -> b.cluster(CLUSTER).family("nothing")).taskArns()).isEmpty();

    // clientToken: the same request twice gives the same task, a different one conflicts.
    Task first =
        ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(td).clientToken("token-1"))
            .tasks()
            .get(0);
    Task again =
        ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(td).clientToken("token-1"))
            .tasks()
            .get(0);
    assertThat(again.taskArn()).isEqualTo(first.taskArn());
    assertThatThrownBy(
            () ->
                ecs.runTask(
                    b -> b.cluster(CLUSTER).taskDefinition(td).count(2).clientToken("token-1")))
        .isInstanceOf(ConflictException.class);

    // Deregistering an instance that runs tasks needs force.
    assertThatThrownBy(
            () ->
                ecs.deregisterContainerInstance(
                    b -> b.cluster(CLUSTER).containerInstance(agent.containerInstanceArn())))
        .isInstanceOf(InvalidParameterException.class);

    for (String arn : List.of(started.taskArn(), first.taskArn())) {
      ecs.stopTask(b -> b.cluster(CLUSTER).task(arn).reason("done here"));
    }
    assertThat(awaitStatus(first.taskArn(), "STOPPED").stoppedReason()).isEqualTo("done here");
    awaitStatus(started.taskArn(), "STOPPED");
  }

  @Test
  void aDrainingInstanceGetsNoNewTasks() {
    String td = register("drain", container("main", "sleep", "600"));
    ecs.updateContainerInstancesState(
        b ->
            b.cluster(CLUSTER)
                .containerInstances(agent.containerInstanceArn())
                .status(ContainerInstanceStatus.DRAINING));
    try {
      assertThat(instance().status()).isEqualTo("DRAINING");
      assertThat(ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(td)).tasks()).isEmpty();
    } finally {
      ecs.updateContainerInstancesState(
          b ->
              b.cluster(CLUSTER)
                  .containerInstances(agent.containerInstanceArn())
                  .status(ContainerInstanceStatus.ACTIVE));
    }
    Task task = run(td);
    awaitStatus(task.taskArn(), "RUNNING");
    ecs.stopTask(b -> b.cluster(CLUSTER).task(task.taskArn()));
    awaitStatus(task.taskArn(), "STOPPED");
  }

  @Test
  void anImageRemovedAfterUseIsPulledAgainAndFailsClearlyWhenItCannotBe() throws Exception {
    // A registry on a closed loopback port: a pull of this name can only fail, and stays local.
    String image = "127.0.0.1:1/wharf-test/busybox:removed";
    docker("tag", DockerFixture.IMAGE, image);
    String td =
        register(
            "removed-image",
            ContainerDefinition.builder()
                .name("main")
                .image(image)
                .memory(16)
                .command("sleep", "600")
                .build());
    Task first = run(td);
    awaitStatus(first.taskArn(), "RUNNING");
    ecs.stopTask(b -> b.cluster(CLUSTER).task(first.taskArn()));
    awaitStatus(first.taskArn(), "STOPPED");
    docker("rmi", image);
    Task second = awaitStatus(run(td).taskArn(), "STOPPED");
    assertThat(second.stopCode().toString()).isEqualTo("TaskFailedToStart");
    assertThat(second.stoppedReason()).startsWith("CannotPullContainerError");
  }

  static void docker(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
  }
}
