package io.wharf.ecs.taskdef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskDefinitionRulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  // ---- fixtures -------------------------------------------------------------------------------

  /** Parses a JSON object written with single quotes, which keeps the text blocks readable. */
  private static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }

  /** The smallest valid EC2 request: one container with a memory limit. */
  private static ObjectNode minimalEc2() {
    return json(
        """
        {'family': 'web', 'containerDefinitions': [
          {'name': 'app', 'image': 'nginx:1.27', 'memory': 128}]}
        """);
  }

  /** A Fargate request of the given size with one container, as most Fargate users write it. */
  private static ObjectNode fargate(String cpu, String memory) {
    return json(
        """
        {'family': 'api', 'networkMode': 'awsvpc', 'requiresCompatibilities': ['FARGATE'],
         'cpu': '%s', 'memory': '%s',
         'containerDefinitions': [{'name': 'app', 'image': 'api:1'}]}
        """
            .formatted(cpu, memory));
  }

  private static ObjectNode container(ObjectNode request, int index) {
    return (ObjectNode) request.get("containerDefinitions").get(index);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(element -> texts.add(element.asText()));
    return texts;
  }

  /** Asserts that ECS would refuse the request with a ClientException whose message has parts. */
  private static void assertRefused(ObjectNode request, String... messageParts) {
    assertThatThrownBy(() -> TaskDefinitionRules.normalize(request))
        .isInstanceOfSatisfying(
            WharfException.class, error -> assertThat(error.code()).isEqualTo(ErrorCode.CLIENT))
        .message()
        .contains(messageParts);
  }

  // ---- defaults and shape -----------------------------------------------------------------------

  @Nested
  class Defaults {
    @Test
    void minimalEc2TaskGetsEcsDefaults() {
      ObjectNode definition = TaskDefinitionRules.normalize(minimalEc2());

      JsonNode app = definition.get("containerDefinitions").get(0);
      assertThat(app.get("cpu").intValue()).isZero();
      assertThat(app.get("essential").booleanValue()).isTrue();
      for (String list :
          List.of("portMappings", "environment", "mountPoints", "volumesFrom", "systemControls")) {
        assertThat(app.get(list)).as(list).isInstanceOf(ArrayNode.class).isEmpty();
      }
      assertThat(app.get("memory").intValue()).isEqualTo(128);
      assertThat(definition.get("volumes")).isEmpty();
      assertThat(definition.get("placementConstraints")).isEmpty();
      assertThat(texts(definition.get("compatibilities"))).containsExactly("EXTERNAL", "EC2");
    }

    @Test
    void absentNetworkModeAndRequirementsStayAbsent() {
      ObjectNode definition = TaskDefinitionRules.normalize(minimalEc2());

      assertThat(definition.has("networkMode")).isFalse();
      assertThat(definition.has("requiresCompatibilities")).isFalse();
      assertThat(definition.has("requiresAttributes")).isFalse();
    }

    @Test
    void tagsAndServerAssignedMembersAreNotInTheDefinition() {
      ObjectNode request = minimalEc2();
      request.set("tags", json("{'t': [{'key': 'team', 'value': 'web'}]}").get("t"));

      ObjectNode definition = TaskDefinitionRules.normalize(request);

      assertThat(definition.has("tags")).isFalse();
      for (String member :
          List.of(
              "taskDefinitionArn",
              "revision",
              "status",
              "registeredAt",
              "registeredBy",
              "deregisteredAt",
              "deleteRequestedAt")) {
        assertThat(definition.has(member)).as(member).isFalse();
      }
    }

    @Test
    void theRequestIsNotModified() {
      ObjectNode request = fargate("1 vCPU", "2 GB");
      ObjectNode before = request.deepCopy();

      ObjectNode definition = TaskDefinitionRules.normalize(request);
      definition.put("family", "changed-afterwards");

      assertThat(request).isEqualTo(before);
    }

    @Test
    void givenValuesWinOverDefaults() {
      ObjectNode request = minimalEc2();
      container(request, 0).put("cpu", 256).put("essential", true);
      container(request, 0)
          .set("environment", json("{'e': [{'name': 'A', 'value': '1'}]}").get("e"));
      request.set(
          "volumes", json("{'v': [{'name': 'data', 'host': {'sourcePath': '/d'}}]}").get("v"));

      ObjectNode definition = TaskDefinitionRules.normalize(request);

      JsonNode app = definition.get("containerDefinitions").get(0);
      assertThat(app.get("cpu").intValue()).isEqualTo(256);
      assertThat(app.get("environment")).isEqualTo(container(request, 0).get("environment"));
      assertThat(definition.get("volumes")).isEqualTo(request.get("volumes"));
    }

    @Test
    void jsonNullsAreTreatedAsAbsent() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'taskRoleArn': null, 'containerDefinitions': [
                {'name': 'app', 'image': 'nginx', 'memory': 128, 'healthCheck': null,
                 'logConfiguration': {'logDriver': 'awslogs', 'secretOptions': null}}]}
              """);

      ObjectNode definition = TaskDefinitionRules.normalize(request);

      JsonNode app = definition.get("containerDefinitions").get(0);
      assertThat(definition.has("taskRoleArn")).isFalse();
      assertThat(app.has("healthCheck")).isFalse();
      assertThat(app.get("logConfiguration")).isEqualTo(json("{'logDriver': 'awslogs'}"));
    }

    @Test
    void membersTheRulesDoNotInterpretPassThroughUnchanged() {
      ObjectNode request =
          json(
              """
              {'family': 'full', 'taskRoleArn': 'arn:aws:iam::123456789012:role/task',
               'executionRoleArn': 'arn:aws:iam::123456789012:role/exec',
               'pidMode': 'task', 'ipcMode': 'none', 'enableFaultInjection': false,
               'volumes': [{'name': 'cache', 'dockerVolumeConfiguration': {'scope': 'task'}}],
               'placementConstraints': [{'type': 'memberOf', 'expression': 'attribute:x == y'}],
               'runtimePlatform': {'cpuArchitecture': 'ARM64', 'operatingSystemFamily': 'LINUX'},
               'ephemeralStorage': {'sizeInGiB': 30},
               'proxyConfiguration': {'type': 'APPMESH', 'containerName': 'app',
                                      'properties': [{'name': 'AppPorts', 'value': '80'}]},
               'inferenceAccelerators': [{'deviceName': 'd1', 'deviceType': 'eia2.medium'}],
               'containerDefinitions': [
                 {'name': 'app', 'image': 'app:1', 'memoryReservation': 64,
                  'command': ['serve', '--port', '80'], 'entryPoint': ['/bin/sh', '-c'],
                  'secrets': [{'name': 'DB', 'valueFrom': 'arn:aws:ssm:eu-west-1:1:parameter/db'}],
                  'ulimits': [{'name': 'nofile', 'softLimit': 1024, 'hardLimit': 4096}],
                  'linuxParameters': {'initProcessEnabled': true, 'capabilities': {'add': ['SYS_PTRACE']}},
                  'logConfiguration': {'logDriver': 'awslogs', 'options': {'awslogs-group': 'g'}},
                  'dockerLabels': {'team': 'web'}, 'user': '1000:1000', 'workingDirectory': '/srv',
                  'restartPolicy': {'enabled': true, 'restartAttemptPeriod': 60},
                  'firelensConfiguration': {'type': 'fluentbit'}, 'stopTimeout': 20}]}
              """);

      ObjectNode definition = TaskDefinitionRules.normalize(request);

      for (String member :
          List.of(
              "taskRoleArn",
              "executionRoleArn",
              "pidMode",
              "ipcMode",
              "enableFaultInjection",
              "volumes",
              "placementConstraints",
              "runtimePlatform",
              "ephemeralStorage",
              "proxyConfiguration",
              "inferenceAccelerators")) {
        assertThat(definition.get(member)).as(member).isEqualTo(request.get(member));
      }
      JsonNode given = container(request, 0);
      JsonNode stored = definition.get("containerDefinitions").get(0);
      given
          .fieldNames()
          .forEachRemaining(
              member -> assertThat(stored.get(member)).as(member).isEqualTo(given.get(member)));
    }
  }

  // ---- family, names, images, essential
  // -----------------------------------------------------------

  @Nested
  class Names {
    @ParameterizedTest
    @ValueSource(strings = {"web app", "web:1", "web/app", "wéb"})
    void familyWithInvalidCharactersIsRefused(String family) {
      ObjectNode request = minimalEc2();
      request.put("family", family);

      assertRefused(request, "Family contains invalid characters.");
    }

    @Test
    void blankFamilyIsRefused() {
      ObjectNode request = minimalEc2();
      request.put("family", "");

      assertRefused(request, "Family can not be blank.");
    }

    @Test
    void familyLongerThan255CharactersIsRefused() {
      ObjectNode longest = minimalEc2();
      longest.put("family", "f".repeat(255));
      ObjectNode tooLong = minimalEc2();
      tooLong.put("family", "f".repeat(256));

      assertThat(TaskDefinitionRules.normalize(longest).get("family").asText()).hasSize(255);
      assertRefused(tooLong, "Family", "255");
    }

    @Test
    void emptyContainerListIsRefused() {
      assertRefused(json("{'family': 'web', 'containerDefinitions': []}"), "Container list");
    }

    @Test
    void elevenContainersAreRefusedAndTenAccepted() {
      ObjectNode ten = json("{'family': 'web', 'containerDefinitions': []}");
      IntStream.range(0, 10)
          .forEach(
              i ->
                  ((ArrayNode) ten.get("containerDefinitions"))
                      .addObject()
                      .put("name", "c" + i)
                      .put("image", "busybox")
                      .put("memory", 16));
      ObjectNode eleven = ten.deepCopy();
      ((ArrayNode) eleven.get("containerDefinitions"))
          .addObject()
          .put("name", "c10")
          .put("image", "busybox")
          .put("memory", 16);

      assertThat(TaskDefinitionRules.normalize(ten).get("containerDefinitions")).hasSize(10);
      assertRefused(eleven, "Too many containers.");
    }

    @Test
    void containerWithoutNameIsRefused() {
      ObjectNode request = minimalEc2();
      container(request, 0).remove("name");

      assertRefused(request, "Container.name should not be null or empty.");
    }

    @Test
    void containerNameWithInvalidCharactersIsRefused() {
      ObjectNode request = minimalEc2();
      container(request, 0).put("name", "my app");

      assertRefused(request, "Container.name contains invalid characters.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void containerWithEmptyImageIsRefused(String image) {
      ObjectNode request = minimalEc2();
      container(request, 0).put("image", image);

      assertRefused(request, "Container.image should not be null or empty.");
    }

    @Test
    void containerWithoutImageIsRefused() {
      ObjectNode request = minimalEc2();
      container(request, 0).remove("image");

      assertRefused(request, "Container.image should not be null or empty.");
    }

    @Test
    void duplicateContainerNamesAreRefused() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 64},
                {'name': 'app', 'image': 'b', 'memory': 64}]}
              """);

      assertRefused(request, "Container names must be unique within a Task Definition.");
    }

    @Test
    void taskWithoutEssentialContainerIsRefused() {
      ObjectNode request = minimalEc2();
      container(request, 0).put("essential", false);

      assertRefused(request, "essential container");
    }

    @Test
    void essentialDefaultsToTrueSoOneUnmarkedContainerSuffices() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 64},
                {'name': 'init', 'image': 'b', 'memory': 64, 'essential': false}]}
              """);

      JsonNode containers = TaskDefinitionRules.normalize(request).get("containerDefinitions");

      assertThat(containers.get(0).get("essential").booleanValue()).isTrue();
      assertThat(containers.get(1).get("essential").booleanValue()).isFalse();
    }

    @Test
    void definitionLargerThan64KibIsRefused() {
      ObjectNode request = minimalEc2();
      container(request, 0)
          .set(
              "environment",
              json("{'e': [{'name': 'BIG', 'value': '%s'}]}".formatted("x".repeat(66_000)))
                  .get("e"));

      assertRefused(request, "64 KiB");
    }
  }

  // ---- cpu and memory
  // -----------------------------------------------------------------------------

  @Nested
  class Resources {
    @Test
    void ec2ContainerNeedsMemoryOrReservationWithoutTaskMemory() {
      ObjectNode request = minimalEc2();
      container(request, 0).remove("memory");

      assertRefused(
          request,
          "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation'"
              + " must be specified.");
    }

    @Test
    void taskMemoryReplacesContainerMemory() {
      ObjectNode request = minimalEc2();
      container(request, 0).remove("memory");
      request.put("memory", "512");

      assertThat(TaskDefinitionRules.normalize(request).get("memory").asText()).isEqualTo("512");
    }

    @Test
    void reservationAloneIsEnough() {
      ObjectNode request = minimalEc2();
      container(request, 0).remove("memory");
      container(request, 0).put("memoryReservation", 64);

      JsonNode app = TaskDefinitionRules.normalize(request).get("containerDefinitions").get(0);

      assertThat(app.get("memoryReservation").intValue()).isEqualTo(64);
      assertThat(app.has("memory")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"memory, 5", "memory, 0", "memoryReservation, 4"})
    void containerMemoryBelowSixMibIsRefused(String field, int mib) {
      ObjectNode request = minimalEc2();
      container(request, 0).remove("memory");
      container(request, 0).put(field, mib);

      assertRefused(request, "'" + field + "'", "'app'", "6 MiB");
    }

    @Test
    void sixMibIsTheSmallestAcceptedMemory() {
      ObjectNode request = minimalEc2();
      container(request, 0).put("memory", 6).put("memoryReservation", 6);

      JsonNode app = TaskDefinitionRules.normalize(request).get("containerDefinitions").get(0);

      assertThat(app.get("memory").intValue()).isEqualTo(6);
    }

    @Test
    void reservationAboveMemoryIsRefused() {
      ObjectNode request = minimalEc2();
      container(request, 0).put("memory", 128).put("memoryReservation", 256);

      assertRefused(request, "'app'", "'memoryReservation'", "'memory'");
    }

    @Test
    void containerMemoryAboveTaskMemoryIsRefused() {
      ObjectNode request = minimalEc2();
      request.put("memory", "512");
      container(request, 0).put("memory", 1024);

      assertRefused(
          request, "The 'memory' setting for container 'app' is greater than for the task.");
    }

    @Test
    void sumOfReservationsAboveTaskMemoryIsRefused() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'memory': '1024', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 1024, 'memoryReservation': 600},
                {'name': 'side', 'image': 'b', 'memoryReservation': 600}]}
              """);

      assertRefused(
          request,
          "The sum of all container 'memoryReservation' values cannot be greater than the value"
              + " of the task 'memory'.");
    }

    @Test
    void sumOfHardLimitsAboveTaskMemoryIsRefused() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'memory': '1024', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 600},
                {'name': 'side', 'image': 'b', 'memory': 600}]}
              """);

      assertRefused(request, "The sum of all container 'memory' values", "task 'memory'");
    }

    @Test
    void reservationsCountInsteadOfLimitsWhenBothAreGiven() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'memory': '1024', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 1024, 'memoryReservation': 512},
                {'name': 'side', 'image': 'b', 'memory': 1024, 'memoryReservation': 512}]}
              """);

      assertThat(TaskDefinitionRules.normalize(request).get("containerDefinitions")).hasSize(2);
    }

    @Test
    void sumOfContainerCpuAboveTaskCpuIsRefused() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'cpu': '1024', 'memory': '2048', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'cpu': 768},
                {'name': 'side', 'image': 'b', 'cpu': 512}]}
              """);

      assertRefused(
          request,
          "The sum of all container 'cpu' values cannot be greater than the value of the task"
              + " 'cpu'.");
    }

    @Test
    void containerCpuAboveTaskCpuIsRefused() {
      ObjectNode request = minimalEc2();
      request.put("cpu", "256");
      container(request, 0).put("cpu", 512);

      assertRefused(request, "The 'cpu' setting for container 'app' is greater than for the task.");
    }

    @Test
    void negativeContainerCpuIsRefused() {
      ObjectNode request = minimalEc2();
      container(request, 0).put("cpu", -1);

      assertRefused(request, "Invalid 'cpu' setting for container 'app'.");
    }

    @ParameterizedTest
    @CsvSource({
      "1024, 1024",
      "1 vCPU, 1024",
      "1 vcpu, 1024",
      "0.25 vCPU, 256",
      ".5 vCPU, 512",
      "2vCPU, 2048",
      "0.125 vcpu, 128",
      "' 4096 ', 4096"
    })
    void taskCpuUnitFormsBecomeCpuUnits(String given, String stored) {
      ObjectNode request = minimalEc2();
      request.put("cpu", given);

      assertThat(TaskDefinitionRules.normalize(request).get("cpu").asText()).isEqualTo(stored);
    }

    @ParameterizedTest
    @CsvSource({"2048, 2048", "2 GB, 2048", "1GB, 1024", "0.5 GB, 512", "3 gb, 3072", "512, 512"})
    void taskMemoryUnitFormsBecomeMib(String given, String stored) {
      ObjectNode request = minimalEc2();
      request.put("memory", given);

      assertThat(TaskDefinitionRules.normalize(request).get("memory").asText()).isEqualTo(stored);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1.5", "-1", "0.0001 vCPU", "1 GB", "64", "200000", "1e3"})
    void invalidTaskCpuIsRefused(String cpu) {
      ObjectNode request = minimalEc2();
      request.put("cpu", cpu);

      assertRefused(request, "Invalid 'cpu' setting for task.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "1.5", "0", "1 vCPU", "0.0001 GB", "99999999999"})
    void invalidTaskMemoryIsRefused(String memory) {
      ObjectNode request = minimalEc2();
      request.put("memory", memory);

      assertRefused(request, "Invalid 'memory' setting for task.");
    }
  }

  // ---- Fargate
  // ------------------------------------------------------------------------------------

  @Nested
  class Fargate {
    /** The edges of every row of the Fargate size table, plus a value inside each stepped row. */
    static Stream<Arguments> offeredSizes() {
      return Stream.of(
          Arguments.of(256, 512),
          Arguments.of(256, 1024),
          Arguments.of(256, 2048),
          Arguments.of(512, 1024),
          Arguments.of(512, 3072),
          Arguments.of(512, 4096),
          Arguments.of(1024, 2048),
          Arguments.of(1024, 5120),
          Arguments.of(1024, 8192),
          Arguments.of(2048, 4096),
          Arguments.of(2048, 9216),
          Arguments.of(2048, 16384),
          Arguments.of(4096, 8192),
          Arguments.of(4096, 19456),
          Arguments.of(4096, 30720),
          Arguments.of(8192, 16384),
          Arguments.of(8192, 20480),
          Arguments.of(8192, 61440),
          Arguments.of(16384, 32768),
          Arguments.of(16384, 40960),
          Arguments.of(16384, 122880));
    }

    /** Just outside each row, off each row's step, and cpu values Fargate does not offer. */
    static Stream<Arguments> missingSizes() {
      return Stream.of(
          Arguments.of(256, 256),
          Arguments.of(256, 1536),
          Arguments.of(256, 3072),
          Arguments.of(512, 512),
          Arguments.of(512, 1536),
          Arguments.of(512, 5120),
          Arguments.of(1024, 1024),
          Arguments.of(1024, 9216),
          Arguments.of(2048, 3072),
          Arguments.of(2048, 17408),
          Arguments.of(4096, 7168),
          Arguments.of(4096, 31744),
          Arguments.of(8192, 15360),
          Arguments.of(8192, 17408),
          Arguments.of(8192, 65536),
          Arguments.of(16384, 24576),
          Arguments.of(16384, 36864),
          Arguments.of(16384, 131072),
          Arguments.of(128, 512),
          Arguments.of(3072, 8192),
          Arguments.of(32768, 65536));
    }

    @ParameterizedTest
    @MethodSource("offeredSizes")
    void offeredSizesRegisterAndAreFargateCompatible(int cpu, int memory) {
      ObjectNode definition =
          TaskDefinitionRules.normalize(fargate(Integer.toString(cpu), Integer.toString(memory)));

      assertThat(texts(definition.get("compatibilities"))).containsExactly("EC2", "FARGATE");
      assertThat(texts(definition.get("requiresCompatibilities"))).containsExactly("FARGATE");
    }

    @ParameterizedTest
    @MethodSource("missingSizes")
    void sizesFargateDoesNotOfferAreRefused(int cpu, int memory) {
      assertRefused(
          fargate(Integer.toString(cpu), Integer.toString(memory)),
          "No Fargate configuration exists for given values: "
              + cpu
              + " CPU, "
              + memory
              + " memory. See the Amazon ECS documentation for the valid values.");
    }

    @Test
    void unitFormsAreConvertedBeforeTheSizeCheck() {
      ObjectNode definition = TaskDefinitionRules.normalize(fargate("0.5 vCPU", "1 GB"));

      assertThat(definition.get("cpu").asText()).isEqualTo("512");
      assertThat(definition.get("memory").asText()).isEqualTo("1024");
    }

    @Test
    void fargateNeedsAwsvpc() {
      ObjectNode request = fargate("256", "512");
      request.put("networkMode", "bridge");

      assertRefused(request, "Fargate only supports network mode", "awsvpc");
    }

    @Test
    void fargateNeedsTaskCpu() {
      ObjectNode request = fargate("256", "512");
      request.remove("cpu");

      assertRefused(request, "Fargate requires that 'cpu' be defined at the task level.");
    }

    @Test
    void fargateNeedsTaskMemory() {
      ObjectNode request = fargate("256", "512");
      request.remove("memory");

      assertRefused(request, "Fargate requires that 'memory' be defined at the task level.");
    }

    @Test
    void fargateRefusesPrivilegedContainers() {
      ObjectNode request = fargate("256", "512");
      container(request, 0).put("privileged", true);

      assertRefused(request, "Fargate", "privileged", "'app'");
    }

    @Test
    void unprivilegedFlagIsFineOnFargate() {
      ObjectNode request = fargate("256", "512");
      container(request, 0).put("privileged", false);

      assertThat(texts(TaskDefinitionRules.normalize(request).get("compatibilities")))
          .contains("FARGATE");
    }

    @Test
    void fargateRefusesIpcMode() {
      ObjectNode request = fargate("256", "512");
      request.put("ipcMode", "task");

      assertRefused(request, "Tasks using the Fargate launch type do not support ipcMode.");
    }

    @Test
    void fargateRefusesHostPidModeButAcceptsTask() {
      ObjectNode host = fargate("256", "512");
      host.put("pidMode", "host");
      ObjectNode task = fargate("256", "512");
      task.put("pidMode", "task");

      assertRefused(host, "Fargate", "pidMode");
      assertThat(TaskDefinitionRules.normalize(task).get("pidMode").asText()).isEqualTo("task");
    }

    @Test
    void fargateRefusesHostSourcePathVolumesButAcceptsBindMounts() {
      ObjectNode hostPath = fargate("256", "512");
      hostPath.set(
          "volumes",
          json("{'v': [{'name': 'logs', 'host': {'sourcePath': '/var/log'}}]}").get("v"));
      ObjectNode bindMount = fargate("256", "512");
      bindMount.set("volumes", json("{'v': [{'name': 'scratch', 'host': {}}]}").get("v"));

      assertRefused(hostPath, "Fargate", "sourcePath", "'logs'");
      assertThat(TaskDefinitionRules.normalize(bindMount).get("volumes")).hasSize(1);
    }

    @Test
    void windowsOnFargateNeedsAtLeastOneVcpu() {
      ObjectNode request = fargate("512", "1024");
      request.set("runtimePlatform", json("{'operatingSystemFamily': 'WINDOWS_SERVER_2022_CORE'}"));

      assertRefused(request, "No Fargate configuration exists for given values: 512 CPU");
    }

    @Test
    void awsvpcTaskOfAFargateSizeIsFargateCompatibleWithoutAskingForIt() {
      ObjectNode request = fargate("1024", "2048");
      request.remove("requiresCompatibilities");

      ObjectNode definition = TaskDefinitionRules.normalize(request);

      assertThat(texts(definition.get("compatibilities"))).containsExactly("EC2", "FARGATE");
      assertThat(definition.has("requiresCompatibilities")).isFalse();
    }

    @Test
    void ec2TaskUsingAFargateOnlyFeatureIsNotFargateCompatible() {
      ObjectNode request = fargate("1024", "2048");
      request.set("requiresCompatibilities", json("{'r': ['EC2']}").get("r"));
      container(request, 0).put("privileged", true);

      assertThat(texts(TaskDefinitionRules.normalize(request).get("compatibilities")))
          .containsExactly("EC2");
    }

    @Test
    void awsvpcTaskWithoutTaskSizeIsOnlyEc2Compatible() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'networkMode': 'awsvpc', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 128}]}
              """);

      assertThat(texts(TaskDefinitionRules.normalize(request).get("compatibilities")))
          .containsExactly("EC2");
    }

    @Test
    void externalCannotUseAwsvpc() {
      ObjectNode request = fargate("256", "512");
      request.set("requiresCompatibilities", json("{'r': ['EXTERNAL']}").get("r"));

      assertRefused(request, "EXTERNAL", "awsvpc");
    }

    @Test
    void managedInstancesIsListedWhenRequired() {
      ObjectNode request = minimalEc2();
      request.set("requiresCompatibilities", json("{'r': ['MANAGED_INSTANCES']}").get("r"));

      assertThat(texts(TaskDefinitionRules.normalize(request).get("compatibilities")))
          .containsExactly("EXTERNAL", "EC2", "MANAGED_INSTANCES");
    }
  }

  // ---- network modes, ports and links
  // -------------------------------------------------------------

  @Nested
  class Ports {
    private ObjectNode withPorts(String networkMode, String... mappings) {
      ObjectNode request = minimalEc2();
      if (networkMode != null) {
        request.put("networkMode", networkMode);
      }
      ArrayNode list = container(request, 0).putArray("portMappings");
      for (String mapping : mappings) {
        list.add(json(mapping));
      }
      return request;
    }

    private JsonNode storedMappings(ObjectNode request) {
      return TaskDefinitionRules.normalize(request)
          .get("containerDefinitions")
          .get(0)
          .get("portMappings");
    }

    @Test
    void bridgeKeepsHostPortAsGivenAndDefaultsProtocol() {
      JsonNode mappings =
          storedMappings(
              withPorts(
                  null,
                  "{'containerPort': 80}",
                  "{'containerPort': 443, 'hostPort': 8443}",
                  "{'containerPort': 53, 'hostPort': 0, 'protocol': 'udp'}"));

      assertThat(mappings.get(0)).isEqualTo(json("{'containerPort': 80, 'protocol': 'tcp'}"));
      assertThat(mappings.get(1))
          .isEqualTo(json("{'containerPort': 443, 'hostPort': 8443, 'protocol': 'tcp'}"));
      assertThat(mappings.get(2))
          .isEqualTo(json("{'containerPort': 53, 'hostPort': 0, 'protocol': 'udp'}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"awsvpc", "host"})
    void directModesFillHostPortWithContainerPort(String mode) {
      JsonNode mappings =
          storedMappings(
              withPorts(
                  mode,
                  "{'containerPort': 80}",
                  "{'containerPort': 81, 'hostPort': 81}",
                  "{'containerPort': 82, 'hostPort': 0}"));

      assertThat(mappings)
          .extracting(mapping -> mapping.get("hostPort").intValue())
          .containsExactly(80, 81, 82);
    }

    @ParameterizedTest
    @ValueSource(strings = {"awsvpc", "host"})
    void directModesRefuseADifferentHostPort(String mode) {
      assertRefused(
          withPorts(mode, "{'containerPort': 80, 'hostPort': 8080}"),
          "When networkMode="
              + mode
              + ", the host ports and container ports in port mappings must match.");
    }

    @Test
    void networkModeNoneRefusesPortMappings() {
      assertRefused(withPorts("none", "{'containerPort': 80}"), "'portMappings'", "'app'", "none");
    }

    @Test
    void networkModeNoneAcceptsAnEmptyList() {
      assertThat(storedMappings(withPorts("none"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'hostPort': 80}", "{'containerPort': 0}", "{'containerPort': 65536}"})
    void mappingWithoutAValidContainerPortIsRefused(String mapping) {
      assertRefused(
          withPorts(null, mapping), "Invalid 'containerPort' setting for container 'app'.");
    }

    @Test
    void hostPortOutOfRangeIsRefused() {
      assertRefused(
          withPorts(null, "{'containerPort': 80, 'hostPort': 70000}"),
          "Invalid 'hostPort' setting for container 'app'.");
    }

    @Test
    void sameStaticHostPortTwiceInATaskIsRefused() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 64,
                 'portMappings': [{'containerPort': 80, 'hostPort': 8080}]},
                {'name': 'side', 'image': 'b', 'memory': 64,
                 'portMappings': [{'containerPort': 9000, 'hostPort': 8080}]}]}
              """);

      assertRefused(request, "TCP host port '8080' is mapped multiple times in task.");
    }

    @Test
    void sameContainerPortInTwoAwsvpcContainersIsRefused() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'networkMode': 'awsvpc', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 64, 'portMappings': [{'containerPort': 80}]},
                {'name': 'side', 'image': 'b', 'memory': 64, 'portMappings': [{'containerPort': 80}]}]}
              """);

      assertRefused(request, "TCP host port '80' is mapped multiple times in task.");
    }

    @Test
    void samePortOverTcpAndUdpIsAccepted() {
      JsonNode mappings =
          storedMappings(
              withPorts(
                  "awsvpc",
                  "{'containerPort': 53, 'protocol': 'tcp'}",
                  "{'containerPort': 53, 'protocol': 'udp'}"));

      assertThat(mappings).hasSize(2);
    }

    @Test
    void dynamicHostPortsNeverCollide() {
      JsonNode mappings =
          storedMappings(
              withPorts("bridge", "{'containerPort': 80}", "{'containerPort': 80, 'hostPort': 0}"));

      assertThat(mappings).hasSize(2);
    }

    @Test
    void portRangeIsAcceptedInBridgeAndAwsvpc() {
      JsonNode bridge = storedMappings(withPorts("bridge", "{'containerPortRange': '8000-8100'}"));
      JsonNode awsvpc = storedMappings(withPorts("awsvpc", "{'containerPortRange': '8000-8100'}"));

      assertThat(bridge.get(0))
          .isEqualTo(json("{'containerPortRange': '8000-8100', 'protocol': 'tcp'}"));
      assertThat(awsvpc.get(0).has("hostPort")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '"',
        value = {
          "host   | {'containerPortRange': '8000-8100'}",
          "bridge | {'containerPortRange': '8100-8000'}",
          "bridge | {'containerPortRange': '0-10'}",
          "bridge | {'containerPortRange': '8000'}",
          "bridge | {'containerPortRange': '8000-8100', 'hostPort': 8000}"
        })
    void invalidPortRangeIsRefused(String mode, String mapping) {
      assertRefused(withPorts(mode, mapping), "Invalid 'containerPortRange' setting", "'app'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"awsvpc", "host", "none"})
    void linksAreOnlySupportedInBridgeMode(String mode) {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'networkMode': '%s', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 64, 'links': ['db']},
                {'name': 'db', 'image': 'b', 'memory': 64}]}
              """
                  .formatted(mode));

      assertRefused(request, "Links are not supported when networkMode=" + mode + ".");
    }

    @Test
    void linksAreKeptInBridgeMode() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'containerDefinitions': [
                {'name': 'app', 'image': 'a', 'memory': 64, 'links': ['db:database']},
                {'name': 'db', 'image': 'b', 'memory': 64}]}
              """);

      JsonNode app = TaskDefinitionRules.normalize(request).get("containerDefinitions").get(0);

      assertThat(texts(app.get("links"))).containsExactly("db:database");
    }
  }

  // ---- dependsOn and health checks
  // ----------------------------------------------------------------

  @Nested
  class Dependencies {
    private ObjectNode twoContainers(String appDependsOn, String sideMembers) {
      return json(
          """
          {'family': 'web', 'containerDefinitions': [
            {'name': 'app', 'image': 'a', 'memory': 64, 'dependsOn': %s},
            {'name': 'side', 'image': 'b', 'memory': 64 %s}]}
          """
              .formatted(appDependsOn, sideMembers));
    }

    @Test
    void dependencyOnAnUnknownContainerIsRefused() {
      assertRefused(
          twoContainers("[{'containerName': 'db', 'condition': 'START'}]", ""),
          "'dependsOn'",
          "'app'",
          "'db'");
    }

    @Test
    void dependencyOnItselfIsRefused() {
      assertRefused(
          twoContainers("[{'containerName': 'app', 'condition': 'START'}]", ""),
          "'dependsOn'",
          "'app'",
          "itself");
    }

    @Test
    void dependencyCycleIsRefusedNamingTheCycle() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'containerDefinitions': [
                {'name': 'a', 'image': 'x', 'memory': 64,
                 'dependsOn': [{'containerName': 'b', 'condition': 'START'}]},
                {'name': 'b', 'image': 'x', 'memory': 64,
                 'dependsOn': [{'containerName': 'c', 'condition': 'START'}]},
                {'name': 'c', 'image': 'x', 'memory': 64,
                 'dependsOn': [{'containerName': 'a', 'condition': 'START'}]}]}
              """);

      assertRefused(request, "'dependsOn'", "cycle", "a -> b -> c -> a");
    }

    @Test
    void diamondDependenciesAreNotACycle() {
      ObjectNode request =
          json(
              """
              {'family': 'web', 'containerDefinitions': [
                {'name': 'app', 'image': 'x', 'memory': 64, 'dependsOn': [
                  {'containerName': 'left', 'condition': 'START'},
                  {'containerName': 'right', 'condition': 'START'}]},
                {'name': 'left', 'image': 'x', 'memory': 64,
                 'dependsOn': [{'containerName': 'base', 'condition': 'START'}]},
                {'name': 'right', 'image': 'x', 'memory': 64,
                 'dependsOn': [{'containerName': 'base', 'condition': 'START'}]},
                {'name': 'base', 'image': 'x', 'memory': 64}]}
              """);

      assertThat(TaskDefinitionRules.normalize(request).get("containerDefinitions")).hasSize(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SUCCESS", "COMPLETE"})
    void exitConditionsOnAnEssentialContainerAreRefused(String condition) {
      assertRefused(
          twoContainers("[{'containerName': 'side', 'condition': '%s'}]".formatted(condition), ""),
          "A dependency container with SUCCESS or COMPLETE condition cannot be an essential"
              + " container");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SUCCESS", "COMPLETE"})
    void exitConditionsOnANonEssentialContainerAreAccepted(String condition) {
      ObjectNode request =
          twoContainers(
              "[{'containerName': 'side', 'condition': '%s'}]".formatted(condition),
              ", 'essential': false");

      JsonNode app = TaskDefinitionRules.normalize(request).get("containerDefinitions").get(0);

      assertThat(app.get("dependsOn")).isEqualTo(container(request, 0).get("dependsOn"));
    }

    @Test
    void healthyConditionNeedsAHealthCheckOnTheTarget() {
      assertRefused(
          twoContainers("[{'containerName': 'side', 'condition': 'HEALTHY'}]", ""),
          "'dependsOn'",
          "'side'",
          "healthCheck");
    }

    @Test
    void healthyConditionOnAHealthCheckedTargetIsAccepted() {
      ObjectNode request =
          twoContainers(
              "[{'containerName': 'side', 'condition': 'HEALTHY'}]",
              ", 'healthCheck': {'command': ['CMD', 'true']}");

      assertThat(TaskDefinitionRules.normalize(request).get("containerDefinitions")).hasSize(2);
    }
  }

  @Nested
  class HealthChecks {
    private ObjectNode withHealthCheck(String healthCheck) {
      ObjectNode request = minimalEc2();
      container(request, 0).set("healthCheck", json(healthCheck));
      return request;
    }

    private JsonNode storedHealthCheck(ObjectNode request) {
      return TaskDefinitionRules.normalize(request)
          .get("containerDefinitions")
          .get(0)
          .get("healthCheck");
    }

    @Test
    void defaultsAreFilledAsEcsReturnsThem() {
      JsonNode healthCheck =
          storedHealthCheck(withHealthCheck("{'command': ['CMD-SHELL', 'curl -f localhost']}"));

      assertThat(healthCheck)
          .isEqualTo(
              json(
                  """
                  {'command': ['CMD-SHELL', 'curl -f localhost'],
                   'interval': 30, 'timeout': 5, 'retries': 3}
                  """));
    }

    @Test
    void givenValuesAreKept() {
      JsonNode healthCheck =
          storedHealthCheck(
              withHealthCheck(
                  """
                  {'command': ['CMD', '/health'], 'interval': 5, 'timeout': 60,
                   'retries': 10, 'startPeriod': 300}
                  """));

      assertThat(healthCheck.get("interval").intValue()).isEqualTo(5);
      assertThat(healthCheck.get("timeout").intValue()).isEqualTo(60);
      assertThat(healthCheck.get("retries").intValue()).isEqualTo(10);
      assertThat(healthCheck.get("startPeriod").intValue()).isEqualTo(300);
    }

    @Test
    void emptyCommandIsRefused() {
      assertRefused(withHealthCheck("{'command': []}"), "'healthCheck'", "'app'", "'command'");
    }

    @ParameterizedTest
    @CsvSource({
      "interval, 4",
      "interval, 301",
      "timeout, 1",
      "timeout, 61",
      "retries, 0",
      "retries, 11",
      "startPeriod, -1",
      "startPeriod, 301"
    })
    void settingsOutOfRangeAreRefused(String setting, int value) {
      ObjectNode request = withHealthCheck("{'command': ['CMD', 'true']}");
      ((ObjectNode) container(request, 0).get("healthCheck")).put(setting, value);

      assertRefused(request, "'healthCheck'", "'app'", "'" + setting + "'");
    }
  }
}
