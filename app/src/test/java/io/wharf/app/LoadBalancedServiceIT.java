package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.agent.Agent;
import io.wharf.runtime.ContainerRuntime;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * A web service behind a real HAProxy listener on real Docker: a rolling deployment under
 * continuous HTTP load loses no request, and a task that fails its ELB health checks is replaced.
 */
class LoadBalancedServiceIT {
  static final String CLUSTER = "lb";
  static TestServer server;
  static EcsClient ecs;
  static ElasticLoadBalancingV2Client elb;
  static ContainerRuntime docker;
  static Agent agent;

  @BeforeAll
  static void start() throws Exception {
    DockerFixture.ensureTestImage();
    server = TestServer.start();
    ecs = server.client();
    elb = server.elb();
    ecs.createCluster(b -> b.clusterName(CLUSTER));
    docker = DockerFixture.docker();
    agent =
        DockerFixture.startAgent(
            server.endpoint(), CLUSTER, DockerFixture.tempDir("wharf-lb"), "127.0.0.8", docker);
  }

  @AfterAll
  static void stop() throws Exception {
    String id = agent.instanceId();
    agent.close();
    DockerFixture.removeContainersOf(docker, id);
    elb.close();
    ecs.close();
    server.close();
    docker.close();
  }

  /** A web server answering {@code version} on / (its health check path too). */
  static String register(String version) {
    ContainerDefinition web =
        ContainerDefinition.builder()
            .name("web")
            .image(DockerFixture.IMAGE)
            .memory(32)
            .command(
                "sh",
                "-c",
                "mkdir -p /tmp/w && echo "
                    + version
                    + " > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w")
            .portMappings(PortMapping.builder().containerPort(8080).build())
            .build();
    return ecs.registerTaskDefinition(b -> b.family("site").containerDefinitions(web))
        .taskDefinition()
        .taskDefinitionArn();
  }

  static Service describe() {
    return ecs.describeServices(b -> b.cluster(CLUSTER).services("site")).services().get(0);
  }

  static List<Task> tasks() {
    List<String> arns =
        ecs.listTasks(
                b -> b.cluster(CLUSTER).serviceName("site").desiredStatus(DesiredStatus.RUNNING))
            .taskArns();
    return arns.isEmpty()
        ? List.of()
        : ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(arns)).tasks();
  }

  static boolean completedOn(String taskDefinition) {
    Service s = describe();
    return s.deployments().size() == 1
        && s.deployments().get(0).rolloutStateAsString().equals("COMPLETED")
        && s.taskDefinition().equals(taskDefinition)
        && s.runningCount() == 3
        && tasks().stream().allMatch(t -> t.taskDefinitionArn().equals(taskDefinition));
  }

  @Test
  void aRollingDeploymentUnderLoadLosesNoRequestAndAnUnhealthyTaskIsReplaced() throws Exception {
    ElbTesting.Balancer site = ElbTesting.balancer(elb, "site");
    String url = site.url();

    String v1 = register("v1");
    ecs.createService(
        b ->
            b.cluster(CLUSTER)
                .serviceName("site")
                .taskDefinition(v1)
                .desiredCount(3)
                .loadBalancers(
                    l ->
                        l.targetGroupArn(site.targetGroupArn())
                            .containerName("web")
                            .containerPort(8080)));
    await().atMost(Duration.ofSeconds(120)).until(() -> completedOn(v1));
    assertThat(describe().events())
        .extracting(ServiceEvent::message)
        .anyMatch(
            m -> m.startsWith("(service site) registered ") && m.contains(site.targetGroupArn()));
    HttpClient http = ElbTesting.keepAliveClient();
    assertThat(ElbTesting.get(http, url).body().trim()).isEqualTo("v1");

    // Continuous load from a client on loopback for the whole deployment.
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    Set<String> failures = ConcurrentHashMap.newKeySet();
    Thread load =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (running.get()) {
                    try {
                      HttpResponse<String> r = ElbTesting.get(http, url);
                      if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                    } catch (RuntimeException e) {
                      failures.add(e.toString());
                    }
                    sent.incrementAndGet();
                  }
                });
    String v2 = register("v2");
    ecs.updateService(b -> b.cluster(CLUSTER).service("site").taskDefinition(v2));
    await().atMost(Duration.ofSeconds(180)).until(() -> completedOn(v2));
    Thread.sleep(1_000);
    running.set(false);
    load.join();
    assertThat(failures).as("failed requests of %d", sent.get()).isEmpty();
    assertThat(sent.get()).isGreaterThan(50);
    Set<String> bodies = new TreeSet<>();
    for (int i = 0; i < 30; i++) {
      bodies.add(ElbTesting.get(http, url).body().trim());
    }
    assertThat(bodies).containsExactly("v2");

    // A task whose health check starts failing is replaced.
    Task sick = tasks().getFirst();
    Process rm =
        new ProcessBuilder(
                "docker", "exec", sick.containers().get(0).runtimeId(), "rm", "/tmp/w/index.html")
            .redirectErrorStream(true)
            .start();
    assertThat(rm.waitFor()).isZero();
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(sick.taskArn()))
                    .tasks()
                    .get(0)
                    .lastStatus()
                    .equals("STOPPED"));
    Task stopped = ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(sick.taskArn())).tasks().get(0);
    assertThat(stopped.stoppedReason())
        .isEqualTo("Task failed ELB health checks in (target-group " + site.targetGroupArn() + ")");
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                describe().runningCount() == 3
                    && tasks().stream().noneMatch(t -> t.taskArn().equals(sick.taskArn())));
    ecs.deleteService(b -> b.cluster(CLUSTER).service("site").force(true));
  }
}
