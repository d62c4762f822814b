package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.Page;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.service.ServiceController;
import io.wharf.model.Cluster;
import io.wharf.model.Deployment;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Service;
import io.wharf.model.ServiceConfig;
import io.wharf.model.ServiceEvent;
import io.wharf.model.Tag;
import io.wharf.model.Task;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskStatus;
import io.wharf.model.WharfException;
import io.wharf.scheduler.Constraint;
import io.wharf.scheduler.Placement;
import io.wharf.scheduler.PlacementException;
import io.wharf.scheduler.Strategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
    ops.put("CreateService", this::create);
    ops.put("UpdateService", this::update);
    ops.put("DeleteService", this::delete);
    ops.put("DescribeServices", this::describe);
    ops.put("ListServices", this::list);
    ops.put("ListServiceDeployments", this::listDeployments);
    ops.put("DescribeServiceDeployments", this::describeDeployments);
    ops.put("DescribeServiceRevisions", this::describeRevisions);
  }

  // ---- CreateService -------------------------------------------------------------------------

  private JsonNode create(Operation.Caller caller, JsonNode request) {
    String name = request.path("serviceName").asText();
    String strategy = Wire.text(request, "schedulingStrategy", Service.REPLICA);
    boolean daemon = strategy.equals(Service.DAEMON);
    refuseUnsupported(request);
    if (!request.hasNonNull("taskDefinition")) {
      throw WharfException.invalidParameter(
          "taskDefinition is required for services that use the ECS deployment controller.");
    }
    if (daemon && request.hasNonNull("desiredCount")) {
      throw WharfException.invalidParameter(
          "The daemon scheduling strategy does not support a desired count for services.");
    }
    if (daemon && hasItems(request, "placementStrategy")) {
      throw WharfException.invalidParameter(
          "The daemon scheduling strategy does not support placement strategies.");
    }
    int desired = request.path("desiredCount").asInt(0);
    if (desired < 0) {
      throw WharfException.invalidParameter("desiredCount must not be negative.");
    }
    String token = Wire.text(request, "clientToken", null);
    if (token != null && (token.isEmpty() || token.length() > MAX_CLIENT_TOKEN)) {
      throw WharfException.invalidParameter(
          "clientToken must have 1 to " + MAX_CLIENT_TOKEN + " characters.");
    }
    List<Tag> tags = Wire.readTags(request.get("tags"));
    Wire.mergeTags(List.of(), tags);
    JsonNode constraints = request.get("placementConstraints");
    JsonNode strategies = request.get("placementStrategy");
    checkPlacement(constraints, strategies);
    int grace = request.path("healthCheckGracePeriodSeconds").asInt(0);
    String propagate = Wire.text(request, "propagateTags", "NONE");
    String rebalancing = Wire.text(request, "availabilityZoneRebalancing", "ENABLED");
    String deploymentId = newDeploymentId();
    Service created =
        states.execute(
            tx -> {
              State state = tx.state();
              Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
              TaskDefinition definition =
                  lookup.activeTaskDefinition(state, request.path("taskDefinition").asText());
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
                      request.path("deploymentConfiguration"),
                      null,
                      daemon,
                      definition.arn(),
                      Wire.document(constraints),
                      Wire.document(strategies),
                      grace,
                      checkLoadBalancers(state, definition, request.get("loadBalancers")));
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
                      request.path("enableECSManagedTags").asBoolean(false),
                      rebalancing,
                      0,
                      null,
                      tx.revision());
              tx.apply(new Change.ServicePut(service));
              return service;
            });
    controller.nudge();
    return Wire.object().set("service", toWire(states.current(), created, false));
  }

  private static void refuseUnsupported(JsonNode request) {
    String launchType = Wire.text(request, "launchType", "EC2");
    if (!launchType.equals("EC2")) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf runs services with the EC2 launch type only so far; launchType "
              + launchType
              + " is not supported yet.");
    }
    Wire.refuseUnsupported(
        request,
        "",
        "capacityProviderStrategy",
        "networkConfiguration",
        "serviceRegistries",
        "serviceConnectConfiguration",
        "volumeConfigurations",
        "vpcLatticeConfigurations");
    String controllerType = request.path("deploymentController").path("type").asText("ECS");
    if (!controllerType.equals("ECS")) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE,
          "Wharf supports the ECS deployment controller only; " + controllerType + " is not.");
    }
    if (request.path("enableExecuteCommand").asBoolean(false)) {
      throw new WharfException(
          ErrorCode.UNSUPPORTED_FEATURE, "Wharf does not support ECS Exec yet.");
    }
  }

  /** ECS allows five target groups per service. */
  private static final int MAX_LOAD_BALANCERS = 5;

  /**
   * Checks a service's {@code loadBalancers} against the target groups and the task definition, as
   * ECS does; returns them as stored, or null when there are none.
   */
  private static Document checkLoadBalancers(
      State state, TaskDefinition definition, JsonNode loadBalancers) {
    if (loadBalancers == null || loadBalancers.isNull() || loadBalancers.isEmpty()) {
      return null;
    }
    if (loadBalancers.size() > MAX_LOAD_BALANCERS) {
      throw WharfException.invalidParameter(
          "loadBalancers can have at most " + MAX_LOAD_BALANCERS + " entries.");
    }
    JsonNode containers = Wire.parse(definition.definition()).path("containerDefinitions");
    for (JsonNode lb : loadBalancers) {
      if (lb.hasNonNull("loadBalancerName")) {
        throw new WharfException(
            ErrorCode.UNSUPPORTED_FEATURE,
            "Wharf serves Application Load Balancers only: give targetGroupArn, not"
                + " loadBalancerName.");
      }
      String group = Wire.text(lb, "targetGroupArn", null);
      String container = Wire.text(lb, "containerName", null);
      if (group == null || container == null || !lb.hasNonNull("containerPort")) {
        throw WharfException.invalidParameter(
            "loadBalancers entries need targetGroupArn, containerName and containerPort.");
      }
      int port = lb.get("containerPort").asInt();
      if (!state.balancing().targetGroups().containsKey(group)) {
        throw WharfException.invalidParameter("The target group " + group + " does not exist.");
      }
      if (state.balancing().loadBalancersOf(group).isEmpty()) {
        throw WharfException.invalidParameter(
            "The target group with targetGroupArn "
                + group
                + " does not have an associated load balancer.");
      }
      boolean found = false;
      for (JsonNode c : containers) {
        if (c.path("name").asText().equals(container)) {
          for (JsonNode m : c.path("portMappings")) {
            found |= m.path("containerPort").asInt() == port;
          }
        }
      }
      if (!found) {
        throw WharfException.invalidParameter(
            "The container " + container + " did not have a container port " + port + " defined.");
      }
    }
    return Wire.document(loadBalancers);
  }

  private static boolean hasItems(JsonNode request, String member) {
    JsonNode v = request.get(member);
    return v != null && v.isArray() && !v.isEmpty();
  }

  /** Checks constraints and strategies as placement will read them. */
  private static void checkPlacement(JsonNode constraints, JsonNode strategies) {
    // Constraints and strategies check themselves as they are made: that is inside the try too.
    try {
      List<Constraint> c = new ArrayList<>();
      if (constraints != null) {
        for (JsonNode n : constraints) {
          c.add(new Constraint(Wire.text(n, "type", null), Wire.text(n, "expression", null)));
        }
      }
      List<Strategy> s = new ArrayList<>();
      if (strategies != null) {
        for (JsonNode n : strategies) {
          s.add(new Strategy(Wire.text(n, "type", null), Wire.text(n, "field", null)));
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
      JsonNode given,
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
    if (given != null && !given.isMissingNode() && !given.isNull()) {
      max = given.path("maximumPercent").asInt(max);
      min = given.path("minimumHealthyPercent").asInt(min);
      JsonNode cb = given.get("deploymentCircuitBreaker");
      if (cb != null && !cb.isNull()) {
        breaker = cb.path("enable").asBoolean(false);
        rollback = cb.path("rollback").asBoolean(false);
      }
      String strategy = Wire.text(given, "strategy", "ROLLING");
      if (!strategy.equals("ROLLING")) {
        throw new WharfException(
            ErrorCode.UNSUPPORTED_FEATURE,
            "Wharf supports the ROLLING deployment strategy only; " + strategy + " is not.");
      }
      if (given.path("alarms").path("enable").asBoolean(false)) {
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

  private JsonNode update(Operation.Caller caller, JsonNode request) {
    refuseUnsupported(request);
    JsonNode constraints = request.get("placementConstraints");
    JsonNode strategies = request.get("placementStrategy");
    checkPlacement(constraints, strategies);
    String deploymentId = newDeploymentId();
    Service updated =
        states.execute(
            tx -> {
              State state = tx.state();
              Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
              Service service = existing(state, cluster, request.path("service").asText());
              if (!service.isActive()) {
                throw new WharfException(ErrorCode.SERVICE_NOT_ACTIVE, "Service was not ACTIVE.");
              }
              boolean daemon = service.isDaemon();
              Service.Builder next = service.toBuilder();
              if (request.hasNonNull("desiredCount")) {
                if (daemon) {
                  throw WharfException.invalidParameter(
                      "The daemon scheduling strategy does not support a desired count for"
                          + " services.");
                }
                int desired = request.get("desiredCount").asInt();
                if (desired < 0) {
                  throw WharfException.invalidParameter("desiredCount must not be negative.");
                }
                next.desiredCount(desired);
              }
              if (daemon && hasItems(request, "placementStrategy")) {
                throw WharfException.invalidParameter(
                    "The daemon scheduling strategy does not support placement strategies.");
              }
              Deployment primary = service.primary();
              ServiceConfig current = primary.config();
              String definitionArn =
                  request.hasNonNull("taskDefinition")
                      ? lookup
                          .activeTaskDefinition(state, request.get("taskDefinition").asText())
                          .arn()
                      : current.taskDefinitionArn();
              ServiceConfig wanted =
                  deploymentConfig(
                      request.get("deploymentConfiguration"),
                      current,
                      daemon,
                      definitionArn,
                      constraints != null
                          ? Wire.document(constraints)
                          : current.placementConstraints(),
                      strategies != null ? Wire.document(strategies) : current.placementStrategy(),
                      request
                          .path("healthCheckGracePeriodSeconds")
                          .asInt(current.healthCheckGracePeriodSeconds()),
                      request.has("loadBalancers")
                          ? checkLoadBalancers(
                              state,
                              state.taskDefinition(definitionArn),
                              request.get("loadBalancers"))
                          : current.loadBalancers());
              if (request.hasNonNull("propagateTags")) {
                next.propagateTags(request.get("propagateTags").asText());
              }
              if (request.hasNonNull("enableECSManagedTags")) {
                next.enableEcsManagedTags(request.get("enableECSManagedTags").asBoolean());
              }
              if (request.hasNonNull("availabilityZoneRebalancing")) {
                next.availabilityZoneRebalancing(
                    request.get("availabilityZoneRebalancing").asText());
              }
              boolean force = request.path("forceNewDeployment").asBoolean(false);
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
    return Wire.object().set("service", toWire(states.current(), updated, false));
  }

  /** Whether a change of configuration needs new tasks (a new deployment). */
  private static boolean rollsOut(ServiceConfig current, ServiceConfig wanted) {
    return !current.taskDefinitionArn().equals(wanted.taskDefinitionArn())
        || !Objects.equals(current.placementConstraints(), wanted.placementConstraints())
        || !Objects.equals(current.placementStrategy(), wanted.placementStrategy())
        || !Objects.equals(current.loadBalancers(), wanted.loadBalancers());
  }

  // ---- DeleteService -------------------------------------------------------------------------

  private JsonNode delete(Operation.Caller caller, JsonNode request) {
    boolean force = request.path("force").asBoolean(false);
    Service deleted =
        states.execute(
            tx -> {
              Cluster cluster =
                  lookup.activeCluster(tx.state(), Wire.text(request, "cluster", null));
              Service service = existing(tx.state(), cluster, request.path("service").asText());
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
    return Wire.object().set("service", toWire(states.current(), deleted, false));
  }

  // ---- DescribeServices / ListServices -------------------------------------------------------

  private JsonNode describe(Operation.Caller caller, JsonNode request) {
    List<String> refs = Wire.stringList(request, "services");
    if (refs.isEmpty() || refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "services must name 1 to " + MAX_DESCRIBE + " services; it named " + refs.size() + ".");
    }
    boolean tags = Wire.stringList(request, "include").contains("TAGS");
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    ArrayNode services = Wire.array();
    ArrayNode failures = Wire.array();
    for (String ref : refs) {
      Optional<Service> s = service(state, cluster, ref);
      if (s.isPresent()) {
        services.add(toWire(state, s.get(), tags));
      } else {
        failures.add(Wire.failure(serviceArn(cluster, ref), "MISSING", null));
      }
    }
    ObjectNode out = Wire.object();
    out.set("services", services);
    out.set("failures", failures);
    return out;
  }

  private JsonNode list(Operation.Caller caller, JsonNode request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    String launchType = Wire.text(request, "launchType", null);
    String strategy = Wire.text(request, "schedulingStrategy", null);
    List<String> arns = new ArrayList<>();
    for (Service s : state.services().values()) {
      // DRAINING services are hidden from ListServices, as in ECS.
      if (s.clusterArn().equals(cluster.arn())
          && s.isActive()
          && (launchType == null || launchType.equals("EC2"))
          && (strategy == null || strategy.equals(s.schedulingStrategy()))) {
        arns.add(s.arn());
      }
    }
    Page page = Page.of(arns, request, 10);
    ObjectNode out = Wire.object();
    out.set("serviceArns", Wire.strings(page.items()));
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    return out;
  }

  // ---- deployments and revisions -------------------------------------------------------------

  private JsonNode listDeployments(Operation.Caller caller, JsonNode request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    Service service = existing(state, cluster, request.path("service").asText());
    List<String> statuses = Wire.stringList(request, "status");
    Instant after = Wire.instant(request.path("createdAt").get("after"), "createdAt.after");
    Instant before = Wire.instant(request.path("createdAt").get("before"), "createdAt.before");
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
    Page page = Page.of(keys, request, 20);
    ArrayNode out = Wire.array();
    for (String key : page.items()) {
      Deployment d = matching.get(Integer.parseInt(key));
      ObjectNode n = out.addObject();
      n.put("serviceDeploymentArn", deploymentArn(cluster, service, d));
      n.put("serviceArn", service.arn());
      n.put("clusterArn", cluster.arn());
      n.set("startedAt", Wire.timestamp(d.createdAt()));
      n.set("createdAt", Wire.timestamp(d.createdAt()));
      if (d.finishedAt() != null) {
        n.set("finishedAt", Wire.timestamp(d.finishedAt()));
      }
      n.put("targetServiceRevisionArn", revisionArn(cluster, service, d));
      n.put("status", d.deploymentStatus());
      if (d.statusReason() != null) {
        n.put("statusReason", d.statusReason());
      }
    }
    ObjectNode response = Wire.object();
    response.set("serviceDeployments", out);
    if (page.nextToken() != null) {
      response.put("nextToken", page.nextToken());
    }
    return response;
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

  /**
   * Describes deployments or revisions named by ARN: each found one is written by {@code write},
   * the others come back as MISSING failures.
   */
  private JsonNode describeEach(
      JsonNode request,
      String member,
      String arnType,
      String resultKey,
      java.util.function.BiConsumer<Found, ObjectNode> write) {
    List<String> arns = Wire.stringList(request, member);
    if (arns.isEmpty() || arns.size() > MAX_DESCRIBE_DEPLOYMENTS) {
      throw WharfException.invalidParameter(
          member + " must name 1 to " + MAX_DESCRIBE_DEPLOYMENTS + " ARNs.");
    }
    State state = states.current();
    ArrayNode found = Wire.array();
    ArrayNode failures = Wire.array();
    for (String arn : arns) {
      Optional<Found> f = parts(arn, arnType).flatMap(p -> find(state, p));
      if (f.isEmpty()) {
        failures.add(Wire.failure(arn, "MISSING", null));
      } else {
        write.accept(f.get(), found.addObject());
      }
    }
    ObjectNode out = Wire.object();
    out.set(resultKey, found);
    out.set("failures", failures);
    return out;
  }

  private JsonNode describeDeployments(Operation.Caller caller, JsonNode request) {
    State state = states.current();
    return describeEach(
        request,
        "serviceDeploymentArns",
        "service-deployment",
        "serviceDeployments",
        (x, n) -> writeDeployment(state, x, n));
  }

  private void writeDeployment(State state, Found x, ObjectNode n) {
    n.put("serviceDeploymentArn", deploymentArn(x.cluster(), x.service(), x.deployment()));
    n.put("serviceArn", x.service().arn());
    n.put("clusterArn", x.cluster().arn());
    n.set("createdAt", Wire.timestamp(x.deployment().createdAt()));
    n.set("startedAt", Wire.timestamp(x.deployment().createdAt()));
    n.set("updatedAt", Wire.timestamp(x.deployment().updatedAt()));
    if (x.deployment().finishedAt() != null) {
      n.set("finishedAt", Wire.timestamp(x.deployment().finishedAt()));
    }
    ArrayNode sources = n.putArray("sourceServiceRevisions");
    for (String id : x.deployment().sourceIds()) {
      Deployment source = deploymentById(x.service(), id);
      ObjectNode s = sources.addObject();
      s.put("arn", revisionArn(x.cluster(), x.service(), number(id)));
      if (source != null) {
        Counts c = counts(state, x.service(), source);
        s.put("requestedTaskCount", c.desired());
        s.put("runningTaskCount", c.running());
        s.put("pendingTaskCount", c.pending());
      }
    }
    Counts c = counts(state, x.service(), x.deployment());
    n.putObject("targetServiceRevision")
        .put("arn", revisionArn(x.cluster(), x.service(), x.deployment()))
        .put("requestedTaskCount", c.desired())
        .put("runningTaskCount", c.running())
        .put("pendingTaskCount", c.pending());
    n.put("status", x.deployment().deploymentStatus());
    if (x.deployment().statusReason() != null) {
      n.put("statusReason", x.deployment().statusReason());
    }
    n.set("deploymentConfiguration", deploymentConfigurationWire(x.deployment().config()));
    if (x.deployment().rollbackTo() != null) {
      n.putObject("rollback")
          .put("reason", x.deployment().rolloutStateReason())
          .<ObjectNode>set("startedAt", Wire.timestamp(x.deployment().updatedAt()))
          .put(
              "serviceRevisionArn",
              revisionArn(x.cluster(), x.service(), number(x.deployment().rollbackTo())));
    }
    ObjectNode breaker = n.putObject("deploymentCircuitBreaker");
    breaker.put(
        "status",
        !x.deployment().config().circuitBreaker()
            ? "DISABLED"
            : "FAILED".equals(x.deployment().rolloutState())
                ? "TRIGGERED"
                : x.deployment().finishedAt() != null ? "MONITORING_COMPLETE" : "MONITORING");
    breaker.put("failureCount", x.deployment().failedTasks());
    breaker.put(
        "threshold", io.wharf.ecs.service.Thresholds.circuitBreaker(x.service().desiredCount()));
  }

  private JsonNode describeRevisions(Operation.Caller caller, JsonNode request) {
    State state = states.current();
    return describeEach(
        request,
        "serviceRevisionArns",
        "service-revision",
        "serviceRevisions",
        (x, n) -> writeRevision(state, x, n));
  }

  private void writeRevision(State state, Found x, ObjectNode n) {
    ServiceConfig config = x.deployment().config();
    n.put("serviceRevisionArn", revisionArn(x.cluster(), x.service(), x.deployment()));
    n.put("serviceArn", x.service().arn());
    n.put("clusterArn", x.cluster().arn());
    n.put("taskDefinition", config.taskDefinitionArn());
    n.put("launchType", "EC2");
    n.set("loadBalancers", jsonOr(config.loadBalancers()));
    n.putArray("serviceRegistries");
    ArrayNode images = n.putArray("containerImages");
    TaskDefinition d = state.taskDefinition(config.taskDefinitionArn());
    if (d != null) {
      for (JsonNode c : Wire.parse(d.definition()).path("containerDefinitions")) {
        images
            .addObject()
            .put("containerName", c.path("name").asText())
            .put("image", c.path("image").asText());
      }
    }
    n.put("guardDutyEnabled", false);
    n.set("createdAt", Wire.timestamp(x.deployment().createdAt()));
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

  // ---- lookups and wire ----------------------------------------------------------------------

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

  /** A deployment's task counts: desired, running and pending. */
  record Counts(int desired, int running, int pending) {}

  /** Task counts of every deployment of a service, in one walk over its tasks. */
  static final class TaskCounts {
    private final Service service;
    private final Map<String, int[]> byDeployment = new java.util.HashMap<>();

    TaskCounts(State state, Service service) {
      this.service = service;
      for (Task t : state.liveTasksOf(service)) {
        if (t.startedBy() == null || !t.desiredStatus().equals("RUNNING")) {
          continue;
        }
        // [wanted, running, pending]
        int[] c = byDeployment.computeIfAbsent(t.startedBy(), k -> new int[3]);
        c[0]++;
        if (t.lastStatus() == TaskStatus.RUNNING) {
          c[1]++;
        } else if (t.lastStatus().ordinal() < TaskStatus.RUNNING.ordinal()) {
          c[2]++;
        }
      }
    }

    Counts of(Deployment d) {
      int[] c = byDeployment.getOrDefault(d.id(), new int[3]);
      int desired = d.status().equals(Deployment.PRIMARY) ? service.desiredCount() : c[0];
      return new Counts(desired, c[1], c[2]);
    }
  }

  static Counts counts(State state, Service service, Deployment d) {
    return new TaskCounts(state, service).of(d);
  }

  static ObjectNode toWire(State state, Service s, boolean includeTags) {
    ObjectNode out = Wire.object();
    out.put("serviceArn", s.arn());
    out.put("serviceName", s.name());
    out.put("clusterArn", s.clusterArn());
    Deployment primary = s.primary();
    out.set("loadBalancers", jsonOr(primary.config().loadBalancers()));
    out.putArray("serviceRegistries");
    out.put("status", s.status());
    out.put("desiredCount", s.desiredCount());
    ArrayNode deployments = Wire.array();
    TaskCounts counts = new TaskCounts(state, s);
    int running = 0;
    int pending = 0;
    for (Deployment d : s.deployments()) {
      if (d.status().equals(Deployment.INACTIVE)) {
        continue;
      }
      Counts c = counts.of(d);
      running += c.running();
      pending += c.pending();
      ObjectNode n = deployments.addObject();
      n.put("id", d.id());
      n.put("status", d.status());
      n.put("taskDefinition", d.config().taskDefinitionArn());
      n.put("desiredCount", c.desired());
      n.put("pendingCount", c.pending());
      n.put("runningCount", c.running());
      n.put("failedTasks", d.failedTasks());
      n.set("createdAt", Wire.timestamp(d.createdAt()));
      n.set("updatedAt", Wire.timestamp(d.updatedAt()));
      n.put("launchType", "EC2");
      n.put("rolloutState", d.rolloutState());
      n.put("rolloutStateReason", d.rolloutStateReason());
    }
    out.put("runningCount", running);
    out.put("pendingCount", pending);
    out.put("launchType", "EC2");
    out.put("taskDefinition", primary.config().taskDefinitionArn());
    out.set("deploymentConfiguration", deploymentConfigurationWire(primary.config()));
    out.set("deployments", deployments);
    ArrayNode events = out.putArray("events");
    for (ServiceEvent e : s.events()) {
      events
          .addObject()
          .put("id", e.id())
          .<ObjectNode>set("createdAt", Wire.timestamp(e.createdAt()))
          .put("message", e.message());
    }
    out.set("createdAt", Wire.timestamp(s.createdAt()));
    String prefix = s.arn().substring(0, s.arn().indexOf(":service/"));
    String cluster = s.clusterArn().substring(s.clusterArn().indexOf(":cluster/") + 9);
    if (s.isActive()) {
      out.put(
          "currentServiceDeployment",
          prefix + ":service-deployment/" + cluster + "/" + s.name() + "/" + primary.number());
    }
    ArrayNode revisions = out.putArray("currentServiceRevisions");
    for (Deployment d : s.deployments()) {
      if (d.status().equals(Deployment.INACTIVE)) {
        continue;
      }
      Counts c = counts.of(d);
      revisions
          .addObject()
          .put("arn", prefix + ":service-revision/" + cluster + "/" + s.name() + "/" + d.number())
          .put("requestedTaskCount", c.desired())
          .put("runningTaskCount", c.running())
          .put("pendingTaskCount", c.pending());
    }
    out.set("placementConstraints", jsonOr(primary.config().placementConstraints()));
    out.set("placementStrategy", jsonOr(primary.config().placementStrategy()));
    out.put("healthCheckGracePeriodSeconds", primary.config().healthCheckGracePeriodSeconds());
    out.put("schedulingStrategy", s.schedulingStrategy());
    out.putObject("deploymentController").put("type", "ECS");
    out.set("tags", includeTags ? Wire.tags(s.tags()) : Wire.array());
    out.put("createdBy", s.createdBy());
    out.put("enableECSManagedTags", s.enableEcsManagedTags());
    out.put("propagateTags", s.propagateTags());
    out.put("enableExecuteCommand", false);
    out.put("availabilityZoneRebalancing", s.availabilityZoneRebalancing());
    return out;
  }

  private static ObjectNode deploymentConfigurationWire(ServiceConfig c) {
    ObjectNode out = Wire.object();
    out.putObject("deploymentCircuitBreaker")
        .put("enable", c.circuitBreaker())
        .put("rollback", c.rollback());
    out.put("maximumPercent", c.maximumPercent());
    out.put("minimumHealthyPercent", c.minimumHealthyPercent());
    out.put("strategy", "ROLLING");
    return out;
  }

  private static JsonNode jsonOr(Document d) {
    return d == null ? Wire.array() : Wire.parse(d);
  }
}
