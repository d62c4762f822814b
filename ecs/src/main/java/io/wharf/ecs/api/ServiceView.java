package io.wharf.ecs.api;

import io.wharf.core.state.State;
import io.wharf.model.Deployment;
import io.wharf.model.Document;
import io.wharf.model.Service;
import io.wharf.model.ServiceConfig;
import io.wharf.model.ServiceEvent;
import io.wharf.model.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * ECS's {@code Service} as CreateService, UpdateService, DeleteService and DescribeServices return
 * it. Wharf runs the EC2 launch type with the ECS deployment controller only, so those members are
 * constants; {@code loadBalancers}, {@code placementConstraints} and {@code placementStrategy} are
 * echoed as the service was given them ({@code []} when it was not).
 */
record ServiceView(
    String serviceArn,
    String serviceName,
    String clusterArn,
    Document loadBalancers,
    List<Document> serviceRegistries,
    String status,
    int desiredCount,
    int runningCount,
    int pendingCount,
    String launchType,
    String taskDefinition,
    DeploymentConfigurationView deploymentConfiguration,
    List<DeploymentView> deployments,
    List<ServiceEventView> events,
    Instant createdAt,
    String currentServiceDeployment,
    List<ServiceCurrentRevisionSummaryView> currentServiceRevisions,
    Document placementConstraints,
    Document placementStrategy,
    int healthCheckGracePeriodSeconds,
    String schedulingStrategy,
    DeploymentControllerView deploymentController,
    List<Tag> tags,
    String createdBy,
    boolean enableECSManagedTags,
    String propagateTags,
    boolean enableExecuteCommand,
    String availabilityZoneRebalancing) {

  static final String LAUNCH_TYPE = "EC2";

  /** A list member nobody gave: ECS writes it as {@code []}. */
  private static final Document EMPTY_LIST = new Document("[]");

  /** ECS's {@code Deployment}: one deployment of the service, with its tasks counted. */
  record DeploymentView(
      String id,
      String status,
      String taskDefinition,
      int desiredCount,
      int pendingCount,
      int runningCount,
      int failedTasks,
      Instant createdAt,
      Instant updatedAt,
      String launchType,
      String rolloutState,
      String rolloutStateReason) {}

  record ServiceEventView(String id, Instant createdAt, String message) {}

  record ServiceCurrentRevisionSummaryView(
      String arn, int requestedTaskCount, int runningTaskCount, int pendingTaskCount) {}

  /** ECS's {@code DeploymentController}: given to CreateService and UpdateService, echoed here. */
  record DeploymentControllerView(String type) {}

  /**
   * ECS's {@code DeploymentConfiguration}, as CreateService and UpdateService take it (the members
   * Wharf reads; the others are ignored) and as services and service deployments show it.
   */
  record DeploymentConfigurationView(
      DeploymentCircuitBreakerView deploymentCircuitBreaker,
      Integer maximumPercent,
      Integer minimumHealthyPercent,
      DeploymentAlarmsView alarms,
      String strategy) {

    /** How a deployment's configuration is shown: Wharf's rollouts are always ROLLING. */
    static DeploymentConfigurationView of(ServiceConfig c) {
      return new DeploymentConfigurationView(
          new DeploymentCircuitBreakerView(c.circuitBreaker(), c.rollback()),
          c.maximumPercent(),
          c.minimumHealthyPercent(),
          null,
          "ROLLING");
    }
  }

  record DeploymentCircuitBreakerView(Boolean enable, Boolean rollback) {}

  /** Only whether alarms are enabled matters to Wharf: it refuses them. */
  record DeploymentAlarmsView(Boolean enable) {}

  /**
   * The service as ECS shows it, with its deployments' tasks counted in {@code state}.
   *
   * @param withTags whether to show the service's tags (DescribeServices with {@code include:
   *     ["TAGS"]}); ECS shows {@code []} otherwise
   */
  static ServiceView of(State state, Service s, boolean withTags) {
    Deployment primary = s.primary();
    ServiceConfig config = primary.config();
    TaskCounts counts = new TaskCounts(state, s);
    String prefix = s.arn().substring(0, s.arn().indexOf(":service/"));
    String cluster = s.clusterArn().substring(s.clusterArn().indexOf(":cluster/") + 9);
    List<DeploymentView> deployments = new ArrayList<>();
    List<ServiceCurrentRevisionSummaryView> revisions = new ArrayList<>();
    int running = 0;
    int pending = 0;
    for (Deployment d : s.deployments()) {
      if (d.status().equals(Deployment.INACTIVE)) {
        continue;
      }
      TaskCounts.Counts c = counts.of(d);
      running += c.running();
      pending += c.pending();
      deployments.add(
          new DeploymentView(
              d.id(),
              d.status(),
              d.config().taskDefinitionArn(),
              c.desired(),
              c.pending(),
              c.running(),
              d.failedTasks(),
              d.createdAt(),
              d.updatedAt(),
              LAUNCH_TYPE,
              d.rolloutState(),
              d.rolloutStateReason()));
      revisions.add(
          new ServiceCurrentRevisionSummaryView(
              prefix + ":service-revision/" + cluster + "/" + s.name() + "/" + d.number(),
              c.desired(),
              c.running(),
              c.pending()));
    }
    List<ServiceEventView> events = new ArrayList<>();
    for (ServiceEvent e : s.events()) {
      events.add(new ServiceEventView(e.id(), e.createdAt(), e.message()));
    }
    return new ServiceView(
        s.arn(),
        s.name(),
        s.clusterArn(),
        givenOrEmpty(config.loadBalancers()),
        List.of(),
        s.status(),
        s.desiredCount(),
        running,
        pending,
        LAUNCH_TYPE,
        config.taskDefinitionArn(),
        DeploymentConfigurationView.of(config),
        deployments,
        events,
        s.createdAt(),
        s.isActive()
            ? prefix + ":service-deployment/" + cluster + "/" + s.name() + "/" + primary.number()
            : null,
        revisions,
        givenOrEmpty(config.placementConstraints()),
        givenOrEmpty(config.placementStrategy()),
        config.healthCheckGracePeriodSeconds(),
        s.schedulingStrategy(),
        new DeploymentControllerView("ECS"),
        withTags ? s.tags() : List.of(),
        s.createdBy(),
        s.enableEcsManagedTags(),
        s.propagateTags(),
        false,
        s.availabilityZoneRebalancing());
  }

  /** A list member as the user gave it, or {@code []}. */
  static Document givenOrEmpty(Document given) {
    return given == null ? EMPTY_LIST : given;
  }
}
