package io.wharf.elb.balancing;

import static io.wharf.core.state.ElbFixtures.registered;
import static io.wharf.core.state.ElbFixtures.targetGroup;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.state.ElbFixtures;
import io.wharf.haproxy.ServerStatus;
import io.wharf.model.elb.HealthCheck;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetHealth;
import io.wharf.model.elb.TargetHealthState;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.elb.TargetType;
import org.junit.jupiter.api.Test;

class TargetHealthsTest {
  final TargetGroup group = targetGroup("g", TargetType.IP, HealthCheck.DEFAULT);
  final TargetRegistration reg = registered("127.0.0.5", 80);

  static ServerStatus server(String status, String check, int code, int opState) {
    return new ServerStatus(
        "tg", "s1", "127.0.0.5", 80, status, check, code, 0, false, false, opState);
  }

  TargetHealth of(ServerStatus s, boolean everUp) {
    return TargetHealths.of(group, reg, true, "127.0.0.5", null, s, everUp);
  }

  @Test
  void registrationAndUseComeFirst() {
    assertThat(TargetHealths.of(group, null, true, "a", null, null, false))
        .isEqualTo(TargetHealth.NOT_REGISTERED);
    assertThat(TargetHealths.of(group, reg.draining(ElbFixtures.T0), true, "a", null, null, true))
        .isEqualTo(TargetHealth.DEREGISTRATION_IN_PROGRESS);
    assertThat(TargetHealths.of(group, reg, false, "a", null, null, false))
        .isEqualTo(TargetHealth.NOT_IN_USE);
    assertThat(TargetHealths.of(group, reg, true, null, null, null, false).reason())
        .isEqualTo("Target.InvalidState");
    TargetHealth down =
        TargetHealths.of(group, reg, true, "a", "HAProxy is not installed", null, false);
    assertThat(down.state()).isEqualTo(TargetHealthState.UNAVAILABLE);
    assertThat(down.reason()).isEqualTo("Elb.InternalError");
    assertThat(down.description()).isEqualTo("HAProxy is not installed");
  }

  @Test
  void checksDecideTheRest() {
    assertThat(of(null, false)).isEqualTo(TargetHealth.REGISTRATION_IN_PROGRESS);
    assertThat(of(server("DOWN 1/5", "L7OK", 200, 0), false))
        .isEqualTo(TargetHealth.INITIAL_HEALTH_CHECKING);
    assertThat(of(server("DOWN", "INI", 0, 0), false))
        .isEqualTo(TargetHealth.INITIAL_HEALTH_CHECKING);
    assertThat(of(server("UP", "L7OK", 200, 2), false)).isEqualTo(TargetHealth.HEALTHY);
    assertThat(of(server("UP 1/2", "L7STS", 500, 2), true)).isEqualTo(TargetHealth.HEALTHY);
    TargetHealth mismatch = of(server("DOWN", "L7STS", 503, 0), true);
    assertThat(mismatch.state()).isEqualTo(TargetHealthState.UNHEALTHY);
    assertThat(mismatch.reason()).isEqualTo("Target.ResponseCodeMismatch");
    assertThat(mismatch.description()).isEqualTo("Health checks failed with these codes: [503]");
    assertThat(of(server("DOWN", "L4TOUT", 0, 0), true).reason()).isEqualTo("Target.Timeout");
    assertThat(of(server("DOWN", "L4CON", 0, 0), false).reason())
        .isEqualTo("Target.FailedHealthChecks");
    assertThat(of(server("DOWN 1/5", "L7OK", 200, 0), true).reason())
        .isEqualTo("Target.FailedHealthChecks");
  }

  @Test
  void disabledChecksMakeHealthUnavailable() {
    TargetGroup unchecked =
        group.withHealthCheck(
            new HealthCheck(false, "HTTP", "traffic-port", "/", 30, 5, 5, 2, "200"));
    assertThat(TargetHealths.of(unchecked, reg, true, "a", null, null, false))
        .isEqualTo(TargetHealth.HEALTH_CHECK_DISABLED);
  }
}
