package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.agent.Agent;
import io.wharf.runtime.ContainerRuntime;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The agent's awslogs delivery on the real engine: a task's stdout and stderr in its log stream,
 * read back with the SDK and both CLIs; blocking mode exact across a killed agent and a control
 * plane stopped and started on its data dir; non-blocking mode's drops counted; multi-line events;
 * a missing group failing the task as ECS does.
 */
class AwslogsIT {
  static ContainerRuntime docker;

  /** Prints 1, 2, 3, ... one line every 5 ms until stopped. */
  static final String[] COUNTER = {
    "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i; usleep 5000; done"
  };

  @BeforeAll
  static void image() throws Exception {
    DockerFixture.ensureTestImage();
    docker = DockerFixture.docker();
  }

  @AfterAll
  static void close() {
    docker.close();
  }

  static CloudWatchLogsClient logs(String endpoint) {
    return CloudWatchLogsClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.KEY_ID, TestServer.SECRET)))
        .build();
  }

  static String register(
      EcsClient ecs, String family, Map<String, String> options, String... command) {
    return ecs.registerTaskDefinition(
            b ->
                b.family(family)
                    .containerDefinitions(
                        ContainerDefinition.builder()
                            .name("main")
                            .image(DockerFixture.IMAGE)
                            .memory(32)
                            .command(command)
                            .logConfiguration(
                                LogConfiguration.builder()
                                    .logDriver(LogDriver.AWSLOGS)
                                    .options(options)
                                    .build())
                            .build()))
        .taskDefinition()
        .taskDefinitionArn();
  }

  static Map<String, String> options(String group, String... more) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("awslogs-group", group);
    o.put("awslogs-region", "us-east-1");
    o.put("awslogs-stream-prefix", "app");
    for (int i = 0; i < more.length; i += 2) {
      o.put(more[i], more[i + 1]);
    }
    return o;
  }

  static String taskId(String taskArn) {
    return taskArn.substring(taskArn.lastIndexOf('/') + 1);
  }

  static String run(EcsClient ecs, String cluster, String td) {
    // A freshly started agent is registered before its channel is up: wait until it takes tasks.
    await().atMost(Duration.ofSeconds(30)).until(() -> FailureIT.connected(ecs, cluster));
    return ecs.runTask(b -> b.cluster(cluster).taskDefinition(td)).tasks().get(0).taskArn();
  }

  /** Every event of the stream, oldest first, paging forward until the token comes back. */
  static List<OutputLogEvent> readAll(CloudWatchLogsClient logs, String group, String stream) {
    List<OutputLogEvent> out = new ArrayList<>();
    String token = null;
    while (true) {
      String t = token;
      GetLogEventsResponse page =
          logs.getLogEvents(
              b -> {
                b.logGroupName(group).logStreamName(stream).startFromHead(true);
                if (t != null) {
                  b.nextToken(t);
                }
              });
      out.addAll(page.events());
      if (page.nextForwardToken().equals(token)) {
        return out;
      }
      token = page.nextForwardToken();
    }
  }

  static List<Long> numbers(List<OutputLogEvent> events) {
    return events.stream().map(e -> Long.parseLong(e.message())).toList();
  }

  /** The container's output as the engine kept it (docker logs), one entry per line. */
  static List<String> engineLog(String containerId) throws Exception {
    Process p =
        new ProcessBuilder("docker", "logs", containerId)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.lines().toList();
  }

  static void assertEveryNumberOnceInOrder(
      CloudWatchLogsClient logs, String group, String stream, String containerId) throws Exception {
    List<String> engine = engineLog(containerId);
    long last = Long.parseLong(engine.getLast());
    assertThat(engine).hasSize((int) last);
    AtomicReference<List<Long>> stored = new AtomicReference<>(List.of());
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                List<Long> now = numbers(readAll(logs, group, stream));
                stored.set(now);
                return now.size() >= last;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // Falls through to the exact comparison below, which says what is missing.
    }
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= last; i++) {
      expected.add(i);
    }
    List<Long> missing = new ArrayList<>(expected);
    missing.removeAll(stored.get());
    StringBuilder found = new StringBuilder();
    for (Long n : missing.subList(0, Math.min(5, missing.size()))) {
      found
          .append(n)
          .append(" in FilterLogEvents: ")
          .append(
              logs
                  .filterLogEvents(b -> b.logGroupName(group).filterPattern("\"" + n + "\""))
                  .events()
                  .stream()
                  .filter(e -> e.message().equals(String.valueOf(n)))
                  .map(e -> e.timestamp() + "/" + e.ingestionTime())
                  .toList())
          .append('\n');
    }
    assertThat(stored.get()).as(found.toString()).containsExactlyElementsOf(expected);
  }

  static Task awaitStatus(EcsClient ecs, String cluster, String arn, String status) {
    return FailureIT.awaitStatus(ecs, cluster, arn, status);
  }

  static String containerOf(String taskArn) {
    List<String> ids =
        docker.list(Map.of("com.amazonaws.ecs.task-arn", taskArn)).stream()
            .map(io.wharf.runtime.ContainerState::id)
            .toList();
    assertThat(ids).hasSize(1);
    return ids.getFirst();
  }

  /** Waits until the stream holds at least {@code count} events. */
  static void awaitEvents(CloudWatchLogsClient logs, String group, String stream, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              int n = readAll(logs, group, stream).size();
              return n >= count;
            });
  }

  @Test
  void stdoutAndStderrReachTheStreamEcsNamesInOrderForTheSdkAndBothClis() throws Exception {
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client();
        CloudWatchLogsClient logs = logs(server.endpoint())) {
      ecs.createCluster(b -> b.clusterName("awslogs"));
      Agent agent =
          DockerFixture.startAgent(
              server.endpoint(),
              "awslogs",
              DockerFixture.tempDir("wharf-awslogs"),
              "127.0.0.41",
              docker);
      try {
        String td =
            register(
                ecs,
                "printer",
                options("/ecs/printer", "awslogs-create-group", "true", "mode", "blocking"),
                "sh",
                "-c",
                "i=1; while [ $i -le 200 ]; do echo out-$i; echo err-$i >&2; i=$((i+1)); done");
        String arn = run(ecs, "awslogs", td);
        awaitStatus(ecs, "awslogs", arn, "STOPPED");
        String stream = "app/main/" + taskId(arn);
        awaitEvents(logs, "/ecs/printer", stream, 400);
        List<String> messages =
            readAll(logs, "/ecs/printer", stream).stream().map(OutputLogEvent::message).toList();
        assertThat(messages).hasSize(400);
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
          out.add("out-" + i);
          err.add("err-" + i);
        }
        assertThat(messages.stream().filter(m -> m.startsWith("out-")).toList())
            .containsExactlyElementsOf(out);
        assertThat(messages.stream().filter(m -> m.startsWith("err-")).toList())
            .containsExactlyElementsOf(err);
        assertThat(
                logs.describeLogStreams(b -> b.logGroupName("/ecs/printer")).logStreams().stream()
                    .map(s -> s.logStreamName())
                    .toList())
            .containsExactly(stream);

        List<FilteredLogEvent> filtered =
            logs.filterLogEvents(b -> b.logGroupName("/ecs/printer").filterPattern("\"err-1\""))
                .events();
        // err-1, err-10..19, err-100..199
        assertThat(filtered).hasSize(1 + 10 + 100);
        assertThat(filtered).allMatch(e -> e.logStreamName().equals(stream));

        for (String cli : AwsCliTest.clis().toList()) {
          AwsCliTest.Run r =
              AwsCliTest.awsAt(
                  cli,
                  server.endpoint(),
                  "logs",
                  "get-log-events",
                  "--log-group-name",
                  "/ecs/printer",
                  "--log-stream-name",
                  stream,
                  "--start-from-head");
          assertThat(r.exitCode()).as(cli + ": " + r.stderr()).isZero();
          List<String> viaCli = new ArrayList<>();
          for (JsonNode e : r.json().path("events")) {
            viaCli.add(e.path("message").asText());
          }
          assertThat(viaCli).as(cli).containsExactlyElementsOf(messages);
        }
      } finally {
        String id = agent.instanceId();
        agent.close();
        DockerFixture.removeContainersOf(docker, id);
      }
    }
  }

  @Test
  void aMultiLinePatternJoinsAStackTraceIntoOneEvent() throws Exception {
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client();
        CloudWatchLogsClient logs = logs(server.endpoint())) {
      ecs.createCluster(b -> b.clusterName("multiline"));
      Agent agent =
          DockerFixture.startAgent(
              server.endpoint(),
              "multiline",
              DockerFixture.tempDir("wharf-awslogs-ml"),
              "127.0.0.42",
              docker);
      try {
        logs.createLogGroup(b -> b.logGroupName("ml"));
        String td =
            register(
                ecs,
                "trace",
                options("ml", "awslogs-multiline-pattern", "^\\d{4}-\\d{2}-\\d{2} "),
                "sh",
                "-c",
                "echo '2026-12-08 ERROR request failed'; echo 'java.lang.IllegalStateException:"
                    + " boom'; echo '    at io.wharf.A.run(A.java:10)'; echo '    at"
                    + " io.wharf.B.main(B.java:3)'; echo '2026-12-08 INFO next request'");
        String arn = run(ecs, "multiline", td);
        awaitStatus(ecs, "multiline", arn, "STOPPED");
        String stream = "app/main/" + taskId(arn);
        awaitEvents(logs, "ml", stream, 2);
        assertThat(readAll(logs, "ml", stream).stream().map(OutputLogEvent::message).toList())
            .containsExactly(
                "2026-12-08 ERROR request failed\njava.lang.IllegalStateException: boom\n"
                    + "    at io.wharf.A.run(A.java:10)\n    at io.wharf.B.main(B.java:3)",
                "2026-12-08 INFO next request");
      } finally {
        String id = agent.instanceId();
        agent.close();
        DockerFixture.removeContainersOf(docker, id);
      }
    }
  }

  @Test
  void aMissingGroupThatMayNotBeCreatedStopsTheTaskWithEcsReason() throws Exception {
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client()) {
      ecs.createCluster(b -> b.clusterName("nogroup"));
      Agent agent =
          DockerFixture.startAgent(
              server.endpoint(),
              "nogroup",
              DockerFixture.tempDir("wharf-awslogs-ng"),
              "127.0.0.43",
              docker);
      try {
        String td =
            register(
                ecs,
                "orphan",
                options("/ecs/missing", "awslogs-create-group", "false"),
                "echo",
                "hello");
        String arn = run(ecs, "nogroup", td);
        Task stopped = awaitStatus(ecs, "nogroup", arn, "STOPPED");
        String reason =
            "ResourceInitializationError: failed to validate logger args: create stream has been"
                + " retried 1 times: failed to create Cloudwatch log stream:"
                + " ResourceNotFoundException: The specified log group does not exist. : exit"
                + " status 1";
        assertThat(stopped.stoppedReason()).isEqualTo(reason);
        assertThat(stopped.containers().get(0).reason()).isEqualTo(reason);
        // It never ran: its container was created, and never started.
        assertThat(docker.inspect(containerOf(arn)).orElseThrow().startedAt()).isNull();
      } finally {
        String id = agent.instanceId();
        agent.close();
        DockerFixture.removeContainersOf(docker, id);
      }
    }
  }

  @Test
  void blockingModeDeliversEveryNumberOnceAcrossAKilledAgent() throws Exception {
    try (TestServer server = TestServer.start();
        EcsClient ecs = server.client();
        CloudWatchLogsClient logs = logs(server.endpoint())) {
      ecs.createCluster(b -> b.clusterName("awslogs-kill"));
      Path dir = DockerFixture.tempDir("wharf-awslogs-kill");
      List<String> args =
          List.of(
              "agent",
              "--endpoint",
              server.endpoint(),
              "--cluster",
              "awslogs-kill",
              "--data-dir",
              dir.toString(),
              "--instance-address",
              "127.0.0.44",
              "--heartbeat",
              "PT1S",
              "--stop-timeout",
              "PT2S",
              "--dynamic-ports",
              "42000-42999",
              "--cpu",
              "1024",
              "--memory",
              "1024");
      List<String> joining = new ArrayList<>(args);
      joining.addAll(
          List.of("--join-token", DockerFixture.joinToken(server.endpoint(), "awslogs-kill")));
      ServerProcess agent = ServerProcess.spawn(joining, "Wharf agent started", false);
      ServerProcess again = null;
      String arn = null;
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> FailureIT.connected(ecs, "awslogs-kill"));
        logs.createLogGroup(b -> b.logGroupName("counter"));
        String td = register(ecs, "counter", options("counter", "mode", "blocking"), COUNTER);
        arn = run(ecs, "awslogs-kill", td);
        awaitStatus(ecs, "awslogs-kill", arn, "RUNNING");
        String stream = "app/main/" + taskId(arn);
        awaitEvents(logs, "counter", stream, 300);

        agent.kill();
        // The container goes on printing while no agent delivers.
        Thread.sleep(2000);
        again = ServerProcess.spawn(args, "Wharf agent started", false);
        int beforeStop = readAll(logs, "counter", stream).size();
        awaitEvents(logs, "counter", stream, beforeStop + 300);
        String container = containerOf(arn);
        docker.stop(container, Duration.ZERO);
        awaitStatus(ecs, "awslogs-kill", arn, "STOPPED");
        try {
          assertEveryNumberOnceInOrder(logs, "counter", stream, container);
        } catch (AssertionError e) {
          throw new AssertionError(
              e.getMessage() + "\nagent output:\n" + String.join("\n", again.output), e);
        }
      } finally {
        agent.kill();
        if (again != null) {
          again.kill();
        }
        docker
            .list(Map.of("com.amazonaws.ecs.cluster", "awslogs-kill"))
            .forEach(c -> docker.remove(c.id()));
      }
    }
  }

  @Test
  void blockingModeDeliversEveryNumberOnceAcrossAControlPlaneStoppedAndStarted() throws Exception {
    int port = FailureIT.freePort();
    Path data = DockerFixture.tempDir("wharf-awslogs-cp");
    ServerProcess plane = ServerProcess.startOnPort(port, data);
    String endpoint = plane.endpoint;
    Agent agent = null;
    try (EcsClient ecs = DurabilityTest.client(endpoint);
        CloudWatchLogsClient logs = logs(endpoint)) {
      ecs.createCluster(b -> b.clusterName("awslogs-cp"));
      agent =
          DockerFixture.startAgent(
              endpoint,
              "awslogs-cp",
              DockerFixture.tempDir("wharf-agent-awslogs-cp"),
              "127.0.0.45",
              docker);
      logs.createLogGroup(b -> b.logGroupName("counter"));
      String td = register(ecs, "counter", options("counter", "mode", "blocking"), COUNTER);
      String arn = run(ecs, "awslogs-cp", td);
      awaitStatus(ecs, "awslogs-cp", arn, "RUNNING");
      String stream = "app/main/" + taskId(arn);
      awaitEvents(logs, "counter", stream, 300);

      // Stopped as an operator stops it (SIGTERM), mid-stream; then killed outright, the second
      // time, while batches keep coming.
      plane.close();
      Thread.sleep(2000);
      plane = ServerProcess.startOnPort(port, data);
      int afterFirst = readAll(logs, "counter", stream).size();
      awaitEvents(logs, "counter", stream, afterFirst + 300);
      plane.kill();
      Thread.sleep(2000);
      plane = ServerProcess.startOnPort(port, data);
      int afterSecond = readAll(logs, "counter", stream).size();
      awaitEvents(logs, "counter", stream, afterSecond + 300);

      String container = containerOf(arn);
      docker.stop(container, Duration.ZERO);
      awaitStatus(ecs, "awslogs-cp", arn, "STOPPED");
      assertEveryNumberOnceInOrder(logs, "counter", stream, container);
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
  void nonBlockingModeDropsTheOldestWhileTheControlPlaneIsDownAndCountsThem() throws Exception {
    int port = FailureIT.freePort();
    Path data = DockerFixture.tempDir("wharf-awslogs-nb");
    ServerProcess plane = ServerProcess.startOnPort(port, data);
    String endpoint = plane.endpoint;
    Agent agent = null;
    try (EcsClient ecs = DurabilityTest.client(endpoint);
        CloudWatchLogsClient logs = logs(endpoint)) {
      ecs.createCluster(b -> b.clusterName("awslogs-nb"));
      agent =
          DockerFixture.startAgent(
              endpoint,
              "awslogs-nb",
              DockerFixture.tempDir("wharf-agent-awslogs-nb"),
              "127.0.0.46",
              docker);
      Agent a = agent;
      logs.createLogGroup(b -> b.logGroupName("counter"));
      // 2 KiB: a few dozen lines (each counts its bytes plus 26).
      String td =
          register(
              ecs,
              "counter",
              options("counter", "mode", "non-blocking", "max-buffer-size", "2k"),
              COUNTER);
      String arn = run(ecs, "awslogs-nb", td);
      awaitStatus(ecs, "awslogs-nb", arn, "RUNNING");
      String stream = "app/main/" + taskId(arn);
      awaitEvents(logs, "counter", stream, 100);
      String container = containerOf(arn);

      plane.kill();
      int printedAtOutage = engineLog(container).size();
      // Nothing holds the container up: it goes on printing while its lines cannot be sent.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> engineLog(container).size() > printedAtOutage + 500);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                Long dropped = a.awslogsDroppedEvents().get(container);
                return dropped != null && dropped > 0;
              });

      plane = ServerProcess.startOnPort(port, data);
      int afterOutage = readAll(logs, "counter", stream).size();
      awaitEvents(logs, "counter", stream, afterOutage + 100);
      docker.stop(container, Duration.ZERO);
      awaitStatus(ecs, "awslogs-nb", arn, "STOPPED");

      long last = Long.parseLong(engineLog(container).getLast());
      AtomicReference<List<Long>> stored = new AtomicReference<>(List.of());
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                List<Long> now = numbers(readAll(logs, "counter", stream));
                stored.set(now);
                return !now.isEmpty() && now.getLast() == last;
              });
      List<Long> numbers = stored.get();
      // Never twice, never out of order; what is missing is exactly what was counted as dropped.
      for (int i = 1; i < numbers.size(); i++) {
        assertThat(numbers.get(i)).isGreaterThan(numbers.get(i - 1));
      }
      long dropped = a.awslogsDroppedEvents().get(container);
      assertThat(dropped).isPositive();
      assertThat(numbers.size() + dropped).isEqualTo(last);
    } finally {
      if (agent != null) {
        String id = agent.instanceId();
        agent.close();
        DockerFixture.removeContainersOf(docker, id);
      }
      plane.kill();
    }
  }
}
