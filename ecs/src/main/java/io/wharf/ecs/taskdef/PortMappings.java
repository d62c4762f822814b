package io.wharf.ecs.taskdef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.WharfException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code portMappings} rules of one task: what its network mode allows, and the defaults ECS
 * writes into each mapping.
 *
 * <p>One instance checks all the containers of one task, because host ports are claimed task-wide:
 * in bridge and host mode the containers share the instance's ports, in awsvpc mode they share one
 * ENI. Not thread-safe; it lives for one {@link TaskDefinitionRules#normalize} call.
 */
final class PortMappings {
  private static final int MAX_PORT = 65_535;
  private static final String DEFAULT_PROTOCOL = "tcp";
  private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,5})-(\\d{1,5})");

  private final NetworkMode mode;

  // Static host ports already mapped in this task, as "tcp/8080". Port 0 (dynamic) is never
  // claimed: the agent picks a distinct ephemeral port for each such mapping.
  private final Set<String> claimedHostPorts = new HashSet<>();

  PortMappings(NetworkMode mode) {
    this.mode = mode;
  }

  /**
   * Checks one container's mappings and returns them as ECS stores them: {@code protocol} defaulted
   * to tcp and, where the network mode binds container ports directly, {@code hostPort} set to the
   * container port. An absent list becomes an empty one.
   */
  ArrayNode normalize(String container, JsonNode mappings) {
    ArrayNode normalized = JsonNodeFactory.instance.arrayNode();
    if (mappings == null || mappings.isEmpty()) {
      return normalized;
    }
    if (mode == NetworkMode.NONE) {
      throw WharfException.client(
          "Invalid 'portMappings' setting for container '"
              + container
              + "'. Port mappings are not supported when networkMode=none.");
    }
    for (JsonNode mapping : mappings) {
      if (!mapping.isObject()) {
        throw WharfException.client(
            "Invalid 'portMappings' setting for container '" + container + "'.");
      }
      normalized.add(normalizeOne(container, (ObjectNode) mapping.deepCopy()));
    }
    return normalized;
  }

  private ObjectNode normalizeOne(String container, ObjectNode mapping) {
    if (!mapping.has("protocol")) {
      mapping.put("protocol", DEFAULT_PROTOCOL);
    }
    String protocol = mapping.get("protocol").asText();
    if (mapping.has("containerPortRange")) {
      checkRange(container, mapping);
      // A range gets its host ports from the agent (bridge) or mirrors them (awsvpc); there is no
      // single host port to fill in or to claim.
      return mapping;
    }
    Integer containerPort = port(mapping, "containerPort");
    if (containerPort == null || containerPort < 1 || containerPort > MAX_PORT) {
      throw WharfException.client(
          "Invalid 'containerPort' setting for container '" + container + "'.");
    }
    Integer hostPort = port(mapping, "hostPort");
    if (hostPort != null && (hostPort < 0 || hostPort > MAX_PORT)) {
      throw WharfException.client("Invalid 'hostPort' setting for container '" + container + "'.");
    }
    int effectiveHostPort;
    if (mode.bindsContainerPortsDirectly()) {
      // 0 counts as "left blank" here: ECS documents blank or equal, and rewrites both to equal.
      if (hostPort != null && hostPort != 0 && !hostPort.equals(containerPort)) {
        throw WharfException.client(
            "When networkMode="
                + mode.wireName()
                + ", the host ports and container ports in port mappings must match.");
      }
      mapping.put("hostPort", containerPort);
      effectiveHostPort = containerPort;
    } else {
      // Bridge: the host port stays as given; absent or 0 asks the agent for a dynamic port.
      effectiveHostPort = hostPort == null ? 0 : hostPort;
    }
    if (effectiveHostPort != 0 && !claimedHostPorts.add(protocol + "/" + effectiveHostPort)) {
      throw WharfException.client(
          protocol.toUpperCase(Locale.ROOT)
              + " host port '"
              + effectiveHostPort
              + "' is mapped multiple times in task.");
    }
    return mapping;
  }

  private void checkRange(String container, ObjectNode mapping) {
    String prefix = "Invalid 'containerPortRange' setting for container '" + container + "'. ";
    if (mode == NetworkMode.HOST) {
      throw WharfException.client(
          prefix + "Port ranges are only supported when networkMode is bridge or awsvpc.");
    }
    if (mapping.has("containerPort") || mapping.has("hostPort")) {
      throw WharfException.client(
          prefix + "Do not set 'containerPort' or 'hostPort' in a mapping with a port range.");
    }
    Matcher range = PORT_RANGE.matcher(mapping.get("containerPortRange").asText());
    if (!range.matches()) {
      throw WharfException.client(prefix + "Expected a range such as '8000-8100'.");
    }
    int first = Integer.parseInt(range.group(1));
    int last = Integer.parseInt(range.group(2));
    if (first < 1 || last > MAX_PORT || first >= last) {
      throw WharfException.client(
          prefix + "The ports must be between 1 and 65535, the first lower than the last.");
    }
  }

  private static Integer port(ObjectNode mapping, String field) {
    JsonNode value = mapping.get(field);
    return value == null ? null : value.asInt();
  }
}
