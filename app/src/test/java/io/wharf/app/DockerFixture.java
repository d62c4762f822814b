package io.wharf.app;

import io.wharf.agent.Agent;
import io.wharf.agent.AgentConfig;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.docker.DockerRuntime;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real Docker engine and the locally built test image, for the *IT tests. */
final class DockerFixture {
  static final String IMAGE = "wharf-test/busybox:latest";

  private DockerFixture() {}

  /** Builds the test image from the host's static busybox (no registry) when it is missing. */
  static void ensureTestImage() throws IOException, InterruptedException {
    Path script = Path.of("..", "scripts", "test-image.sh").toAbsolutePath().normalize();
    Process p =
        new ProcessBuilder("bash", script.toString(), IMAGE).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("Cannot build the test image: " + out);
    }
  }

  /** An image with nothing in it (no shell, no binaries): every container of it fails to start. */
  static final String BROKEN_IMAGE = "wharf-test/broken:latest";

  /** Imports {@link #BROKEN_IMAGE} from an empty tar archive (no registry). */
  static void ensureBrokenImage() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "bash", "-c", "tar cf - --files-from /dev/null | docker import - " + BROKEN_IMAGE)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("Cannot import the broken image: " + out);
    }
  }

  static ContainerRuntime docker() {
    return DockerRuntime.connect();
  }

  /**
   * A join token for one agent, created with the admin key as {@code wharf join-token create} does;
   * the cluster must exist.
   */
  static String joinToken(String endpoint, String cluster) {
    RawClient.Answer answer =
        new RawClient(endpoint)
            .send("WharfV1.CreateJoinToken", "{\"cluster\":\"" + cluster + "\"}");
    if (answer.status() != 200) {
      throw new IllegalStateException("Cannot create a join token: " + answer.body());
    }
    return answer.body().path("joinToken").asText();
  }

  /**
   * An agent config for tests: short timers, its own data dir and loopback address; it joins with a
   * join token of its own unless its data dir holds a key already.
   */
  static AgentConfig agentConfig(String endpoint, String cluster, Path dataDir, String address) {
    return new AgentConfig(
        URI.create(endpoint),
        cluster,
        dataDir,
        address,
        2048,
        2048,
        "us-east-1a",
        Map.of("stack", "test"),
        Agent.hasJoined(dataDir) ? null : joinToken(endpoint, cluster),
        "us-east-1",
        AgentConfig.DEFAULT_RESERVED_PORTS,
        40000,
        40999,
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofMinutes(5));
  }

  static Agent startAgent(
      String endpoint, String cluster, Path dataDir, String address, ContainerRuntime runtime)
      throws InterruptedException {
    Agent agent =
        new Agent(agentConfig(endpoint, cluster, dataDir, address), runtime, Clock.systemUTC())
            .start();
    if (!agent.awaitRegistered(Duration.ofSeconds(30))) {
      throw new IllegalStateException("the agent did not register");
    }
    return agent;
  }

  /** Removes every container an agent instance started (by its instance label). */
  static void removeContainersOf(ContainerRuntime runtime, String instanceId) {
    runtime.list(Map.of("io.wharf.instance-id", instanceId)).forEach(c -> runtime.remove(c.id()));
  }

  static Path tempDir(String prefix) throws IOException {
    return Files.createTempDirectory(prefix);
  }

  static List<String> running(ContainerRuntime runtime, String taskArn) {
    return runtime.list(Map.of("com.amazonaws.ecs.task-arn", taskArn)).stream()
        .filter(c -> c.status() == io.wharf.runtime.ContainerState.Status.RUNNING)
        .map(io.wharf.runtime.ContainerState::id)
        .toList();
  }
}
