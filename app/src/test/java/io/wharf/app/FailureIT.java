package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.agent.Agent;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.ContainerState;
import io.wharf.runtime.docker.DockerRuntime;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Failure behaviour on the real engine: kill -9 of the agent and of the control plane, an agent
 * that goes silent, and a Docker engine that goes away and comes back.
 */
class FailureIT {
  static ContainerRuntime docker;

  @BeforeAll
  static void image() throws Exception {
    DockerFixture.ensureTestImage();
    docker = DockerFixture.docker();
  }

  @AfterAll
  static void close() {
    docker.close();
  }

  static String register(EcsClient ecs, String family, String... command) {
    return ecs.registerTaskDefinition(
            b ->
                b.family(family)
                    .containerDefinitions(
                        ContainerDefinition.builder()
                            .name("main")
                            .image(DockerFixture.IMAGE)
                            .memory(16)
                            .command(command)
                            .build()))
        .taskDefinition()
        .taskDefinitionArn();
  }

  static Task describe(EcsClient ecs, String cluster, String arn) {
    return ecs.describeTasks(b -> b.cluster(cluster).tasks(arn)).tasks().get(0);
  }

  static Task awaitStatus(EcsClient ecs, String cluster, String arn, String status) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> describe(ecs, cluster, arn).lastStatus().equals(status));
    return describe(ecs, cluster, arn);
  }

  static boolean connected(EcsClient ecs, String cluster) {
    var instances = ecs.listContainerInstances(b -> b.cluster(cluster)).containerInstanceArns();
    return !instances.isEmpty()
        && ecs
            .describeContainerInstances(b -> b.cluster(cluster).containerInstances(instances))
            .containerInstances()
            .stream()
            .allMatch(i -> i.agentConnected());
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aKilledAgentLeavesContainersRunningAndReAdoptsThemWithoutDuplicates() throws Exception {
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client()) {
      ecs.createCluster(b -> b.clusterName("agent-kill"));
      Path dir = DockerFixture.tempDir("wharf-agent-kill");
      List<String> args =
          List.of(
              "agent",
              "--endpoint",
              server.endpoint(),
              "--cluster",
              "agent-kill",
              "--data-dir",
              dir.toString(),
              "--instance-address",
              "127.0.0.3",
              "--heartbeat",
              "PT1S",
              "--stop-timeout",
              "PT2S",
              "--dynamic-ports",
              "41000-41999",
              "--cpu",
              "1024",
              "--memory",
              "1024");
      // The agent host has no admin key: it joins with a single-use token, once, made by
      // wharf join-token create where the admin key is.
      ServerProcess.Result created =
          ServerProcess.runCommand(
              List.of(
                  "join-token",
                  "create",
                  "--endpoint",
                  server.endpoint(),
                  "--cluster",
                  "agent-kill",
                  "--expires-in",
                  "PT10M"));
      assertThat(created.exitCode()).as(created.output()).isZero();
      List<String> joining = new java.util.ArrayList<>(args);
      joining.addAll(List.of("--join-token", created.output().strip()));
      ServerProcess agent = ServerProcess.spawn(joining, "Wharf agent started", false);
      await().atMost(Duration.ofSeconds(30)).until(() -> connected(ecs, "agent-kill"));
      assertThat(
              java.nio.file.Files.getPosixFilePermissions(dir.resolve("agent-key.json")).stream()
                  .map(Object::toString)
                  .sorted()
                  .toList())
          .containsExactly("OWNER_READ", "OWNER_WRITE");
      String instance =
          ecs.listContainerInstances(b -> b.cluster("agent-kill")).containerInstanceArns().get(0);
      String td = register(ecs, "survives", "sleep", "600");
      String arn =
          ecs.runTask(b -> b.cluster("agent-kill").taskDefinition(td)).tasks().get(0).taskArn();
      awaitStatus(ecs, "agent-kill", arn, "RUNNING");
      List<String> before = DockerFixture.running(docker, arn);
      assertThat(before).hasSize(1);

      agent.kill();
      // The container outlives its agent.
      assertThat(DockerFixture.running(docker, arn)).isEqualTo(before);

      // Restarted without a token: it signs with the key it kept.
      ServerProcess again = ServerProcess.spawn(args, "Wharf agent started", false);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> connected(ecs, "agent-kill"));
        // Same instance, same single container, task still RUNNING.
        assertThat(ecs.listContainerInstances(b -> b.cluster("agent-kill")).containerInstanceArns())
            .containsExactly(instance);
        assertThat(describe(ecs, "agent-kill", arn).lastStatus()).isEqualTo("RUNNING");
        assertThat(DockerFixture.running(docker, arn)).isEqualTo(before);
        assertThat(docker.list(Map.of("com.amazonaws.ecs.task-arn", arn))).hasSize(1);
        // The re-adopted container is watched: its exit stops the task with its real exit code.
        docker.stop(before.get(0), Duration.ZERO);
        Task stopped;
        try {
          stopped = awaitStatus(ecs, "agent-kill", arn, "STOPPED");
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          throw new AssertionError("agent output:\n" + String.join("\n", again.output), e);
        }
        assertThat(stopped.stopCode().toString()).isEqualTo("EssentialContainerExited");
        assertThat(stopped.containers().get(0).exitCode()).isEqualTo(137);

        // Deregistering the instance revokes its key: the channel closes, the agent's next call
        // is refused, and the agent says so and exits (no retry can mend a revoked key).
        ecs.deregisterContainerInstance(b -> b.cluster("agent-kill").containerInstance(instance));
        assertThat(again.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
            .as(String.join("\n", again.output))
            .isTrue();
        assertThat(again.process.exitValue()).isEqualTo(1);
        // The output reader may still be behind the exit.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> String.join("\n", again.output).contains("refused this instance's key"));
        assertThat(String.join("\n", again.output))
            .contains("The security token included in the request is invalid.");
      } finally {
        again.kill();
        docker
            .list(Map.of("com.amazonaws.ecs.cluster", "agent-kill"))
            .forEach(c -> docker.remove(c.id()));
      }
    }
  }

  @Test
  void aKilledControlPlaneLosesNothingAndLearnsWhatHappenedMeanwhile() throws Exception {
    int port = freePort();
    Path data = DockerFixture.tempDir("wharf-cp-kill");
    ServerProcess plane = ServerProcess.startOnPort(port, data);
    String endpoint = plane.endpoint;
    Agent agent = null;
    try (EcsClient ecs = DurabilityTest.client(endpoint)) {
      ecs.createCluster(b -> b.clusterName("cp-kill"));
      agent =
          DockerFixture.startAgent(
              endpoint, "cp-kill", DockerFixture.tempDir("wharf-agent-cp"), "127.0.0.4", docker);
      Agent a = agent;
      await().atMost(Duration.ofSeconds(30)).until(() -> connected(ecs, "cp-kill"));
      String longTd = register(ecs, "long", "sleep", "600");
      String shortTd = register(ecs, "short", "sh", "-c", "sleep 6; exit 7");
      String longArn =
          ecs.runTask(b -> b.cluster("cp-kill").taskDefinition(longTd)).tasks().get(0).taskArn();
      String shortArn =
          ecs.runTask(b -> b.cluster("cp-kill").taskDefinition(shortTd)).tasks().get(0).taskArn();
      awaitStatus(ecs, "cp-kill", longArn, "RUNNING");
      awaitStatus(ecs, "cp-kill", shortArn, "RUNNING");
      List<String> longContainers = DockerFixture.running(docker, longArn);

      plane.kill();
      // While the control plane is down the short task's container exits with 7.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> DockerFixture.running(docker, shortArn).isEmpty());
      assertThat(DockerFixture.running(docker, longArn)).isEqualTo(longContainers);

      plane = ServerProcess.startOnPort(port, data);
      await().atMost(Duration.ofSeconds(60)).until(() -> connected(ecs, "cp-kill"));
      Task shortTask = awaitStatus(ecs, "cp-kill", shortArn, "STOPPED");
      assertThat(shortTask.containers().get(0).exitCode()).isEqualTo(7);
      assertThat(shortTask.stoppedReason()).isEqualTo("Essential container in task exited");
      assertThat(describe(ecs, "cp-kill", longArn).lastStatus()).isEqualTo("RUNNING");
      assertThat(DockerFixture.running(docker, longArn)).isEqualTo(longContainers);
      assertThat(a.containerInstanceArn()).isNotBlank();
    } finally {
      if (agent != null) {
        String id = agent.instanceId();
        agent.close();
        DockerFixture.removeContainersOf(docker, id);
      }
      plane.kill();
    }
  }

  @Test
  void aSilentAgentIsDisconnectedAndGetsNoTasksUntilItReturns() throws Exception {
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client()) {
      ecs.createCluster(b -> b.clusterName("silent"));
      Path dir = DockerFixture.tempDir("wharf-agent-silent");
      Agent agent = DockerFixture.startAgent(server.endpoint(), "silent", dir, "127.0.0.5", docker);
      await().atMost(Duration.ofSeconds(30)).until(() -> connected(ecs, "silent"));
      agent.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> !connected(ecs, "silent"));
      String td = register(ecs, "waits", "sleep", "600");
      RunTaskResponse refused = ecs.runTask(b -> b.cluster("silent").taskDefinition(td));
      assertThat(refused.tasks()).isEmpty();
      assertThat(refused.failures())
          .singleElement()
          .satisfies(f -> assertThat(f.reason()).isEqualTo("AGENT"));

      Agent back = DockerFixture.startAgent(server.endpoint(), "silent", dir, "127.0.0.5", docker);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> connected(ecs, "silent"));
        String arn =
            ecs.runTask(b -> b.cluster("silent").taskDefinition(td)).tasks().get(0).taskArn();
        awaitStatus(ecs, "silent", arn, "RUNNING");
      } finally {
        back.close();
        DockerFixture.removeContainersOf(docker, back.instanceId());
      }
    }
  }

  @Test
  void anUnreachableEngineFailsTasksClearlyAndTheAgentRecoversWhenItIsBack() throws Exception {
    int port = freePort();
    DockerSocketProxy proxy = DockerSocketProxy.start(port);
    ContainerRuntime viaProxy = DockerRuntime.connect(URI.create("tcp://127.0.0.1:" + port));
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client()) {
      ecs.createCluster(b -> b.clusterName("engine"));
      Agent agent =
          new Agent(
                  DockerFixture.agentConfig(
                      server.endpoint(),
                      "engine",
                      DockerFixture.tempDir("wharf-agent-engine"),
                      "127.0.0.6"),
                  viaProxy,
                  Clock.systemUTC())
              .start();
      try {
        // The engine goes away after the agent has matched its containers to its tasks (before
        // that, a manifest waits for the engine: nothing to fail yet).
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> connected(ecs, "engine") && agent.hasTakenDesiredState());
        String td = register(ecs, "engine-task", "sleep", "600");

        proxy.close();
        String failedArn =
            ecs.runTask(b -> b.cluster("engine").taskDefinition(td)).tasks().get(0).taskArn();
        Task failed = awaitStatus(ecs, "engine", failedArn, "STOPPED");
        assertThat(failed.stopCode().toString()).isEqualTo("TaskFailedToStart");
        assertThat(failed.stoppedReason()).startsWith("Cannot");
        // The agent itself stays connected to the control plane.
        assertThat(connected(ecs, "engine")).isTrue();

        proxy = DockerSocketProxy.start(port);
        String arn =
            ecs.runTask(b -> b.cluster("engine").taskDefinition(td)).tasks().get(0).taskArn();
        awaitStatus(ecs, "engine", arn, "RUNNING");
        // Events flow again: an exit is noticed.
        docker.stop(DockerFixture.running(docker, arn).get(0), Duration.ZERO);
        assertThat(awaitStatus(ecs, "engine", arn, "STOPPED").containers().get(0).exitCode())
            .isEqualTo(137);
      } finally {
        agent.close();
        DockerFixture.removeContainersOf(docker, agent.instanceId());
      }
    } finally {
      proxy.close();
      viaProxy.close();
    }
  }

  static boolean isRunning(ContainerState s) {
    return s.status() == ContainerState.Status.RUNNING;
  }

  @Test
  void aCopyOfAnAgentsDataDirFencesTheOlderProcessWhichStopsRatherThanFight() throws Exception {
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client()) {
      ecs.createCluster(b -> b.clusterName("copied"));
      Path dir = DockerFixture.tempDir("wharf-agent-original");
      Agent original =
          DockerFixture.startAgent(server.endpoint(), "copied", dir, "127.0.0.13", docker);
      Agent copy = null;
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> connected(ecs, "copied"));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Files.exists(dir.resolve("agent-state.json")));
        Path copied = DockerFixture.tempDir("wharf-agent-copy");
        for (String file : List.of("agent-key.json", "agent-state.json")) {
          Files.copy(dir.resolve(file), copied.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        // Same key, same instance identity: the copy registers the same instance again.
        copy = DockerFixture.startAgent(server.endpoint(), "copied", copied, "127.0.0.14", docker);
        assertThat(copy.containerInstanceArn()).isEqualTo(original.containerInstanceArn());

        // The older process is fenced out and stops, saying why.
        String reason = original.stopped().get(60, TimeUnit.SECONDS);
        assertThat(reason).contains("registered after this one").contains("is stale");

        // The newer one serves the instance.
        await().atMost(Duration.ofSeconds(30)).until(() -> connected(ecs, "copied"));
        String td = register(ecs, "copied-task", "sleep", "600");
        String arn =
            ecs.runTask(b -> b.cluster("copied").taskDefinition(td)).tasks().get(0).taskArn();
        awaitStatus(ecs, "copied", arn, "RUNNING");
        assertThat(copy.stopped()).isNotDone();
      } finally {
        original.close();
        DockerFixture.removeContainersOf(docker, original.instanceId());
        if (copy != null) {
          copy.close();
        }
      }
    }
  }
}
