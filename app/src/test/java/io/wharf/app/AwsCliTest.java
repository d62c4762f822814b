package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operation of the foundation through the real {@code aws} CLI: the one first on PATH (v1 on
 * these machines) and Debian's v2 at /usr/bin/aws when installed. Each CLI signs a different header
 * set, so this is also the SigV4 compatibility test.
 */
class AwsCliTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** The CLIs on this machine. The suite's script installs Debian's awscli when it can. */
  static Stream<String> clis() {
    List<String> found = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path aws = Path.of(dir, "aws");
      if (Files.isExecutable(aws) && !aws.toString().equals("/usr/bin/aws")) {
        found.add(aws.toString());
        break;
      }
    }
    if (Files.isExecutable(Path.of("/usr/bin/aws"))) {
      found.add("/usr/bin/aws");
    }
    assertThat(found).as("an aws CLI on PATH or at /usr/bin/aws").isNotEmpty();
    return found.stream();
  }

  record Run(int exitCode, String stdout, String stderr) {
    JsonNode json() {
      try {
        return JSON.readTree(stdout);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + stdout + "\n" + stderr, e);
      }
    }
  }

  static Run aws(String cli, String... args) throws IOException, InterruptedException {
    return awsAt(cli, server.endpoint(), args);
  }

  /**
   * Runs {@code cli} against {@code endpoint} with the test key; returns its exit code and output.
   */
  static Run awsAt(String cli, String endpoint, String... args)
      throws IOException, InterruptedException {
    return awsAt(cli, endpoint, Map.of(), args);
  }

  /**
   * As {@link #awsAt(String, String, String...)}, with more environment ({@code AWS_DATA_PATH}).
   */
  static Run awsAt(String cli, String endpoint, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of(cli, "--endpoint-url", endpoint, "--output", "json"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("AWS_ACCESS_KEY_ID", TestServer.KEY_ID);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", TestServer.SECRET);
    pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
    pb.environment().put("AWS_PAGER", "");
    pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
    pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    pb.environment().remove("AWS_PROFILE");
    pb.environment().putAll(env);
    Path err = Files.createTempFile("aws-cli", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("aws " + String.join(" ", args) + " hung");
    }
    String stderr = Files.readString(err);
    Files.delete(err);
    return new Run(p.exitValue(), out, stderr);
  }

  static JsonNode ok(String cli, String... args) throws Exception {
    Run r = aws(cli, args);
    assertThat(r.exitCode()).as("aws %s\n%s", String.join(" ", args), r.stderr()).isZero();
    return r.stdout().isBlank() ? JSON.createObjectNode() : r.json();
  }

  static String fails(String cli, String... args) throws Exception {
    Run r = aws(cli, args);
    assertThat(r.exitCode()).as("aws %s should fail", String.join(" ", args)).isNotZero();
    return r.stderr();
  }

  @ParameterizedTest
  @MethodSource("clis")
  void clustersThroughTheCli(String cli) throws Exception {
    String name = "cli-" + Integer.toHexString(cli.hashCode());
    assertThat(
            ok(cli, "ecs", "create-cluster", "--cluster-name", name, "--tags", "key=team,value=a")
                .path("cluster")
                .path("status")
                .asText())
        .isEqualTo("ACTIVE");
    JsonNode described =
        ok(
            cli,
            "ecs",
            "describe-clusters",
            "--clusters",
            name,
            "ghost",
            "--include",
            "TAGS",
            "SETTINGS",
            "STATISTICS");
    assertThat(described.path("clusters").get(0).path("tags").get(0).path("key").asText())
        .isEqualTo("team");
    assertThat(described.path("failures").get(0).path("reason").asText()).isEqualTo("MISSING");
    // The CLI pages through ListClusters by itself (here one cluster per page).
    assertThat(ok(cli, "ecs", "list-clusters", "--page-size", "1").path("clusterArns").toString())
        .contains(name);
    ok(
        cli,
        "ecs",
        "update-cluster-settings",
        "--cluster",
        name,
        "--settings",
        "name=containerInsights,value=enabled");
    ok(
        cli,
        "ecs",
        "update-cluster",
        "--cluster",
        name,
        "--configuration",
        "executeCommandConfiguration={logging=NONE}");
    String arn = server.clusterArn(name);
    ok(cli, "ecs", "tag-resource", "--resource-arn", arn, "--tags", "key=env,value=dev");
    ok(cli, "ecs", "untag-resource", "--resource-arn", arn, "--tag-keys", "team");
    assertThat(
            ok(cli, "ecs", "list-tags-for-resource", "--resource-arn", arn).path("tags").toString())
        .contains("env")
        .doesNotContain("team");
    assertThat(
            ok(cli, "ecs", "delete-cluster", "--cluster", name)
                .path("cluster")
                .path("status")
                .asText())
        .isEqualTo("INACTIVE");
    assertThat(fails(cli, "ecs", "delete-cluster", "--cluster", name))
        .contains("ClusterNotFoundException");
    assertThat(fails(cli, "ecs", "create-cluster", "--cluster-name", "no spaces"))
        .contains("InvalidParameterException");
  }

  @ParameterizedTest
  @MethodSource("clis")
  void taskDefinitionsThroughTheCli(String cli) throws Exception {
    String family = "cli-td-" + Integer.toHexString(cli.hashCode());
    Path file = Files.createTempFile("taskdef", ".json");
    Files.writeString(
        file,
        """
        {"family": "%s",
         "containerDefinitions": [{"name": "web", "image": "busybox:local", "memory": 64,
           "portMappings": [{"containerPort": 8080}], "healthCheck": {"command": ["CMD-SHELL", "true"]}}],
         "tags": [{"key": "app", "value": "web"}]}
        """
            .formatted(family));
    JsonNode registered =
        ok(cli, "ecs", "register-task-definition", "--cli-input-json", "file://" + file);
    assertThat(registered.path("taskDefinition").path("revision").asInt()).isEqualTo(1);
    assertThat(
            registered
                .path("taskDefinition")
                .path("containerDefinitions")
                .get(0)
                .path("healthCheck")
                .path("interval")
                .asInt())
        .isEqualTo(30);
    ok(cli, "ecs", "register-task-definition", "--cli-input-json", "file://" + file);
    JsonNode described =
        ok(
            cli,
            "ecs",
            "describe-task-definition",
            "--task-definition",
            family,
            "--include",
            "TAGS");
    assertThat(described.path("taskDefinition").path("revision").asInt()).isEqualTo(2);
    assertThat(described.path("tags").get(0).path("value").asText()).isEqualTo("web");
    assertThat(
            ok(cli, "ecs", "list-task-definitions", "--family-prefix", family, "--sort", "DESC")
                .path("taskDefinitionArns")
                .get(0)
                .asText())
        .endsWith(family + ":2");
    assertThat(
            ok(cli, "ecs", "list-task-definition-families", "--family-prefix", family)
                .path("families")
                .get(0)
                .asText())
        .isEqualTo(family);
    assertThat(
            ok(cli, "ecs", "deregister-task-definition", "--task-definition", family + ":1")
                .path("taskDefinition")
                .path("status")
                .asText())
        .isEqualTo("INACTIVE");
    Run delete = aws(cli, "ecs", "delete-task-definitions", "--task-definitions", family + ":1");
    if (delete.stderr().contains("Invalid choice")) {
      // Debian's CLI v2 (2.9.x) predates DeleteTaskDefinitions (2023); the SDK and CLI v1 cover it.
      assertThat(cli).isEqualTo("/usr/bin/aws");
    } else {
      assertThat(delete.exitCode()).as(delete.stderr()).isZero();
      assertThat(delete.json().path("taskDefinitions").get(0).path("status").asText())
          .isEqualTo("DELETE_IN_PROGRESS");
    }
    assertThat(fails(cli, "ecs", "describe-task-definition", "--task-definition", "nothing-here"))
        .contains("ClientException");
    Files.delete(file);
  }

  @ParameterizedTest
  @MethodSource("clis")
  void attributesAndSettingsThroughTheCli(String cli) throws Exception {
    String cluster = "cli-attr-" + Integer.toHexString(cli.hashCode());
    ok(cli, "ecs", "create-cluster", "--cluster-name", cluster);
    String instance =
        server
            .client()
            .registerContainerInstance(
                b -> b.cluster(cluster).instanceIdentityDocument("{\"instanceId\":\"i-0cli\"}"))
            .containerInstance()
            .containerInstanceArn();
    ok(
        cli,
        "ecs",
        "put-attributes",
        "--cluster",
        cluster,
        "--attributes",
        "name=stack,value=prod,targetId=" + instance);
    assertThat(
            ok(
                    cli,
                    "ecs",
                    "list-attributes",
                    "--cluster",
                    cluster,
                    "--target-type",
                    "container-instance",
                    "--attribute-name",
                    "stack")
                .path("attributes")
                .get(0)
                .path("value")
                .asText())
        .isEqualTo("prod");
    ok(
        cli,
        "ecs",
        "delete-attributes",
        "--cluster",
        cluster,
        "--attributes",
        "name=stack,targetId=" + instance);
    assertThat(
            ok(
                    cli,
                    "ecs",
                    "list-attributes",
                    "--cluster",
                    cluster,
                    "--target-type",
                    "container-instance",
                    "--attribute-name",
                    "stack")
                .path("attributes"))
        .isEmpty();
    assertThat(
            fails(
                cli,
                "ecs",
                "put-attributes",
                "--cluster",
                cluster,
                "--attributes",
                "name=x,targetId=nope"))
        .contains("TargetNotFoundException");

    assertThat(
            ok(
                    cli,
                    "ecs",
                    "put-account-setting",
                    "--name",
                    "containerInsights",
                    "--value",
                    "enabled")
                .path("setting")
                .path("value")
                .asText())
        .isEqualTo("enabled");
    ok(cli, "ecs", "put-account-setting-default", "--name", "awsvpcTrunking", "--value", "enabled");
    JsonNode effective =
        ok(cli, "ecs", "list-account-settings", "--effective-settings", "--name", "awsvpcTrunking");
    assertThat(effective.path("settings").get(0).path("value").asText()).isEqualTo("enabled");
    ok(cli, "ecs", "delete-account-setting", "--name", "containerInsights");
    assertThat(
            ok(cli, "ecs", "list-account-settings", "--name", "containerInsights").path("settings"))
        .isEmpty();
  }

  @ParameterizedTest
  @MethodSource("clis")
  void wrongCredentialsAndUnimplementedOperationsFailClearly(String cli) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(cli, "--endpoint-url", server.endpoint(), "ecs", "list-clusters");
    pb.environment().put("AWS_ACCESS_KEY_ID", TestServer.KEY_ID);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", "wrong");
    pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
    pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
    pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isNotZero();
    assertThat(out).contains("InvalidSignatureException");

    assertThat(fails(cli, "ecs", "describe-task-sets", "--cluster", "default", "--service", "s"))
        .contains("UnsupportedFeatureException")
        .contains("DescribeTaskSets");
  }
}
