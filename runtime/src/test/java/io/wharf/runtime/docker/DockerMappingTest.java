package io.wharf.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerSpec;
import io.wharf.runtime.ContainerState;
import io.wharf.runtime.HealthCheck;
import io.wharf.runtime.PortBinding;
import io.wharf.runtime.Ulimit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The translation between Wharf's runtime values and Docker's, checked down to the JSON wire. */
class DockerMappingTest {
  private static final ObjectMapper DOCKER_JSON = DockerClientConfig.getDefaultObjectMapper();
  private static final long MIB = 1024 * 1024;

  /** The mapping only fills the command; nothing here is sent to an engine. */
  private static final CreateContainerCmd.Exec NOT_SENT =
      command -> {
        throw new AssertionError("no engine in a unit test");
      };

  /** The body docker-java would send to {@code POST /containers/create}. */
  private static JsonNode createBody(ContainerSpec spec) {
    CreateContainerCmd command =
        DockerMapping.toCreateCommand(
            spec, new CreateContainerCmdImpl(NOT_SENT, null, spec.image()));
    return DOCKER_JSON.valueToTree(command);
  }

  @Test
  void anEcsCmdHealthCheckBecomesAnExecTestWithNanosecondDurations() {
    var check =
        new HealthCheck(List.of("CMD", "wget", "-q", "-O-", "http://localhost/"), 5, 2, 3, 10);

    var docker = DockerMapping.healthCheck(check);

    assertThat(docker.getTest()).containsExactly("CMD", "wget", "-q", "-O-", "http://localhost/");
    assertThat(docker.getInterval()).isEqualTo(5_000_000_000L);
    assertThat(docker.getTimeout()).isEqualTo(2_000_000_000L);
    assertThat(docker.getRetries()).isEqualTo(3);
    assertThat(docker.getStartPeriod()).isEqualTo(10_000_000_000L);
  }

  @Test
  void aCmdShellHealthCheckKeepsItsShellForm() {
    JsonNode body =
        createBody(
            ContainerSpec.builder("img")
                .healthCheck(new HealthCheck(List.of("CMD-SHELL", "test -f /ready"), 1, 1, 2, 0))
                .build());

    JsonNode health = body.get("Healthcheck");
    assertThat(health.get("Test").toString()).isEqualTo("[\"CMD-SHELL\",\"test -f /ready\"]");
    assertThat(health.get("Interval").asLong()).isEqualTo(1_000_000_000L);
    assertThat(health.get("Retries").asInt()).isEqualTo(2);
    // Zero means the engine's default: left out rather than sent as 0.
    assertThat(health.hasNonNull("StartPeriod")).isFalse();
  }

  @Test
  void memoryLimitIsHardWithNoSwapAndTheReservationIsSoft() {
    JsonNode host =
        createBody(ContainerSpec.builder("img").memory(512, 256).build()).get("HostConfig");

    assertThat(host.get("Memory").asLong()).isEqualTo(512 * MIB);
    assertThat(host.get("MemorySwap").asLong()).isEqualTo(512 * MIB);
    assertThat(host.get("MemoryReservation").asLong()).isEqualTo(256 * MIB);
  }

  @Test
  void noMemoryLimitsLeaveTheEngineDefaults() {
    var host = DockerMapping.hostConfig(ContainerSpec.builder("img").memory(0, 128).build());

    assertThat(host.getMemory()).isNull();
    assertThat(host.getMemorySwap()).isNull();
    assertThat(host.getMemoryReservation()).isEqualTo(128 * MIB);
  }

  @Test
  void cpuSharesBelowTheEngineMinimumAreRaisedAndZeroIsUnset() {
    assertThat(
            DockerMapping.hostConfig(ContainerSpec.builder("img").cpuShares(1).build())
                .getCpuShares())
        .isEqualTo(2);
    assertThat(
            DockerMapping.hostConfig(ContainerSpec.builder("img").cpuShares(512).build())
                .getCpuShares())
        .isEqualTo(512);
    assertThat(DockerMapping.hostConfig(ContainerSpec.builder("img").build()).getCpuShares())
        .isNull();
  }

  @Test
  void portsArePublishedOnTheirHostAddressAndExposed() {
    JsonNode body =
        createBody(
            ContainerSpec.builder("img")
                .ports(
                    List.of(
                        new PortBinding(8080, 18080, "tcp", "127.0.0.5"),
                        new PortBinding(8081, 0, "tcp", "127.0.0.5"),
                        new PortBinding(53, 5353, "udp", null)))
                .build());

    JsonNode bindings = body.get("HostConfig").get("PortBindings");
    assertThat(bindings.get("8080/tcp").get(0).get("HostIp").asText()).isEqualTo("127.0.0.5");
    assertThat(bindings.get("8080/tcp").get(0).get("HostPort").asText()).isEqualTo("18080");
    // An empty host port lets the engine pick one.
    assertThat(bindings.get("8081/tcp").get(0).get("HostPort").asText()).isEmpty();
    assertThat(bindings.get("53/udp").get(0).get("HostIp").asText()).isEmpty();
    assertThat(body.get("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(body.get("ExposedPorts").has("53/udp")).isTrue();
  }

  @Test
  void theRestOfTheSpecReachesTheEngine() {
    ContainerSpec spec =
        ContainerSpec.builder("wharf-test/busybox")
            .name("wharf-test-web")
            .command("sh", "-c", "echo hi")
            .entryPoint(List.of("/bin/busybox"))
            .environment(Map.of("B", "2", "A", "1"))
            .workingDirectory("/tmp")
            .user("65534:65534")
            .labels(Map.of("wharf.cluster", "default"))
            .networkMode("host")
            .ulimits(List.of(new Ulimit("nofile", 1024, 4096)))
            .initProcessEnabled(true)
            .readonlyRootFilesystem(true)
            .stopTimeoutSeconds(45)
            .build();

    JsonNode body = createBody(spec);

    assertThat(body.get("Image").asText()).isEqualTo("wharf-test/busybox:latest");
    assertThat(body.get("Cmd").toString()).isEqualTo("[\"sh\",\"-c\",\"echo hi\"]");
    assertThat(body.get("Entrypoint").toString()).isEqualTo("[\"/bin/busybox\"]");
    assertThat(body.get("Env").toString()).isEqualTo("[\"A=1\",\"B=2\"]");
    assertThat(body.get("WorkingDir").asText()).isEqualTo("/tmp");
    assertThat(body.get("User").asText()).isEqualTo("65534:65534");
    assertThat(body.get("Labels").get("wharf.cluster").asText()).isEqualTo("default");
    assertThat(body.get("StopTimeout").asInt()).isEqualTo(45);
    JsonNode host = body.get("HostConfig");
    assertThat(host.get("NetworkMode").asText()).isEqualTo("host");
    assertThat(host.get("Init").asBoolean()).isTrue();
    assertThat(host.get("ReadonlyRootfs").asBoolean()).isTrue();
    assertThat(host.get("Ulimits").get(0).get("Name").asText()).isEqualTo("nofile");
    assertThat(host.get("Ulimits").get(0).get("Soft").asLong()).isEqualTo(1024);
    assertThat(host.get("Ulimits").get(0).get("Hard").asLong()).isEqualTo(4096);
  }

  @Test
  void theImageDefaultsAreLeftToTheImage() {
    JsonNode body = createBody(ContainerSpec.builder("img").build());

    // Null (docker-java sends some nulls) means the same to the engine as absent.
    assertThat(body.hasNonNull("Cmd")).isFalse();
    assertThat(body.hasNonNull("Entrypoint")).isFalse();
    assertThat(body.hasNonNull("Healthcheck")).isFalse();
    assertThat(body.hasNonNull("StopTimeout")).isFalse();
    assertThat(body.get("HostConfig").hasNonNull("Init")).isFalse();
    assertThat(body.get("HostConfig").hasNonNull("Memory")).isFalse();
    assertThat(body.get("HostConfig").get("NetworkMode").asText()).isEqualTo("bridge");
  }

  @Test
  void imagesWithoutATagMeanLatest() {
    assertThat(DockerMapping.normalizeImage("busybox")).isEqualTo("busybox:latest");
    assertThat(DockerMapping.normalizeImage("busybox:1.36")).isEqualTo("busybox:1.36");
    assertThat(DockerMapping.normalizeImage("127.0.0.1:1/nothing"))
        .isEqualTo("127.0.0.1:1/nothing:latest");
    assertThat(DockerMapping.normalizeImage("127.0.0.1:1/nothing:v2"))
        .isEqualTo("127.0.0.1:1/nothing:v2");
    assertThat(DockerMapping.normalizeImage("busybox@sha256:abc")).isEqualTo("busybox@sha256:abc");
  }

  @Test
  void inspectOutputBecomesAContainerState() throws Exception {
    String json =
        """
        {"Id": "c0ffee", "Name": "/wharf-test-web", "Created": "2026-11-22T15:52:38.27205145Z",
         "Config": {"Image": "wharf-test/busybox:latest", "Labels": {"wharf-test": "it"}},
         "State": {"Status": "exited", "Running": false, "OOMKilled": true, "ExitCode": 137,
                   "Error": "", "StartedAt": "2026-11-22T15:52:39.5Z",
                   "FinishedAt": "2026-11-22T15:52:41Z",
                   "Health": {"Status": "unhealthy", "FailingStreak": 3, "Log": []}},
         "NetworkSettings": {"Ports": {"8080/tcp": [{"HostIp": "127.0.0.5", "HostPort": "18080"}],
                                       "9090/tcp": null}}}
        """;

    ContainerState state =
        DockerMapping.state(DOCKER_JSON.readValue(json, InspectContainerResponse.class));

    assertThat(state.id()).isEqualTo("c0ffee");
    assertThat(state.name()).isEqualTo("wharf-test-web");
    assertThat(state.image()).isEqualTo("wharf-test/busybox:latest");
    assertThat(state.labels()).containsEntry("wharf-test", "it");
    assertThat(state.status()).isEqualTo(ContainerState.Status.EXITED);
    assertThat(state.exitCode()).isEqualTo(137);
    assertThat(state.oomKilled()).isTrue();
    assertThat(state.error()).isNull();
    assertThat(state.health()).isEqualTo(ContainerState.Health.UNHEALTHY);
    assertThat(state.createdAt()).isEqualTo(Instant.parse("2026-11-22T15:52:38.27205145Z"));
    assertThat(state.startedAt()).isEqualTo(Instant.parse("2026-11-22T15:52:39.5Z"));
    assertThat(state.finishedAt()).isEqualTo(Instant.parse("2026-11-22T15:52:41Z"));
    assertThat(state.ports()).containsExactly(new PortBinding(8080, 18080, "tcp", "127.0.0.5"));
  }

  @Test
  void aContainerThatNeverRanHasNoExitCodeNorTimes() throws Exception {
    String json =
        """
        {"Id": "c0ffee", "Name": "/x", "Created": "2026-11-22T15:52:38Z",
         "Config": {"Image": "img"},
         "State": {"Status": "created", "ExitCode": 0, "StartedAt": "0001-01-01T00:00:00Z",
                   "FinishedAt": "0001-01-01T00:00:00Z"}}
        """;

    ContainerState state =
        DockerMapping.state(DOCKER_JSON.readValue(json, InspectContainerResponse.class));

    assertThat(state.status()).isEqualTo(ContainerState.Status.CREATED);
    assertThat(state.exitCode()).isNull();
    assertThat(state.startedAt()).isNull();
    assertThat(state.finishedAt()).isNull();
    assertThat(state.health()).isEqualTo(ContainerState.Health.NONE);
    assertThat(state.labels()).isEmpty();
  }

  @Test
  void aFailedStartKeepsTheEnginesErrorAndExitCode() throws Exception {
    String json =
        """
        {"Id": "c0ffee", "Name": "/x", "Config": {"Image": "img"},
         "State": {"Status": "created", "ExitCode": 127,
                   "Error": "OCI runtime create failed: exec: \\"nope\\": executable file not found in $PATH"}}
        """;

    ContainerState state =
        DockerMapping.state(DOCKER_JSON.readValue(json, InspectContainerResponse.class));

    assertThat(state.exitCode()).isEqualTo(127);
    assertThat(state.error()).contains("executable file not found");
  }

  @Test
  void dieEventsCarryTheExitCodeAndTheLabelsWithoutDockersAttributes() throws Exception {
    Event die =
        DOCKER_JSON.readValue(
            """
            {"Type": "container", "Action": "die", "status": "die", "id": "c0ffee",
             "Actor": {"ID": "c0ffee", "Attributes": {"exitCode": "3", "image": "img",
                                                       "name": "web", "wharf-test": "it"}}}
            """,
            Event.class);

    assertThat(DockerMapping.event(die))
        .contains(
            new ContainerEvent("c0ffee", ContainerEvent.Kind.DIED, Map.of("wharf-test", "it"), 3));
  }

  @Test
  void followedActionsAreNormalizedAndOthersIgnored() throws Exception {
    assertThat(kindOf("start")).isEqualTo(ContainerEvent.Kind.STARTED);
    assertThat(kindOf("oom")).isEqualTo(ContainerEvent.Kind.OOM);
    assertThat(kindOf("health_status: healthy")).isEqualTo(ContainerEvent.Kind.HEALTHY);
    assertThat(kindOf("health_status: unhealthy")).isEqualTo(ContainerEvent.Kind.UNHEALTHY);
    assertThat(kindOf("destroy")).isEqualTo(ContainerEvent.Kind.DESTROYED);
    assertThat(kindOf("exec_start: sh")).isNull();
    assertThat(kindOf("health_status: starting")).isNull();
  }

  private static ContainerEvent.Kind kindOf(String action) throws Exception {
    Event event =
        DOCKER_JSON.readValue(
            "{\"Type\": \"container\", \"Action\": \""
                + action
                + "\", \"Actor\": {\"ID\": \"c0ffee\", \"Attributes\": {}}}",
            Event.class);
    return DockerMapping.event(event).map(ContainerEvent::kind).orElse(null);
  }

  @Test
  void exposedPortsAreTheSameObjectsDockerJavaUses() {
    // Guards the assumption hostConfig relies on: Ports keys by ExposedPort value.
    Ports ports =
        DockerMapping.hostConfig(
                ContainerSpec.builder("img").ports(List.of(PortBinding.tcp(80, 8080))).build())
            .getPortBindings();
    assertThat(ports.getBindings()).containsKey(ExposedPort.tcp(80));
  }

  @Test
  void aTimestampedLogFrameNamesItsOutputItsEngineTimeAndItsEntry() {
    io.wharf.runtime.LogFrame f =
        DockerMapping.logFrame(
            new com.github.dockerjava.api.model.Frame(
                com.github.dockerjava.api.model.StreamType.STDERR,
                "2026-12-08T01:02:03.123456789Z boom\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(f.source()).isEqualTo(io.wharf.runtime.LogFrame.Source.STDERR);
    assertThat(f.engineTime()).isEqualTo("2026-12-08T01:02:03.123456789Z");
    assertThat(f.time()).isEqualTo(Instant.parse("2026-12-08T01:02:03.123456789Z"));
    assertThat(new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("boom\n");
    assertThat(f.endsLine()).isTrue();
  }

  @Test
  void everyContainerLogsToTheEnginesLocalJsonFile() {
    assertThat(
            DockerMapping.hostConfig(ContainerSpec.builder("img").build()).getLogConfig().getType())
        .isEqualTo(com.github.dockerjava.api.model.LogConfig.LoggingType.JSON_FILE);
  }
}
