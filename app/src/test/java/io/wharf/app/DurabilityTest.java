package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.store.StoreException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * Durability: kill -9 at any moment loses nothing acknowledged; bad data dirs are refused clearly.
 */
class DurabilityTest {
  @TempDir Path dir;

  static EcsClient client(String endpoint) {
    return EcsClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.KEY_ID, TestServer.SECRET)))
        // No retries: a request that failed because the server died must count as not acknowledged.
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Test
  void everyAcknowledgedChangeSurvivesKill9() throws Exception {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger clusters = new AtomicInteger();
    ServerProcess first = ServerProcess.start(dir);
    int writers = 4;
    CountDownLatch enough = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(writers);
    try (EcsClient ecs = client(first.endpoint)) {
      ecs.createCluster(b -> b.clusterName("survivor"));
      for (int w = 0; w < writers; w++) {
        String family = "family-" + w;
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    while (true) {
                      TaskDefinition d =
                          ecs.registerTaskDefinition(TaskDefinitionApiTest.web(family))
                              .taskDefinition();
                      acknowledged.add(d.taskDefinitionArn());
                      if (acknowledged.size() >= 400) {
                        enough.countDown();
                      }
                    }
                  } catch (RuntimeException e) {
                    // The server was killed: this write was not acknowledged.
                  } finally {
                    done.countDown();
                  }
                });
      }
      enough.await();
      first.kill();
      done.await();
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(400);

    try (ServerProcess second = ServerProcess.start(dir);
        EcsClient ecs = client(second.endpoint)) {
      assertThat(ecs.describeClusters(b -> b.clusters("survivor")).clusters()).hasSize(1);
      for (int w = 0; w < writers; w++) {
        String family = "family-" + w;
        List<String> listed =
            ecs
                .listTaskDefinitionsPaginator(b -> b.familyPrefix(family))
                .taskDefinitionArns()
                .stream()
                .toList();
        // Revisions are contiguous from 1: nothing half-applied, no gaps.
        for (int r = 1; r <= listed.size(); r++) {
          assertThat(listed.get(r - 1)).endsWith("/" + family + ":" + r);
        }
        int max = listed.size();
        int next =
            ecs.registerTaskDefinition(TaskDefinitionApiTest.web(family))
                .taskDefinition()
                .revision();
        assertThat(next).isEqualTo(max + 1);
      }
      for (String arn : acknowledged) {
        assertThat(
                ecs.describeTaskDefinition(b -> b.taskDefinition(arn))
                    .taskDefinition()
                    .taskDefinitionArn())
            .isEqualTo(arn);
      }
    }
  }

  @Test
  void aSecondServerOnTheSameDataDirIsRefused() throws Exception {
    try (ServerProcess running = ServerProcess.start(dir)) {
      ServerProcess.Result refused = ServerProcess.runToExit(dir);
      assertThat(refused.exitCode()).isEqualTo(2);
      assertThat(refused.output()).contains("in use by another running Wharf server");
    }
  }

  @Test
  void aCorruptDatabaseIsRefusedAtStart() throws Exception {
    Files.createDirectories(dir);
    Files.write(
        dir.resolve("wharf.db"),
        "this is not a database, it is a grocery list"
            .repeat(200)
            .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> TestServer.startOn(dir))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void aDatabaseFromANewerWharfIsRefusedAtStart() throws Exception {
    TestServer.startOn(dir).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("wharf.db"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'");
    }
    assertThatThrownBy(() -> TestServer.startOn(dir))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("newer Wharf");
  }

  @Test
  void stateAndRevisionsSurviveACleanRestart() throws Exception {
    long revision;
    try (var plane = TestServer.startOn(dir);
        EcsClient ecs = client(plane.endpoint())) {
      ecs.createCluster(b -> b.clusterName("kept").tags(ContainerInstanceApiTest.tag("a", "b")));
      ecs.registerTaskDefinition(TaskDefinitionApiTest.web("kept"));
      revision = plane.states().current().revision();
    }
    try (var plane = TestServer.startOn(dir);
        EcsClient ecs = client(plane.endpoint())) {
      assertThat(plane.states().current().revision()).isEqualTo(revision);
      assertThat(
              ecs.listTagsForResource(
                      b ->
                          b.resourceArn(
                              "arn:aws:ecs:us-east-1:" + TestServer.ACCOUNT + ":cluster/kept"))
                  .tags())
          .containsExactly(ContainerInstanceApiTest.tag("a", "b"));
      ecs.createCluster(b -> b.clusterName("after"));
      assertThat(plane.states().current().revision()).isEqualTo(revision + 1);
    }
  }
}
