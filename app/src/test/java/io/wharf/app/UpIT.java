package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.runtime.ContainerRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;

/**
 * {@code wharf up}: one command, a control plane and a local agent; kill -9 of it loses nothing.
 */
class UpIT {
  static final String READY = "Wharf is up at ";

  @Test
  void upRunsTasksAndAKilledUpReAdoptsThem() throws Exception {
    DockerFixture.ensureTestImage();
    Path data = DockerFixture.tempDir("wharf-up");
    List<String> args =
        List.of(
            "up", "--port", "0", "--data-dir", data.toString(), "--account-id", TestServer.ACCOUNT);
    ServerProcess up = ServerProcess.spawn(args, READY);
    String endpoint = up.endpoint.substring(0, up.endpoint.indexOf(' '));
    String instanceId;
    String taskArn;
    List<String> containers;
    try (ContainerRuntime docker = DockerFixture.docker()) {
      try (EcsClient ecs = DurabilityTest.client(endpoint)) {
        List<String> instances =
            ecs.listContainerInstances(b -> b.cluster("default")).containerInstanceArns();
        assertThat(instances).hasSize(1);
        // The agent registers before its channel is open: wait until it counts as connected.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    ecs.describeContainerInstances(
                            b -> b.cluster("default").containerInstances(instances))
                        .containerInstances()
                        .get(0)
                        .agentConnected());
        ContainerInstance instance =
            ecs.describeContainerInstances(b -> b.cluster("default").containerInstances(instances))
                .containerInstances()
                .get(0);
        assertThat(instance.agentConnected()).isTrue();
        instanceId = instance.ec2InstanceId();
        // The local agent joined with a token: its own key, owner-only, in its data dir.
        assertThat(
                java.nio.file.Files.getPosixFilePermissions(
                        data.resolve("agent").resolve("agent-key.json"))
                    .stream()
                    .map(Object::toString)
                    .sorted()
                    .toList())
            .containsExactly("OWNER_READ", "OWNER_WRITE");
        // And up printed how another machine joins, with a token that works.
        String joinLine =
            up.output.stream().filter(l -> l.contains("--join-token ")).findFirst().orElseThrow();
        String token = joinLine.replaceAll(".*--join-token (\\S+).*", "$1");
        int dot = token.indexOf('.');
        RawClient.Answer joined =
            new RawClient(endpoint)
                .send(
                    "WharfV1.JoinCluster",
                    "{\"cluster\":\"default\"}",
                    token.substring(0, dot),
                    token.substring(dot + 1),
                    java.time.Clock.systemUTC());
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        ecs.registerTaskDefinition(
            b ->
                b.family("up")
                    .containerDefinitions(
                        ContainerDefinition.builder()
                            .name("main")
                            .image(DockerFixture.IMAGE)
                            .memory(16)
                            .command("sleep", "600")
                            .build()));
        taskArn = ecs.runTask(b -> b.taskDefinition("up")).tasks().get(0).taskArn();
        AwsCliTest.Run waited =
            AwsCliTest.awsAt(
                AwsCliTest.clis().findFirst().orElseThrow(),
                endpoint,
                "ecs",
                "wait",
                "tasks-running",
                "--tasks",
                taskArn);
        assertThat(waited.exitCode()).as(waited.stderr()).isZero();
        containers = DockerFixture.running(docker, taskArn);
        assertThat(containers).hasSize(1);
      }

      up.kill();
      assertThat(DockerFixture.running(docker, taskArn)).isEqualTo(containers);

      ServerProcess again = ServerProcess.spawn(args, READY);
      try (EcsClient ecs =
          DurabilityTest.client(again.endpoint.substring(0, again.endpoint.indexOf(' ')))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    ecs.describeTasks(b -> b.tasks(taskArn))
                        .tasks()
                        .get(0)
                        .lastStatus()
                        .equals("RUNNING"));
        assertThat(ecs.listContainerInstances(b -> b.cluster("default")).containerInstanceArns())
            .hasSize(1);
        assertThat(DockerFixture.running(docker, taskArn)).isEqualTo(containers);
        assertThat(docker.list(Map.of("com.amazonaws.ecs.task-arn", taskArn))).hasSize(1);
        ecs.stopTask(b -> b.task(taskArn));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    ecs.describeTasks(b -> b.tasks(taskArn))
                        .tasks()
                        .get(0)
                        .lastStatus()
                        .equals("STOPPED"));
      } finally {
        again.close();
        DockerFixture.removeContainersOf(docker, instanceId);
      }
    }
  }
}
