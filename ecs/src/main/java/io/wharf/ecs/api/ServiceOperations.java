package io.wharf.ecs.api;

import io.wharf.core.api.Page;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.api.ServiceView.DeploymentCircuitBreakerView;
import io.wharf.ecs.api.ServiceView.DeploymentConfigurationView;
import io.wharf.ecs.api.ServiceView.DeploymentControllerView;
import io.wharf.ecs.service.ServiceController;
import io.wharf.ecs.service.Thresholds;
import io.wharf.model.Cluster;
import io.wharf.model.Deployment;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Service;
import io.wharf.model.ServiceConfig;
import io.wharf.model.Tag;
import io.wharf.model.TaskDefinition;
import io.wharf.model.WharfException;
import io.wharf.scheduler.Constraint;
import io.wharf.scheduler.Placement;
import io.wharf.scheduler.PlacementException;
import io.wharf.scheduler.Strategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * CreateService, UpdateService, DeleteService, DescribeServices, ListServices,
 * ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions.
 *
 * <p>These record intent (the service, its deployments); the {@link ServiceController} does the
 * work, nudged after every change.
 */
final class ServiceOperations {
  private static final int MAX_DESCRIBE = 10;
  private static final int MAX_DESCRIBE_DEPLOYMENTS = 20;
  private static final int MAX_CLIENT_TOKEN = 36;
  private static final String DEFAULT_ROLLOUT_REASON_PREFIX = "ECS deployment ";

  private final StateMachine states;
  private final Lookup lookup;
  private final RandomGenerator random;
  private final ServiceController controller;

  ServiceOperations(
      StateMachine states, Lookup lookup, RandomGenerator random, ServiceController controller) {
    this.states = states;
    this.lookup = lookup;
    this.random = random;
    this.controller = controller;
  }

  void register(Map<String, Operation> ops) {
    ops.put("CreateService", Typed.of(CreateServiceRequest.class, this::create));
    ops.put("UpdateService", Typed.of(UpdateServiceRequest.class, this::update));
    ops.put("DeleteService", Typed.of(DeleteServiceRequest.class, this::delete));
    ops.put("DescribeServices", Typed.of(DescribeServicesRequest.class, this::describe));
    ops.put("ListServices", Typed.of(ListServicesRequest.class, this::list));
    ops.put(
        "ListServiceDeployments",
        Typed.of(ListServiceDeploymentsRequest.class, this::listDeployments));
    ops.put(
        "DescribeServiceDeployments",
        Typed.of(DescribeServiceDeploymentsRequest.class, this::describeDeployments));
    ops.put(
        "DescribeServiceRevisions",
        Typed.of(DescribeServiceRevisionsRequest.class, this::describeRevisions));
  }

  // ---- shapes the requests share ------------------------------------------------------------

  /** ECS's {@code LoadBalancer}: a target group the service's tasks register with. */
  record LoadBalancerView(
      String targetGroupArn,
      String loadBalancerName,
      String containerName,
      Integer containerPort,
      Document advancedConfiguration) {}

  record PlacementConstraintView(String type, String expression) {}

  record PlacementStrategyView(String type, String field) {}

  /**
   * What CreateService and UpdateService have alike that Wharf refuses or checks the same way: the
   * members of features it does not support yet, and placement.
   */
  private interface ServiceSettings {
    List<Document> capacityProviderStrategy();

    Document networkConfiguration();

    List<Document> serviceRegistries();

    Document serviceConnectConfiguration();

    List<Document> volumeConfigurations();

    List<Document> vpcLatticeConfigurations();

    DeploymentControllerView deploymentController();

    Boolean enableExecuteCommand();

    List<PlacementConstraintView> placementConstraints();

    List<PlacementStrategyView> placementStrategy();
  }

  /** The response of CreateService, UpdateService and DeleteService: the service as it is now. */
  record ServiceResponse(ServiceView service) {}

  // ---- CreateService -------------------------------------------------------------------------

  record CreateServiceRequest(
      String cluster,
      String serviceName,
      String taskDefinition,
      String availabilityZoneRebalancing,
      List<LoadBalancerView> loadBalancers,
      List<Document> serviceRegistries,
      Integer desiredCount,
      String clientToken,
      String launchType,
      List<Document> capacityProviderStrategy,
      DeploymentConfigurationView deploymentConfiguration,
      List<PlacementConstraintView> placementConstraints,
      List<PlacementStrategyView> placementStrategy,
      Document networkConfiguration,
      Integer healthCheckGracePeriodSeconds,
      String schedulingStrategy,
      DeploymentControllerView deploymentController,
      List<Tag> tags,
      Boolean enableECSManagedTags,
      String propagateTags,
      Boolean enableExecuteCommand,
      Document serviceConnectConfiguration,
      List<Document> volumeConfigurations,
      List<Document> vpcLatticeConfigurations)
      implements ServiceSettings {}

  private ServiceResponse create(Operation.Caller caller, CreateServiceRequest request) {
    String name = request.serviceName();
    String strategy = orElse(request.schedulingStrategy(), Service.REPLICA);
    boolean daemon = strategy.equals(Service.DAEMON);
    String launchType = orElse(request.launchType(), ServiceView.LAUNCH_TYPE);
    if (!launchType.equals(ServiceView.LAUNCH_TYPE)) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf runs services with the EC2 launch type only so far; launchType "
              + launchType
              + " is not supported yet.");
    }
    refuseUnsupported(request);
    if (request.taskDefinition() == null) {
      throw WharfException.invalidParameter(
          "taskDefinition is required for services that use the ECS deployment controller.");
    }
    if (daemon && request.desiredCount() != null) {
      throw WharfException.invalidParameter(
          "The daemon scheduling strategy does not support a desired count for services.");
    }
    if (daemon && hasItems(request.placementStrategy())) {
      throw WharfException.invalidParameter(
          "The daemon scheduling strategy does not support placement strategies.");
    }
    int desired = orElse(request.desiredCount(), 0);
    if (desired < 0) {
      throw WharfException.invalidParameter("desiredCount must not be negative.");
    }
    String token = request.clientToken();
    if (token != null && (token.isEmpty() || token.length() > MAX_CLIENT_TOKEN)) {
      throw WharfException.invalidParameter(
          "clientToken must have 1 to " + MAX_CLIENT_TOKEN + " characters.");
    }
    List<Tag> tags = Wire.readTags(request.tags());
    Wire.mergeTags(List.of(), tags);
    checkPlacement(request.placementConstraints(), request.placementStrategy());
    int grace = orElse(request.healthCheckGracePeriodSeconds(), 0);
    String propagate = orElse(request.propagateTags(), "NONE");
    String rebalancing = orElse(request.availabilityZoneRebalancing(), "ENABLED");
    String deploymentId = newDeploymentId();
    Service created =
        states.execute(
            tx -> {
              State state = tx.state();
              Cluster cluster = lookup.activeCluster(state, request.cluster());
              TaskDefinition definition =
                  lookup.activeTaskDefinition(state, request.taskDefinition());
              String arn = lookup.arns().service(cluster.name(), name);
              Service existing = state.services().get(arn);
              if (existing != null && !existing.status().equals("INACTIVE")) {
                if (token != null && token.equals(existing.clientToken())) {
                  return existing;
                }
                throw WharfException.invalidParameter("Creation of service was not idempotent.");
              }
              ServiceConfig config =
                  deploymentConfig(
                      request.deploymentConfiguration(),
                      null,
                      daemon,
                      definition.arn(),
                      asGiven(request.placementConstraints()),
                      asGiven(request.placementStrategy()),
                      grace,
                      checkLoadBalancers(state, definition, request.loadBalancers()));
              Deployment primary = newPrimary(deploymentId, config, List.of(), tx.now());
              Service service =
                  new Service(
                      arn,
                      name,
                      cluster.arn(),
                      "ACTIVE",
                      strategy,
                      desired,
                      List.of(primary),
                      List.of(),
                      tags,
                      caller.principalArn(),
                      tx.now(),
                      token,
                      propagate,
                      orElse(request.enableECSManagedTags(), false),
                      rebalancing,
                      0,
                      null,
                      tx.revision());
              tx.apply(new Change.ServicePut(service));
              return service;
            });
    controller.nudge();
    return new ServiceResponse(ServiceView.of(states.current(), created, false));
  }

  private static void refuseUnsupported(ServiceSettings request) {
    Wire.refuseUnsupported("", "capacityProviderStrategy", request.capacityProviderStrategy());
    Wire.refuseUnsupported("", "networkConfiguration", request.networkConfiguration());
    Wire.refuseUnsupported("", "serviceRegistries", request.serviceRegistries());
    Wire.refuseUnsupported(
        "", "serviceConnectConfiguration", request.serviceConnectConfiguration());
    Wire.refuseUnsupported("", "volumeConfigurations", request.volumeConfigurations());
    Wire.refuseUnsupported("", "vpcLatticeConfigurations", request.vpcLatticeConfigurations());
    DeploymentControllerView deploymentController = request.deploymentController();
    String controllerType =
        deploymentController == null ? "ECS" : orElse(deploymentController.type(), "ECS");
    if (!controllerType.equals("ECS")) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf supports the ECS deployment controller only; " + controllerType + " is not.");
    }
    if (orElse(request.enableExecuteCommand(), false)) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE, "Wharf does not support ECS Exec yet.");
    }
  }

  /** ECS allows five target groups per service. */
  private static final int MAX_LOAD_BALANCERS = 5;

  /**
   * The parts of a registered task definition that a service's {@code loadBalancers} are checked
   * against and that a service revision shows: its containers' names, images and ports.
   */
  record RegisteredContainers(List<ContainerDefinition> containerDefinitions) {
    record ContainerDefinition(String name, String image, List<PortMapping> portMappings) {}

    record PortMapping(Integer containerPort) {}

    static List<ContainerDefinition> of(TaskDefinition definition) {
      List<ContainerDefinition> containers =
          TypedDocuments.read(definition.definition(), RegisteredContainers.class)
              .containerDefinitions();
      return containers == null ? List.of() : containers;
    }

    /** Whether {@code container} maps {@code port} (registered definitions list every mapping). */
    static boolean maps(List<ContainerDefinition> containers, String container, int port) {
      for (ContainerDefinition c : containers) {
        if (container.equals(c.name()) && c.portMappings() != null) {
          for (PortMapping m : c.portMappings()) {
            if (m.containerPort() != null && m.containerPort() == port) {
              return true;
            }
          }
        }
      }
      return false;
    }
  }

  /**
   * Checks a service's {@code loadBalancers} against the target groups and the task definition, as
   * ECS does; returns them as stored, or null when there are none.
   */
  private static Document checkLoadBalancers(
      State state, TaskDefinition definition, List<LoadBalancerView> loadBalancers) {
    if (loadBalancers == null || loadBalancers.isEmpty()) {
      return null;
    }
    if (loadBalancers.size() > MAX_LOAD_BALANCERS) {
      throw WharfException.invalidParameter(
          "loadBalancers can have at most " + MAX_LOAD_BALANCERS + " entries.");
    }
    List<RegisteredContainers.ContainerDefinition> containers = RegisteredContainers.of(definition);
    for (LoadBalancerView lb : loadBalancers) {
      if (lb.loadBalancerName() != null) {
        throw new WharfException(
            ErrorCode.UNSUPPORTED_FEATURE,
            "Wharf serves Application Load Balancers only: give targetGroupArn, not"
                + " loadBalancerName.");
      }
      String group = lb.targetGroupArn();
      String container = lb.containerName();
      if (group == null || container == null || lb.containerPort() == null) {
        throw WharfException.invalidParameter(
            "loadBalancers entries need targetGroupArn, containerName and containerPort.");
      }
      int port = lb.containerPort();
      if (!state.balancing().targetGroups().containsKey(group)) {
        throw WharfException.invalidParameter("The target group " + group + " does not exist.");
      }
      if (state.balancing().loadBalancersOf(group).isEmpty()) {
        throw WharfException.invalidParameter(
            "The target group with targetGroupArn "
                + group
                + " does not have an associated load balancer.");
      }
      if (!RegisteredContainers.maps(containers, container, port)) {
        throw WharfException.invalidParameter(
            "The container " + container + " did not have a container port " + port + " defined.");
      }
    }
    return TypedDocuments.of(loadBalancers);
  }

  /** A list member as the service stores it (and echoes it), or null when it was not given. */
  private static Document asGiven(List<?> given) {
    return given == null ? null : TypedDocuments.of(given);
  }

  private static boolean hasItems(List<?> given) {
    return given != null && !given.isEmpty();
  }

  private static <T> T orElse(T given, T fallback) {
    return given == null ? fallback : given;
  }

  /** Checks constraints and strategies as placement will read them. */
  private static void checkPlacement(
      List<PlacementConstraintView> constraints, List<PlacementStrategyView> strategies) {
    // Constraints and strategies check themselves as they are made: that is inside the try too.
    try {
      List<Constraint> c = new ArrayList<>();
      if (constraints != null) {
        for (PlacementConstraintView n : constraints) {
          c.add(new Constraint(n.type(), n.expression()));
        }
      }
      List<Strategy> s = new ArrayList<>();
      if (strategies != null) {
        for (PlacementStrategyView n : strategies) {
          s.add(new Strategy(n.type(), n.field()));
        }
      }
      Placement.validate(c, s);
    } catch (PlacementException | IllegalArgumentException e) {
      throw WharfException.invalidParameter(e.getMessage());
    }
  }

  /**
   * The deployment configuration a request gives, over {@code base} (UpdateService) or ECS's
   * defaults: REPLICA 100 / 200, DAEMON 0 / 100.
   */
  private static ServiceConfig deploymentConfig(
      DeploymentConfigurationView given,
      ServiceConfig base,
      boolean daemon,
      String taskDefinitionArn,
      Document constraints,
      Document strategies,
      int grace,
      Document loadBalancers) {
    int max = base != null ? base.maximumPercent() : daemon ? 100 : 200;
    int min = base != null ? base.minimumHealthyPercent() : daemon ? 0 : 100;
    boolean breaker = base != null && base.circuitBreaker();
    boolean rollback = base != null && base.rollback();
    if (given != null) {
      max = orElse(given.maximumPercent(), max);
      min = orElse(given.minimumHealthyPercent(), min);
      DeploymentCircuitBreakerView cb = given.deploymentCircuitBreaker();
      if (cb != null) {
        breaker = orElse(cb.enable(), false);
        rollback = orElse(cb.rollback(), false);
      }
      String strategy = orElse(given.strategy(), "ROLLING");
      if (!strategy.equals("ROLLING")) {
        throw new WharfException(
            ErrorCode.UNSUPPORTED_FEATURE,
            "Wharf supports the ROLLING deployment strategy only; " + strategy + " is not.");
      }
      if (given.alarms() != null && orElse(given.alarms().enable(), false)) {
        throw new WharfException(
            ErrorCode.UNSUPPORTED_FEATURE,
            "Wharf does not support CloudWatch alarms in deployments yet.");
      }
    }
    if (min < 0 || min > 100) {
      throw WharfException.invalidParameter(
          "deploymentConfiguration.minimumHealthyPercent must be between 0 and 100; it was "
              + min
              + ".");
    }
    if (daemon && max != 100) {
      throw WharfException.invalidParameter(
          "deploymentConfiguration.maximumPercent must be 100 for the DAEMON scheduling strategy.");
    }
    if (max < 100) {
      throw WharfException.invalidParameter(
          "deploymentConfiguration.maximumPercent must be at least 100; it was " + max + ".");
    }
    return new ServiceConfig(
        taskDefinitionArn,
        max,
        min,
        breaker,
        rollback,
        constraints,
        strategies,
        grace,
        loadBalancers);
  }

  private static Deployment newPrimary(
      String id, ServiceConfig config, List<String> sources, Instant now) {
    return new Deployment(
        id,
        Deployment.PRIMARY,
        config,
        0,
        "IN_PROGRESS",
        DEFAULT_ROLLOUT_REASON_PREFIX + id + " in progress.",
        "IN_PROGRESS",
        null,
        sources,
        null,
        now,
        now,
        null);
  }

  /** {@code ecs-svc/} and 19 digits, as ECS's deployment ids look. */
  private String newDeploymentId() {
    StringBuilder digits = new StringBuilder("ecs-svc/");
    digits.append(1 + random.nextInt(9));
    for (int i = 1; i < 19; i++) {
      digits.append(random.nextInt(10));
    }
    return digits.toString();
  }

  // ---- UpdateService -------------------------------------------------------------------------

  record UpdateServiceRequest(
      String cluster,
      String service,
      Integer desiredCount,
      String taskDefinition,
      List<Document> capacityProviderStrategy,
      DeploymentConfigurationView deploymentConfiguration,
      String availabilityZoneRebalancing,
      Document networkConfiguration,
      List<PlacementConstraintView> placementConstraints,
      List<PlacementStrategyView> placementStrategy,
      Boolean forceNewDeployment,
      Integer healthCheckGracePeriodSeconds,
      DeploymentControllerView deploymentController,
      Boolean enableExecuteCommand,
      Boolean enableECSManagedTags,
      List<LoadBalancerView> loadBalancers,
      String propagateTags,
      List<Document> serviceRegistries,
      Document serviceConnectConfiguration,
      List<Document> volumeConfigurations,
      List<Document> vpcLatticeConfigurations)
      implements ServiceSettings {}

  private ServiceResponse update(Operation.Caller caller, UpdateServiceRequest request) {
    refuseUnsupported(request);
    checkPlacement(request.placementConstraints(), request.placementStrategy());
    String deploymentId = newDeploymentId();
    Service updated =
        states.execute(
            tx -> {
              State state = tx.state();
              Cluster cluster = lookup.activeCluster(state, request.cluster());
              Service service = existing(state, cluster, request.service());
              if (!service.isActive()) {
                throw new WharfException(ErrorCode.SERVICE_NOT_ACTIVE, "Service was not ACTIVE.");
              }
              boolean daemon = service.isDaemon();
              Service.Builder next = service.toBuilder();
              if (request.desiredCount() != null) {
                if (daemon) {
                  throw WharfException.invalidParameter(
                      "The daemon scheduling strategy does not support a desired count for"
                          + " services.");
                }
                int desired = request.desiredCount();
                if (desired < 0) {
                  throw WharfException.invalidParameter("desiredCount must not be negative.");
                }
                next.desiredCount(desired);
              }
              if (daemon && hasItems(request.placementStrategy())) {
                throw WharfException.invalidParameter(
                    "The daemon scheduling strategy does not support placement strategies.");
              }
              Deployment primary = service.primary();
              ServiceConfig current = primary.config();
              String definitionArn =
                  request.taskDefinition() != null
                      ? lookup.activeTaskDefinition(state, request.taskDefinition()).arn()
                      : current.taskDefinitionArn();
              ServiceConfig wanted =
                  deploymentConfig(
                      request.deploymentConfiguration(),
                      current,
                      daemon,
                      definitionArn,
                      request.placementConstraints() != null
                          ? asGiven(request.placementConstraints())
                          : current.placementConstraints(),
                      request.placementStrategy() != null
                          ? asGiven(request.placementStrategy())
                          : current.placementStrategy(),
                      orElse(
                          request.healthCheckGracePeriodSeconds(),
                          current.healthCheckGracePeriodSeconds()),
                      request.loadBalancers() != null
                          ? checkLoadBalancers(
                              state, state.taskDefinition(definitionArn), request.loadBalancers())
                          : current.loadBalancers());
              if (request.propagateTags() != null) {
                next.propagateTags(request.propagateTags());
              }
              if (request.enableECSManagedTags() != null) {
                next.enableEcsManagedTags(request.enableECSManagedTags());
              }
              if (request.availabilityZoneRebalancing() != null) {
                next.availabilityZoneRebalancing(request.availabilityZoneRebalancing());
              }
              boolean force = orElse(request.forceNewDeployment(), false);
              if (force || rollsOut(current, wanted)) {
                List<Deployment> deployments = new ArrayList<>();
                List<String> sources = new ArrayList<>();
                for (Deployment d : service.deployments()) {
                  if (!d.status().equals(Deployment.INACTIVE)) {
                    sources.add(d.id());
                  }
                }
                deployments.add(newPrimary(deploymentId, wanted, sources, tx.now()));
                for (Deployment d : service.deployments()) {
                  deployments.add(
                      d.status().equals(Deployment.PRIMARY)
                          ? d.withStatus(Deployment.ACTIVE, tx.now())
                          : d);
                }
                next.deployments(deployments);
                if (!wanted.taskDefinitionArn().equals(current.taskDefinitionArn())) {
                  // A new task definition resets the launch throttle, as in ECS.
                  next.throttle(0, null);
                }
              } else if (!wanted.equals(current)) {
                // Percentages and the breaker apply to the rollout under way.
                List<Deployment> deployments = new ArrayList<>(service.deployments());
                deployments.set(
                    0,
                    new Deployment(
                        primary.id(),
                        primary.status(),
                        wanted,
                        primary.failedTasks(),
                        primary.rolloutState(),
                        primary.rolloutStateReason(),
                        primary.deploymentStatus(),
                        primary.statusReason(),
                        primary.sourceIds(),
                        primary.rollbackTo(),
                        primary.createdAt(),
                        tx.now(),
                        primary.finishedAt()));
                next.deployments(deployments);
              }
              Service built = next.build(tx.revision());
              tx.apply(new Change.ServicePut(built));
              return built;
            });
    controller.nudge();
    return new ServiceResponse(ServiceView.of(states.current(), updated, false));
  }

  /** Whether a change of configuration needs new tasks (a new deployment). */
  private static boolean rollsOut(ServiceConfig current, ServiceConfig wanted) {
    return !current.taskDefinitionArn().equals(wanted.taskDefinitionArn())
        || !Objects.equals(current.placementConstraints(), wanted.placementConstraints())
        || !Objects.equals(current.placementStrategy(), wanted.placementStrategy())
        || !Objects.equals(current.loadBalancers(), wanted.loadBalancers());
  }

  // ---- DeleteService -------------------------------------------------------------------------

  record DeleteServiceRequest(String cluster, String service, Boolean force) {}

  private ServiceResponse delete(Operation.Caller caller, DeleteServiceRequest request) {
    boolean force = orElse(request.force(), false);
    Service deleted =
        states.execute(
            tx -> {
              Cluster cluster = lookup.activeCluster(tx.state(), request.cluster());
              Service service = existing(tx.state(), cluster, request.service());
              if (!service.isActive()) {
                throw new WharfException(ErrorCode.SERVICE_NOT_ACTIVE, "Service was not ACTIVE.");
              }
              if (!force && !service.isDaemon() && service.desiredCount() > 0) {
                throw WharfException.invalidParameter(
                    "The service cannot be stopped while it is scaled above 0.");
              }
              Service next =
                  service.toBuilder().status("DRAINING").desiredCount(0).build(tx.revision());
              tx.apply(new Change.ServicePut(next));
              return next;
            });
    controller.nudge();
    return new ServiceResponse(ServiceView.of(states.current(), deleted, false));
  }

  // ---- DescribeServices / ListServices -------------------------------------------------------

  record DescribeServicesRequest(String cluster, List<String> services, List<String> include) {}

  record DescribeServicesResponse(List<ServiceView> services, List<Failure> failures) {}

  private DescribeServicesResponse describe(
      Operation.Caller caller, DescribeServicesRequest request) {
    List<String> refs = orElse(request.services(), List.of());
    if (refs.isEmpty() || refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "services must name 1 to " + MAX_DESCRIBE + " services; it named " + refs.size() + ".");
    }
    boolean tags = orElse(request.include(), List.<String>of()).contains("TAGS");
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    List<ServiceView> services = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    for (String ref : refs) {
      Optional<Service> s = service(state, cluster, ref);
      if (s.isPresent()) {
        services.add(ServiceView.of(state, s.get(), tags));
      } else {
        failures.add(new Failure(serviceArn(cluster, ref), "MISSING", null));
      }
    }
    return new DescribeServicesResponse(services, failures);
  }

  record ListServicesRequest(
      String cluster,
      String nextToken,
      Integer maxResults,
      String launchType,
      String schedulingStrategy) {}

  record ListServicesResponse(List<String> serviceArns, String nextToken) {}

  private ListServicesResponse list(Operation.Caller caller, ListServicesRequest request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    String launchType = request.launchType();
    String strategy = request.schedulingStrategy();
    List<String> arns = new ArrayList<>();
    for (Service s : state.services().values()) {
      // DRAINING services are hidden from ListServices, as in ECS.
      if (s.clusterArn().equals(cluster.arn())
          && s.isActive()
          && (launchType == null || launchType.equals(ServiceView.LAUNCH_TYPE))
          && (strategy == null || strategy.equals(s.schedulingStrategy()))) {
        arns.add(s.arn());
      }
    }
    Page page =
        Page.of(arns, Comparator.naturalOrder(), request.nextToken(), request.maxResults(), 10);
    return new ListServicesResponse(page.items(), page.nextToken());
  }

  // ---- deployments and revisions -------------------------------------------------------------

  /** ECS's {@code CreatedAt}: a window of creation times, either end open. */
  record CreatedAtView(Instant before, Instant after) {}

  record ListServiceDeploymentsRequest(
      String service,
      String cluster,
      List<String> status,
      CreatedAtView createdAt,
      String nextToken,
      Integer maxResults) {}

  record ListServiceDeploymentsResponse(
      List<ServiceDeploymentBriefView> serviceDeployments, String nextToken) {}

  record ServiceDeploymentBriefView(
      String serviceDeploymentArn,
      String serviceArn,
      String clusterArn,
      Instant startedAt,
      Instant createdAt,
      Instant finishedAt,
      String targetServiceRevisionArn,
      String status,
      String statusReason) {}

  private ListServiceDeploymentsResponse listDeployments(
      Operation.Caller caller, ListServiceDeploymentsRequest request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    Service service = existing(state, cluster, request.service());
    List<String> statuses = orElse(request.status(), List.of());
    CreatedAtView window = orElse(request.createdAt(), new CreatedAtView(null, null));
    Instant after = window.after();
    Instant before = window.before();
    List<Deployment> matching = new ArrayList<>();
    for (Deployment d : service.deployments()) {
      if ((statuses.isEmpty() || statuses.contains(d.deploymentStatus()))
          && (after == null || !d.createdAt().isBefore(after))
          && (before == null || !d.createdAt().isAfter(before))) {
        matching.add(d);
      }
    }
    matching.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < matching.size(); i++) {
      keys.add(String.format("%06d", i));
    }
    Page page =
        Page.of(keys, Comparator.naturalOrder(), request.nextToken(), request.maxResults(), 20);
    List<ServiceDeploymentBriefView> out = new ArrayList<>();
    for (String key : page.items()) {
      Deployment d = matching.get(Integer.parseInt(key));
      out.add(
          new ServiceDeploymentBriefView(
              deploymentArn(cluster, service, d),
              service.arn(),
              cluster.arn(),
              d.createdAt(),
              d.createdAt(),
              d.finishedAt(),
              revisionArn(cluster, service, d),
              d.deploymentStatus(),
              d.statusReason()));
    }
    return new ListServiceDeploymentsResponse(out, page.nextToken());
  }

  /** A deployment or revision ARN's parts: cluster, service, number. */
  private record Parts(String cluster, String service, String number) {}

  private Optional<Parts> parts(String arn, String type) {
    return lookup
        .ownArn(arn)
        .filter(a -> a.type().equals(type))
        .map(a -> a.id().split("/"))
        .filter(p -> p.length == 3)
        .map(p -> new Parts(p[0], p[1], p[2]));
  }

  /** The deployments or revisions a Describe call found, and the ARNs it did not. */
  private record Described<V>(List<V> found, List<Failure> failures) {}

  /**
   * Describes deployments or revisions named by ARN: each found one is shown by {@code view}, the
   * others come back as MISSING failures.
   */
  private <V> Described<V> describeEach(
      List<String> arns, String member, String arnType, Function<Found, V> view) {
    List<String> named = orElse(arns, List.of());
    if (named.isEmpty() || named.size() > MAX_DESCRIBE_DEPLOYMENTS) {
      throw WharfException.invalidParameter(
          member + " must name 1 to " + MAX_DESCRIBE_DEPLOYMENTS + " ARNs.");
    }
    State state = states.current();
    List<V> found = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    for (String arn : named) {
      Optional<Found> f = parts(arn, arnType).flatMap(p -> find(state, p));
      if (f.isEmpty()) {
        failures.add(new Failure(arn, "MISSING", null));
      } else {
        found.add(view.apply(f.get()));
      }
    }
    return new Described<>(found, failures);
  }

  record DescribeServiceDeploymentsRequest(List<String> serviceDeploymentArns) {}

  record DescribeServiceDeploymentsResponse(
      List<ServiceDeploymentView> serviceDeployments, List<Failure> failures) {}

  /** ECS's {@code ServiceDeployment}: one rollout of a service, from its sources to its target. */
  record ServiceDeploymentView(
      String serviceDeploymentArn,
      String serviceArn,
      String clusterArn,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      Instant updatedAt,
      List<ServiceRevisionSummaryView> sourceServiceRevisions,
      ServiceRevisionSummaryView targetServiceRevision,
      String status,
      String statusReason,
      DeploymentConfigurationView deploymentConfiguration,
      RollbackView rollback,
      ServiceDeploymentCircuitBreakerView deploymentCircuitBreaker) {}

  /** A revision a deployment rolls from or to; the counts are left out for a revision gone. */
  record ServiceRevisionSummaryView(
      String arn, Integer requestedTaskCount, Integer runningTaskCount, Integer pendingTaskCount) {}

  record RollbackView(String reason, Instant startedAt, String serviceRevisionArn) {}

  record ServiceDeploymentCircuitBreakerView(String status, int failureCount, int threshold) {}

  private DescribeServiceDeploymentsResponse describeDeployments(
      Operation.Caller caller, DescribeServiceDeploymentsRequest request) {
    State state = states.current();
    Described<ServiceDeploymentView> described =
        describeEach(
            request.serviceDeploymentArns(),
            "serviceDeploymentArns",
            "service-deployment",
            x -> deploymentView(state, x));
    return new DescribeServiceDeploymentsResponse(described.found(), described.failures());
  }

  private ServiceDeploymentView deploymentView(State state, Found x) {
    Deployment deployment = x.deployment();
    List<ServiceRevisionSummaryView> sources = new ArrayList<>();
    for (String id : deployment.sourceIds()) {
      Deployment source = deploymentById(x.service(), id);
      String arn = revisionArn(x.cluster(), x.service(), number(id));
      if (source == null) {
        sources.add(new ServiceRevisionSummaryView(arn, null, null, null));
      } else {
        TaskCounts.Counts c = TaskCounts.of(state, x.service(), source);
        sources.add(new ServiceRevisionSummaryView(arn, c.desired(), c.running(), c.pending()));
      }
    }
    TaskCounts.Counts c = TaskCounts.of(state, x.service(), deployment);
    RollbackView rollback =
        deployment.rollbackTo() == null
            ? null
            : new RollbackView(
                deployment.rolloutStateReason(),
                deployment.updatedAt(),
                revisionArn(x.cluster(), x.service(), number(deployment.rollbackTo())));
    String breakerStatus =
        !deployment.config().circuitBreaker()
            ? "DISABLED"
            : "FAILED".equals(deployment.rolloutState())
                ? "TRIGGERED"
                : deployment.finishedAt() != null ? "MONITORING_COMPLETE" : "MONITORING";
    return new ServiceDeploymentView(
        deploymentArn(x.cluster(), x.service(), deployment),
        x.service().arn(),
        x.cluster().arn(),
        deployment.createdAt(),
        deployment.createdAt(),
        deployment.finishedAt(),
        deployment.updatedAt(),
        sources,
        new ServiceRevisionSummaryView(
            revisionArn(x.cluster(), x.service(), deployment),
            c.desired(),
            c.running(),
            c.pending()),
        deployment.deploymentStatus(),
        deployment.statusReason(),
        DeploymentConfigurationView.of(deployment.config()),
        rollback,
        new ServiceDeploymentCircuitBreakerView(
            breakerStatus,
            deployment.failedTasks(),
            Thresholds.circuitBreaker(x.service().desiredCount())));
  }

  record DescribeServiceRevisionsRequest(List<String> serviceRevisionArns) {}

  record DescribeServiceRevisionsResponse(
      List<ServiceRevisionView> serviceRevisions, List<Failure> failures) {}

  /** ECS's {@code ServiceRevision}: what a deployment runs. */
  record ServiceRevisionView(
      String serviceRevisionArn,
      String serviceArn,
      String clusterArn,
      String taskDefinition,
      String launchType,
      Document loadBalancers,
      List<Document> serviceRegistries,
      List<ContainerImageView> containerImages,
      boolean guardDutyEnabled,
      Instant createdAt) {}

  record ContainerImageView(String containerName, String image) {}

  private DescribeServiceRevisionsResponse describeRevisions(
      Operation.Caller caller, DescribeServiceRevisionsRequest request) {
    State state = states.current();
    Described<ServiceRevisionView> described =
        describeEach(
            request.serviceRevisionArns(),
            "serviceRevisionArns",
            "service-revision",
            x -> revisionView(state, x));
    return new DescribeServiceRevisionsResponse(described.found(), described.failures());
  }

  private ServiceRevisionView revisionView(State state, Found x) {
    ServiceConfig config = x.deployment().config();
    List<ContainerImageView> images = new ArrayList<>();
    TaskDefinition d = state.taskDefinition(config.taskDefinitionArn());
    if (d != null) {
      for (RegisteredContainers.ContainerDefinition c : RegisteredContainers.of(d)) {
        images.add(new ContainerImageView(orElse(c.name(), ""), orElse(c.image(), "")));
      }
    }
    return new ServiceRevisionView(
        revisionArn(x.cluster(), x.service(), x.deployment()),
        x.service().arn(),
        x.cluster().arn(),
        config.taskDefinitionArn(),
        ServiceView.LAUNCH_TYPE,
        ServiceView.givenOrEmpty(config.loadBalancers()),
        List.of(),
        images,
        false,
        x.deployment().createdAt());
  }

  private record Found(Cluster cluster, Service service, Deployment deployment) {}

  private Optional<Found> find(State state, Parts p) {
    Cluster cluster = state.clusters().get(p.cluster());
    if (cluster == null) {
      return Optional.empty();
    }
    Service service = state.services().get(lookup.arns().service(p.cluster(), p.service()));
    if (service == null) {
      return Optional.empty();
    }
    Deployment d = deploymentById(service, "ecs-svc/" + p.number());
    return d == null ? Optional.empty() : Optional.of(new Found(cluster, service, d));
  }

  private static Deployment deploymentById(Service service, String id) {
    for (Deployment d : service.deployments()) {
      if (d.id().equals(id)) {
        return d;
      }
    }
    return null;
  }

  private static String number(String deploymentId) {
    return deploymentId.substring(deploymentId.indexOf('/') + 1);
  }

  private String deploymentArn(Cluster cluster, Service service, Deployment d) {
    return lookup.arns().serviceDeployment(cluster.name(), service.name(), d.number());
  }

  private String revisionArn(Cluster cluster, Service service, Deployment d) {
    return revisionArn(cluster, service, d.number());
  }

  private String revisionArn(Cluster cluster, Service service, String number) {
    return lookup.arns().serviceRevision(cluster.name(), service.name(), number);
  }

  // ---- lookups ---------------------------------------------------------------------------

  private Service existing(State state, Cluster cluster, String ref) {
    return service(state, cluster, ref)
        .orElseThrow(() -> new WharfException(ErrorCode.SERVICE_NOT_FOUND, "Service not found."));
  }

  private Optional<Service> service(State state, Cluster cluster, String ref) {
    return Optional.ofNullable(state.services().get(serviceArn(cluster, ref)))
        .filter(s -> s.clusterArn().equals(cluster.arn()));
  }

  private String serviceArn(Cluster cluster, String ref) {
    if (ref.startsWith("arn:")) {
      return ref;
    }
    return lookup.arns().service(cluster.name(), ref);
  }
}
