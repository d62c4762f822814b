package io.wharf.ecs.launch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a task of a given definition (with RunTask overrides) is made of and what it needs from an
 * instance: CPU units, MiB of memory and fixed host ports.
 *
 * <p>Resources follow ECS: task-level cpu and memory when given, else the sum over containers of
 * {@code cpu} and of {@code memory} (or {@code memoryReservation} when there is no hard limit).
 * Fixed host ports are those with a non-zero {@code hostPort} in bridge mode and every container
 * port in host mode; dynamic ports are chosen by the agent.
 */
public record TaskShape(
    List<Container> containers,
    String taskCpu,
    String taskMemory,
    long cpu,
    long memory,
    List<String> ports) {

  public record Container(String name, String image, boolean essential) {}

  public static TaskShape of(JsonNode definition, JsonNode overrides) {
    String taskCpu = text(override(overrides, "cpu", definition.get("cpu")));
    String taskMemory = text(override(overrides, "memory", definition.get("memory")));
    String networkMode = definition.path("networkMode").asText("bridge");
    long cpu = 0;
    long memory = 0;
    Set<String> ports = new LinkedHashSet<>();
    List<Container> containers = new ArrayList<>();
    for (JsonNode c : definition.path("containerDefinitions")) {
      String name = c.path("name").asText();
      JsonNode o = containerOverride(overrides, name);
      cpu +=
          override(o, "cpu", c.get("cpu")) == null ? 0 : override(o, "cpu", c.get("cpu")).asLong();
      JsonNode hard = override(o, "memory", c.get("memory"));
      JsonNode soft = override(o, "memoryReservation", c.get("memoryReservation"));
      memory += hard != null ? hard.asLong() : soft != null ? soft.asLong() : 0;
      for (JsonNode p : c.path("portMappings")) {
        String protocol = p.path("protocol").asText("tcp");
        if (networkMode.equals("host")) {
          ports.add(protocol + ":" + p.path("containerPort").asInt());
        } else if (networkMode.equals("bridge") && p.path("hostPort").asInt(0) > 0) {
          ports.add(protocol + ":" + p.path("hostPort").asInt());
        }
      }
      containers.add(
          new Container(name, c.path("image").asText(), c.path("essential").asBoolean(true)));
    }
    long demandCpu = taskCpu != null ? number(taskCpu, "cpu") : cpu;
    long demandMemory = taskMemory != null ? number(taskMemory, "memory") : memory;
    // Container overrides are plain integers to the model: a negative one would sum to a demand
    // below zero, which no instance can be asked for.
    if (demandCpu < 0 || demandMemory < 0) {
      throw io.wharf.model.WharfException.invalidParameter(
          "The task's "
              + (demandCpu < 0 ? "cpu" : "memory")
              + " comes to "
              + (demandCpu < 0 ? demandCpu : demandMemory)
              + " with the overrides; cpu and memory overrides must not be negative.");
    }
    return new TaskShape(
        containers, taskCpu, taskMemory, demandCpu, demandMemory, List.copyOf(ports));
  }

  private static JsonNode containerOverride(JsonNode overrides, String name) {
    if (overrides == null) {
      return null;
    }
    for (JsonNode o : overrides.path("containerOverrides")) {
      if (name.equals(o.path("name").asText())) {
        return o;
      }
    }
    return null;
  }

  private static JsonNode override(JsonNode overrides, String member, JsonNode fallback) {
    if (overrides != null && overrides.hasNonNull(member)) {
      return overrides.get(member);
    }
    return fallback == null || fallback.isNull() ? null : fallback;
  }

  private static long number(String value, String member) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw io.wharf.model.WharfException.invalidParameter(
          "The task "
              + member
              + " '"
              + value
              + "' is not a number of "
              + (member.equals("cpu") ? "CPU units." : "MiB."));
    }
  }

  private static String text(JsonNode n) {
    return n == null ? null : n.asText();
  }
}
