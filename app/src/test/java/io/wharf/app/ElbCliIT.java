package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code aws elbv2} commands of the whole load-balancing flow, through each aws CLI on this
 * machine (v1 first on PATH, Debian's v2 at /usr/bin/aws), traffic included.
 */
class ElbCliIT {
  static TestServer server;
  final List<ElbTesting.Backend> backends = new ArrayList<>();

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @AfterEach
  void closeBackends() {
    backends.forEach(ElbTesting.Backend::close);
  }

  static java.util.stream.Stream<String> clis() {
    return AwsCliTest.clis();
  }

  static JsonNode ok(String cli, String... args) throws Exception {
    AwsCliTest.Run r = AwsCliTest.awsAt(cli, server.endpoint(), args);
    assertThat(r.exitCode()).as("aws %s\n%s", String.join(" ", args), r.stderr()).isZero();
    return r.stdout().isBlank() ? AwsCliTest.JSON.createObjectNode() : r.json();
  }

  static String fails(String cli, String... args) throws Exception {
    AwsCliTest.Run r = AwsCliTest.awsAt(cli, server.endpoint(), args);
    assertThat(r.exitCode()).as("aws %s should fail", String.join(" ", args)).isNotZero();
    return r.stderr();
  }

  /** Waits until the group's only target is in {@code state}, or (null) the group has none. */
  static void awaitState(String tgArn, String state) {
    try (var elb = server.elb()) {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(90))
          .until(
              () -> {
                var d =
                    elb.describeTargetHealth(r -> r.targetGroupArn(tgArn))
                        .targetHealthDescriptions();
                return state == null
                    ? d.isEmpty()
                    : d.size() == 1 && d.get(0).targetHealth().stateAsString().equals(state);
              });
    }
  }

  @ParameterizedTest
  @MethodSource("clis")
  void theWholeFlowThroughTheCli(String cli) throws Exception {
    String name = "cli" + Math.abs(cli.hashCode() % 10000);
    JsonNode lb =
        ok(
                cli,
                "elbv2",
                "create-load-balancer",
                "--name",
                name,
                "--subnets",
                "subnet-1",
                "subnet-2")
            .path("LoadBalancers")
            .get(0);
    String lbArn = lb.path("LoadBalancerArn").asText();
    String dns = lb.path("DNSName").asText();
    assertThat(lbArn).contains(":loadbalancer/app/" + name + "/");
    ok(cli, "elbv2", "wait", "load-balancer-available", "--load-balancer-arns", lbArn);

    String tgArn =
        ok(
                cli,
                "elbv2",
                "create-target-group",
                "--name",
                name + "-tg",
                "--protocol",
                "HTTP",
                "--port",
                "80",
                "--vpc-id",
                "vpc-1",
                "--target-type",
                "ip",
                "--health-check-path",
                "/health",
                "--health-check-interval-seconds",
                "5",
                "--health-check-timeout-seconds",
                "2",
                "--healthy-threshold-count",
                "2",
                "--matcher",
                "HttpCode=200-299")
            .path("TargetGroups")
            .get(0)
            .path("TargetGroupArn")
            .asText();
    ok(
        cli,
        "elbv2",
        "modify-target-group-attributes",
        "--target-group-arn",
        tgArn,
        "--attributes",
        "Key=deregistration_delay.timeout_seconds,Value=5");
    assertThat(
            ok(cli, "elbv2", "describe-target-group-attributes", "--target-group-arn", tgArn)
                .path("Attributes")
                .toString())
        .contains("{\"Key\":\"deregistration_delay.timeout_seconds\",\"Value\":\"5\"}");

    int port = ElbTesting.freePort(dns);
    String listenerArn =
        ok(
                cli,
                "elbv2",
                "create-listener",
                "--load-balancer-arn",
                lbArn,
                "--protocol",
                "HTTP",
                "--port",
                String.valueOf(port),
                "--default-actions",
                "Type=forward,TargetGroupArn=" + tgArn)
            .path("Listeners")
            .get(0)
            .path("ListenerArn")
            .asText();
    ok(
        cli,
        "elbv2",
        "create-rule",
        "--listener-arn",
        listenerArn,
        "--priority",
        "10",
        "--conditions",
        "Field=path-pattern,Values=/status",
        "--actions",
        "Type=fixed-response,FixedResponseConfig={StatusCode=200,ContentType=text/plain,MessageBody=ok}");
    assertThat(
            ok(cli, "elbv2", "describe-rules", "--listener-arn", listenerArn).path("Rules").size())
        .isEqualTo(2);
    assertThat(
            fails(
                cli,
                "elbv2",
                "create-rule",
                "--listener-arn",
                listenerArn,
                "--priority",
                "10",
                "--conditions",
                "Field=path-pattern,Values=/x",
                "--actions",
                "Type=forward,TargetGroupArn=" + tgArn))
        .contains("PriorityInUse");

    ElbTesting.Backend web = new ElbTesting.Backend("web", "127.0.0.2");
    backends.add(web);
    String target = "Id=" + web.address() + ",Port=" + web.port();
    ok(cli, "elbv2", "register-targets", "--target-group-arn", tgArn, "--targets", target);
    // The CLI's waiters poll every 15 s; wait here first, so that theirs answer at once.
    awaitState(tgArn, "healthy");
    ok(cli, "elbv2", "wait", "target-in-service", "--target-group-arn", tgArn, "--targets", target);
    JsonNode health =
        ok(cli, "elbv2", "describe-target-health", "--target-group-arn", tgArn)
            .path("TargetHealthDescriptions")
            .get(0);
    assertThat(health.path("TargetHealth").path("State").asText()).isEqualTo("healthy");
    assertThat(health.path("HealthCheckPort").asText()).isEqualTo(String.valueOf(web.port()));
    String url = "http://" + dns + ":" + port;
    assertThat(ElbTesting.get(ElbTesting.keepAliveClient(), url + "/").body()).isEqualTo("web");
    assertThat(ElbTesting.get(ElbTesting.keepAliveClient(), url + "/status").body())
        .isEqualTo("ok");

    ok(cli, "elbv2", "deregister-targets", "--target-group-arn", tgArn, "--targets", target);
    ok(
        cli,
        "elbv2",
        "wait",
        "target-deregistered",
        "--target-group-arn",
        tgArn,
        "--targets",
        target);

    ok(cli, "elbv2", "add-tags", "--resource-arns", lbArn, "--tags", "Key=env,Value=ci");
    assertThat(
            ok(cli, "elbv2", "describe-tags", "--resource-arns", lbArn)
                .path("TagDescriptions")
                .get(0)
                .path("Tags")
                .toString())
        .contains("\"env\"");
    assertThat(fails(cli, "elbv2", "delete-target-group", "--target-group-arn", tgArn))
        .contains("ResourceInUse");
    ok(cli, "elbv2", "delete-listener", "--listener-arn", listenerArn);
    ok(cli, "elbv2", "delete-target-group", "--target-group-arn", tgArn);
    ok(cli, "elbv2", "delete-load-balancer", "--load-balancer-arn", lbArn);
    assertThat(fails(cli, "elbv2", "describe-load-balancers", "--names", name))
        .contains("LoadBalancerNotFound");
    assertThat(fails(cli, "elbv2", "create-load-balancer", "--name", "bad_name"))
        .contains("ValidationError");
  }
}
