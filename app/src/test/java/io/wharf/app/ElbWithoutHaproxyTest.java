package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.controlplane.ControlPlane;
import io.wharf.elb.balancing.AddressPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerStateEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealth;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthReasonEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/** Without an HAProxy binary the ELB API works and says why listeners are not served. */
class ElbWithoutHaproxyTest {
  @Test
  void loadBalancersSayHowToGetHaproxyAndTargetsAreUnavailable() throws Exception {
    Path missing = Files.createTempDirectory("wharf-no-haproxy").resolve("haproxy");
    try (TestServer server =
            TestServer.start(
                new ControlPlane.ElbSettings(
                    missing, AddressPool.parse(TestServer.LOAD_BALANCER_ADDRESSES)));
        ElasticLoadBalancingV2Client elb = server.elb()) {
      LoadBalancer lb = elb.createLoadBalancer(r -> r.name("no-proxy")).loadBalancers().get(0);
      // Nothing to serve yet: nothing is wrong yet.
      assertThat(lb.state().code()).isEqualTo(LoadBalancerStateEnum.ACTIVE);
      TargetGroup tg =
          elb.createTargetGroup(
                  r ->
                      r.name("no-proxy")
                          .protocol(ProtocolEnum.HTTP)
                          .port(80)
                          .targetType(TargetTypeEnum.IP))
              .targetGroups()
              .get(0);
      elb.createListener(
          r ->
              r.loadBalancerArn(lb.loadBalancerArn())
                  .protocol(ProtocolEnum.HTTP)
                  .port(ElbTesting.freePort(lb.dnsName()))
                  .defaultActions(
                      a -> a.type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn())));
      elb.registerTargets(
          r -> r.targetGroupArn(tg.targetGroupArn()).targets(t -> t.id("127.0.0.2").port(8080)));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                LoadBalancer now =
                    elb.describeLoadBalancers(r -> r.names("no-proxy")).loadBalancers().get(0);
                assertThat(now.state().code()).isEqualTo(LoadBalancerStateEnum.FAILED);
                assertThat(now.state().reason())
                    .contains("HAProxy is not installed")
                    .contains("apt-get install haproxy");
              });
      TargetHealth health =
          elb.describeTargetHealth(r -> r.targetGroupArn(tg.targetGroupArn()))
              .targetHealthDescriptions()
              .get(0)
              .targetHealth();
      assertThat(health.state()).isEqualTo(TargetHealthStateEnum.UNAVAILABLE);
      assertThat(health.reason()).isEqualTo(TargetHealthReasonEnum.ELB_INTERNAL_ERROR);
      // Nothing is served, so a deregistered target needs no draining.
      elb.deregisterTargets(
          r -> r.targetGroupArn(tg.targetGroupArn()).targets(t -> t.id("127.0.0.2").port(8080)));
      assertThat(
              server
                  .plane
                  .dataPlane()
                  .isDrained(tg.targetGroupArn(), new io.wharf.model.elb.Target("127.0.0.2", 8080)))
          .isTrue();
    }
  }
}
