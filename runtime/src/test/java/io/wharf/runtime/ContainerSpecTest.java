package io.wharf.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {

  @Test
  void aBuiltSpecKeepsTheImageDefaultsForWhatIsNotGiven() {
    ContainerSpec spec = ContainerSpec.builder("wharf-test/busybox").build();

    assertThat(spec.name()).isNull();
    assertThat(spec.command()).isNull();
    assertThat(spec.entryPoint()).isNull();
    assertThat(spec.environment()).isEmpty();
    assertThat(spec.networkMode()).isEqualTo("bridge");
    assertThat(spec.healthCheck()).isNull();
    assertThat(spec.stopTimeoutSeconds()).isNull();
  }

  @Test
  void theSpecIsACopyTheCallerCannotChange() {
    Map<String, String> env = new HashMap<>(Map.of("A", "1"));
    ContainerSpec spec = ContainerSpec.builder("img").environment(env).build();
    env.put("B", "2");

    assertThat(spec.environment()).containsExactly(Map.entry("A", "1"));
    assertThatThrownBy(() -> spec.environment().put("C", "3"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilderMakesAChangedCopy() {
    ContainerSpec spec = ContainerSpec.builder("img").name("one").cpuShares(128).build();

    ContainerSpec copy = spec.toBuilder().name("two").build();

    assertThat(copy).isEqualTo(spec.toBuilder().name("two").build());
    assertThat(copy.name()).isEqualTo("two");
    assertThat(copy.cpuShares()).isEqualTo(128);
    assertThat(spec.name()).isEqualTo("one");
  }

  @Test
  void rejectsWhatTheEngineWouldRejectOrMisread() {
    assertThatThrownBy(() -> ContainerSpec.builder(" ").build()).hasMessageContaining("image");
    assertThatThrownBy(() -> ContainerSpec.builder("img").name("-bad").build())
        .hasMessageContaining("container name");
    assertThatThrownBy(() -> ContainerSpec.builder("img").memory(128, 256).build())
        .hasMessageContaining("memoryReservationMiB");
    assertThatThrownBy(() -> ContainerSpec.builder("img").cpuShares(-1).build())
        .hasMessageContaining("cpuShares");
    assertThatThrownBy(() -> ContainerSpec.builder("img").networkMode("awsvpc").build())
        .hasMessageContaining("networkMode");
    assertThatThrownBy(() -> ContainerSpec.builder("img").environment(Map.of("A=B", "c")).build())
        .hasMessageContaining("'='");
    assertThatThrownBy(
            () ->
                ContainerSpec.builder("img")
                    .ulimits(List.of(new Ulimit("nofile", 1, 2), new Ulimit("nofile", 3, 4)))
                    .build())
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> ContainerSpec.builder("img").stopTimeoutSeconds(-1).build())
        .hasMessageContaining("stopTimeoutSeconds");
  }

  @Test
  void aReservationAloneIsAllowed() {
    assertThat(ContainerSpec.builder("img").memory(0, 256).build().memoryReservationMiB())
        .isEqualTo(256);
  }

  @Test
  void healthChecksUseTheEcsForms() {
    assertThat(new HealthCheck(List.of("CMD-SHELL", "exit 0"), 5, 2, 3, 0).command())
        .containsExactly("CMD-SHELL", "exit 0");
    assertThat(new HealthCheck(List.of("NONE"), 0, 0, 0, 0).command()).containsExactly("NONE");
    assertThatThrownBy(() -> new HealthCheck(List.of("curl", "-f", "x"), 5, 2, 3, 0))
        .hasMessageContaining("CMD, CMD-SHELL or NONE");
    assertThatThrownBy(() -> new HealthCheck(List.of("CMD"), 5, 2, 3, 0))
        .hasMessageContaining("needs a command");
    assertThatThrownBy(() -> new HealthCheck(List.of("CMD", "true"), -1, 2, 3, 0))
        .hasMessageContaining("negative");
  }

  @Test
  void portBindingsDefaultToTcpOnAllAddresses() {
    PortBinding binding = new PortBinding(80, 0, null, "");

    assertThat(binding.protocol()).isEqualTo("tcp");
    assertThat(binding.hostIp()).isNull();
    assertThat(new PortBinding(53, 53, "UDP", null).protocol()).isEqualTo("udp");
    assertThatThrownBy(() -> new PortBinding(0, 80, "tcp", null))
        .hasMessageContaining("containerPort");
    assertThatThrownBy(() -> new PortBinding(80, 70_000, "tcp", null))
        .hasMessageContaining("hostPort");
    assertThatThrownBy(() -> new PortBinding(80, 80, "sctp", null))
        .hasMessageContaining("protocol");
  }

  @Test
  void ulimitSoftMustNotExceedHard() {
    assertThat(new Ulimit("core", 0, -1).hard()).isEqualTo(-1);
    assertThatThrownBy(() -> new Ulimit("nofile", 4096, 1024)).hasMessageContaining("soft");
  }

  @Test
  void errorsKnowWhetherToRetry() {
    var unreachable =
        new ContainerRuntimeException(
            ContainerRuntimeException.Kind.ENGINE_UNREACHABLE,
            "CannotStartContainerError",
            "x",
            null);
    var refused =
        new ContainerRuntimeException(
            ContainerRuntimeException.Kind.CREATE_FAILED, "CannotCreateContainerError", "x", null);

    assertThat(unreachable.isRetryable()).isTrue();
    assertThat(refused.isRetryable()).isFalse();
    assertThat(refused.ecsErrorName()).isEqualTo("CannotCreateContainerError");
  }
}
