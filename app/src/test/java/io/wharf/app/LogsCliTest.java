package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CloudWatch Logs driven by both aws CLIs (v1 first on PATH, Debian's v2 at /usr/bin/aws): groups,
 * streams, events both ways, every filter pattern form, retention, tags, errors, and {@code aws
 * logs tail} with and without {@code --follow}.
 */
class LogsCliTest {
  static final List<String> CLIS = AwsCliTest.clis().toList();
  static final String V2 = "/usr/bin/aws";
  static TestServer server;

  @BeforeAll
  static void start() {
    assertThat(CLIS).as("the aws CLI v1 on PATH and v2 at /usr/bin/aws").hasSize(2);
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static AwsCliTest.Run run(String cli, String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "logs";
    System.arraycopy(args, 0, command, 1, args.length);
    return AwsCliTest.awsAt(cli, server.endpoint(), command);
  }

  private static JsonNode ok(String cli, String... args) throws Exception {
    AwsCliTest.Run r = run(cli, args);
    assertThat(r.exitCode()).as("%s logs %s\n%s", cli, String.join(" ", args), r.stderr()).isZero();
    return r.stdout().isBlank() ? AwsCliTest.JSON.createObjectNode() : r.json();
  }

  private static String fails(String cli, String... args) throws Exception {
    AwsCliTest.Run r = run(cli, args);
    assertThat(r.exitCode()).as("%s logs %s should fail", cli, String.join(" ", args)).isNotZero();
    return r.stderr();
  }

  private static String eventsJson(long firstTs, String... messages) throws IOException {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < messages.length; i++) {
      out.add(java.util.Map.of("timestamp", firstTs + i, "message", messages[i]));
    }
    return AwsCliTest.JSON.writeValueAsString(out);
  }

  private static List<String> messages(JsonNode response) {
    return StreamSupport.stream(response.path("events").spliterator(), false)
        .map(e -> e.path("message").asText())
        .toList();
  }

  /** A group and stream of their own for each CLI, with a name saying which. */
  private static String group(String cli, String what) {
    return "/cli/" + (cli.equals(V2) ? "v2" : "v1") + "/" + what;
  }

  @Test
  void putAndGetLogEventsPagingBothWaysUntilTheTokenRepeats() throws Exception {
    for (String cli : CLIS) {
      String g = group(cli, "paging");
      ok(cli, "create-log-group", "--log-group-name", g);
      ok(cli, "create-log-stream", "--log-group-name", g, "--log-stream-name", "s");
      long t = System.currentTimeMillis() - 60_000;
      JsonNode put =
          ok(
              cli,
              "put-log-events",
              "--log-group-name",
              g,
              "--log-stream-name",
              "s",
              "--log-events",
              eventsJson(t, "one", "two", "three", "four", "five"));
      assertThat(put.path("nextSequenceToken").asText()).isNotBlank();

      List<String> forward = new ArrayList<>();
      String token = null;
      for (int pages = 0; pages < 10; pages++) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    "get-log-events",
                    "--log-group-name",
                    g,
                    "--log-stream-name",
                    "s",
                    "--start-from-head",
                    "--limit",
                    "2"));
        if (token != null) {
          args.addAll(List.of("--next-token", token));
        }
        JsonNode page = ok(cli, args.toArray(String[]::new));
        forward.addAll(messages(page));
        String next = page.path("nextForwardToken").asText();
        assertThat(next).startsWith("f/");
        if (next.equals(token)) {
          break;
        }
        token = next;
      }
      assertThat(forward).containsExactly("one", "two", "three", "four", "five");

      List<String> backward = new ArrayList<>();
      token = null;
      for (int pages = 0; pages < 10; pages++) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    "get-log-events",
                    "--log-group-name",
                    g,
                    "--log-stream-name",
                    "s",
                    "--limit",
                    "2"));
        if (token != null) {
          args.addAll(List.of("--next-token", token));
        }
        JsonNode page = ok(cli, args.toArray(String[]::new));
        backward.addAll(0, messages(page));
        String next = page.path("nextBackwardToken").asText();
        assertThat(next).startsWith("b/");
        if (next.equals(token)) {
          break;
        }
        token = next;
      }
      assertThat(backward).containsExactly("one", "two", "three", "four", "five");

      JsonNode streams = ok(cli, "describe-log-streams", "--log-group-name", g);
      assertThat(streams.path("logStreams").get(0).path("lastEventTimestamp").asLong())
          .isEqualTo(t + 4);
      JsonNode groups = ok(cli, "describe-log-groups", "--log-group-name-prefix", g);
      assertThat(groups.path("logGroups").get(0).path("logGroupName").asText()).isEqualTo(g);
    }
  }

  @Test
  void filterLogEventsInEveryPatternForm() throws Exception {
    for (String cli : CLIS) {
      String g = group(cli, "filter");
      ok(cli, "create-log-group", "--log-group-name", g);
      ok(cli, "create-log-stream", "--log-group-name", g, "--log-stream-name", "api");
      ok(cli, "create-log-stream", "--log-group-name", g, "--log-stream-name", "worker");
      long t = System.currentTimeMillis() - 60_000;
      ok(
          cli,
          "put-log-events",
          "--log-group-name",
          g,
          "--log-stream-name",
          "api",
          "--log-events",
          eventsJson(
              t,
              "ERROR connection reset by peer",
              "INFO started",
              "{\"level\":\"error\",\"latency\":700}",
              "{\"level\":\"info\",\"latency\":3}"));
      ok(
          cli,
          "put-log-events",
          "--log-group-name",
          g,
          "--log-stream-name",
          "worker",
          "--log-events",
          eventsJson(t + 10, "WARN queue deep", "ERROR Timeout waiting"));

      assertThat(filter(cli, g, "ERROR"))
          .containsExactly("ERROR connection reset by peer", "ERROR Timeout waiting");
      assertThat(filter(cli, g, "ERROR connection"))
          .containsExactly("ERROR connection reset by peer");
      assertThat(filter(cli, g, "\"reset by peer\""))
          .containsExactly("ERROR connection reset by peer");
      assertThat(filter(cli, g, "ERROR -Timeout"))
          .containsExactly("ERROR connection reset by peer");
      assertThat(filter(cli, g, "?WARN ?started"))
          .containsExactly("INFO started", "WARN queue deep");
      assertThat(filter(cli, g, "{ $.level = \"error\" }"))
          .containsExactly("{\"level\":\"error\",\"latency\":700}");
      assertThat(filter(cli, g, "{ $.latency > 5 }"))
          .containsExactly("{\"level\":\"error\",\"latency\":700}");
      assertThat(filter(cli, g, "{ $.level = \"info\" || $.latency > 500 }")).hasSize(2);
      assertThat(filter(cli, g, "{ $.level = \"info\" && $.latency > 500 }")).isEmpty();

      JsonNode prefixed =
          ok(
              cli,
              "filter-log-events",
              "--log-group-name",
              g,
              "--log-stream-name-prefix",
              "work",
              "--filter-pattern",
              "ERROR");
      assertThat(messages(prefixed)).containsExactly("ERROR Timeout waiting");
      assertThat(prefixed.path("events").get(0).path("logStreamName").asText()).isEqualTo("worker");
      JsonNode named =
          ok(
              cli,
              "filter-log-events",
              "--log-group-name",
              g,
              "--log-stream-names",
              "api",
              "--start-time",
              Long.toString(t + 1),
              "--end-time",
              Long.toString(t + 2));
      assertThat(messages(named))
          .containsExactly("INFO started", "{\"level\":\"error\",\"latency\":700}");

      assertThat(
              fails(
                  cli, "filter-log-events", "--log-group-name", g, "--filter-pattern", "{ $.a = "))
          .contains("InvalidParameterException")
          .contains("Invalid filter pattern");
    }
  }

  private static List<String> filter(String cli, String group, String pattern) throws Exception {
    return messages(
        ok(cli, "filter-log-events", "--log-group-name", group, "--filter-pattern", pattern));
  }

  @Test
  void retentionTagsAndErrors() throws Exception {
    for (String cli : CLIS) {
      String g = group(cli, "meta");
      ok(cli, "create-log-group", "--log-group-name", g, "--tags", "team=core");
      assertThat(fails(cli, "create-log-group", "--log-group-name", g))
          .contains("ResourceAlreadyExistsException")
          .contains("The specified log group already exists");
      ok(cli, "put-retention-policy", "--log-group-name", g, "--retention-in-days", "14");
      assertThat(
              ok(cli, "describe-log-groups", "--log-group-name-prefix", g)
                  .path("logGroups")
                  .get(0)
                  .path("retentionInDays")
                  .asInt())
          .isEqualTo(14);
      assertThat(
              fails(cli, "put-retention-policy", "--log-group-name", g, "--retention-in-days", "4"))
          .contains("InvalidParameterException")
          .contains("retentionInDays");
      ok(cli, "delete-retention-policy", "--log-group-name", g);
      assertThat(
              ok(cli, "describe-log-groups", "--log-group-name-prefix", g)
                  .path("logGroups")
                  .get(0)
                  .has("retentionInDays"))
          .isFalse();

      ok(cli, "tag-log-group", "--log-group-name", g, "--tags", "env=test");
      assertThat(ok(cli, "list-tags-log-group", "--log-group-name", g).path("tags").toString())
          .isEqualTo("{\"env\":\"test\",\"team\":\"core\"}");
      ok(cli, "untag-log-group", "--log-group-name", g, "--tags", "env");
      String arn = "arn:aws:logs:us-east-1:" + TestServer.ACCOUNT + ":log-group:" + g;
      ok(cli, "tag-resource", "--resource-arn", arn, "--tags", "owner=me");
      assertThat(ok(cli, "list-tags-for-resource", "--resource-arn", arn).path("tags").toString())
          .isEqualTo("{\"owner\":\"me\",\"team\":\"core\"}");
      ok(cli, "untag-resource", "--resource-arn", arn, "--tag-keys", "team", "owner");
      assertThat(ok(cli, "list-tags-for-resource", "--resource-arn", arn).path("tags").size())
          .isZero();

      assertThat(fails(cli, "get-log-events", "--log-group-name", g, "--log-stream-name", "absent"))
          .contains("ResourceNotFoundException")
          .contains("The specified log stream does not exist.");
      assertThat(fails(cli, "delete-log-group", "--log-group-name", g + "-absent"))
          .contains("ResourceNotFoundException")
          .contains("The specified log group does not exist.");
      ok(cli, "create-log-stream", "--log-group-name", g, "--log-stream-name", "s");
      assertThat(fails(cli, "create-log-stream", "--log-group-name", g, "--log-stream-name", "s"))
          .contains("ResourceAlreadyExistsException");
      ok(cli, "delete-log-stream", "--log-group-name", g, "--log-stream-name", "s");
      ok(cli, "delete-log-group", "--log-group-name", g);
      assertThat(
              ok(cli, "describe-log-groups", "--log-group-name-prefix", g).path("logGroups").size())
          .isZero();
    }
  }

  @Test
  void awsLogsTailShowsWhatWasPutAndFollowsNewEvents() throws Exception {
    String g = "/cli/tail";
    ok(V2, "create-log-group", "--log-group-name", g);
    ok(V2, "create-log-stream", "--log-group-name", g, "--log-stream-name", "web/1");
    long t = System.currentTimeMillis() - 30_000;
    ok(
        V2,
        "put-log-events",
        "--log-group-name",
        g,
        "--log-stream-name",
        "web/1",
        "--log-events",
        eventsJson(t, "tail line one", "tail line two"));

    AwsCliTest.Run tail = AwsCliTest.awsAt(V2, server.endpoint(), "logs", "tail", g);
    assertThat(tail.exitCode()).as(tail.stderr()).isZero();
    assertThat(tail.stdout()).contains("web/1 tail line one").contains("web/1 tail line two");
    assertThat(tail.stdout().indexOf("tail line one"))
        .isLessThan(tail.stdout().indexOf("tail line two"));

    ProcessBuilder pb =
        new ProcessBuilder(V2, "--endpoint-url", server.endpoint(), "logs", "tail", g, "--follow");
    pb.environment().put("AWS_ACCESS_KEY_ID", TestServer.KEY_ID);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", TestServer.SECRET);
    pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
    pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
    pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    pb.environment().remove("AWS_PROFILE");
    Path out = Files.createTempFile("aws-logs-tail", ".out");
    pb.redirectOutput(out.toFile());
    pb.redirectErrorStream(true);
    Process follow = pb.start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                String seen = Files.readString(out, StandardCharsets.UTF_8);
                assertThat(seen).contains("tail line two");
              });
      ok(
          V2,
          "put-log-events",
          "--log-group-name",
          g,
          "--log-stream-name",
          "web/1",
          "--log-events",
          eventsJson(System.currentTimeMillis(), "followed line three"));
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                String seen = Files.readString(out, StandardCharsets.UTF_8);
                assertThat(seen).contains("web/1 followed line three");
              });
      assertThat(follow.isAlive()).as("--follow keeps following").isTrue();
    } finally {
      follow.destroy();
      follow.waitFor();
      Files.deleteIfExists(out);
    }
  }
}
