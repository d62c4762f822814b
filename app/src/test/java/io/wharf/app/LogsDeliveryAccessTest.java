package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.AccessDeniedException;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;

/**
 * What the awslogs delivery needs from Logs: a container instance's own key may call exactly the
 * delivery's operations and nothing else, and a maximal PutLogEvents batch gets through the front
 * even as escaped JSON (over its 1 MiB limit for other requests).
 */
class LogsDeliveryAccessTest {
  static TestServer server;
  static CloudWatchLogsClient admin;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    admin = AwslogsIT.logs(server.endpoint());
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    server.close();
  }

  /** A CloudWatch Logs client signing with a freshly joined instance's own key. */
  static CloudWatchLogsClient instanceClient(String cluster) {
    try (var ecs = server.client()) {
      ecs.createCluster(b -> b.clusterName(cluster));
    }
    String token = DockerFixture.joinToken(server.endpoint(), cluster);
    RawClient.Answer joined = AgentIdentityTestAccess.join(server, token, cluster);
    assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
    return CloudWatchLogsClient.builder()
        .endpointOverride(URI.create(server.endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    joined.body().path("accessKeyId").asText(),
                    joined.body().path("secretAccessKey").asText())))
        .build();
  }

  @Test
  void anInstanceKeyMayDeliverAndDoNothingElse() {
    try (CloudWatchLogsClient instance = instanceClient("delivery")) {
      instance.createLogGroup(b -> b.logGroupName("/ecs/delivered"));
      instance.createLogStream(b -> b.logGroupName("/ecs/delivered").logStreamName("app/c/1"));
      long now = System.currentTimeMillis();
      instance.putLogEvents(
          b ->
              b.logGroupName("/ecs/delivered")
                  .logStreamName("app/c/1")
                  .logEvents(InputLogEvent.builder().timestamp(now).message("hello").build()));
      assertThat(
              instance
                  .getLogEvents(
                      b -> b.logGroupName("/ecs/delivered").logStreamName("app/c/1").limit(1))
                  .nextForwardToken())
          .isEqualTo("f/0000000000000000001");

      assertThatThrownBy(() -> instance.describeLogGroups(b -> b.logGroupNamePrefix("/")))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("is not authorized to perform: logs:DescribeLogGroups")
          .hasMessageContaining("assumed-role/wharf-container-instance/");
      assertThatThrownBy(() -> instance.deleteLogGroup(b -> b.logGroupName("/ecs/delivered")))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("logs:DeleteLogGroup");
      assertThatThrownBy(() -> instance.filterLogEvents(b -> b.logGroupName("/ecs/delivered")))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("logs:FilterLogEvents");
      assertThatThrownBy(
              () ->
                  instance.putRetentionPolicy(
                      b -> b.logGroupName("/ecs/delivered").retentionInDays(1)))
          .isInstanceOf(AccessDeniedException.class);
    }
    // The refusals changed nothing.
    assertThat(admin.describeLogGroups(b -> b.logGroupNamePrefix("/ecs/delivered")).logGroups())
        .singleElement()
        .satisfies(g -> assertThat(g.retentionInDays()).isNull());
  }

  @Test
  void aMaximalBatchOfControlCharactersGetsThroughAsJsonSixTimesItsSize() {
    admin.createLogGroup(b -> b.logGroupName("big"));
    admin.createLogStream(b -> b.logGroupName("big").logStreamName("s"));
    long now = System.currentTimeMillis();
    // Four events of 262,118 bytes: 1,048,576 counted bytes, CloudWatch's most. Each byte is a
    // control character, which JSON escapes as six: about 6 MiB on the wire.
    List<InputLogEvent> events = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String message = String.valueOf((char) (1 + i)).repeat(262_144 - 26);
      events.add(InputLogEvent.builder().timestamp(now + i).message(message).build());
    }
    admin.putLogEvents(b -> b.logGroupName("big").logStreamName("s").logEvents(events));
    List<OutputLogEvent> back =
        admin
            .getLogEvents(b -> b.logGroupName("big").logStreamName("s").startFromHead(true))
            .events();
    assertThat(back).hasSize(4);
    assertThat(back.get(3).message()).isEqualTo(events.get(3).message());

    // One byte more is refused by the operation, with CloudWatch's words.
    List<InputLogEvent> tooMany = new ArrayList<>(events);
    tooMany.add(InputLogEvent.builder().timestamp(now + 5).message("x").build());
    assertThatThrownBy(
            () ->
                admin.putLogEvents(
                    b -> b.logGroupName("big").logStreamName("s").logEvents(tooMany)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("exceeds limit of 1048576");
  }

  @Test
  void otherLogsRequestsKeepTheOneMebibyteLimit() {
    admin.createLogGroup(b -> b.logGroupName("tagged"));
    // A tag value is at most 256 characters: only the front's limit refuses 1 MiB of them first.
    assertThatThrownBy(
            () ->
                admin.tagLogGroup(
                    b -> b.logGroupName("tagged").tags(java.util.Map.of("k", "v".repeat(1 << 20)))))
        .isInstanceOf(
            software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException.class)
        .hasMessageContaining("larger than the limit of 1048576 bytes");
  }
}
