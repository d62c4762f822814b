package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.controlplane.ControlPlane;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OrderBy;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/** CloudWatch Logs through the AWS SDK for Java v2 ({@code CloudWatchLogsClient}). */
class LogsSdkTest {
  static TestServer server;
  static CloudWatchLogsClient logs;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    logs = client(server.endpoint());
  }

  @AfterAll
  static void stop() throws Exception {
    logs.close();
    server.close();
  }

  static CloudWatchLogsClient client(String endpoint) {
    return CloudWatchLogsClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.KEY_ID, TestServer.SECRET)))
        .build();
  }

  private static List<InputLogEvent> events(long firstTs, String... messages) {
    List<InputLogEvent> out = new ArrayList<>();
    for (int i = 0; i < messages.length; i++) {
      out.add(InputLogEvent.builder().timestamp(firstTs + i).message(messages[i]).build());
    }
    return out;
  }

  private static void put(
      CloudWatchLogsClient c, String group, String stream, List<InputLogEvent> events) {
    PutLogEventsResponse r =
        c.putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(events));
    assertThat(r.nextSequenceToken()).isNotBlank();
    assertThat(r.rejectedLogEventsInfo()).isNull();
  }

  @Test
  void groupsStreamsAndTheirEventsRoundTrip() {
    logs.createLogGroup(b -> b.logGroupName("/sdk/app").tags(Map.of("team", "core")));
    logs.createLogStream(b -> b.logGroupName("/sdk/app").logStreamName("web/1"));
    long now = System.currentTimeMillis();
    put(logs, "/sdk/app", "web/1", events(now - 1000, "hello", "world"));

    GetLogEventsResponse got =
        logs.getLogEvents(
            b -> b.logGroupName("/sdk/app").logStreamName("web/1").startFromHead(true));
    assertThat(got.events()).extracting(OutputLogEvent::message).containsExactly("hello", "world");
    assertThat(got.events().getFirst().timestamp()).isEqualTo(now - 1000);
    assertThat(got.events().getFirst().ingestionTime()).isPositive();

    assertThat(logs.describeLogGroups(b -> b.logGroupNamePrefix("/sdk/")).logGroups())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.logGroupName()).isEqualTo("/sdk/app");
              assertThat(g.arn())
                  .isEqualTo(
                      "arn:aws:logs:us-east-1:" + TestServer.ACCOUNT + ":log-group:/sdk/app:*");
              assertThat(g.storedBytes()).isPositive();
            });
    LogStream stream =
        logs.describeLogStreams(b -> b.logGroupName("/sdk/app")).logStreams().getFirst();
    assertThat(stream.logStreamName()).isEqualTo("web/1");
    assertThat(stream.firstEventTimestamp()).isEqualTo(now - 1000);
    assertThat(stream.lastEventTimestamp()).isEqualTo(now - 999);
    assertThat(
            logs.listTagsForResource(
                    b ->
                        b.resourceArn(
                            "arn:aws:logs:us-east-1:" + TestServer.ACCOUNT + ":log-group:/sdk/app"))
                .tags())
        .containsExactly(Map.entry("team", "core"));
  }

  @Test
  void getLogEventsPagesBothWaysUntilTheTokenRepeats() {
    logs.createLogGroup(b -> b.logGroupName("paging"));
    logs.createLogStream(b -> b.logGroupName("paging").logStreamName("s"));
    long now = System.currentTimeMillis() - 60_000;
    List<String> expected = new ArrayList<>();
    for (int batch = 0; batch < 5; batch++) {
      String[] messages = new String[7];
      for (int i = 0; i < 7; i++) {
        messages[i] = "line " + (batch * 7 + i);
        expected.add(messages[i]);
      }
      put(logs, "paging", "s", events(now + batch * 10, messages));
    }

    List<String> forward = new ArrayList<>();
    String token = null;
    for (int pages = 0; ; pages++) {
      assertThat(pages).as("forward paging ends").isLessThan(20);
      String t = token;
      GetLogEventsResponse r =
          logs.getLogEvents(
              b ->
                  b.logGroupName("paging")
                      .logStreamName("s")
                      .startFromHead(true)
                      .limit(4)
                      .nextToken(t));
      r.events().forEach(e -> forward.add(e.message()));
      if (r.nextForwardToken().equals(t)) {
        break;
      }
      token = r.nextForwardToken();
    }
    assertThat(forward).isEqualTo(expected);

    List<String> backward = new ArrayList<>();
    token = null;
    for (int pages = 0; ; pages++) {
      assertThat(pages).as("backward paging ends").isLessThan(20);
      String t = token;
      GetLogEventsResponse r =
          logs.getLogEvents(b -> b.logGroupName("paging").logStreamName("s").limit(4).nextToken(t));
      backward.addAll(0, r.events().stream().map(OutputLogEvent::message).toList());
      if (r.nextBackwardToken().equals(t)) {
        break;
      }
      token = r.nextBackwardToken();
    }
    assertThat(backward).isEqualTo(expected);
  }

  @Test
  void filterLogEventsInterleavesStreamsByTimeAndPages() {
    logs.createLogGroup(b -> b.logGroupName("filtering"));
    logs.createLogStream(b -> b.logGroupName("filtering").logStreamName("a"));
    logs.createLogStream(b -> b.logGroupName("filtering").logStreamName("b"));
    long t = System.currentTimeMillis() - 60_000;
    put(logs, "filtering", "a", events(t, "ERROR a0", "INFO a1", "ERROR a2"));
    put(logs, "filtering", "b", events(t + 1, "ERROR b0", "ERROR b1"));

    List<FilteredLogEvent> all = new ArrayList<>();
    String token = null;
    do {
      String nt = token;
      FilterLogEventsResponse r =
          logs.filterLogEvents(
              b -> b.logGroupName("filtering").filterPattern("ERROR").limit(2).nextToken(nt));
      all.addAll(r.events());
      // Deprecated since May 2020, but in every answer, empty, as CloudWatch gives it.
      assertThat(r.hasSearchedLogStreams()).isTrue();
      assertThat(r.searchedLogStreams()).isEmpty();
      token = r.nextToken();
    } while (token != null);
    assertThat(all)
        .extracting(FilteredLogEvent::message)
        .containsExactly("ERROR a0", "ERROR b0", "ERROR a2", "ERROR b1");
    assertThat(all).extracting(FilteredLogEvent::logStreamName).containsExactly("a", "b", "a", "b");
    assertThat(all).extracting(FilteredLogEvent::eventId).doesNotHaveDuplicates();
  }

  @Test
  void describeLogStreamsOrdersByLastEventTime() {
    logs.createLogGroup(b -> b.logGroupName("ordering"));
    long t = System.currentTimeMillis() - 60_000;
    for (String s : List.of("x", "y", "z")) {
      logs.createLogStream(b -> b.logGroupName("ordering").logStreamName(s));
    }
    put(logs, "ordering", "y", events(t, "first"));
    put(logs, "ordering", "z", events(t + 5, "second"));
    put(logs, "ordering", "x", events(t + 9, "third"));
    assertThat(
            logs.describeLogStreams(
                    b ->
                        b.logGroupName("ordering")
                            .orderBy(OrderBy.LAST_EVENT_TIME)
                            .descending(true))
                .logStreams())
        .extracting(LogStream::logStreamName)
        .containsExactly("x", "z", "y");
    assertThatThrownBy(
            () ->
                logs.describeLogStreams(
                    b ->
                        b.logGroupName("ordering")
                            .orderBy(OrderBy.LAST_EVENT_TIME)
                            .logStreamNamePrefix("x")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }

  @Test
  void errorsComeInCloudWatchsShapesAndWords() {
    assertThatThrownBy(() -> logs.createLogStream(b -> b.logGroupName("absent").logStreamName("s")))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("The specified log group does not exist.");
    logs.createLogGroup(b -> b.logGroupName("errors"));
    assertThatThrownBy(() -> logs.createLogGroup(b -> b.logGroupName("errors")))
        .isInstanceOf(ResourceAlreadyExistsException.class)
        .hasMessageContaining("The specified log group already exists");
    assertThatThrownBy(
            () ->
                logs.putLogEvents(
                    b -> b.logGroupName("errors").logStreamName("none").logEvents(events(1, "x"))))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("The specified log stream does not exist.");
    logs.createLogStream(b -> b.logGroupName("errors").logStreamName("s"));
    long now = System.currentTimeMillis();
    List<InputLogEvent> unordered =
        List.of(
            InputLogEvent.builder().timestamp(now).message("later").build(),
            InputLogEvent.builder().timestamp(now - 5).message("earlier").build());
    assertThatThrownBy(
            () ->
                logs.putLogEvents(
                    b -> b.logGroupName("errors").logStreamName("s").logEvents(unordered)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining(
            "Log events in a single PutLogEvents request must be in chronological order.");
    assertThat(logs.getLogEvents(b -> b.logGroupName("errors").logStreamName("s")).events())
        .as("a refused batch leaves nothing behind")
        .isEmpty();
    assertThatThrownBy(() -> logs.describeMetricFilters(b -> b.logGroupName("errors")))
        .isInstanceOfSatisfying(
            CloudWatchLogsException.class,
            e ->
                assertThat(e.awsErrorDetails().errorCode())
                    .isEqualTo("UnsupportedFeatureException"))
        .hasMessageContaining("DescribeMetricFilters");
  }

  @Test
  void tooOldAndTooNewEventsAreReportedNotStored() {
    logs.createLogGroup(b -> b.logGroupName("rejects"));
    logs.createLogStream(b -> b.logGroupName("rejects").logStreamName("s"));
    long now = System.currentTimeMillis();
    long day = 24L * 60 * 60 * 1000;
    List<InputLogEvent> batch =
        List.of(
            InputLogEvent.builder().timestamp(now - 15 * day).message("too old").build(),
            InputLogEvent.builder()
                .timestamp(now - 14 * day - 60_000)
                .message("also too old")
                .build(),
            InputLogEvent.builder().timestamp(now - 14 * day + 60 * 60_000).message("fine").build(),
            InputLogEvent.builder()
                .timestamp(now - 14 * day + 61 * 60_000)
                .message("fine too")
                .build());
    // The batch spans more than 24 h: CloudWatch refuses it whole.
    assertThatThrownBy(
            () ->
                logs.putLogEvents(
                    b -> b.logGroupName("rejects").logStreamName("s").logEvents(batch)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("cannot span more than 24 hours");
    PutLogEventsResponse r =
        logs.putLogEvents(
            b -> b.logGroupName("rejects").logStreamName("s").logEvents(batch.subList(1, 4)));
    assertThat(r.rejectedLogEventsInfo().tooOldLogEventEndIndex()).isEqualTo(1);
    PutLogEventsResponse ahead =
        logs.putLogEvents(
            b ->
                b.logGroupName("rejects")
                    .logStreamName("s")
                    .logEvents(events(now + 3 * 60 * 60_000, "too new")));
    assertThat(ahead.rejectedLogEventsInfo().tooNewLogEventStartIndex()).isZero();
    assertThat(
            logs.getLogEvents(b -> b.logGroupName("rejects").logStreamName("s").startFromHead(true))
                .events())
        .extracting(OutputLogEvent::message)
        .containsExactly("fine", "fine too");
  }

  @Test
  void retentionHidesExpiredEventsAndRefusesValuesTheModelDoesNotAllow() {
    logs.createLogGroup(b -> b.logGroupName("retained"));
    logs.createLogStream(b -> b.logGroupName("retained").logStreamName("s"));
    long now = System.currentTimeMillis();
    long day = 24L * 60 * 60 * 1000;
    put(logs, "retained", "s", events(now - 3 * day, "three days old"));
    put(logs, "retained", "s", events(now - 1000, "fresh"));
    assertThatThrownBy(
            () -> logs.putRetentionPolicy(b -> b.logGroupName("retained").retentionInDays(2)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("Member must satisfy enum value set");
    logs.putRetentionPolicy(b -> b.logGroupName("retained").retentionInDays(1));
    assertThat(
            logs.describeLogGroups(b -> b.logGroupNamePrefix("retained"))
                .logGroups()
                .getFirst()
                .retentionInDays())
        .isEqualTo(1);
    assertThat(
            logs.getLogEvents(
                    b -> b.logGroupName("retained").logStreamName("s").startFromHead(true))
                .events())
        .extracting(OutputLogEvent::message)
        .containsExactly("fresh");
    assertThat(logs.filterLogEvents(b -> b.logGroupName("retained")).events())
        .extracting(FilteredLogEvent::message)
        .containsExactly("fresh");
    logs.deleteRetentionPolicy(b -> b.logGroupName("retained"));
    assertThat(
            logs.getLogEvents(
                    b -> b.logGroupName("retained").logStreamName("s").startFromHead(true))
                .events())
        .as("not yet swept: without the policy the events are back")
        .extracting(OutputLogEvent::message)
        .containsExactly("three days old", "fresh");
  }

  @Test
  void whatWasAcknowledgedSurvivesARestartOnTheSameDirectory() throws Exception {
    Path dir = Files.createTempDirectory("wharf-logs-restart");
    try {
      ControlPlane first = TestServer.startOn(dir);
      long now = System.currentTimeMillis();
      try (CloudWatchLogsClient c = client(first.endpoint())) {
        c.createLogGroup(b -> b.logGroupName("durable"));
        c.createLogStream(b -> b.logGroupName("durable").logStreamName("s"));
        c.putRetentionPolicy(b -> b.logGroupName("durable").retentionInDays(7));
        c.tagLogGroup(b -> b.logGroupName("durable").tags(Map.of("k", "v")));
        put(c, "durable", "s", events(now - 2000, "before", "the"));
        put(c, "durable", "s", events(now - 1000, "restart"));
      } finally {
        first.close();
      }
      ControlPlane second = TestServer.startOn(dir);
      try (CloudWatchLogsClient c = client(second.endpoint())) {
        assertThat(
                c.getLogEvents(
                        b -> b.logGroupName("durable").logStreamName("s").startFromHead(true))
                    .events())
            .extracting(OutputLogEvent::message)
            .containsExactly("before", "the", "restart");
        assertThat(
                c.describeLogGroups(b -> b.logGroupNamePrefix("durable"))
                    .logGroups()
                    .getFirst()
                    .retentionInDays())
            .isEqualTo(7);
        assertThat(c.listTagsLogGroup(b -> b.logGroupName("durable")).tags())
            .containsExactly(Map.entry("k", "v"));
        put(c, "durable", "s", events(now, "after"));
        assertThat(
                c.getLogEvents(
                        b -> b.logGroupName("durable").logStreamName("s").startFromHead(true))
                    .events())
            .extracting(OutputLogEvent::message)
            .containsExactly("before", "the", "restart", "after");
        c.deleteLogGroup(b -> b.logGroupName("durable"));
      } finally {
        second.close();
      }
      ControlPlane third = TestServer.startOn(dir);
      try (CloudWatchLogsClient c = client(third.endpoint())) {
        assertThat(c.describeLogGroups(b -> b.logGroupNamePrefix("durable")).logGroups()).isEmpty();
        assertThatThrownBy(() -> c.describeLogStreams(b -> b.logGroupName("durable")))
            .isInstanceOf(ResourceNotFoundException.class)
            .hasMessageContaining("The specified log group does not exist.");
      } finally {
        third.close();
      }
      try (var files = Files.list(dir.resolve("logs").resolve("streams"))) {
        assertThat(files.toList()).as("the deleted group's events are gone from disk").isEmpty();
      }
    } finally {
      TestServer.deleteTree(dir);
    }
  }

  @Test
  void describeCallsPageWithTheirLimitAndToken() {
    for (int i = 0; i < 5; i++) {
      String name = "/paged/g" + i;
      logs.createLogGroup(b -> b.logGroupName(name));
      logs.createLogStream(
          b -> b.logGroupName("/paged/g0").logStreamName("s" + name.charAt(name.length() - 1)));
    }
    List<String> groups = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String t = token;
      var page = logs.describeLogGroups(b -> b.logGroupNamePrefix("/paged/").limit(2).nextToken(t));
      assertThat(page.logGroups()).hasSizeLessThanOrEqualTo(2);
      page.logGroups().forEach(g -> groups.add(g.logGroupName()));
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertThat(pages).isEqualTo(3);
    assertThat(groups)
        .containsExactly("/paged/g0", "/paged/g1", "/paged/g2", "/paged/g3", "/paged/g4");
    assertThat(
            logs
                .describeLogStreamsPaginator(
                    b -> b.logGroupName("/paged/g0").limit(2).descending(true))
                .logStreams()
                .stream()
                .map(LogStream::logStreamName)
                .toList())
        .containsExactly("s4", "s3", "s2", "s1", "s0");
  }
}
