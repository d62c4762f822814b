package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.agent.Agent;
import io.wharf.runtime.ContainerRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Wharf's answer to a dead agent (ECS has none): past the lost time its tasks are STOPPED and the
 * service replaces them on another instance; when the agent returns it stops the old containers, so
 * the service's task never runs twice.
 */
class LostInstanceIT {
  static final String CLUSTER = "lost";

  @Test
  void aLostInstancesServiceTaskIsReplacedAndItsContainerStoppedWhenTheAgentReturns()
      throws Exception {
    DockerFixture.ensureTestImage();
    try (TestServer server = TestServer.start(Duration.ofSeconds(5));
        EcsClient ecs = server.client();
        ContainerRuntime docker = DockerFixture.docker()) {
      ecs.createCluster(b -> b.clusterName(CLUSTER));
      Path dirA = DockerFixture.tempDir("wharf-lost-a");
      Agent a = DockerFixture.startAgent(server.endpoint(), CLUSTER, dirA, "127.0.0.6", docker);
      Agent b =
          DockerFixture.startAgent(
              server.endpoint(),
              CLUSTER,
              DockerFixture.tempDir("wharf-lost-b"),
              "127.0.0.7",
              docker);
      Agent returned = null;
      try {
        ecs.registerTaskDefinition(
            r ->
                r.family("one")
                    .containerDefinitions(
                        ContainerDefinition.builder()
                            .name("one")
                            .image(DockerFixture.IMAGE)
                            .memory(32)
                            .command("sleep", "3600")
                            .build()));
        // Only instance A takes the task at first: B is draining.
        ecs.updateContainerInstancesState(
            r ->
                r.cluster(CLUSTER).containerInstances(b.containerInstanceArn()).status("DRAINING"));
        ecs.createService(
            r -> r.cluster(CLUSTER).serviceName("one").taskDefinition("one").desiredCount(1));
        // One read per poll, and the list that satisfied the condition is the one used afterwards.
        Task first =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> running(ecs), tasks -> tasks.size() == 1)
                .getFirst();
        assertThat(first.containerInstanceArn()).isEqualTo(a.containerInstanceArn());
        List<String> containers = DockerFixture.running(docker, first.taskArn());
        assertThat(containers).hasSize(1);
        ecs.updateContainerInstancesState(
            r -> r.cluster(CLUSTER).containerInstances(b.containerInstanceArn()).status("ACTIVE"));

        // Agent A dies; its container keeps running, as containers do when agents die.
        a.close();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> running(ecs),
                tasks ->
                    tasks.size() == 1
                        && tasks
                            .getFirst()
                            .containerInstanceArn()
                            .equals(b.containerInstanceArn()));
        Task stopped =
            ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(first.taskArn())).tasks().getFirst();
        assertThat(stopped.lastStatus()).isEqualTo("STOPPED");
        assertThat(stopped.stoppedReason()).contains("lost contact with Wharf");
        assertThat(DockerFixture.running(docker, first.taskArn())).hasSize(1);

        // A comes back (same data dir, same identity) and stops what was replaced.
        returned = DockerFixture.startAgent(server.endpoint(), CLUSTER, dirA, "127.0.0.6", docker);
        assertThat(returned.containerInstanceArn()).isEqualTo(a.containerInstanceArn());
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> DockerFixture.running(docker, first.taskArn()).isEmpty());
        List<Task> remaining = running(ecs);
        assertThat(remaining).hasSize(1);
        assertThat(DockerFixture.running(docker, remaining.getFirst().taskArn())).hasSize(1);
      } finally {
        for (Agent agent : new Agent[] {returned, b}) {
          if (agent != null) {
            String id = agent.instanceId();
            agent.close();
            DockerFixture.removeContainersOf(docker, id);
          }
        }
        DockerFixture.removeContainersOf(docker, a.instanceId());
      }
    }
  }

  static List<Task> running(EcsClient ecs) {
    List<String> arns =
        ecs.listTasks(
                r -> r.cluster(CLUSTER).serviceName("one").desiredStatus(DesiredStatus.RUNNING))
            .taskArns();
    if (arns.isEmpty()) {
      return List.of();
    }
    return ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arns)).tasks().stream()
        .filter(t -> t.lastStatus().equals("RUNNING"))
        .toList();
  }
}
