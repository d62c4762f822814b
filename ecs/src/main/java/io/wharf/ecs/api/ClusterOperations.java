package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.Page;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.model.Cluster;
import io.wharf.model.ClusterStatus;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Setting;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import io.wharf.model.WharfException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * CreateCluster, DescribeClusters, ListClusters, UpdateCluster, UpdateClusterSettings,
 * DeleteCluster.
 */
final class ClusterOperations {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,255}");
  private static final int MAX_DESCRIBE = 100;
  private static final Set<String> INSIGHTS_VALUES = Set.of("enabled", "disabled", "enhanced");

  private final StateMachine states;
  private final Lookup lookup;

  ClusterOperations(StateMachine states, Lookup lookup) {
    this.states = states;
    this.lookup = lookup;
  }

  void register(Map<String, Operation> ops) {
    ops.put("CreateCluster", this::create);
    ops.put("DescribeClusters", this::describe);
    ops.put("ListClusters", Typed.of(ListClustersRequest.class, this::list));
    ops.put("UpdateCluster", this::update);
    ops.put("UpdateClusterSettings", this::updateSettings);
    ops.put("DeleteCluster", this::delete);
  }

  private JsonNode create(Operation.Caller caller, JsonNode request) {
    String name = Wire.text(request, "clusterName", "default");
    if (!NAME.matcher(name).matches()) {
      throw WharfException.invalidParameter(
          "clusterName can have up to 255 letters (uppercase and lowercase), numbers, hyphens and"
              + " underscores: '"
              + name
              + "'.");
    }
    Wire.refuseUnsupported(
        request,
        " on clusters",
        "capacityProviders",
        "defaultCapacityProviderStrategy",
        "serviceConnectDefaults");
    var tags = Wire.readTags(request.get("tags"));
    List<Setting> settings =
        mergeSettings(defaultSettings(), readSettings(request.get("settings")));
    Document configuration = Wire.document(request.get("configuration"));
    Cluster created =
        states.execute(
            tx -> {
              Cluster existing = tx.state().clusters().get(name);
              if (existing != null && existing.isActive()) {
                // ECS answers CreateCluster for an existing cluster with that cluster, unchanged.
                return existing;
              }
              Cluster cluster =
                  new Cluster(
                      lookup.arns().cluster(name),
                      name,
                      ClusterStatus.ACTIVE,
                      tags,
                      settings,
                      configuration,
                      null,
                      tx.revision());
              tx.apply(new Change.ClusterPut(cluster));
              return cluster;
            });
    return Wire.object()
        .set(
            "cluster",
            toWire(states.current(), created, Set.of("TAGS", "SETTINGS", "CONFIGURATIONS")));
  }

  private JsonNode describe(Operation.Caller caller, JsonNode request) {
    List<String> refs = Wire.stringList(request, "clusters");
    if (refs.isEmpty() && !request.has("clusters")) {
      refs = List.of("default");
    }
    if (refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "clusters can name at most " + MAX_DESCRIBE + " clusters; it named " + refs.size() + ".");
    }
    Set<String> include = Set.copyOf(Wire.stringList(request, "include"));
    State state = states.current();
    ArrayNode clusters = Wire.array();
    ArrayNode failures = Wire.array();
    for (String ref : refs) {
      lookup
          .cluster(state, ref)
          .ifPresentOrElse(
              c -> clusters.add(toWire(state, c, include)),
              () -> failures.add(Wire.failure(missingArn(ref), "MISSING", null)));
    }
    ObjectNode out = Wire.object();
    out.set("clusters", clusters);
    out.set("failures", failures);
    return out;
  }

  record ListClustersRequest(String nextToken, Integer maxResults) {}

  record ListClustersResponse(List<String> clusterArns, String nextToken) {}

  private ListClustersResponse list(Operation.Caller caller, ListClustersRequest request) {
    State state = states.current();
    List<String> arns = new ArrayList<>();
    for (Cluster c : state.clusters().values()) {
      if (c.isActive()) {
        arns.add(c.arn());
      }
    }
    Page page =
        Page.of(arns, Comparator.naturalOrder(), request.nextToken(), request.maxResults(), 100);
    return new ListClustersResponse(page.items(), page.nextToken());
  }

  private JsonNode update(Operation.Caller caller, JsonNode request) {
    String ref = Wire.text(request, "cluster", null);
    Wire.refuseUnsupported(request, " on clusters", "serviceConnectDefaults");
    List<Setting> settings = readSettings(request.get("settings"));
    Document configuration = Wire.document(request.get("configuration"));
    Cluster updated =
        states.execute(
            tx -> {
              Cluster c = lookup.activeCluster(tx.state(), ref);
              Cluster next =
                  c.withSettings(mergeSettings(c.settings(), settings))
                      .withConfiguration(
                          configuration != null ? configuration : c.configuration(),
                          c.serviceConnectDefaults())
                      .withRevision(tx.revision());
              tx.apply(new Change.ClusterPut(next));
              return next;
            });
    return Wire.object()
        .set("cluster", toWire(states.current(), updated, Set.of("SETTINGS", "CONFIGURATIONS")));
  }

  private JsonNode updateSettings(Operation.Caller caller, JsonNode request) {
    String ref = Wire.text(request, "cluster", null);
    List<Setting> settings = readSettings(request.get("settings"));
    Cluster updated =
        states.execute(
            tx -> {
              Cluster c = lookup.activeCluster(tx.state(), ref);
              Cluster next =
                  c.withSettings(mergeSettings(c.settings(), settings)).withRevision(tx.revision());
              tx.apply(new Change.ClusterPut(next));
              return next;
            });
    return Wire.object().set("cluster", toWire(states.current(), updated, Set.of("SETTINGS")));
  }

  private JsonNode delete(Operation.Caller caller, JsonNode request) {
    String ref = Wire.text(request, "cluster", null);
    Cluster deleted =
        states.execute(
            tx -> {
              Cluster c = lookup.activeCluster(tx.state(), ref);
              Counts counts = Counts.of(tx.state(), c);
              if (counts.runningTasks() + counts.pendingTasks() > 0) {
                throw new WharfException(
                    ErrorCode.CLUSTER_CONTAINS_TASKS,
                    "The Cluster cannot be deleted while Tasks are active.");
              }
              if (counts.instances() > 0) {
                throw new WharfException(
                    ErrorCode.CLUSTER_CONTAINS_CONTAINER_INSTANCES,
                    "The Cluster cannot be deleted while Container Instances are active or draining.");
              }
              if (counts.activeServices() > 0) {
                throw new WharfException(
                    ErrorCode.CLUSTER_CONTAINS_SERVICES,
                    "The Cluster cannot be deleted while Services are active.");
              }
              Cluster next = c.withStatus(ClusterStatus.INACTIVE).withRevision(tx.revision());
              tx.apply(new Change.ClusterPut(next));
              return next;
            });
    return Wire.object().set("cluster", toWire(states.current(), deleted, Set.of()));
  }

  /** How much a cluster holds (services: ACTIVE and DRAINING ones). */
  record Counts(int instances, int runningTasks, int pendingTasks, int activeServices) {
    static Counts of(State state, Cluster cluster) {
      int instances = 0;
      for (ContainerInstance i : state.containerInstances().values()) {
        if (i.clusterArn().equals(cluster.arn()) && !i.status().isTerminal()) {
          instances++;
        }
      }
      int running = 0;
      int pending = 0;
      for (Task t : state.tasks().values()) {
        if (t.clusterArn().equals(cluster.arn())) {
          if (t.lastStatus() == TaskStatus.RUNNING) {
            running++;
          } else if (t.lastStatus().ordinal() < TaskStatus.RUNNING.ordinal()) {
            pending++;
          }
        }
      }
      int services = 0;
      for (io.wharf.model.Service s : state.services().values()) {
        if (s.clusterArn().equals(cluster.arn()) && !s.status().equals("INACTIVE")) {
          services++;
        }
      }
      return new Counts(instances, running, pending, services);
    }
  }

  static ObjectNode toWire(State state, Cluster c, Set<String> include) {
    Counts counts = Counts.of(state, c);
    ObjectNode out = Wire.object();
    out.put("clusterArn", c.arn());
    out.put("clusterName", c.name());
    out.put("status", c.status().name());
    out.put("registeredContainerInstancesCount", counts.instances());
    out.put("runningTasksCount", counts.runningTasks());
    out.put("pendingTasksCount", counts.pendingTasks());
    out.put("activeServicesCount", counts.activeServices());
    ArrayNode statistics = out.putArray("statistics");
    if (include.contains("STATISTICS")) {
      Map<String, Integer> stats = new LinkedHashMap<>();
      stats.put("runningEC2TasksCount", counts.runningTasks());
      stats.put("runningFargateTasksCount", 0);
      stats.put("pendingEC2TasksCount", counts.pendingTasks());
      stats.put("pendingFargateTasksCount", 0);
      stats.put("runningExternalTasksCount", 0);
      stats.put("pendingExternalTasksCount", 0);
      stats.put("activeEC2ServiceCount", counts.activeServices());
      stats.put("activeFargateServiceCount", 0);
      stats.put("drainingEC2ServiceCount", 0);
      stats.put("drainingFargateServiceCount", 0);
      stats.forEach(
          (k, v) -> statistics.addObject().put("name", k).put("value", Integer.toString(v)));
    }
    out.set("tags", include.contains("TAGS") ? Wire.tags(c.tags()) : Wire.array());
    if (include.contains("SETTINGS")) {
      ArrayNode settings = out.putArray("settings");
      c.settings().forEach(s -> settings.addObject().put("name", s.name()).put("value", s.value()));
    }
    if (include.contains("CONFIGURATIONS") && c.configuration() != null) {
      out.set("configuration", Wire.parse(c.configuration()));
    }
    out.putArray("capacityProviders");
    out.putArray("defaultCapacityProviderStrategy");
    if (include.contains("ATTACHMENTS")) {
      out.putArray("attachments");
    }
    return out;
  }

  private static List<Setting> defaultSettings() {
    return List.of(new Setting("containerInsights", "disabled"));
  }

  private static List<Setting> readSettings(JsonNode settings) {
    List<Setting> out = new ArrayList<>();
    if (settings == null || settings.isNull()) {
      return out;
    }
    for (JsonNode s : settings) {
      String name = s.path("name").asText(null);
      String value = s.path("value").asText(null);
      if (name == null || value == null) {
        throw WharfException.invalidParameter("Each cluster setting needs a name and a value.");
      }
      if (name.equals("containerInsights") && !INSIGHTS_VALUES.contains(value)) {
        throw WharfException.invalidParameter(
            "The containerInsights setting must be enabled, disabled or enhanced; it was '"
                + value
                + "'.");
      }
      out.add(new Setting(name, value));
    }
    return out;
  }

  private static List<Setting> mergeSettings(List<Setting> existing, List<Setting> changes) {
    Map<String, Setting> byName = new LinkedHashMap<>();
    existing.forEach(s -> byName.put(s.name(), s));
    changes.forEach(s -> byName.put(s.name(), s));
    return new ArrayList<>(byName.values());
  }

  private String missingArn(String ref) {
    return ref.startsWith("arn:") ? ref : lookup.arns().cluster(ref);
  }
}
