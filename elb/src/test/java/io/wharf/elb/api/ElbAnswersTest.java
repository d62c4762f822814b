package io.wharf.elb.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.auth.Caller;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.StateMachine;
import io.wharf.core.state.StateMachineTest;
import io.wharf.elb.balancing.AddressPool;
import io.wharf.elb.balancing.DataPlane;
import io.wharf.protocol.Endpoint;
import io.wharf.protocol.ProtocolRequest;
import io.wharf.protocol.ProtocolResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ELB's answers byte for byte, as the query protocol writes them: a scripted session of requests
 * against ElbApi on a fixed clock and seeded ids, each answer compared with the one recorded in
 * {@code answers/NN-Operation.xml} (recorded from the build whose operations built their answers as
 * JSON trees, before they returned records). The answers that depend on HAProxy (a load balancer's
 * state once it has listeners, the health of targets in use) are left out: they follow the data
 * plane's loop, not the request.
 *
 * <p>{@code -Dwharf.elb.record-answers=DIR} writes the answers to DIR instead of comparing them.
 */
class ElbAnswersTest {
  private static final String RECORD = System.getProperty("wharf.elb.record-answers");
  private static final Caller ADMIN =
      new Caller(new Principal.Admin("AKIDADMIN", "arn:aws:iam::000000000000:root"), 0);

  StateMachine states;
  DataPlane dataPlane;
  ElbApi api;
  Endpoint<Caller> endpoint;
  int port;
  int step;

  @BeforeEach
  void start() throws IOException {
    // Sub-millisecond digits: ELB writes timestamps to the millisecond.
    Clock clock = Clock.fixed(Instant.parse("2026-11-22T12:00:00.123456Z"), ZoneOffset.UTC);
    states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
    Path work = Files.createTempDirectory("wharf-elb-answers");
    dataPlane =
        new DataPlane(
            states, clock, new DataPlane.Settings(work.resolve("no-haproxy"), work.resolve("ha")));
    api =
        new ElbApi(
            states,
            "us-east-1",
            "000000000000",
            dataPlane,
            AddressPool.parse("127.0.0.1"),
            new SplittableRandom(11));
    endpoint = new Endpoint<>(List.of(api));
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
  }

  @AfterEach
  void stop() {
    dataPlane.close();
    states.close();
  }

  @Test
  void answersAreTheRecordedOnes() throws IOException {
    String lb =
        arn(
            call(
                "CreateLoadBalancer",
                "Name",
                "web",
                "Subnets.member.1",
                "subnet-a",
                "Subnets.member.2",
                "subnet-b",
                "SecurityGroups.member.1",
                "sg-1",
                "Scheme",
                "internal",
                "Tags.member.1.Key",
                "team",
                "Tags.member.1.Value",
                "edge",
                "Tags.member.2.Key",
                "empty"),
            "LoadBalancerArn");
    String other = arn(call("CreateLoadBalancer", "Name", "api"), "LoadBalancerArn");
    call("DescribeLoadBalancers", "PageSize", "1");
    call("DescribeLoadBalancers", "Names.member.1", "web", "Names.member.2", "nope");
    String tg =
        arn(
            call(
                "CreateTargetGroup",
                "Name",
                "web",
                "Protocol",
                "HTTP",
                "Port",
                "80",
                "HealthCheckPath",
                "/health",
                "HealthCheckIntervalSeconds",
                "10",
                "HealthCheckTimeoutSeconds",
                "3",
                "Matcher.HttpCode",
                "200-299",
                "Tags.member.1.Key",
                "k",
                "Tags.member.1.Value",
                "v"),
            "TargetGroupArn");
    String idle =
        arn(
            call(
                "CreateTargetGroup",
                "Name",
                "idle",
                "Protocol",
                "HTTP",
                "Port",
                "8080",
                "TargetType",
                "ip",
                "VpcId",
                "vpc-1"),
            "TargetGroupArn");
    call(
        "RegisterTargets",
        "TargetGroupArn",
        idle,
        "Targets.member.1.Id",
        "127.0.0.5",
        "Targets.member.2.Id",
        "127.0.0.6",
        "Targets.member.2.Port",
        "9000",
        "Targets.member.2.AvailabilityZone",
        "us-east-1a");
    call("DescribeTargetHealth", "TargetGroupArn", idle);
    call(
        "DescribeTargetHealth",
        "TargetGroupArn",
        idle,
        "Targets.member.1.Id",
        "127.0.0.5",
        "Targets.member.2.Id",
        "127.0.0.9",
        "Targets.member.3.Id",
        "127.0.0.6",
        "Targets.member.3.Port",
        "9001");
    call(
        "ModifyTargetGroupAttributes",
        "TargetGroupArn",
        tg,
        "Attributes.member.1.Key",
        "deregistration_delay.timeout_seconds",
        "Attributes.member.1.Value",
        "20");
    call("DescribeTargetGroupAttributes", "TargetGroupArn", tg);
    call(
        "ModifyTargetGroup",
        "TargetGroupArn",
        tg,
        "HealthCheckEnabled",
        "false",
        "Matcher.HttpCode",
        "200");
    String listener =
        arn(
            call(
                "CreateListener",
                "LoadBalancerArn",
                lb,
                "Protocol",
                "HTTP",
                "Port",
                String.valueOf(port),
                "DefaultActions.member.1.Type",
                "forward",
                "DefaultActions.member.1.TargetGroupArn",
                tg),
            "ListenerArn");
    call("DescribeListeners", "LoadBalancerArn", lb);
    call("DescribeListeners", "LoadBalancerArn", other);
    call("DescribeTargetGroups");
    call("DescribeTargetGroups", "LoadBalancerArn", lb);
    call("DescribeTargetGroups", "Names.member.1", "idle", "PageSize", "1");
    String rule =
        arn(
            call(
                "CreateRule",
                "ListenerArn",
                listener,
                "Priority",
                "10",
                "Conditions.member.1.Field",
                "path-pattern",
                "Conditions.member.1.Values.member.1",
                "/api/*",
                "Conditions.member.2.Field",
                "host-header",
                "Conditions.member.2.HostHeaderConfig.Values.member.1",
                "*.example.com",
                "Actions.member.1.Type",
                "fixed-response",
                "Actions.member.1.FixedResponseConfig.StatusCode",
                "404",
                "Actions.member.1.FixedResponseConfig.ContentType",
                "text/plain",
                "Actions.member.1.FixedResponseConfig.MessageBody",
                "<none & all>"),
            "RuleArn");
    call(
        "CreateRule",
        "ListenerArn",
        listener,
        "Priority",
        "20",
        "Conditions.member.1.Field",
        "path-pattern",
        "Conditions.member.1.PathPatternConfig.Values.member.1",
        "/static/*",
        "Actions.member.1.Type",
        "forward",
        "Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn",
        tg,
        "Actions.member.1.Order",
        "2");
    call("DescribeRules", "ListenerArn", listener);
    call("DescribeRules", "ListenerArn", listener, "PageSize", "2");
    call(
        "SetRulePriorities",
        "RulePriorities.member.1.RuleArn",
        rule,
        "RulePriorities.member.1.Priority",
        "30");
    call(
        "AddTags",
        "ResourceArns.member.1",
        listener,
        "Tags.member.1.Key",
        "l",
        "Tags.member.1.Value",
        "1");
    call("RemoveTags", "ResourceArns.member.1", lb, "TagKeys.member.1", "empty");
    call(
        "DescribeTags",
        "ResourceArns.member.1",
        lb,
        "ResourceArns.member.2",
        tg,
        "ResourceArns.member.3",
        listener,
        "ResourceArns.member.4",
        rule,
        "ResourceArns.member.5",
        other);
    call("DeleteRule", "RuleArn", rule);
    call("DeleteListener", "ListenerArn", listener);
    call("DeleteTargetGroup", "TargetGroupArn", tg);
    call("DeleteLoadBalancer", "LoadBalancerArn", other);
    call("DeregisterTargets", "TargetGroupArn", idle, "Targets.member.1.Id", "127.0.0.9");
  }

  /** Sends one request (name, value, ...) and compares its answer with the recorded one. */
  private String call(String action, String... params) throws IOException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("Action", action);
    form.put("Version", "2015-12-01");
    for (int i = 0; i < params.length; i += 2) {
      form.put(params[i], params[i + 1]);
    }
    StringBuilder body = new StringBuilder();
    form.forEach(
        (k, v) ->
            body.append(body.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    ProtocolResponse response =
        endpoint.handle(
            api,
            new ProtocolRequest(
                "POST",
                "/",
                null,
                Map.of("content-type", List.of("application/x-www-form-urlencoded; charset=utf-8")),
                body.toString().getBytes(StandardCharsets.UTF_8)),
            ADMIN,
            "request-" + step);
    String answer = response.status() + "\n" + response.text().replace(":" + port + "<", ":PORT<");
    answer = answer.replace(">" + port + "<", ">PORT<");
    String name = String.format("%02d-%s.xml", ++step, action);
    if (RECORD != null) {
      Files.createDirectories(Path.of(RECORD));
      Files.writeString(Path.of(RECORD, name), answer);
    } else {
      assertThat(answer).as(name).isEqualTo(recorded(name));
    }
    return response.text();
  }

  private static String recorded(String name) throws IOException {
    try (InputStream in = ElbAnswersTest.class.getResourceAsStream("answers/" + name)) {
      assertThat(in).as("the recorded answer " + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String arn(String xml, String element) {
    Matcher m = Pattern.compile("<" + element + ">([^<]+)</" + element + ">").matcher(xml);
    assertThat(m.find()).as(element + " in " + xml).isTrue();
    return m.group(1);
  }
}
