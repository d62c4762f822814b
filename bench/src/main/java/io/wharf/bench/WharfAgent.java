package io.wharf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.sigv4.SigV4Signer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;

/**
 * {@code wharf agent} in a child JVM of its own, as an operator runs it on a container instance, so
 * that its resident memory is its own and not the control plane's.
 *
 * <p>Threading: see {@link ChildJvm}; everything here is called from the benchmark's main thread.
 */
final class WharfAgent implements AutoCloseable {
  /** What {@code wharf agent} prints once it runs (before it has registered). */
  private static final String STARTED = "Wharf agent started for cluster ";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final ChildJvm process;

  private WharfAgent(ChildJvm process) {
    this.process = process;
  }

  /**
   * Spawns {@code wharf agent --endpoint endpoint --cluster cluster --data-dir dataDir
   * --instance-address address --cpu cpu --memory memoryMiB --join-token T} and returns once it
   * printed that it runs. The join token is created with the bench's admin key (as {@code wharf
   * join-token create} does); an agent whose data dir holds its key already ignores it.
   * Registration and the channel follow in the background: wait for {@code agentConnected}.
   */
  static WharfAgent start(
      Path jar,
      String endpoint,
      String cluster,
      Path dataDir,
      String instanceAddress,
      long cpu,
      long memoryMiB)
      throws IOException {
    return new WharfAgent(
        ChildJvm.start(
            "wharf agent",
            jar,
            List.of(
                "agent",
                "--endpoint",
                endpoint,
                "--cluster",
                cluster,
                "--data-dir",
                dataDir.toString(),
                "--instance-address",
                instanceAddress,
                "--cpu",
                Long.toString(cpu),
                "--memory",
                Long.toString(memoryMiB),
                "--join-token",
                joinToken(endpoint, cluster)),
            STARTED,
            START_TIMEOUT));
  }

  /** A single-use join token for {@code cluster}, created with the bench's admin key. */
  static String joinToken(String endpoint, String cluster) throws IOException {
    ObjectMapper json = new ObjectMapper();
    byte[] body = json.writeValueAsBytes(json.createObjectNode().put("cluster", cluster));
    URI uri = URI.create(endpoint + "/");
    Map<String, String> headers =
        new SigV4Signer(
                WharfServer.KEY_ID, WharfServer.SECRET, "us-east-1", "ecs", Clock.systemUTC())
            .sign(
                "POST",
                uri,
                Map.of(
                    "content-type",
                    "application/x-amz-json-1.1",
                    "x-amz-target",
                    "WharfV1.CreateJoinToken"),
                body);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(
        (k, v) -> {
          if (!k.equals("host")) {
            request.header(k, v);
          }
        });
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode answer = json.readTree(response.body());
      if (response.statusCode() != 200) {
        throw new IOException("Cannot create a join token: " + response.body());
      }
      return answer.path("joinToken").asText();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while creating a join token", e);
    }
  }

  /**
   * Waits until the agent's instance in {@code cluster} is ACTIVE and connected (its channel is
   * open), polling the API; fails at once when the agent exits.
   */
  ContainerInstance awaitConnected(EcsClient ecs, String cluster, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!isAlive()) {
        throw new IllegalStateException("wharf agent exited:\n" + outputTail());
      }
      List<String> arns =
          ecs.listContainerInstances(b -> b.cluster(cluster)).containerInstanceArns();
      if (!arns.isEmpty()) {
        for (ContainerInstance i :
            ecs.describeContainerInstances(b -> b.cluster(cluster).containerInstances(arns))
                .containerInstances()) {
          if (Boolean.TRUE.equals(i.agentConnected()) && "ACTIVE".equals(i.status())) {
            return i;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "The agent did not connect within " + timeout + ":\n" + outputTail());
  }

  long pid() {
    return process.pid();
  }

  /** The agent's log line once its channel to the control plane is open. */
  static final String CHANNEL_OPEN = "Agent channel open to ";

  /** When the agent next logs {@link #CHANNEL_OPEN} ({@link System#nanoTime()}). */
  java.util.concurrent.CompletableFuture<Long> nextChannelOpen() {
    return process.nextLineContaining(CHANNEL_OPEN);
  }

  /** The agent process's resident set size in bytes; see {@link ChildJvm#residentBytes()}. */
  OptionalLong residentBytes() {
    return process.residentBytes();
  }

  /** A full collection in the agent's JVM; see {@link ChildJvm#fullGc()}. */
  boolean fullGc() {
    return process.fullGc();
  }

  /** The agent's last lines of output, for failure messages. */
  String outputTail() {
    return process.outputTail();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM: the agent closes its channel and leaves its containers running. */
  void stop() {
    process.stop(STOP_TIMEOUT);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
