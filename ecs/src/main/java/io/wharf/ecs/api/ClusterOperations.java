package io.wharf.ecs.api;

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
import io.wharf.model.Tag;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import io.wharf.model.WharfException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
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
  private static final String ON_CLUSTERS = " on clusters";

  private final StateMachine states;
  private final Lookup lookup;

  ClusterOperations(StateMachine states, Lookup lookup) {
    this.states = states;
    this.lookup = lookup;
  }

  void register(Map<String, Operation> ops) {
    ops.put("CreateCluster", Typed.of(CreateClusterRequest.class, this::create));
    ops.put("DescribeClusters", Typed.of(DescribeClustersRequest.class, this::describe));
    ops.put("ListClusters", Typed.of(ListClustersRequest.class, this::list));
    ops.put("UpdateCluster", Typed.of(UpdateClusterRequest.class, this::update));
    ops.put(
        "UpdateClusterSettings",
        Typed.of(UpdateClusterSettingsRequest.class, this::updateSettings));
    ops.put("DeleteCluster", Typed.of(DeleteClusterRequest.class, this::delete));
  }

  /** ECS's {@code ClusterField}: what DescribeClusters adds to each cluster on request. */
  enum ClusterField {
    ATTACHMENTS,
    CONFIGURATIONS,
    SETTINGS,
    STATISTICS,
    TAGS
  }

  /** ECS's {@code ClusterSetting}; either member may be missing from a request. */
  record ClusterSettingView(String name, String value) {}

  /** ECS's {@code KeyValuePair}, as a cluster's statistics are written. */
  record KeyValuePairView(String name, String value) {}

  /** ECS's {@code CapacityProviderStrategyItem} (Wharf has no capacity providers: none is kept). */
  record CapacityProviderStrategyItemView(String capacityProvider, Integer weight, Integer base) {}

  /** ECS's {@code Attachment} (a cluster has none in Wharf). */
  record AttachmentView(String id, String type, String status, List<KeyValuePairView> details) {}

  /**
   * ECS's {@code Cluster}. {@code statistics} and {@code tags} are always written ({@code []}
   * unless asked for), {@code settings}, {@code configuration} and {@code attachments} only when
   * asked for.
   */
  record ClusterView(
      String clusterArn,
      String clusterName,
      Document configuration,
      ClusterStatus status,
      int registeredContainerInstancesCount,
      int runningTasksCount,
      int pendingTasksCount,
      int activeServicesCount,
      List<KeyValuePairView> statistics,
      List<Tag> tags,
      List<ClusterSettingView> settings,
      List<String> capacityProviders,
      List<CapacityProviderStrategyItemView> defaultCapacityProviderStrategy,
      List<AttachmentView> attachments) {}

  /** {@code serviceConnectDefaults} is only refused, so it is kept as sent. */
  record CreateClusterRequest(
      String clusterName,
      List<Tag> tags,
      List<ClusterSettingView> settings,
      Document configuration,
      List<String> capacityProviders,
      List<CapacityProviderStrategyItemView> defaultCapacityProviderStrategy,
      Document serviceConnectDefaults) {}

  record CreateClusterResponse(ClusterView cluster) {}

  private CreateClusterResponse create(Operation.Caller caller, CreateClusterRequest request) {
    String name = request.clusterName() == null ? "default" : request.clusterName();
    if (!NAME.matcher(name).matches()) {
      throw WharfException.invalidParameter(
          "clusterName can have up to 255 letters (uppercase and lowercase), numbers, hyphens and"
              + " underscores: '"
              + name
              + "'.");
    }
    Wire.refuseUnsupported(ON_CLUSTERS, "capacityProviders", request.capacityProviders());
    Wire.refuseUnsupported(
        ON_CLUSTERS, "defaultCapacityProviderStrategy", request.defaultCapacityProviderStrategy());
    Wire.refuseUnsupported(ON_CLUSTERS, "serviceConnectDefaults", request.serviceConnectDefaults());
    var tags = Wire.readTags(request.tags());
    List<Setting> settings = mergeSettings(defaultSettings(), readSettings(request.settings()));
    Document configuration = request.configuration();
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
    return new CreateClusterResponse(
        view(
            states.current(),
            created,
            EnumSet.of(ClusterField.TAGS, ClusterField.SETTINGS, ClusterField.CONFIGURATIONS)));
  }

  record DescribeClustersRequest(List<String> clusters, List<ClusterField> include) {}

  record DescribeClustersResponse(List<ClusterView> clusters, List<Failure> failures) {}

  private DescribeClustersResponse describe(
      Operation.Caller caller, DescribeClustersRequest request) {
    // Without clusters, ECS describes the default cluster; an empty list describes none.
    List<String> refs = request.clusters() == null ? List.of("default") : request.clusters();
    if (refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "clusters can name at most " + MAX_DESCRIBE + " clusters; it named " + refs.size() + ".");
    }
    Set<ClusterField> include = EnumSet.noneOf(ClusterField.class);
    if (request.include() != null) {
      include.addAll(request.include());
    }
    State state = states.current();
    List<ClusterView> clusters = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    for (String ref : refs) {
      lookup
          .cluster(state, ref)
          .ifPresentOrElse(
              c -> clusters.add(view(state, c, include)),
              () -> failures.add(new Failure(missingArn(ref), "MISSING", null)));
    }
    return new DescribeClustersResponse(clusters, failures);
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

  /** {@code serviceConnectDefaults} is only refused, so it is kept as sent. */
  record UpdateClusterRequest(
      String cluster,
      List<ClusterSettingView> settings,
      Document configuration,
      Document serviceConnectDefaults) {}

  record UpdateClusterResponse(ClusterView cluster) {}

  private UpdateClusterResponse update(Operation.Caller caller, UpdateClusterRequest request) {
    String ref = request.cluster();
    Wire.refuseUnsupported(ON_CLUSTERS, "serviceConnectDefaults", request.serviceConnectDefaults());
    List<Setting> settings = readSettings(request.settings());
    Document configuration = request.configuration();
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
    return new UpdateClusterResponse(
        view(
            states.current(),
            updated,
            EnumSet.of(ClusterField.SETTINGS, ClusterField.CONFIGURATIONS)));
  }

  record UpdateClusterSettingsRequest(String cluster, List<ClusterSettingView> settings) {}

  record UpdateClusterSettingsResponse(ClusterView cluster) {}

  private UpdateClusterSettingsResponse updateSettings(
      Operation.Caller caller, UpdateClusterSettingsRequest request) {
    String ref = request.cluster();
    List<Setting> settings = readSettings(request.settings());
    Cluster updated =
        states.execute(
            tx -> {
              Cluster c = lookup.activeCluster(tx.state(), ref);
              Cluster next =
                  c.withSettings(mergeSettings(c.settings(), settings)).withRevision(tx.revision());
              tx.apply(new Change.ClusterPut(next));
              return next;
            });
    return new UpdateClusterSettingsResponse(
        view(states.current(), updated, EnumSet.of(ClusterField.SETTINGS)));
  }

  record DeleteClusterRequest(String cluster) {}

  record DeleteClusterResponse(ClusterView cluster) {}

  private DeleteClusterResponse delete(Operation.Caller caller, DeleteClusterRequest request) {
    String ref = request.cluster();
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
    return new DeleteClusterResponse(
        view(states.current(), deleted, EnumSet.noneOf(ClusterField.class)));
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

  /** The cluster as ECS describes it, with the optional parts {@code include} asks for. */
  static ClusterView view(State state, Cluster c, Set<ClusterField> include) {
    Counts counts = Counts.of(state, c);
    List<KeyValuePairView> statistics = new ArrayList<>();
    if (include.contains(ClusterField.STATISTICS)) {
      // Wharf runs every task on its own instances: ECS counts those as EC2.
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
      stats.forEach((k, v) -> statistics.add(new KeyValuePairView(k, Integer.toString(v))));
    }
    return new ClusterView(
        c.arn(),
        c.name(),
        include.contains(ClusterField.CONFIGURATIONS) ? c.configuration() : null,
        c.status(),
        counts.instances(),
        counts.runningTasks(),
        counts.pendingTasks(),
        counts.activeServices(),
        statistics,
        include.contains(ClusterField.TAGS) ? c.tags() : List.of(),
        include.contains(ClusterField.SETTINGS)
            ? c.settings().stream().map(s -> new ClusterSettingView(s.name(), s.value())).toList()
            : null,
        List.of(),
        List.of(),
        include.contains(ClusterField.ATTACHMENTS) ? List.of() : null);
  }

  private static List<Setting> defaultSettings() {
    return List.of(new Setting("containerInsights", "disabled"));
  }

  private static List<Setting> readSettings(List<ClusterSettingView> settings) {
    List<Setting> out = new ArrayList<>();
    if (settings == null) {
      return out;
    }
    for (ClusterSettingView s : settings) {
      String name = s.name();
      String value = s.value();
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
