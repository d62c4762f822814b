package io.wharf.ecs.taskdef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.WharfException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The semantic rules of RegisterTaskDefinition, and the defaults ECS fills in when it stores a
 * definition.
 *
 * <p>The structural check against the service model (JSON types, enum values, required {@code
 * family} and {@code containerDefinitions}) has run before; this class checks what the model cannot
 * express: names, sizes, how members relate to each other and to the network mode and the required
 * launch types. Where ECS's exact error message is known it is used verbatim, so clients that match
 * on messages keep working.
 */
public final class TaskDefinitionRules {
  /** ECS's quota on the size of one task definition: 64 KiB of JSON. */
  static final int MAX_DEFINITION_BYTES = 64 * 1024;

  /** ECS's quota on containers per task definition. */
  static final int MAX_CONTAINERS = 10;

  /**
   * The smallest container memory limit or reservation: Docker 20.10 and later refuse less than 6
   * MiB, and ECS documents the same floor.
   */
  static final int MIN_CONTAINER_MEMORY_MIB = 6;

  // Families and container names: up to 255 letters, digits, hyphens and underscores.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final int MAX_NAME_LENGTH = 255;

  // The members of RegisterTaskDefinitionRequest that are also members of the TaskDefinition
  // output shape. Everything else in a request is dropped: "tags" is kept apart by the caller, and
  // the server-assigned members (ARN, revision, status, timestamps) are the caller's to add.
  private static final Set<String> DEFINITION_MEMBERS =
      Set.of(
          "family",
          "taskRoleArn",
          "executionRoleArn",
          "networkMode",
          "containerDefinitions",
          "volumes",
          "placementConstraints",
          "requiresCompatibilities",
          "cpu",
          "memory",
          "pidMode",
          "ipcMode",
          "proxyConfiguration",
          "inferenceAccelerators",
          "ephemeralStorage",
          "runtimePlatform",
          "enableFaultInjection");

  // Container members DescribeTaskDefinition shows as empty lists when they were not registered.
  private static final List<String> CONTAINER_LIST_DEFAULTS =
      List.of("environment", "mountPoints", "volumesFrom", "systemControls");

  /** One health check setting: its allowed range and the value ECS stores when it is absent. */
  private record HealthCheckSetting(String member, int min, int max, OptionalInt fallback) {}

  // Ranges and defaults from the service model's HealthCheck documentation. startPeriod has no
  // default: it is "off" unless given, and DescribeTaskDefinition leaves it out.
  private static final List<HealthCheckSetting> HEALTH_CHECK_SETTINGS =
      List.of(
          new HealthCheckSetting("interval", 5, 300, OptionalInt.of(30)),
          new HealthCheckSetting("timeout", 2, 60, OptionalInt.of(5)),
          new HealthCheckSetting("retries", 1, 10, OptionalInt.of(3)),
          new HealthCheckSetting("startPeriod", 0, 300, OptionalInt.empty()));

  private static final String FARGATE = "FARGATE";
  private static final String EXTERNAL = "EXTERNAL";
  private static final String EC2 = "EC2";
  private static final String MANAGED_INSTANCES = "MANAGED_INSTANCES";

  /** A container's members that the rules reason about, read once from its definition. */
  private record Container(
      String name,
      boolean essential,
      int cpu,
      Integer memory,
      Integer memoryReservation,
      ObjectNode definition) {}

  private TaskDefinitionRules() {}

  /**
   * Validates a RegisterTaskDefinition request body and returns the definition as ECS stores and
   * returns it: every request member that belongs to the TaskDefinition output shape, as given,
   * with ECS's defaults filled in, plus the computed {@code compatibilities}. The result has no
   * {@code taskDefinitionArn}, {@code revision}, {@code status}, {@code registeredAt}, {@code
   * registeredBy}, {@code deregisteredAt}, {@code deleteRequestedAt} (the caller adds those) and no
   * {@code tags} (the caller keeps them separately).
   *
   * <p>Pure: no I/O, no clock; the request is not modified and the result shares no nodes with it.
   *
   * @param request a request body that has passed the structural check against the service model
   * @return a new node holding the definition to store
   * @throws WharfException with {@link io.wharf.model.ErrorCode#CLIENT}, as ECS answers, naming the
   *     member (and container) at fault
   */
  public static ObjectNode normalize(ObjectNode request) {
    Objects.requireNonNull(request, "request");
    checkSize(request);
    // JSON nulls mean "absent" to ECS and never come back from it; dropping them first also makes
    // the working copy that the rest of the method may change.
    ObjectNode body = withoutNulls(request);

    checkFamily(body.get("family"));
    List<Container> containers = readContainers(body.get("containerDefinitions"));
    if (containers.stream().noneMatch(Container::essential)) {
      throw WharfException.client("Task definition doesn't have any essential container.");
    }

    Integer taskCpu = taskSize(body.get("cpu"), "cpu", TaskSize::cpuUnits);
    if (taskCpu != null && (taskCpu < TaskSize.MIN_CPU_UNITS || taskCpu > TaskSize.MAX_CPU_UNITS)) {
      throw WharfException.client("Invalid 'cpu' setting for task.");
    }
    Integer taskMemory = taskSize(body.get("memory"), "memory", TaskSize::memoryMiB);
    // ECS documents no floor for task memory outside Fargate; only zero, which could hold no
    // container at all, is refused here.
    if (taskMemory != null && taskMemory < 1) {
      throw WharfException.client("Invalid 'memory' setting for task.");
    }
    NetworkMode mode = NetworkMode.of(body.get("networkMode"));

    // Launch-type reasons come before container details, so a definition that can never run where
    // it asks to run says so, instead of failing on one container's settings first.
    Set<String> required = requiredCompatibilities(body.get("requiresCompatibilities"));
    Optional<String> notFargate = fargateProblem(body, containers, mode, taskCpu, taskMemory);
    if (required.contains(FARGATE) && notFargate.isPresent()) {
      throw WharfException.client(notFargate.get());
    }
    if (required.contains(EXTERNAL) && mode == NetworkMode.AWSVPC) {
      // ECS Anywhere instances have no ENI to give a task; awsvpc cannot work there.
      throw WharfException.client(
          "Tasks using the EXTERNAL launch type do not support network mode \u2018awsvpc\u2019.");
    }

    checkResources(containers, taskCpu, taskMemory);

    // One PortMappings for the whole task, because host ports are claimed across its containers.
    PortMappings ports = new PortMappings(mode);
    ArrayNode normalizedContainers = JsonNodeFactory.instance.arrayNode();
    List<ContainerDependencies.Node> dependencyNodes = new ArrayList<>();
    for (Container container : containers) {
      normalizedContainers.add(normalizeContainer(container, mode, ports));
      dependencyNodes.add(dependencyNode(container));
    }
    // After all containers are read: a dependency may name a container defined further down.
    ContainerDependencies.check(dependencyNodes);

    ObjectNode definition = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> member : body.properties()) {
      String name = member.getKey();
      if (!DEFINITION_MEMBERS.contains(name)) {
        continue;
      }
      switch (name) {
        case "containerDefinitions" -> definition.set(name, normalizedContainers);
        // ECS stores the converted numbers: "1 vCPU" comes back as "1024".
        case "cpu" -> definition.put(name, Integer.toString(taskCpu));
        case "memory" -> definition.put(name, Integer.toString(taskMemory));
        default -> definition.set(name, member.getValue());
      }
    }
    // networkMode and requiresCompatibilities stay absent when not given: ECS does not echo the
    // bridge default or an implied EC2 requirement.
    putIfAbsent(definition, "volumes", JsonNodeFactory.instance.arrayNode());
    putIfAbsent(definition, "placementConstraints", JsonNodeFactory.instance.arrayNode());
    definition.set("compatibilities", compatibilities(mode, notFargate.isEmpty(), required));
    return definition;
  }

  private static void checkSize(ObjectNode request) {
    // Measured on the request as sent, compact JSON, which is what the user controls.
    int bytes = request.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_DEFINITION_BYTES) {
      throw WharfException.client(
          "The task definition is "
              + bytes
              + " bytes, more than the 64 KiB ("
              + MAX_DEFINITION_BYTES
              + " bytes) a task definition may take.");
    }
  }

  /** A missing and a blank family get the same answer from ECS. */
  private static void checkFamily(JsonNode family) {
    String text = family != null && family.isTextual() ? family.textValue() : "";
    if (text.isBlank()) {
      throw WharfException.client("Family can not be blank.");
    }
    if (text.length() > MAX_NAME_LENGTH) {
      throw WharfException.client("Family must be at most " + MAX_NAME_LENGTH + " characters.");
    }
    if (!NAME.matcher(text).matches()) {
      throw WharfException.client("Family contains invalid characters.");
    }
  }

  private static List<Container> readContainers(JsonNode definitions) {
    if (definitions == null || !definitions.isArray() || definitions.isEmpty()) {
      throw WharfException.client("Container list cannot be empty.");
    }
    if (definitions.size() > MAX_CONTAINERS) {
      throw WharfException.client("Too many containers.");
    }
    List<Container> containers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode element : definitions) {
      if (!element.isObject()) {
        throw WharfException.client("Invalid 'containerDefinitions' setting for task.");
      }
      Container container = readContainer((ObjectNode) element);
      if (!names.add(container.name())) {
        throw WharfException.client("Container names must be unique within a Task Definition.");
      }
      containers.add(container);
    }
    return containers;
  }

  /**
   * Reads one container definition, checking the members every container needs. The model marks
   * neither name nor image as required, but ECS refuses a container without them, in its legacy
   * "Container.name" wording.
   */
  private static Container readContainer(ObjectNode definition) {
    String name = text(definition, "name");
    if (name == null || name.isEmpty()) {
      throw WharfException.client("Container.name should not be null or empty.");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw WharfException.client(
          "Container.name must be at most " + MAX_NAME_LENGTH + " characters.");
    }
    if (!NAME.matcher(name).matches()) {
      throw WharfException.client("Container.name contains invalid characters.");
    }
    String image = text(definition, "image");
    if (image == null || image.isBlank()) {
      throw WharfException.client("Container.image should not be null or empty.");
    }
    JsonNode essential = definition.get("essential");
    Integer cpu = integer(definition, "cpu", name);
    return new Container(
        name,
        // A container is essential unless it says otherwise.
        essential == null || !essential.isBoolean() || essential.booleanValue(),
        cpu == null ? 0 : cpu,
        integer(definition, "memory", name),
        integer(definition, "memoryReservation", name),
        definition);
  }

  /** The integer a task-level size string stands for, or null when the member is absent. */
  private static Integer taskSize(
      JsonNode member, String field, Function<String, OptionalInt> parser) {
    if (member == null) {
      return null;
    }
    OptionalInt value = member.isTextual() ? parser.apply(member.textValue()) : OptionalInt.empty();
    if (value.isEmpty()) {
      throw WharfException.client("Invalid '" + field + "' setting for task.");
    }
    return value.getAsInt();
  }

  private static Set<String> requiredCompatibilities(JsonNode member) {
    Set<String> required = new LinkedHashSet<>();
    if (member != null) {
      member.forEach(value -> required.add(value.asText()));
    }
    return required;
  }

  /**
   * Why the definition cannot run on Fargate, or empty when it can. Used twice: to refuse a
   * definition that requires FARGATE, and to decide whether FARGATE is among its compatibilities.
   * The checks run in a fixed order, so the reason given is always the same for the same request.
   */
  private static Optional<String> fargateProblem(
      ObjectNode body,
      List<Container> containers,
      NetworkMode mode,
      Integer taskCpu,
      Integer taskMemory) {
    if (mode != NetworkMode.AWSVPC) {
      return Optional.of("Fargate only supports network mode \u2018awsvpc\u2019.");
    }
    if (taskCpu == null) {
      return Optional.of("Fargate requires that 'cpu' be defined at the task level.");
    }
    if (taskMemory == null) {
      return Optional.of("Fargate requires that 'memory' be defined at the task level.");
    }
    if (!FargateSizes.isOffered(taskCpu, taskMemory, isWindows(body))) {
      return Optional.of(
          "No Fargate configuration exists for given values: "
              + taskCpu
              + " CPU, "
              + taskMemory
              + " memory. See the Amazon ECS documentation for the valid values.");
    }
    if (body.has("ipcMode")) {
      return Optional.of("Tasks using the Fargate launch type do not support ipcMode.");
    }
    if ("host".equals(text(body, "pidMode"))) {
      return Optional.of("Tasks using the Fargate launch type do not support pidMode 'host'.");
    }
    for (Container container : containers) {
      JsonNode privileged = container.definition().get("privileged");
      if (privileged != null && privileged.asBoolean()) {
        return Optional.of(
            "Tasks using the Fargate launch type do not support privileged containers ('"
                + container.name()
                + "').");
      }
      JsonNode links = container.definition().get("links");
      if (links != null && !links.isEmpty()) {
        return Optional.of(
            "Tasks using the Fargate launch type do not support links ('"
                + container.name()
                + "').");
      }
    }
    JsonNode volumes = body.get("volumes");
    if (volumes != null) {
      for (JsonNode volume : volumes) {
        String volumeName = volume.path("name").asText();
        // Fargate offers bind mounts inside the task's own storage, never a path on a host.
        if (volume.path("host").has("sourcePath")) {
          return Optional.of(
              "Tasks using the Fargate launch type do not support a host 'sourcePath' (volume '"
                  + volumeName
                  + "').");
        }
        if (volume.has("dockerVolumeConfiguration")) {
          return Optional.of(
              "Tasks using the Fargate launch type do not support 'dockerVolumeConfiguration'"
                  + " (volume '"
                  + volumeName
                  + "').");
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isWindows(ObjectNode body) {
    return body.path("runtimePlatform")
        .path("operatingSystemFamily")
        .asText()
        .startsWith("WINDOWS");
  }

  /** Container cpu and memory on their own and against the task-level values. */
  private static void checkResources(
      List<Container> containers, Integer taskCpu, Integer taskMemory) {
    long cpuSum = 0;
    long reservedSum = 0;
    boolean anyReservation = false;
    for (Container container : containers) {
      String name = container.name();
      if (container.cpu() < 0) {
        throw WharfException.client("Invalid 'cpu' setting for container '" + name + "'.");
      }
      if (taskCpu != null && container.cpu() > taskCpu) {
        throw WharfException.client(
            "The 'cpu' setting for container '" + name + "' is greater than for the task.");
      }
      Integer memory = container.memory();
      Integer reservation = container.memoryReservation();
      if (memory == null && reservation == null && taskMemory == null) {
        throw WharfException.client(
            "Invalid setting for container '"
                + name
                + "'. At least one of 'memory' or 'memoryReservation' must be specified.");
      }
      checkMemoryFloor(name, "memory", memory);
      checkMemoryFloor(name, "memoryReservation", reservation);
      if (memory != null && reservation != null && reservation > memory) {
        throw WharfException.client(
            "Invalid setting for container '"
                + name
                + "'. 'memoryReservation' must be less than or equal to 'memory'.");
      }
      if (taskMemory != null) {
        checkNotAboveTask(name, "memory", memory, taskMemory);
        checkNotAboveTask(name, "memoryReservation", reservation, taskMemory);
      }
      cpuSum += container.cpu();
      // What a container takes from the task is its reservation when it has one, else its limit.
      if (reservation != null) {
        anyReservation = true;
        reservedSum += reservation;
      } else if (memory != null) {
        reservedSum += memory;
      }
    }
    if (taskCpu != null && cpuSum > taskCpu) {
      throw WharfException.client(
          "The sum of all container 'cpu' values cannot be greater than the value of the task"
              + " 'cpu'.");
    }
    if (taskMemory != null && reservedSum > taskMemory) {
      throw WharfException.client(
          "The sum of all container '"
              + (anyReservation ? "memoryReservation" : "memory")
              + "' values cannot be greater than the value of the task 'memory'.");
    }
  }

  private static void checkMemoryFloor(String container, String field, Integer value) {
    if (value != null && value < MIN_CONTAINER_MEMORY_MIB) {
      throw WharfException.client(
          "Invalid '"
              + field
              + "' setting for container '"
              + container
              + "'. The minimum is "
              + MIN_CONTAINER_MEMORY_MIB
              + " MiB.");
    }
  }

  private static void checkNotAboveTask(
      String container, String field, Integer value, int taskMemory) {
    if (value != null && value > taskMemory) {
      throw WharfException.client(
          "The '"
              + field
              + "' setting for container '"
              + container
              + "' is greater than for the task.");
    }
  }

  /** One container definition with links, ports and health check checked and defaults filled. */
  private static ObjectNode normalizeContainer(
      Container container, NetworkMode mode, PortMappings ports) {
    ObjectNode definition = container.definition();
    JsonNode links = definition.get("links");
    if (links != null && !links.isEmpty() && mode != NetworkMode.BRIDGE) {
      // Links are Docker's legacy bridge-network feature; other modes have no link to make.
      throw WharfException.client(
          "Links are not supported when networkMode=" + mode.wireName() + ".");
    }
    putIfAbsent(definition, "cpu", JsonNodeFactory.instance.numberNode(0));
    putIfAbsent(definition, "essential", JsonNodeFactory.instance.booleanNode(true));
    definition.set(
        "portMappings", ports.normalize(container.name(), definition.get("portMappings")));
    if (definition.has("healthCheck")) {
      definition.set(
          "healthCheck", normalizeHealthCheck(container.name(), definition.get("healthCheck")));
    }
    for (String member : CONTAINER_LIST_DEFAULTS) {
      putIfAbsent(definition, member, JsonNodeFactory.instance.arrayNode());
    }
    return definition;
  }

  private static ObjectNode normalizeHealthCheck(String container, JsonNode given) {
    String prefix = "Invalid 'healthCheck' setting for container '" + container + "'. ";
    if (!given.isObject()) {
      throw WharfException.client(prefix + "Expected an object.");
    }
    ObjectNode healthCheck = (ObjectNode) given;
    JsonNode command = healthCheck.get("command");
    if (command == null || !command.isArray() || command.isEmpty()) {
      throw WharfException.client(prefix + "'command' must not be empty.");
    }
    for (HealthCheckSetting setting : HEALTH_CHECK_SETTINGS) {
      JsonNode value = healthCheck.get(setting.member());
      if (value == null) {
        setting.fallback().ifPresent(fallback -> healthCheck.put(setting.member(), fallback));
      } else if (!value.canConvertToInt()
          || value.asInt() < setting.min()
          || value.asInt() > setting.max()) {
        throw WharfException.client(
            prefix
                + "'"
                + setting.member()
                + "' must be between "
                + setting.min()
                + " and "
                + setting.max()
                + ".");
      }
    }
    return healthCheck;
  }

  private static ContainerDependencies.Node dependencyNode(Container container) {
    List<ContainerDependencies.Edge> edges = new ArrayList<>();
    JsonNode dependsOn = container.definition().get("dependsOn");
    if (dependsOn != null) {
      for (JsonNode dependency : dependsOn) {
        edges.add(
            new ContainerDependencies.Edge(
                dependency.path("containerName").asText(), dependency.path("condition").asText()));
      }
    }
    return new ContainerDependencies.Node(
        container.name(), container.essential(), container.definition().has("healthCheck"), edges);
  }

  /**
   * The launch types the definition can run on, in the order ECS lists them: EXTERNAL (not with
   * awsvpc) before EC2, which every definition supports, then FARGATE when nothing rules it out.
   */
  private static ArrayNode compatibilities(
      NetworkMode mode, boolean fargateOffered, Set<String> required) {
    ArrayNode compatibilities = JsonNodeFactory.instance.arrayNode();
    if (mode != NetworkMode.AWSVPC) {
      compatibilities.add(EXTERNAL);
    }
    compatibilities.add(EC2);
    if (fargateOffered) {
      compatibilities.add(FARGATE);
    }
    // Wharf runs MANAGED_INSTANCES tasks like EC2 ones; listing it only when asked for keeps the
    // usual outputs identical to ECS's while letting such a definition be launched.
    if (required.contains(MANAGED_INSTANCES)) {
      compatibilities.add(MANAGED_INSTANCES);
    }
    return compatibilities;
  }

  /**
   * An optional integer member. The structural check already guarantees the JSON type; this keeps a
   * caller that skipped it on a client error rather than a ClassCastException.
   */
  private static Integer integer(ObjectNode object, String field, String container) {
    JsonNode value = object.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw WharfException.client(
          "Invalid '" + field + "' setting for container '" + container + "'.");
    }
    return value.intValue();
  }

  private static String text(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private static void putIfAbsent(ObjectNode object, String field, JsonNode value) {
    if (!object.has(field)) {
      object.set(field, value);
    }
  }

  /** A deep copy of {@code node} without object members whose value is JSON null. */
  private static ObjectNode withoutNulls(ObjectNode node) {
    ObjectNode copy = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> member : node.properties()) {
      JsonNode value = member.getValue();
      if (!value.isNull()) {
        copy.set(member.getKey(), withoutNullsIn(value));
      }
    }
    return copy;
  }

  private static JsonNode withoutNullsIn(JsonNode value) {
    if (value.isObject()) {
      return withoutNulls((ObjectNode) value);
    }
    if (value.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      value.forEach(element -> copy.add(withoutNullsIn(element)));
      return copy;
    }
    return value.deepCopy();
  }
}
