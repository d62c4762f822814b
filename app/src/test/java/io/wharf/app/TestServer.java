package io.wharf.app;

import io.wharf.controlplane.ControlPlane;
import io.wharf.core.api.ServiceModule;
import io.wharf.core.auth.AdminCredentials;
import io.wharf.ecs.service.ServiceController;
import io.wharf.elb.balancing.AddressPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * A real control plane on a free loopback port with a fresh data directory, for end-to-end tests.
 */
final class TestServer implements AutoCloseable {
  static final String KEY_ID = "AKIAWHARFTESTKEY0001";
  static final String SECRET = "wharf-test-secret-key-0000000000000000000";
  static final String ACCOUNT = "123456789012";

  final Path dataDir;
  final ControlPlane plane;

  TestServer(Path dataDir, ControlPlane plane) {
    this.dataDir = dataDir;
    this.plane = plane;
  }

  /** Short, so that rolling deployments in tests do not wait ECS's 40 s per batch. */
  static final Duration HEALTHY_AFTER = Duration.ofSeconds(2);

  static TestServer start() {
    return start(Duration.ofSeconds(60), defaultElb());
  }

  /** A server whose instances count as lost after {@code lostAfter} without word from the agent. */
  static TestServer start(Duration lostAfter) {
    return start(lostAfter, defaultElb());
  }

  /** A test server whose load balancers are served as {@code elb} says. */
  static TestServer start(ControlPlane.ElbSettings elb) {
    return start(Duration.ofSeconds(60), elb);
  }

  static TestServer start(Duration lostAfter, ControlPlane.ElbSettings elb) {
    return start(lostAfter, HEALTHY_AFTER, elb);
  }

  /**
   * A test server whose service tasks without health checks count as healthy after {@code
   * healthyAfter} (ECS: 40 s), for tests of what happens within that time.
   */
  static TestServer startWithHealthyAfter(Duration healthyAfter) {
    return start(Duration.ofSeconds(60), healthyAfter, defaultElb());
  }

  private static TestServer start(
      Duration lostAfter, Duration healthyAfter, ControlPlane.ElbSettings elb) {
    return start(lostAfter, healthyAfter, elb, List.of());
  }

  /** A test server with more AWS services on its endpoint (README: "How to add an AWS service"). */
  static TestServer start(List<ServiceModule> modules) {
    return start(Duration.ofSeconds(60), HEALTHY_AFTER, defaultElb(), modules);
  }

  private static TestServer start(
      Duration lostAfter,
      Duration healthyAfter,
      ControlPlane.ElbSettings elb,
      List<ServiceModule> modules) {
    try {
      Path dir = Files.createTempDirectory("wharf-test");
      return new TestServer(dir, startOn(dir, lostAfter, healthyAfter, elb, modules));
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start the test server", e);
    }
  }

  /**
   * Load balancers of test servers get addresses of a /24 of their own in 127.0.0.0/8, chosen at
   * random per JVM, so that test runs in parallel worktrees do not meet on an address and port.
   */
  static final String LOAD_BALANCER_ADDRESSES = ElbTesting.randomAddressRange();

  static ControlPlane startOn(Path dir) throws Exception {
    return startOn(dir, Duration.ofSeconds(60), defaultElb());
  }

  static ControlPlane.ElbSettings defaultElb() {
    return new ControlPlane.ElbSettings(null, AddressPool.parse(LOAD_BALANCER_ADDRESSES));
  }

  static ControlPlane startOn(Path dir, Duration lostAfter, ControlPlane.ElbSettings elb)
      throws Exception {
    return startOn(dir, lostAfter, HEALTHY_AFTER, elb);
  }

  private static ControlPlane startOn(
      Path dir, Duration lostAfter, Duration healthyAfter, ControlPlane.ElbSettings elb)
      throws Exception {
    return startOn(dir, lostAfter, healthyAfter, elb, List.of());
  }

  private static ControlPlane startOn(
      Path dir,
      Duration lostAfter,
      Duration healthyAfter,
      ControlPlane.ElbSettings elb,
      List<ServiceModule> modules)
      throws Exception {
    return ControlPlane.start(
        new ControlPlane.Config(
            "127.0.0.1",
            0,
            dir,
            "us-east-1",
            ACCOUNT,
            Duration.ofMinutes(15),
            Duration.ofSeconds(6),
            new AdminCredentials(KEY_ID, SECRET, "test"),
            Clock.systemUTC(),
            RandomGenerator.of("L64X128MixRandom"),
            new ServiceController.Settings(Duration.ofSeconds(1), healthyAfter, lostAfter),
            elb),
        modules);
  }

  String endpoint() {
    return plane.endpoint();
  }

  EcsClient client() {
    return client(KEY_ID, SECRET);
  }

  EcsClient client(String keyId, String secret) {
    return EcsClient.builder()
        .endpointOverride(URI.create(endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .build();
  }

  ElasticLoadBalancingV2Client elb() {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(URI.create(endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
        .build();
  }

  String clusterArn(String name) {
    return "arn:aws:ecs:us-east-1:" + ACCOUNT + ":cluster/" + name;
  }

  @Override
  public void close() throws Exception {
    plane.close();
    deleteTree(dataDir);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
