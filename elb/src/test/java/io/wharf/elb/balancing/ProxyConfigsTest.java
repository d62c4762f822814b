package io.wharf.elb.balancing;

import static io.wharf.core.state.ElbFixtures.instance;
import static io.wharf.core.state.ElbFixtures.listener;
import static io.wharf.core.state.ElbFixtures.loadBalancer;
import static io.wharf.core.state.ElbFixtures.registered;
import static io.wharf.core.state.ElbFixtures.rule;
import static io.wharf.core.state.ElbFixtures.targetGroup;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.state.Change;
import io.wharf.core.state.ElbFixtures;
import io.wharf.core.state.State;
import io.wharf.haproxy.ProxyConfig;
import io.wharf.model.elb.Action;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.RuleCondition;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyConfigsTest {
  static final HealthCheck CHECK =
      new HealthCheck(true, "HTTP", "traffic-port", "/health", 10, 3, 2, 3, "200-299");

  final LoadBalancer lb = loadBalancer("web", "127.0.1.1");
  final TargetGroup api = targetGroup("api", TargetType.IP, CHECK);
  final TargetGroup site = targetGroup("site", TargetType.INSTANCE, HealthCheck.DEFAULT);
  final TargetGroup idle = targetGroup("idle", TargetType.IP, CHECK);
  final Listener listener = listener(lb, 8080, Action.forward(1, site.arn()));

  State state() {
    State s = State.empty();
    for (Change c :
        List.<Change>of(
            new Change.ContainerInstancePut(instance("i-0abc", "127.0.0.1")),
            new Change.LoadBalancerPut(lb),
            new Change.TargetGroupPut(api),
            new Change.TargetGroupPut(site),
            new Change.TargetGroupPut(idle),
            new Change.ListenerPut(listener),
            new Change.RulePut(
                rule(
                    lb,
                    listener,
                    20,
                    Action.fixed(1, new Action.FixedResponse("404", null, "gone")),
                    new RuleCondition(RuleCondition.PATH_PATTERN, List.of("/old/*")))),
            new Change.RulePut(
                rule(
                    lb,
                    listener,
                    10,
                    Action.forward(1, api.arn()),
                    new RuleCondition(RuleCondition.PATH_PATTERN, List.of("/api/*")),
                    new RuleCondition(RuleCondition.HOST_HEADER, List.of("*.example.com")))),
            new Change.TargetRegistrationPut(api.arn(), registered("127.0.0.5", 9000)),
            new Change.TargetRegistrationPut(
                api.arn(), registered("127.0.0.6", 9000).draining(ElbFixtures.T0)),
            new Change.TargetRegistrationPut(site.arn(), registered("i-0abc", 32768)),
            new Change.TargetRegistrationPut(site.arn(), registered("i-gone", 32769)),
            new Change.TargetRegistrationPut(idle.arn(), registered("127.0.0.7", 9000)))) {
      s = s.apply(c);
    }
    return s;
  }

  @Test
  void aListenerBecomesAFrontendOnItsLoadBalancersAddressWithRulesByPriority() {
    ProxyConfig config = ProxyConfigs.of(state());
    assertThat(config.frontends()).hasSize(1);
    ProxyConfig.Frontend f = config.frontends().get(0);
    assertThat(f.address()).isEqualTo("127.0.1.1");
    assertThat(f.port()).isEqualTo(8080);
    assertThat(f.defaultBackend()).isEqualTo(ProxyConfigs.backendName(site.arn()));
    assertThat(f.routes())
        .extracting(ProxyConfig.Route::backend)
        .containsExactly(ProxyConfigs.backendName(api.arn()), f.routes().get(1).backend());
    assertThat(f.routes().get(1).backend()).startsWith("fr-");
    assertThat(f.routes().get(0).matches())
        .containsExactly(
            new ProxyConfig.Match(ProxyConfig.Field.PATH, List.of("/api/*")),
            new ProxyConfig.Match(ProxyConfig.Field.HOST, List.of("*.example.com")));
  }

  @Test
  void targetGroupsInUseBecomeBackendsWithTheirServers() {
    ProxyConfig config = ProxyConfigs.of(state());
    ProxyConfig.Backend apiBackend = config.backend(ProxyConfigs.backendName(api.arn()));
    assertThat(apiBackend.servers())
        .containsExactly(
            new ProxyConfig.Server("127.0.0.5", 9000, false),
            new ProxyConfig.Server("127.0.0.6", 9000, true));
    assertThat(apiBackend.check().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(apiBackend.check().rise()).isEqualTo(2);
    assertThat(apiBackend.check().fall()).isEqualTo(3);
    assertThat(apiBackend.check().statusRegex()).isEqualTo("^(2[0-9][0-9])$");
    // An instance target goes to its instance's address; an unknown instance gets no server.
    assertThat(config.backend(ProxyConfigs.backendName(site.arn())).servers())
        .containsExactly(new ProxyConfig.Server("127.0.0.1", 32768, false));
    // No listener forwards to it: no backend, its targets are unused.
    assertThat(config.backend(ProxyConfigs.backendName(idle.arn()))).isNull();
    assertThat(config.backends()).anyMatch(b -> b.fixedResponse() != null);
  }

  @Test
  void theStructureIgnoresTargets() {
    State s = state();
    State more =
        s.apply(new Change.TargetRegistrationPut(api.arn(), registered("127.0.0.8", 9000)));
    assertThat(ProxyConfigs.of(more)).isNotEqualTo(ProxyConfigs.of(s));
    assertThat(ProxyConfigs.of(more).structure()).isEqualTo(ProxyConfigs.of(s).structure());
  }

  @Test
  void matchersBecomeCodeSets() {
    assertThat(ProxyConfigs.httpCodes("200")).containsExactly(200);
    assertThat(ProxyConfigs.httpCodes("200,202")).containsExactly(200, 202);
    assertThat(ProxyConfigs.httpCodes("200-203,301")).containsExactly(200, 201, 202, 203, 301);
  }
}
