package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * {@code wharf up} run with a permissive umask (022) keeps its data directory owner-only: the
 * store's files, the key, the credentials, the agent's state and HAProxy's configuration, state,
 * pid, log and sockets; and a task definition's environment value is in none of those files.
 */
class PrivateStateIT {
  private static final String SECRET = "private-state-it-secret-value";

  @Test
  void everyFileAndDirectoryInTheDataDirectoryIsOwnerOnlyAndNoSecretIsReadable() throws Exception {
    DockerFixture.ensureTestImage();
    Path data = DockerFixture.tempDir("wharf-private");
    String addresses = ElbTesting.randomAddressRange();
    List<String> args =
        List.of(
            "up",
            "--port",
            "0",
            "--data-dir",
            data.toString(),
            "--account-id",
            TestServer.ACCOUNT,
            "--load-balancer-addresses",
            addresses);
    ServerProcess up = ServerProcess.spawn("022", args, UpIT.READY);
    try {
      String endpoint = up.endpoint.substring(0, up.endpoint.indexOf(' '));
      try (EcsClient ecs = DurabilityTest.client(endpoint);
          ElasticLoadBalancingV2Client elb = elb(endpoint)) {
        ecs.registerTaskDefinition(
            b ->
                b.family("private")
                    .containerDefinitions(
                        ContainerDefinition.builder()
                            .name("main")
                            .image(DockerFixture.IMAGE)
                            .memory(16)
                            .environment(
                                KeyValuePair.builder().name("PASSWORD").value(SECRET).build())
                            .build()));
        // A listener makes Wharf start HAProxy, which writes its files in <data-dir>/haproxy.
        LoadBalancingIT.setUp(elb, "private");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> Files.exists(data.resolve("haproxy").resolve("haproxy.pid")));
        List<String> whileRunning = notOwnerOnly(data);
        assertThat(whileRunning).as("group- or world-accessible while running").isEmpty();
        assertThat(names(data))
            .contains(
                "wharf.db",
                "wharf.db-wal",
                "wharf.db-shm",
                "store.key",
                "agent",
                "agent-state.json",
                "haproxy",
                "haproxy.cfg",
                "haproxy.pid",
                "haproxy.log");
        assertThat(readableText(data)).doesNotContain(SECRET);
      }
    } finally {
      up.close();
      ElbTesting.stopLeftoverHaproxy(data);
    }
    assertThat(notOwnerOnly(data)).as("group- or world-accessible after stopping").isEmpty();
    assertThat(readableText(data)).doesNotContain(SECRET);
    TestServer.deleteTree(data);
  }

  private static ElasticLoadBalancingV2Client elb(String endpoint) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.KEY_ID, TestServer.SECRET)))
        .build();
  }

  /** Every path under {@code root} (itself included) that is not 0700 (directories) or 0600. */
  private static List<String> notOwnerOnly(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        if (Files.isSymbolicLink(p) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        String mode;
        try {
          mode =
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (java.nio.file.NoSuchFileException gone) {
          continue;
        }
        String expected =
            Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
        if (!mode.equals(expected)) {
          out.add(root.relativize(p) + " " + mode);
        }
      }
    }
    return out;
  }

  private static List<String> names(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.map(p -> p.getFileName().toString()).toList();
    }
  }

  /** The bytes of every regular file under {@code root}, as text to search in. */
  private static String readableText(Path root) throws IOException {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        try {
          out.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        } catch (java.nio.file.NoSuchFileException gone) {
          // A temporary file renamed meanwhile.
        }
      }
    }
    return out.toString();
  }
}
