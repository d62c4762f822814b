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
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * An agent comes back after a control-plane outage: the control plane is killed, stays down, and is
 * started again on the same port and data directory with {@code --instance-lost-after} at its
 * minimum; the agent reopens its channel, and its running task is neither lost nor restarted. (How
 * fast is the business of bench/'s ReconnectBench, not of a test.)
 */
class ReconnectIT {
  private static final String CLUSTER = "reconnect";
  private static final Duration OUTAGE = Duration.ofSeconds(10);

  @Test
  void anAgentReconnectsAfterAnOutageAndItsTaskKeepsRunning() throws Exception {
    int port = FailureIT.freePort();
    Path data = DockerFixture.tempDir("wharf-reconnect");
    // ServerProcess uses --agent-disconnect-after PT6S: the minimum lost time is the 30 s floor.
    String[] lostAtMinimum = {"--instance-lost-after", "PT30S"};
    ServerProcess plane = ServerProcess.startOnPort(port, data, lostAtMinimum);
    Agent agent = null;
    try (ContainerRuntime docker = DockerFixture.docker();
        EcsClient ecs = DurabilityTest.client(plane.endpoint)) {
      DockerFixture.ensureTestImage();
      ecs.createCluster(b -> b.clusterName(CLUSTER));
      agent =
          DockerFixture.startAgent(
              plane.endpoint,
              CLUSTER,
              DockerFixture.tempDir("wharf-agent-reconnect"),
              "127.0.0.6",
              docker);
      await().atMost(Duration.ofSeconds(30)).until(() -> FailureIT.connected(ecs, CLUSTER));
      String td = FailureIT.register(ecs, "reconnect", "sleep", "600");
      String taskArn =
          ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(td)).tasks().get(0).taskArn();
      FailureIT.awaitStatus(ecs, CLUSTER, taskArn, "RUNNING");
      List<String> containers = DockerFixture.running(docker, taskArn);
      String instanceArn = agent.containerInstanceArn();

      plane.kill();
      Thread.sleep(OUTAGE.toMillis());
      plane = ServerProcess.startOnPort(port, data, lostAtMinimum);

      // Connected again means the agent's channel is open on the new process (a restarted
      // control plane has no session until the agent opens one).
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> FailureIT.connected(ecs, CLUSTER));
      assertThat(agent.containerInstanceArn()).isEqualTo(instanceArn);
      // Lost tasks are stopped before the agent is back or not at all: once it is, none was.
      Task task = FailureIT.describe(ecs, CLUSTER, taskArn);
      assertThat(task.lastStatus()).isEqualTo("RUNNING");
      assertThat(task.stoppedReason()).isNull();
      assertThat(DockerFixture.running(docker, taskArn)).isEqualTo(containers);
    } finally {
      if (agent != null) {
        String id = agent.instanceId();
        agent.close();
        try (ContainerRuntime docker = DockerFixture.docker()) {
          DockerFixture.removeContainersOf(docker, id);
        }
      }
      plane.kill();
      TestServer.deleteTree(data);
    }
  }
}
