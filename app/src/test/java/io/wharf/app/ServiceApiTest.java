package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClusterContainsServicesException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.CreateServiceResponse;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.PlacementConstraintType;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceField;
import software.amazon.awssdk.services.ecs.model.ServiceNotActiveException;
import software.amazon.awssdk.services.ecs.model.ServiceNotFoundException;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.UnsupportedFeatureException;

/**
 * The service API through the AWS SDK: shapes, defaults, validation and errors. No instances are
 * registered, so no task is ever placed; the controller's work is covered by the simulation and the
 * Docker tests.
 */
class ServiceApiTest {
  static final String CLUSTER = "services";
  static TestServer server;
  static EcsClient ecs;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    ecs = server.client();
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    ecs.registerTaskDefinition(
        b ->
            b.family("web")
                .containerDefinitions(
                    ContainerDefinition.builder().name("web").image("web:1").memory(64).build()));
  }

  @AfterAll
  static void stop() throws Exception {
    ecs.close();
    server.close();
  }

  static Service create(String name, int desired) {
    return ecs.createService(
            b -> b.cluster(CLUSTER).serviceName(name).taskDefinition("web").desiredCount(desired))
        .service();
  }

  @Test
  void createServiceAnswersTheEcsShapeWithEcsDefaults() {
    Service s = create("shape", 2);
    assertThat(s.serviceArn())
        .isEqualTo("arn:aws:ecs:us-east-1:" + TestServer.ACCOUNT + ":service/services/shape");
    assertThat(s.status()).isEqualTo("ACTIVE");
    assertThat(s.desiredCount()).isEqualTo(2);
    assertThat(s.runningCount()).isZero();
    assertThat(s.launchTypeAsString()).isEqualTo("EC2");
    assertThat(s.schedulingStrategyAsString()).isEqualTo("REPLICA");
    assertThat(s.taskDefinition()).endsWith(":task-definition/web:1");
    assertThat(s.deploymentConfiguration().maximumPercent()).isEqualTo(200);
    assertThat(s.deploymentConfiguration().minimumHealthyPercent()).isEqualTo(100);
    assertThat(s.deploymentConfiguration().deploymentCircuitBreaker().enable()).isFalse();
    assertThat(s.deploymentController().typeAsString()).isEqualTo("ECS");
    assertThat(s.deployments()).hasSize(1);
    var d = s.deployments().get(0);
    assertThat(d.id()).matches("ecs-svc/\\d{19}");
    assertThat(d.status()).isEqualTo("PRIMARY");
    assertThat(d.rolloutStateAsString()).isEqualTo("IN_PROGRESS");
    assertThat(d.desiredCount()).isEqualTo(2);
    assertThat(s.createdBy()).isEqualTo("arn:aws:iam::" + TestServer.ACCOUNT + ":root");
    assertThat(s.currentServiceDeployment())
        .isEqualTo(
            "arn:aws:ecs:us-east-1:"
                + TestServer.ACCOUNT
                + ":service-deployment/services/shape/"
                + d.id().substring("ecs-svc/".length()));

    var revisions =
        ecs.describeServiceRevisions(
            b -> b.serviceRevisionArns(s.currentServiceRevisions().get(0).arn()));
    assertThat(revisions.serviceRevisions()).hasSize(1);
    assertThat(revisions.serviceRevisions().get(0).taskDefinition()).isEqualTo(s.taskDefinition());
    assertThat(revisions.serviceRevisions().get(0).containerImages().get(0).image())
        .isEqualTo("web:1");
    var deployments =
        ecs.describeServiceDeployments(b -> b.serviceDeploymentArns(s.currentServiceDeployment()));
    assertThat(deployments.serviceDeployments().get(0).statusAsString()).isEqualTo("IN_PROGRESS");
    assertThat(deployments.serviceDeployments().get(0).deploymentCircuitBreaker().statusAsString())
        .isEqualTo("DISABLED");
  }

  @Test
  void describeServicesReportsMissingOnesAndTagsOnRequest() {
    Service s =
        ecs.createService(
                b ->
                    b.cluster(CLUSTER)
                        .serviceName("tagged")
                        .taskDefinition("web")
                        .desiredCount(0)
                        .tags(Tag.builder().key("team").value("blue").build()))
            .service();
    DescribeServicesResponse r =
        ecs.describeServices(
            b -> b.cluster(CLUSTER).services("tagged", "nope").include(ServiceField.TAGS));
    assertThat(r.services()).extracting(Service::serviceArn).containsExactly(s.serviceArn());
    assertThat(r.services().get(0).tags())
        .containsExactly(Tag.builder().key("team").value("blue").build());
    assertThat(r.failures()).hasSize(1);
    assertThat(r.failures().get(0).reason()).isEqualTo("MISSING");
    assertThat(r.failures().get(0).arn()).endsWith(":service/services/nope");
    assertThat(
            ecs.describeServices(b -> b.cluster(CLUSTER).services("tagged"))
                .services()
                .get(0)
                .tags())
        .isEmpty();
  }

  @Test
  void aNameIsTakenWhileActiveAndAClientTokenMakesCreateIdempotent() {
    CreateServiceResponse first =
        ecs.createService(
            b ->
                b.cluster(CLUSTER)
                    .serviceName("token")
                    .taskDefinition("web")
                    .desiredCount(1)
                    .clientToken("abc-123"));
    CreateServiceResponse again =
        ecs.createService(
            b ->
                b.cluster(CLUSTER)
                    .serviceName("token")
                    .taskDefinition("web")
                    .desiredCount(1)
                    .clientToken("abc-123"));
    assertThat(again.service().deployments().get(0).id())
        .isEqualTo(first.service().deployments().get(0).id());
    assertThatThrownBy(() -> create("token", 1))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("Creation of service was not idempotent.");
  }

  @Test
  void badInputGetsEcsErrorsAndChangesNothing() {
    assertThatThrownBy(
            () ->
                ecs.createService(
                    b ->
                        b.cluster(CLUSTER)
                            .serviceName("bad")
                            .taskDefinition("nope")
                            .desiredCount(1)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("TaskDefinition not found.");
    assertThatThrownBy(
            () ->
                ecs.createService(
                    b ->
                        b.cluster(CLUSTER)
                            .serviceName("bad")
                            .taskDefinition("web")
                            .desiredCount(1)
                            .deploymentConfiguration(c -> c.minimumHealthyPercent(150))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("minimumHealthyPercent");
    assertThatThrownBy(
            () ->
                ecs.createService(
                    b ->
                        b.cluster(CLUSTER)
                            .serviceName("bad")
                            .taskDefinition("web")
                            .schedulingStrategy("DAEMON")
                            .desiredCount(2)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("daemon");
    assertThatThrownBy(
            () ->
                ecs.createService(
                    b ->
                        b.cluster(CLUSTER)
                            .serviceName("bad")
                            .taskDefinition("web")
                            .desiredCount(1)
                            .placementConstraints(
                                c ->
                                    c.type(PlacementConstraintType.MEMBER_OF)
                                        .expression("attribute:ecs.os-type === linux"))))
        .isInstanceOf(InvalidParameterException.class);
    assertThatThrownBy(
            () ->
                ecs.createService(
                    b ->
                        b.cluster(CLUSTER)
                            .serviceName("bad")
                            .taskDefinition("web")
                            .desiredCount(1)
                            .launchType(LaunchType.FARGATE)))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(
            () ->
                ecs.createService(
                    b ->
                        b.cluster("no-such-cluster")
                            .serviceName("bad")
                            .taskDefinition("web")
                            .desiredCount(1)))
        .isInstanceOf(software.amazon.awssdk.services.ecs.model.ClusterNotFoundException.class);
    assertThat(ecs.describeServices(b -> b.cluster(CLUSTER).services("bad")).failures()).hasSize(1);
  }

  @Test
  void updateAndDeleteFollowEcsRules() {
    create("lifecycle", 3);
    assertThatThrownBy(
            () -> ecs.updateService(b -> b.cluster(CLUSTER).service("ghost").desiredCount(1)))
        .isInstanceOf(ServiceNotFoundException.class);
    Service scaled =
        ecs.updateService(b -> b.cluster(CLUSTER).service("lifecycle").desiredCount(5)).service();
    assertThat(scaled.desiredCount()).isEqualTo(5);
    // A desired count alone is no new deployment.
    assertThat(scaled.deployments()).hasSize(1);
    Service forced =
        ecs.updateService(b -> b.cluster(CLUSTER).service("lifecycle").forceNewDeployment(true))
            .service();
    assertThat(forced.deployments()).hasSize(2);
    assertThat(forced.deployments().get(0).status()).isEqualTo("PRIMARY");
    assertThat(forced.deployments().get(1).status()).isEqualTo("ACTIVE");

    assertThatThrownBy(() -> ecs.deleteService(b -> b.cluster(CLUSTER).service("lifecycle")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("The service cannot be stopped while it is scaled above 0.");
    assertThatThrownBy(() -> ecs.deleteCluster(b -> b.cluster(CLUSTER)))
        .isInstanceOf(ClusterContainsServicesException.class);
    Service deleted =
        ecs.deleteService(b -> b.cluster(CLUSTER).service("lifecycle").force(true)).service();
    assertThat(deleted.status()).isEqualTo("DRAINING");
    assertThat(deleted.desiredCount()).isZero();
    assertThat(
            ecs.listServices(b -> b.cluster(CLUSTER).maxResults(100)).serviceArns().stream()
                .filter(a -> a.endsWith("/lifecycle")))
        .isEmpty();
    assertThatThrownBy(
            () -> ecs.updateService(b -> b.cluster(CLUSTER).service("lifecycle").desiredCount(1)))
        .isInstanceOf(ServiceNotActiveException.class);
    // With no tasks to stop, the controller makes it INACTIVE.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () ->
                ecs.describeServices(b -> b.cluster(CLUSTER).services("lifecycle"))
                    .services()
                    .get(0)
                    .status()
                    .equals("INACTIVE"));
    // An INACTIVE service's name can be used again.
    assertThat(create("lifecycle", 0).status()).isEqualTo("ACTIVE");
  }

  @Test
  void loadBalancersAreCheckedAgainstTargetGroupsAndTheTaskDefinition() {
    ecs.registerTaskDefinition(
        b ->
            b.family("site")
                .containerDefinitions(
                    ContainerDefinition.builder()
                        .name("web")
                        .image("web:1")
                        .memory(64)
                        .portMappings(p -> p.containerPort(8080))
                        .build()));
    try (var elb = server.elb()) {
      var tg =
          elb.createTargetGroup(r -> r.name("api-tg").protocol("HTTP").port(80))
              .targetGroups()
              .get(0);
      java.util.function.Function<Integer, software.amazon.awssdk.services.ecs.model.LoadBalancer>
          entry =
              port ->
                  software.amazon.awssdk.services.ecs.model.LoadBalancer.builder()
                      .targetGroupArn(tg.targetGroupArn())
                      .containerName("web")
                      .containerPort(port)
                      .build();
      assertThatThrownBy(
              () ->
                  ecs.createService(
                      b ->
                          b.cluster(CLUSTER)
                              .serviceName("behind")
                              .taskDefinition("site")
                              .desiredCount(1)
                              .loadBalancers(entry.apply(8080))))
          .isInstanceOf(InvalidParameterException.class)
          .hasMessageContaining("does not have an associated load balancer");
      var lb = elb.createLoadBalancer(r -> r.name("api")).loadBalancers().get(0);
      elb.createListener(
          r ->
              r.loadBalancerArn(lb.loadBalancerArn())
                  .protocol("HTTP")
                  .port(ElbTesting.freePort(lb.dnsName()))
                  .defaultActions(a -> a.type("forward").targetGroupArn(tg.targetGroupArn())));
      assertThatThrownBy(
              () ->
                  ecs.createService(
                      b ->
                          b.cluster(CLUSTER)
                              .serviceName("behind")
                              .taskDefinition("site")
                              .desiredCount(1)
                              .loadBalancers(entry.apply(9999))))
          .isInstanceOf(InvalidParameterException.class)
          .hasMessageContaining("The container web did not have a container port 9999 defined.");
      Service s =
          ecs.createService(
                  b ->
                      b.cluster(CLUSTER)
                          .serviceName("behind")
                          .taskDefinition("site")
                          .desiredCount(0)
                          .loadBalancers(entry.apply(8080)))
              .service();
      assertThat(s.loadBalancers()).containsExactly(entry.apply(8080));
    }
  }

  @Test
  void listServicesPagesTenAtATimeByDefault() {
    ecs.createCluster(b -> b.clusterName("many"));
    for (int i = 0; i < 13; i++) {
      String name = String.format("svc-%02d", i);
      ecs.createService(
          b -> b.cluster("many").serviceName(name).taskDefinition("web").desiredCount(0));
    }
    var page = ecs.listServices(b -> b.cluster("many"));
    assertThat(page.serviceArns()).hasSize(10);
    assertThat(page.nextToken()).isNotNull();
    var rest = ecs.listServices(b -> b.cluster("many").nextToken(page.nextToken()));
    assertThat(rest.serviceArns()).hasSize(3);
    assertThat(rest.nextToken()).isNull();
    List<String> all = new ArrayList<>(page.serviceArns());
    all.addAll(rest.serviceArns());
    assertThat(all).doesNotHaveDuplicates().hasSize(13);
    assertThat(ecs.listServices(b -> b.cluster("many").schedulingStrategy("DAEMON")).serviceArns())
        .isEmpty();
    assertThatThrownBy(() -> ecs.listTasks(b -> b.cluster("many").serviceName("ghost")))
        .isInstanceOf(ServiceNotFoundException.class);
    assertThat(ecs.listTasks(b -> b.cluster("many").serviceName("svc-01")).taskArns()).isEmpty();
  }
}
