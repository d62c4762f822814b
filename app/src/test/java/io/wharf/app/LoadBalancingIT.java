package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.controlplane.ControlPlane;
import io.wharf.model.elb.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealth;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthReasonEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * Traffic through real listeners (HAProxy) to real HTTP targets on loopback: spreading over healthy
 * targets, none to an unhealthy one, draining without cutting a request, and load balancers that
 * outlive a restart (and a SIGKILL) of the control plane.
 */
class LoadBalancingIT {
  static final Duration PATIENCE = Duration.ofSeconds(90);

  TestServer server;
  ElasticLoadBalancingV2Client elb;
  final List<ElbTesting.Backend> backends = new ArrayList<>();
  final HttpClient http = ElbTesting.keepAliveClient();

  @BeforeEach
  void start() {
    server = TestServer.start();
    elb = server.elb();
  }

  @AfterEach
  void stop() throws Exception {
    elb.close();
    server.close();
    backends.forEach(ElbTesting.Backend::close);
  }

  ElbTesting.Backend backend(String name, String address) {
    ElbTesting.Backend b = new ElbTesting.Backend(name, address);
    backends.add(b);
    return b;
  }

  /** A load balancer, an ip target group with quick checks, and a listener forwarding to it. */
  record Setup(LoadBalancer lb, TargetGroup tg, String url) {}

  static Setup setUp(ElasticLoadBalancingV2Client elb, String name) {
    LoadBalancer lb = elb.createLoadBalancer(r -> r.name(name)).loadBalancers().get(0);
    TargetGroup tg =
        elb.createTargetGroup(
                r ->
                    r.name(name + "-tg")
                        .protocol(ProtocolEnum.HTTP)
                        .port(80)
                        .targetType(TargetTypeEnum.IP)
                        .healthCheckPath("/health")
                        .healthCheckIntervalSeconds(5)
                        .healthCheckTimeoutSeconds(2)
                        .healthyThresholdCount(2)
                        .unhealthyThresholdCount(2))
            .targetGroups()
            .get(0);
    int port = ElbTesting.freePort(lb.dnsName());
    elb.createListener(
        r ->
            r.loadBalancerArn(lb.loadBalancerArn())
                .protocol(ProtocolEnum.HTTP)
                .port(port)
                .defaultActions(
                    a -> a.type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn())));
    return new Setup(lb, tg, "http://" + lb.dnsName() + ":" + port);
  }

  static TargetDescription target(ElbTesting.Backend b) {
    return TargetDescription.builder().id(b.address()).port(b.port()).build();
  }

  void register(Setup s, ElbTesting.Backend... targets) {
    elb.registerTargets(
        r ->
            r.targetGroupArn(s.tg().targetGroupArn())
                .targets(List.of(targets).stream().map(LoadBalancingIT::target).toList()));
  }

  TargetHealth health(Setup s, ElbTesting.Backend b) {
    return elb.describeTargetHealth(
            r -> r.targetGroupArn(s.tg().targetGroupArn()).targets(target(b)))
        .targetHealthDescriptions()
        .get(0)
        .targetHealth();
  }

  void awaitHealthy(Setup s, ElbTesting.Backend... targets) {
    elb.waiter()
        .waitUntilTargetInService(
            r ->
                r.targetGroupArn(s.tg().targetGroupArn())
                    .targets(List.of(targets).stream().map(LoadBalancingIT::target).toList()),
            w -> w.maxAttempts(60).backoffStrategy(b -> Duration.ofSeconds(1)));
  }

  Set<String> bodies(String url, int requests) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = ElbTesting.get(http, url);
      out.add(r.statusCode() + " " + r.body());
    }
    return out;
  }

  @Test
  void trafficIsSpreadOverHealthyTargetsAndAnUnhealthyOneGetsNone() {
    Setup s = setUp(elb, "spread");
    ElbTesting.Backend a = backend("a", "127.0.0.2");
    ElbTesting.Backend b = backend("b", "127.0.0.3");
    ElbTesting.Backend sick = backend("sick", "127.0.0.4");
    sick.healthStatus.set(503);
    register(s, a, b, sick);
    TargetHealth initial = health(s, a);
    assertThat(initial.state()).isIn(TargetHealthStateEnum.INITIAL, TargetHealthStateEnum.HEALTHY);

    awaitHealthy(s, a, b);
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              TargetHealth h = health(s, sick);
              assertThat(h.state()).isEqualTo(TargetHealthStateEnum.UNHEALTHY);
              assertThat(h.reason())
                  .isEqualTo(TargetHealthReasonEnum.TARGET_RESPONSE_CODE_MISMATCH);
              assertThat(h.description()).isEqualTo("Health checks failed with these codes: [503]");
            });
    assertThat(bodies(s.url(), 20)).containsExactlyInAnyOrder("200 a", "200 b");
    assertThat(sick.served.get()).isZero();

    // b starts failing: it is taken out, and everything goes to a.
    b.healthStatus.set(500);
    await().atMost(PATIENCE).until(() -> health(s, b).state() == TargetHealthStateEnum.UNHEALTHY);
    assertThat(bodies(s.url(), 10)).containsExactly("200 a");

    // A timing-out check has its own reason: a target that does not answer at all.
    a.close();
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(health(s, a).reason())
                    .isIn(
                        TargetHealthReasonEnum.TARGET_FAILED_HEALTH_CHECKS,
                        TargetHealthReasonEnum.TARGET_TIMEOUT));
    assertThat(ElbTesting.get(http, s.url()).statusCode()).isEqualTo(503);
  }

  @Test
  void rulesRouteByPathAndHost() {
    Setup s = setUp(elb, "routes");
    ElbTesting.Backend web = backend("web", "127.0.0.2");
    ElbTesting.Backend api = backend("api", "127.0.0.3");
    register(s, web);
    TargetGroup apiTg =
        elb.createTargetGroup(
                r ->
                    r.name("routes-api")
                        .protocol(ProtocolEnum.HTTP)
                        .port(80)
                        .targetType(TargetTypeEnum.IP)
                        .healthCheckIntervalSeconds(5)
                        .healthCheckTimeoutSeconds(2)
                        .healthyThresholdCount(2))
            .targetGroups()
            .get(0);
    elb.registerTargets(r -> r.targetGroupArn(apiTg.targetGroupArn()).targets(target(api)));
    String listenerArn =
        elb.describeListeners(r -> r.loadBalancerArn(s.lb().loadBalancerArn()))
            .listeners()
            .get(0)
            .listenerArn();
    elb.createRule(
        r ->
            r.listenerArn(listenerArn)
                .priority(10)
                .conditions(c -> c.field("path-pattern").values("/api/*"))
                .actions(
                    a -> a.type(ActionTypeEnum.FORWARD).targetGroupArn(apiTg.targetGroupArn())));
    elb.createRule(
        r ->
            r.listenerArn(listenerArn)
                .priority(5)
                .conditions(c -> c.field("host-header").values("teapot.*"))
                .actions(
                    a ->
                        a.type(ActionTypeEnum.FIXED_RESPONSE)
                            .fixedResponseConfig(
                                f ->
                                    f.statusCode("418")
                                        .contentType("text/plain")
                                        .messageBody("short and stout"))));
    awaitHealthy(s, web);
    await()
        .atMost(PATIENCE)
        .until(() -> bodies(s.url() + "/api/users?id=1", 2).equals(Set.of("200 api")));
    assertThat(bodies(s.url() + "/index.html", 4)).containsExactly("200 web");
    assertThat(bodies(s.url() + "/API/users", 2))
        .as("paths match case-sensitively")
        .containsExactly("200 web");
    // Host names match without regard to case, and before the path rule (priority 5 < 10).
    ElbTesting.Answer teapot =
        ElbTesting.getWithHost(s.url() + "/api/x", "TEAPOT.example.com:8080");
    assertThat(teapot.status()).isEqualTo(418);
    assertThat(teapot.body()).isEqualTo("short and stout");
    assertThat(ElbTesting.getWithHost(s.url() + "/api/x", "coffee.example.com").body())
        .isEqualTo("api");
  }

  @Test
  void aDeregisteredTargetDrainsWithoutCuttingARequestInFlight() throws Exception {
    Setup s = setUp(elb, "drain");
    elb.modifyTargetGroupAttributes(
        r ->
            r.targetGroupArn(s.tg().targetGroupArn())
                .attributes(a -> a.key("deregistration_delay.timeout_seconds").value("10")));
    ElbTesting.Backend a = backend("a", "127.0.0.2");
    ElbTesting.Backend b = backend("b", "127.0.0.3");
    b.holdSlow = false;
    register(s, a, b);
    awaitHealthy(s, a, b);
    assertThat(bodies(s.url(), 6)).containsExactlyInAnyOrder("200 a", "200 b");
    long workers = ElbTesting.workersStarted(server.dataDir);
    Target aTarget = new Target(a.address(), a.port());
    assertThat(server.plane.dataPlane().isDrained(s.tg().targetGroupArn(), aTarget)).isFalse();

    // A request held by a, in flight while a is deregistered.
    CompletableFuture<HttpResponse<String>> inFlight = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                for (int i = 0; i < 20 && a.slowStarted.getCount() > 0; i++) {
                  HttpResponse<String> r = ElbTesting.get(http, s.url() + "/slow");
                  if (r.body().equals("a")) {
                    inFlight.complete(r);
                    return;
                  }
                }
                inFlight.completeExceptionally(new AssertionError("the slow request never hit a"));
              } catch (RuntimeException e) {
                inFlight.completeExceptionally(e);
              }
            });
    assertThat(a.slowStarted.await(60, TimeUnit.SECONDS)).isTrue();
    elb.deregisterTargets(r -> r.targetGroupArn(s.tg().targetGroupArn()).targets(target(a)));
    TargetHealth draining = health(s, a);
    assertThat(draining.state()).isEqualTo(TargetHealthStateEnum.DRAINING);
    assertThat(draining.reason())
        .isEqualTo(TargetHealthReasonEnum.TARGET_DEREGISTRATION_IN_PROGRESS);

    // New requests, on the same kept-alive connections, go to b only; a's request is not cut.
    await().atMost(PATIENCE).until(() -> bodies(s.url(), 4).equals(Set.of("200 b")));
    assertThat(bodies(s.url(), 10)).containsExactly("200 b");
    assertThat(inFlight).isNotDone();
    assertThat(server.plane.dataPlane().isDrained(s.tg().targetGroupArn(), aTarget)).isFalse();
    a.release();
    HttpResponse<String> finished = inFlight.get(30, TimeUnit.SECONDS);
    assertThat(finished.statusCode()).isEqualTo(200);
    assertThat(finished.body()).isEqualTo("a");
    // No connection left: drained, though ELB shows it draining until the delay has passed.
    await()
        .atMost(PATIENCE)
        .until(() -> server.plane.dataPlane().isDrained(s.tg().targetGroupArn(), aTarget));
    elb.waiter()
        .waitUntilTargetDeregistered(
            r -> r.targetGroupArn(s.tg().targetGroupArn()).targets(target(a)),
            w -> w.maxAttempts(60).backoffStrategy(x -> Duration.ofSeconds(1)));
    assertThat(
            elb.describeTargetHealth(r -> r.targetGroupArn(s.tg().targetGroupArn()))
                .targetHealthDescriptions())
        .extracting(d -> d.target().id())
        .containsExactly(b.address());
    assertThat(ElbTesting.workersStarted(server.dataDir))
        .as("targets came and went without a reload of HAProxy")
        .isEqualTo(workers);
  }

  @Test
  void anInstanceTargetGetsTrafficAtItsContainerInstancesAddress() {
    // A container instance whose agent publishes ports on 127.0.0.5.
    String instanceId = "i-0123456789abcdef0";
    try (EcsClient ecs = server.client()) {
      ecs.createCluster(r -> r.clusterName("elb"));
      ecs.registerContainerInstance(
          r ->
              r.cluster("elb")
                  .instanceIdentityDocument(
                      "{\"instanceId\":\"" + instanceId + "\",\"privateIp\":\"127.0.0.5\"}")
                  .totalResources(
                      t -> t.name("CPU").type("INTEGER").integerValue(1024),
                      t -> t.name("MEMORY").type("INTEGER").integerValue(1024)));
    }
    ElbTesting.Backend container = backend("container", "127.0.0.5");
    LoadBalancer lb = elb.createLoadBalancer(r -> r.name("instances")).loadBalancers().get(0);
    TargetGroup tg =
        elb.createTargetGroup(
                r ->
                    r.name("instances-tg")
                        .protocol(ProtocolEnum.HTTP)
                        .port(80)
                        .healthCheckIntervalSeconds(5)
                        .healthCheckTimeoutSeconds(2)
                        .healthyThresholdCount(2))
            .targetGroups()
            .get(0);
    int port = ElbTesting.freePort(lb.dnsName());
    elb.createListener(
        r ->
            r.loadBalancerArn(lb.loadBalancerArn())
                .protocol(ProtocolEnum.HTTP)
                .port(port)
                .defaultActions(
                    a -> a.type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn())));
    TargetDescription target =
        TargetDescription.builder().id(instanceId).port(container.port()).build();
    elb.registerTargets(r -> r.targetGroupArn(tg.targetGroupArn()).targets(target));
    elb.waiter()
        .waitUntilTargetInService(
            r -> r.targetGroupArn(tg.targetGroupArn()).targets(target),
            w -> w.maxAttempts(60).backoffStrategy(x -> Duration.ofSeconds(1)));
    assertThat(bodies("http://" + lb.dnsName() + ":" + port, 3)).containsExactly("200 container");
  }

  @Test
  void loadBalancersAndTargetsSurviveARestartOfTheControlPlane() throws Exception {
    Setup s = setUp(elb, "restart");
    ElbTesting.Backend a = backend("a", "127.0.0.2");
    register(s, a);
    awaitHealthy(s, a);
    assertThat(bodies(s.url(), 2)).containsExactly("200 a");
    elb.close();
    server.plane.close();

    ControlPlane again = TestServer.startOn(server.dataDir);
    server = new TestServer(server.dataDir, again);
    elb = server.elb();
    assertThat(elb.describeLoadBalancers(r -> r.names("restart")).loadBalancers()).hasSize(1);
    assertThat(
            elb.describeTargetHealth(r -> r.targetGroupArn(s.tg().targetGroupArn()))
                .targetHealthDescriptions())
        .extracting(d -> d.target().port())
        .containsExactly(a.port());
    await()
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(() -> bodies(s.url(), 2).equals(Set.of("200 a")));
    awaitHealthy(s, a);
  }

  @Test
  void aKilledControlPlaneLeavesItsLoadBalancersServingAndTakesThemBack() throws Exception {
    Path dir = Files.createTempDirectory("wharf-elb-kill");
    ElbTesting.Backend a = backend("a", "127.0.0.2");
    ElbTesting.Backend b = backend("b", "127.0.0.3");
    String addresses = ElbTesting.randomAddressRange();
    ServerProcess first = ServerProcess.start(dir, "--load-balancer-addresses", addresses);
    try {
      Setup s;
      try (ElasticLoadBalancingV2Client remote = client(first.endpoint)) {
        s = setUp(remote, "survivor");
        remote.registerTargets(r -> r.targetGroupArn(s.tg().targetGroupArn()).targets(target(a)));
        remote
            .waiter()
            .waitUntilTargetInService(
                r -> r.targetGroupArn(s.tg().targetGroupArn()).targets(target(a)),
                w -> w.maxAttempts(60).backoffStrategy(x -> Duration.ofSeconds(1)));
      }
      first.kill();
      // HAProxy keeps serving with the control plane gone.
      assertThat(bodies(s.url(), 4)).containsExactly("200 a");

      try (ServerProcess second = ServerProcess.start(dir, "--load-balancer-addresses", addresses);
          ElasticLoadBalancingV2Client remote = client(second.endpoint)) {
        await()
            .atMost(PATIENCE)
            .until(
                () ->
                    second.output.stream()
                        .anyMatch(l -> l.contains("Adopted the running HAProxy")));
        remote.registerTargets(r -> r.targetGroupArn(s.tg().targetGroupArn()).targets(target(b)));
        await().atMost(PATIENCE).until(() -> bodies(s.url(), 6).equals(Set.of("200 a", "200 b")));
      }
    } finally {
      ElbTesting.stopLeftoverHaproxy(dir);
      TestServer.deleteTree(dir);
    }
  }

  static ElasticLoadBalancingV2Client client(String endpoint) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.KEY_ID, TestServer.SECRET)))
        .build();
  }
}
