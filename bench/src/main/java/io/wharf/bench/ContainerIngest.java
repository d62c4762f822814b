package io.wharf.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The ingest figure: a container's 200-byte lines, through the engine's log, the agent's
 * awslogs delivery (blocking mode) and PutLogEvents, to durable storage; against {@code docker logs
 * --follow} reading the same output of a plain {@code docker run} of the same container, in the
 * same run, rounds alternating which goes first.
 *
 * <pre>
 *  Wharf:    RunTask; from the container's State.StartedAt (engine clock = host clock) until the
 *            stream's last stored event is the container's last line (GetLogEvents from the tail,
 *            every 50 ms)
 *  baseline: docker run -d; docker logs --follow from its start; from State.StartedAt until the
 *            last line is read
 * </pre>
 *
 * Both are rates of the same bytes from the same start, so their ratio is the figure (the issue: at
 * least 0.8, and at least 20 MB/s). The container writes with busybox's {@code seq | sed}, which is
 * faster than either reader, so neither figure is the container's own rate.
 */
final class ContainerIngest {
  private static final String CLUSTER = "logsbench";
  private static final String FAMILY = "logsbench-ingest";
  private static final String CONTAINER = "writer";
  private static final String GROUP = "bench/container";
  private static final String PREFIX = "bench";
  private static final String IMAGE = "wharf-test/busybox:latest";
  private static final String INSTANCE_ADDRESS = "127.0.0.11";
  private static final int LINE_BYTES = 200;
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final Samples wharfSeconds = new Samples("Wharf: container → agent → stored");
  private final Samples dockerSeconds = new Samples("`docker logs --follow`");
  private final long lines;
  private final int rounds;
  private final List<String> taskContainers = new ArrayList<>();

  ContainerIngest(long lines, int rounds) {
    this.lines = lines;
    this.rounds = rounds;
  }

  /** The phase's report section. */
  String run(WharfServer server, CloudWatchLogsClient logs, Path jar, Path dir) throws Exception {
    Consumer<String> progress = m -> System.err.println("LogsBench: " + m);
    DockerCli.ensureImage(IMAGE, IMAGE, Path.of("scripts/test-image.sh"), progress);
    EcsClient ecs = Clients.ecs(server.endpoint());
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    try (WharfAgent agent =
        WharfAgent.start(
            jar, server.endpoint(), CLUSTER, dir.resolve("agent"), INSTANCE_ADDRESS, 4096, 8192)) {
      agent.awaitConnected(ecs, CLUSTER, Duration.ofSeconds(60));
      ecs.registerTaskDefinition(
          b ->
              b.family(FAMILY)
                  .containerDefinitions(
                      ContainerDefinition.builder()
                          .name(CONTAINER)
                          .image(IMAGE)
                          .command("sh", "-c", writer())
                          .memory(256)
                          .essential(true)
                          .logConfiguration(
                              LogConfiguration.builder()
                                  .logDriver(LogDriver.AWSLOGS)
                                  .options(
                                      Map.of(
                                          "awslogs-group", GROUP,
                                          "awslogs-region", "us-east-1",
                                          "awslogs-stream-prefix", PREFIX,
                                          "awslogs-create-group", "true",
                                          "mode", "blocking"))
                                  .build())
                          .build()));
      for (int round = 0; round < rounds; round++) {
        progress.accept("container ingest, round " + (round + 1) + " of " + rounds);
        if (round % 2 == 0) {
          wharf(ecs, logs);
          docker();
        } else {
          docker();
          wharf(ecs, logs);
        }
      }
    } finally {
      DockerCli.removeForcibly(taskContainers);
    }
    double megabytes = lines * (LINE_BYTES + 1) / 1e6;
    double wharfRate = megabytes / (wharfSeconds.median() / 1000);
    double dockerRate = megabytes / (dockerSeconds.median() / 1000);
    return "## Container → agent → store (target: ≥ 0.8 × `docker logs --follow`, ≥ 20 MB/s)\n\n"
        + "%,d lines of %d bytes and a newline (%.0f MB) from one container, %d rounds; medians.\n\n"
            .formatted(lines, LINE_BYTES, megabytes, rounds)
        + new MarkdownTable("Reader", "median s", "lines/s", "MB/s")
            .row(row(wharfSeconds, wharfRate))
            .row(row(dockerSeconds, dockerRate))
            .row("Wharf / docker logs", "", "", String.format("%.2f", wharfRate / dockerRate))
            .render()
        + "\n";
  }

  private String[] row(Samples s, double rate) {
    return new String[] {
      s.label(),
      String.format("%.2f", s.median() / 1000),
      String.format("%,.0f", lines / (s.median() / 1000)),
      String.format("%.1f", rate)
    };
  }

  /** Numbered lines (seq -w pads them to the last one's width), each LINE_BYTES long. */
  private String writer() {
    String pad = "x".repeat(LINE_BYTES - lastLine().length() - 1);
    return "seq -w 1 %d | sed 's/$/ %s/'".formatted(lines, pad);
  }

  private String lastLine() {
    return String.format("%0" + Long.toString(lines).length() + "d", lines);
  }

  private void wharf(EcsClient ecs, CloudWatchLogsClient logs) throws Exception {
    Task task = ecs.runTask(b -> b.cluster(CLUSTER).taskDefinition(FAMILY).count(1)).tasks().get(0);
    String taskId = task.taskArn().substring(task.taskArn().lastIndexOf('/') + 1);
    String stream = PREFIX + "/" + CONTAINER + "/" + taskId;
    String last = lastLine();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Instant stored = null;
    while (stored == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The task's last line was not stored within " + TIMEOUT);
      }
      try {
        GetLogEventsResponse tail =
            logs.getLogEvents(
                b -> b.logGroupName(GROUP).logStreamName(stream).startFromHead(false).limit(1));
        if (!tail.events().isEmpty() && tail.events().get(0).message().startsWith(last + " ")) {
          stored = Instant.now();
        }
      } catch (ResourceNotFoundException notYet) {
        // The stream is made before the container starts; until then there is nothing to read.
      }
      if (stored == null) {
        Thread.sleep(50);
      }
    }
    String containerId =
        DockerCli.containersLabelled("com.amazonaws.ecs.task-arn", task.taskArn()).get(0);
    taskContainers.add(containerId);
    Instant started = DockerCli.createdAndStarted(containerId)[1];
    wharfSeconds.addMillis(Duration.between(started, stored).toNanos() / 1e6);
    ecs.stopTask(b -> b.cluster(CLUSTER).task(task.taskArn()));
  }

  private void docker() throws Exception {
    String id =
        DockerCli.check("run", "-d", "--log-driver", "json-file", IMAGE, "sh", "-c", writer());
    try {
      Process follow =
          new ProcessBuilder("docker", "logs", "--follow", id)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String last = lastLine() + " ";
      Instant read = null;
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.startsWith(last)) {
            read = Instant.now();
            break;
          }
        }
      }
      follow.destroy();
      if (read == null) {
        throw new IllegalStateException("docker logs --follow ended before the last line");
      }
      Instant started = DockerCli.createdAndStarted(id)[1];
      dockerSeconds.addMillis(Duration.between(started, read).toNanos() / 1e6);
    } finally {
      DockerCli.removeForcibly(List.of(id));
    }
  }
}
