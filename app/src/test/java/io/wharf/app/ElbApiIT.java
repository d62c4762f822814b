package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DuplicateListenerException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DuplicateLoadBalancerNameException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DuplicateTagKeysException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DuplicateTargetGroupNameException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ElasticLoadBalancingV2Exception;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.InvalidTargetException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ListenerNotFoundException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerNotFoundException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerSchemeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerStateEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.OperationNotPermittedException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.PriorityInUseException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ResourceInUseException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Rule;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RuleNotFoundException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAssociationLimitException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupNotFoundException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealth;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthReasonEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.UnsupportedProtocolException;

/**
 * The ELBv2 API through the AWS SDK's {@code ElasticLoadBalancingV2Client}: every operation Wharf
 * implements, the shapes the SDK reads back, and ELB's error codes as the SDK's typed exceptions.
 * (Listeners start a real HAProxy, hence an IT.)
 */
class ElbApiIT {
  static TestServer server;
  static ElasticLoadBalancingV2Client elb;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    elb = server.elb();
  }

  @AfterAll
  static void stop() throws Exception {
    elb.close();
    server.close();
  }

  static LoadBalancer createLoadBalancer(String name) {
    return elb.createLoadBalancer(
            r ->
                r.name(name)
                    .subnets("subnet-a", "subnet-b")
                    .tags(Tag.builder().key("team").value("web").build()))
        .loadBalancers()
        .get(0);
  }

  static TargetGroup createTargetGroup(String name) {
    return elb.createTargetGroup(
            r ->
                r.name(name)
                    .protocol(ProtocolEnum.HTTP)
                    .port(8080)
                    .vpcId("vpc-1")
                    .targetType(TargetTypeEnum.IP)
                    .healthCheckPath("/health")
                    .healthCheckIntervalSeconds(10)
                    .healthCheckTimeoutSeconds(3)
                    .healthyThresholdCount(3)
                    .unhealthyThresholdCount(4)
                    .matcher(m -> m.httpCode("200-299")))
        .targetGroups()
        .get(0);
  }

  static Action forward(TargetGroup tg) {
    return Action.builder()
        .type(ActionTypeEnum.FORWARD)
        .targetGroupArn(tg.targetGroupArn())
        .build();
  }

  static Listener createListener(LoadBalancer lb, TargetGroup tg) {
    int port = ElbTesting.freePort(lb.dnsName());
    return elb.createListener(
            r ->
                r.loadBalancerArn(lb.loadBalancerArn())
                    .protocol(ProtocolEnum.HTTP)
                    .port(port)
                    .defaultActions(forward(tg)))
        .listeners()
        .get(0);
  }

  static String code(Throwable e) {
    return ((ElasticLoadBalancingV2Exception) e).awsErrorDetails().errorCode();
  }

  @Test
  void loadBalancersHaveAnAddressOfTheirOwnThatTheirDnsNameResolvesTo() throws Exception {
    LoadBalancer lb = createLoadBalancer("api-lb");
    assertThat(lb.loadBalancerArn())
        .matches(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api-lb/[0-9a-f]{16}");
    assertThat(lb.state().code()).isEqualTo(LoadBalancerStateEnum.ACTIVE);
    assertThat(lb.scheme()).isEqualTo(LoadBalancerSchemeEnum.INTERNET_FACING);
    assertThat(lb.availabilityZones()).hasSize(2);
    assertThat(lb.availabilityZones().get(0).subnetId()).isEqualTo("subnet-a");
    InetAddress resolved = InetAddress.getByName(lb.dnsName());
    assertThat(resolved.isLoopbackAddress()).isTrue();
    assertThat(lb.availabilityZones().get(0).loadBalancerAddresses().get(0).ipAddress())
        .isEqualTo(resolved.getHostAddress());
    elb.waiter().waitUntilLoadBalancerAvailable(r -> r.names("api-lb"));

    LoadBalancer other = createLoadBalancer("api-lb-2");
    assertThat(other.dnsName()).isNotEqualTo(lb.dnsName());
    // The same request again is answered with the same load balancer; other settings are refused.
    assertThat(createLoadBalancer("api-lb").loadBalancerArn()).isEqualTo(lb.loadBalancerArn());
    assertThatThrownBy(
            () ->
                elb.createLoadBalancer(
                    r -> r.name("api-lb").scheme(LoadBalancerSchemeEnum.INTERNAL)))
        .isInstanceOf(DuplicateLoadBalancerNameException.class);
    assertThat(
            elb.describeLoadBalancers(r -> r.loadBalancerArns(lb.loadBalancerArn()))
                .loadBalancers())
        .extracting(LoadBalancer::loadBalancerName)
        .containsExactly("api-lb");
    assertThat(elb.describeLoadBalancers(r -> r.pageSize(1)).nextMarker()).isNotNull();

    assertThatThrownBy(() -> elb.createLoadBalancer(r -> r.name("bad_name")))
        .satisfies(e -> assertThat(code(e)).isEqualTo("ValidationError"))
        .hasMessageContaining("alphanumeric");
    assertThatThrownBy(() -> elb.createLoadBalancer(r -> r.name("nlb").type("network")))
        .satisfies(e -> assertThat(code(e)).isEqualTo("ValidationError"));
    assertThatThrownBy(() -> elb.describeLoadBalancers(r -> r.names("ghost")))
        .isInstanceOf(LoadBalancerNotFoundException.class)
        .hasMessageContaining("ghost");

    elb.deleteLoadBalancer(r -> r.loadBalancerArn(other.loadBalancerArn()));
    elb.deleteLoadBalancer(r -> r.loadBalancerArn(other.loadBalancerArn()));
    assertThatThrownBy(() -> elb.describeLoadBalancers(r -> r.names("api-lb-2")))
        .isInstanceOf(LoadBalancerNotFoundException.class);
  }

  @Test
  void targetGroupsKeepTheirHealthCheckAndAttributes() {
    TargetGroup tg = createTargetGroup("api-tg");
    assertThat(tg.targetGroupArn())
        .matches(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/[0-9a-f]{16}");
    assertThat(tg.healthCheckPath()).isEqualTo("/health");
    assertThat(tg.healthCheckIntervalSeconds()).isEqualTo(10);
    assertThat(tg.healthCheckTimeoutSeconds()).isEqualTo(3);
    assertThat(tg.healthyThresholdCount()).isEqualTo(3);
    assertThat(tg.unhealthyThresholdCount()).isEqualTo(4);
    assertThat(tg.matcher().httpCode()).isEqualTo("200-299");
    assertThat(tg.healthCheckPort()).isEqualTo("traffic-port");
    assertThat(tg.targetType()).isEqualTo(TargetTypeEnum.IP);
    assertThat(tg.loadBalancerArns()).isEmpty();

    TargetGroup defaults =
        elb.createTargetGroup(r -> r.name("plain-tg").protocol(ProtocolEnum.HTTP).port(80))
            .targetGroups()
            .get(0);
    assertThat(defaults.targetType()).isEqualTo(TargetTypeEnum.INSTANCE);
    assertThat(defaults.healthCheckIntervalSeconds()).isEqualTo(30);
    assertThat(defaults.healthCheckTimeoutSeconds()).isEqualTo(5);
    assertThat(defaults.healthyThresholdCount()).isEqualTo(5);
    assertThat(defaults.unhealthyThresholdCount()).isEqualTo(2);
    assertThat(defaults.healthCheckPath()).isEqualTo("/");
    assertThat(defaults.matcher().httpCode()).isEqualTo("200");

    assertThatThrownBy(
            () -> elb.createTargetGroup(r -> r.name("api-tg").protocol(ProtocolEnum.HTTP).port(81)))
        .isInstanceOf(DuplicateTargetGroupNameException.class);
    assertThatThrownBy(
            () ->
                elb.createTargetGroup(
                    r ->
                        r.name("slow-tg")
                            .protocol(ProtocolEnum.HTTP)
                            .port(80)
                            .healthCheckIntervalSeconds(5)
                            .healthCheckTimeoutSeconds(5)))
        .satisfies(e -> assertThat(code(e)).isEqualTo("ValidationError"))
        .hasMessageContaining("smaller than the interval");

    assertThat(
            elb.describeTargetGroupAttributes(r -> r.targetGroupArn(tg.targetGroupArn()))
                .attributes())
        .contains(
            TargetGroupAttribute.builder()
                .key("deregistration_delay.timeout_seconds")
                .value("300")
                .build());
    elb.modifyTargetGroupAttributes(
        r ->
            r.targetGroupArn(tg.targetGroupArn())
                .attributes(a -> a.key("deregistration_delay.timeout_seconds").value("20")));
    assertThat(
            elb.describeTargetGroupAttributes(r -> r.targetGroupArn(tg.targetGroupArn()))
                .attributes())
        .contains(
            TargetGroupAttribute.builder()
                .key("deregistration_delay.timeout_seconds")
                .value("20")
                .build());
    assertThatThrownBy(
            () ->
                elb.modifyTargetGroupAttributes(
                    r ->
                        r.targetGroupArn(tg.targetGroupArn())
                            .attributes(
                                a -> a.key("deregistration_delay.timeout_seconds").value("-1"))))
        .satisfies(e -> assertThat(code(e)).isEqualTo("ValidationError"));

    TargetGroup modified =
        elb.modifyTargetGroup(
                r ->
                    r.targetGroupArn(tg.targetGroupArn())
                        .healthCheckPath("/ready")
                        .matcher(m -> m.httpCode("200,204")))
            .targetGroups()
            .get(0);
    assertThat(modified.healthCheckPath()).isEqualTo("/ready");
    assertThat(modified.matcher().httpCode()).isEqualTo("200,204");
    assertThat(modified.healthCheckIntervalSeconds()).isEqualTo(10);
    assertThat(
            elb.describeTargetGroups(r -> r.names("api-tg"))
                .targetGroups()
                .get(0)
                .healthCheckPath())
        .isEqualTo("/ready");
    assertThatThrownBy(() -> elb.describeTargetGroups(r -> r.names("ghost-tg")))
        .isInstanceOf(TargetGroupNotFoundException.class);
    elb.deleteTargetGroup(r -> r.targetGroupArn(defaults.targetGroupArn()));
    assertThatThrownBy(() -> elb.describeTargetGroups(r -> r.names("plain-tg")))
        .isInstanceOf(TargetGroupNotFoundException.class);
  }

  @Test
  void listenersAndRulesRouteToTargetGroups() {
    LoadBalancer lb = createLoadBalancer("rules-lb");
    TargetGroup web = createTargetGroup("rules-web");
    TargetGroup api = createTargetGroup("rules-api");
    Listener listener = createListener(lb, web);
    assertThat(listener.listenerArn())
        .startsWith(lb.loadBalancerArn().replace(":loadbalancer/", ":listener/") + "/");
    assertThat(listener.defaultActions().get(0).targetGroupArn()).isEqualTo(web.targetGroupArn());
    assertThat(
            elb.describeTargetGroups(r -> r.loadBalancerArn(lb.loadBalancerArn())).targetGroups())
        .extracting(TargetGroup::targetGroupName)
        .containsExactly("rules-web");
    assertThatThrownBy(
            () ->
                elb.createListener(
                    r ->
                        r.loadBalancerArn(lb.loadBalancerArn())
                            .protocol(ProtocolEnum.HTTP)
                            .port(listener.port())
                            .defaultActions(forward(api))))
        .isInstanceOf(DuplicateListenerException.class);
    assertThatThrownBy(
            () ->
                elb.createListener(
                    r ->
                        r.loadBalancerArn(lb.loadBalancerArn())
                            .protocol(ProtocolEnum.HTTPS)
                            .port(443)
                            .defaultActions(forward(api))))
        .isInstanceOf(UnsupportedProtocolException.class);

    Rule rule =
        elb.createRule(
                r ->
                    r.listenerArn(listener.listenerArn())
                        .priority(10)
                        .conditions(
                            c -> c.field("path-pattern").pathPatternConfig(p -> p.values("/api/*")),
                            c -> c.field("host-header").values("*.example.com"))
                        .actions(forward(api)))
            .rules()
            .get(0);
    assertThat(rule.priority()).isEqualTo("10");
    assertThat(rule.isDefault()).isFalse();
    assertThat(rule.conditions()).hasSize(2);
    assertThatThrownBy(
            () ->
                elb.createRule(
                    r ->
                        r.listenerArn(listener.listenerArn())
                            .priority(10)
                            .conditions(c -> c.field("path-pattern").values("/other/*"))
                            .actions(forward(api))))
        .isInstanceOf(PriorityInUseException.class);
    Rule fixed =
        elb.createRule(
                r ->
                    r.listenerArn(listener.listenerArn())
                        .priority(20)
                        .conditions(c -> c.field("path-pattern").values("/old/*"))
                        .actions(
                            a ->
                                a.type(ActionTypeEnum.FIXED_RESPONSE)
                                    .fixedResponseConfig(
                                        f ->
                                            f.statusCode("410")
                                                .contentType("text/plain")
                                                .messageBody("gone"))))
            .rules()
            .get(0);
    List<Rule> rules = elb.describeRules(r -> r.listenerArn(listener.listenerArn())).rules();
    assertThat(rules).extracting(Rule::priority).containsExactly("10", "20", "default");
    Rule defaultRule = rules.get(2);
    assertThat(defaultRule.isDefault()).isTrue();
    assertThat(defaultRule.actions().get(0).targetGroupArn()).isEqualTo(web.targetGroupArn());
    assertThatThrownBy(() -> elb.deleteRule(r -> r.ruleArn(defaultRule.ruleArn())))
        .isInstanceOf(OperationNotPermittedException.class);
    elb.setRulePriorities(
        r ->
            r.rulePriorities(
                p -> p.ruleArn(rule.ruleArn()).priority(30),
                p -> p.ruleArn(fixed.ruleArn()).priority(5)));
    assertThat(elb.describeRules(r -> r.listenerArn(listener.listenerArn())).rules())
        .extracting(Rule::priority)
        .containsExactly("5", "30", "default");

    // A target group belongs to one load balancer; one in use cannot be deleted.
    LoadBalancer otherLb = createLoadBalancer("rules-lb-2");
    assertThatThrownBy(() -> createListener(otherLb, api))
        .isInstanceOf(TargetGroupAssociationLimitException.class);
    assertThatThrownBy(() -> elb.deleteTargetGroup(r -> r.targetGroupArn(api.targetGroupArn())))
        .isInstanceOf(ResourceInUseException.class);

    Listener changed =
        elb.modifyListener(
                r ->
                    r.listenerArn(listener.listenerArn())
                        .defaultActions(
                            a ->
                                a.type(ActionTypeEnum.FIXED_RESPONSE)
                                    .fixedResponseConfig(f -> f.statusCode("503"))))
            .listeners()
            .get(0);
    assertThat(changed.defaultActions().get(0).type()).isEqualTo(ActionTypeEnum.FIXED_RESPONSE);

    elb.deleteRule(r -> r.ruleArn(fixed.ruleArn()));
    assertThatThrownBy(() -> elb.describeRules(r -> r.ruleArns(fixed.ruleArn())))
        .isInstanceOf(RuleNotFoundException.class);
    elb.deleteListener(r -> r.listenerArn(listener.listenerArn()));
    assertThatThrownBy(() -> elb.describeRules(r -> r.listenerArn(listener.listenerArn())))
        .isInstanceOf(ListenerNotFoundException.class);
    // Its rules went with it, so the group is free again.
    elb.deleteTargetGroup(r -> r.targetGroupArn(api.targetGroupArn()));
  }

  @Test
  void targetsAreCheckedAndTheirHealthExplained() {
    TargetGroup tg = createTargetGroup("targets-tg");
    elb.registerTargets(
        r -> r.targetGroupArn(tg.targetGroupArn()).targets(t -> t.id("127.0.0.1").port(1)));
    TargetHealth unused =
        elb.describeTargetHealth(r -> r.targetGroupArn(tg.targetGroupArn()))
            .targetHealthDescriptions()
            .get(0)
            .targetHealth();
    assertThat(unused.state()).isEqualTo(TargetHealthStateEnum.UNUSED);
    assertThat(unused.reason()).isEqualTo(TargetHealthReasonEnum.TARGET_NOT_IN_USE);

    TargetHealth unregistered =
        elb.describeTargetHealth(
                r ->
                    r.targetGroupArn(tg.targetGroupArn())
                        .targets(TargetDescription.builder().id("127.0.0.2").port(9).build()))
            .targetHealthDescriptions()
            .get(0)
            .targetHealth();
    assertThat(unregistered.reason()).isEqualTo(TargetHealthReasonEnum.TARGET_NOT_REGISTERED);

    assertThatThrownBy(
            () ->
                elb.registerTargets(
                    r -> r.targetGroupArn(tg.targetGroupArn()).targets(t -> t.id("8.8.8.8"))))
        .isInstanceOf(InvalidTargetException.class);
    TargetGroup instances =
        elb.createTargetGroup(r -> r.name("targets-instances").protocol(ProtocolEnum.HTTP).port(80))
            .targetGroups()
            .get(0);
    assertThatThrownBy(
            () ->
                elb.registerTargets(
                    r ->
                        r.targetGroupArn(instances.targetGroupArn())
                            .targets(t -> t.id("i-0123456789abcdef0"))))
        .isInstanceOf(InvalidTargetException.class)
        .hasMessageContaining("i-0123456789abcdef0");

    elb.deregisterTargets(
        r -> r.targetGroupArn(tg.targetGroupArn()).targets(t -> t.id("127.0.0.1").port(1)));
    TargetHealth draining =
        elb.describeTargetHealth(r -> r.targetGroupArn(tg.targetGroupArn()))
            .targetHealthDescriptions()
            .get(0)
            .targetHealth();
    assertThat(draining.state()).isEqualTo(TargetHealthStateEnum.DRAINING);
    assertThat(draining.reason())
        .isEqualTo(TargetHealthReasonEnum.TARGET_DEREGISTRATION_IN_PROGRESS);
  }

  @Test
  void tagsOnEveryKindOfResource() {
    LoadBalancer lb = createLoadBalancer("tags-lb");
    TargetGroup tg = createTargetGroup("tags-tg");
    Listener l = createListener(lb, tg);
    elb.addTags(
        r ->
            r.resourceArns(lb.loadBalancerArn(), tg.targetGroupArn(), l.listenerArn())
                .tags(t -> t.key("env").value("test")));
    var described =
        elb.describeTags(
                r -> r.resourceArns(lb.loadBalancerArn(), tg.targetGroupArn(), l.listenerArn()))
            .tagDescriptions();
    assertThat(described).hasSize(3);
    assertThat(described.get(0).tags())
        .containsExactly(
            Tag.builder().key("team").value("web").build(),
            Tag.builder().key("env").value("test").build());
    assertThat(described.get(1).tags())
        .containsExactly(Tag.builder().key("env").value("test").build());
    elb.removeTags(r -> r.resourceArns(lb.loadBalancerArn()).tagKeys("team"));
    assertThat(
            elb.describeTags(r -> r.resourceArns(lb.loadBalancerArn()))
                .tagDescriptions()
                .get(0)
                .tags())
        .containsExactly(Tag.builder().key("env").value("test").build());
    assertThatThrownBy(
            () ->
                elb.addTags(
                    r ->
                        r.resourceArns(lb.loadBalancerArn())
                            .tags(t -> t.key("a").value("1"), t -> t.key("a").value("2"))))
        .isInstanceOf(DuplicateTagKeysException.class);
    assertThatThrownBy(
            () ->
                elb.describeTags(
                    r -> r.resourceArns(lb.loadBalancerArn().replace("tags-lb", "nope"))))
        .isInstanceOf(LoadBalancerNotFoundException.class);
  }

  @Test
  void operationsWharfDoesNotImplementSaySo() {
    assertThatThrownBy(() -> elb.describeAccountLimits(r -> {}))
        .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidAction"))
        .hasMessageContaining("does not implement");
  }
}
