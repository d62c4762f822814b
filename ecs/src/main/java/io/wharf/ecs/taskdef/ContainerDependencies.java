package io.wharf.ecs.taskdef;

import io.wharf.model.WharfException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code dependsOn} rules of one task: every dependency names another container of the task,
 * its condition can be met, and the dependencies form no cycle (the agent starts containers in
 * dependency order and stops them in reverse, which a cycle would deadlock).
 */
final class ContainerDependencies {
  /** One container as far as dependencies are concerned. */
  record Node(String name, boolean essential, boolean hasHealthCheck, List<Edge> dependsOn) {
    Node {
      dependsOn = List.copyOf(dependsOn);
    }
  }

  /** One {@code dependsOn} entry: the container waited for and the condition waited on. */
  record Edge(String containerName, String condition) {}

  // Depth-first search colours: a container is being visited while its dependencies are walked,
  // and done once all of them are known to be acyclic.
  private enum Visit {
    IN_PROGRESS,
    DONE
  }

  private ContainerDependencies() {}

  /** Throws a client error for the first rule the task's dependencies break. */
  static void check(List<Node> containers) {
    Map<String, Node> byName = new LinkedHashMap<>();
    containers.forEach(node -> byName.put(node.name(), node));
    for (Node node : containers) {
      for (Edge edge : node.dependsOn()) {
        checkEdge(node, edge, byName);
      }
    }
    Map<String, Visit> visits = new HashMap<>();
    for (Node node : containers) {
      findCycle(node, byName, visits, new ArrayList<>());
    }
  }

  private static void checkEdge(Node from, Edge edge, Map<String, Node> byName) {
    String prefix = "Invalid 'dependsOn' setting for container '" + from.name() + "'. ";
    Node target = byName.get(edge.containerName());
    if (target == null) {
      throw WharfException.client(
          prefix + "Container '" + edge.containerName() + "' is not in the task definition.");
    }
    if (target == from) {
      throw WharfException.client(prefix + "A container cannot depend on itself.");
    }
    switch (edge.condition()) {
      // ECS's own wording: waiting for an essential container to exit would stop the task first.
      case "SUCCESS", "COMPLETE" -> {
        if (target.essential()) {
          throw WharfException.client(
              "A dependency container with SUCCESS or COMPLETE condition cannot be an essential"
                  + " container");
        }
      }
      // Without a health check the container never reports HEALTHY, so the dependent would wait
      // until its startTimeout and the task would stop.
      case "HEALTHY" -> {
        if (!target.hasHealthCheck()) {
          throw WharfException.client(
              prefix
                  + "Container '"
                  + target.name()
                  + "' has no healthCheck, so the HEALTHY condition can never be met.");
        }
      }
      default -> {}
    }
  }

  private static void findCycle(
      Node node, Map<String, Node> byName, Map<String, Visit> visits, List<String> path) {
    Visit visit = visits.get(node.name());
    if (visit == Visit.DONE) {
      return;
    }
    path.add(node.name());
    if (visit == Visit.IN_PROGRESS) {
      // The path runs from where the walk began; the cycle is the part from the first visit of
      // this container to here.
      List<String> cycle = path.subList(path.indexOf(node.name()), path.size());
      throw WharfException.client(
          "Invalid 'dependsOn' setting for container '"
              + cycle.get(0)
              + "'. Containers cannot depend on each other in a cycle: "
              + String.join(" -> ", cycle)
              + ".");
    }
    visits.put(node.name(), Visit.IN_PROGRESS);
    for (Edge edge : node.dependsOn()) {
      findCycle(byName.get(edge.containerName()), byName, visits, path);
    }
    visits.put(node.name(), Visit.DONE);
    path.remove(path.size() - 1);
  }
}
