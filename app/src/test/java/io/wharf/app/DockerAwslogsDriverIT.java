package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;

/**
 * Docker's own awslogs driver, unmodified, as a second client of Wharf's PutLogEvents: {@code
 * docker run --log-driver awslogs --log-opt awslogs-endpoint=http://127.0.0.1:<port> ...}. The
 * driver runs inside dockerd and takes its credentials from dockerd's environment; {@code
 * scripts/prereqs.sh} starts dockerd with {@code AWS_SHARED_CREDENTIALS_FILE} pointing at a
 * Wharf-owned file, into which this test writes the test server's keys for its duration.
 */
class DockerAwslogsDriverIT {
  static final Path CREDENTIALS =
      Path.of(
          System.getenv()
              .getOrDefault(
                  "WHARF_DOCKERD_AWS_CREDENTIALS", "/var/lib/wharf/dockerd-aws-credentials"));

  @Test
  void docker_sAwslogsDriverDeliversThroughWharf() throws Exception {
    assertThat(Files.exists(CREDENTIALS))
        .as(
            "Docker's awslogs driver runs inside dockerd and needs credentials from dockerd's"
                + " environment. This dockerd was not started by scripts/prereqs.sh, which starts"
                + " it with AWS_SHARED_CREDENTIALS_FILE=%s. Stop dockerd and run"
                + " scripts/prereqs.sh (or start dockerd with that variable and create the file,"
                + " mode 600), then run this test again.",
            CREDENTIALS)
        .isTrue();
    DockerFixture.ensureTestImage();
    String name = "wharf-awslogs-driver-" + UUID.randomUUID().toString().substring(0, 8);
    try (TestServer server = TestServer.start();
        CloudWatchLogsClient logs = AwslogsIT.logs(server.endpoint())) {
      writeOwnerOnly(
          ("[default]\naws_access_key_id = "
              + TestServer.KEY_ID
              + "\naws_secret_access_key = "
              + TestServer.SECRET
              + "\n"));
      // Two batches (the driver sends every 5 s): the second carries the first's sequence token.
      List<String> command =
          List.of(
              "docker",
              "run",
              "--name",
              name,
              "--log-driver",
              "awslogs",
              "--log-opt",
              "awslogs-endpoint=" + server.endpoint(),
              "--log-opt",
              "awslogs-region=us-east-1",
              "--log-opt",
              "awslogs-group=docker-driver",
              "--log-opt",
              "awslogs-stream=" + name,
              "--log-opt",
              "awslogs-create-group=true",
              DockerFixture.IMAGE,
              "sh",
              "-c",
              "echo first-1; echo first-2; sleep 7; echo second-1; echo second-2");
      Process run = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(run.exitValue()).as(out).isZero();
      List<String> expected = List.of("first-1", "first-2", "second-1", "second-2");
      List<String> stored = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                List<String> now =
                    AwslogsIT.readAll(logs, "docker-driver", name).stream()
                        .map(OutputLogEvent::message)
                        .toList();
                stored.clear();
                stored.addAll(now);
                return now.size() >= expected.size();
              });
      assertThat(stored).containsExactlyElementsOf(expected);
    } finally {
      // The keys do not outlive the test; the container is this test's own.
      writeOwnerOnly("");
      new ProcessBuilder("docker", "rm", "-f", name)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(60, TimeUnit.SECONDS);
    }
  }

  private static void writeOwnerOnly(String text) throws java.io.IOException {
    Files.writeString(CREDENTIALS, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(
        CREDENTIALS, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }
}
