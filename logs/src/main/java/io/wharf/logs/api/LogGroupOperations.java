package io.wharf.logs.api;

import io.wharf.core.api.Page;
import io.wharf.core.auth.Caller;
import io.wharf.core.state.Change;
import io.wharf.core.state.Logging;
import io.wharf.core.state.StateMachine;
import io.wharf.logs.events.EventStore;
import io.wharf.logs.events.StreamLog;
import io.wharf.model.logs.LogGroup;
import io.wharf.model.logs.LogStream;
import io.wharf.protocol.AwsServiceException;
import io.wharf.protocol.Operations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log groups and streams, retention policies and tags: metadata, kept by the state machine (durable
 * before acknowledged). Deleting a stream or group deletes its events from the event store once the
 * deletion is durable.
 */
final class LogGroupOperations {
  private static final Logger log = LoggerFactory.getLogger(LogGroupOperations.class);

  /** The retention periods CloudWatch accepts (the model's Days documentation). */
  static final Set<Integer> RETENTION_DAYS =
      Set.of(
          1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
          2922, 3288, 3653);

  /** CloudWatch's default and largest page of DescribeLogGroups and DescribeLogStreams. */
  static final int DESCRIBE_PAGE = 50;

  /** Tags a log group may carry. */
  static final int MAX_TAGS = 50;

  record CreateLogGroupRequest(
      String logGroupName, String kmsKeyId, Map<String, String> tags, String logGroupClass) {}

  record DeleteLogGroupRequest(String logGroupName) {}

  record DescribeLogGroupsRequest(
      String logGroupNamePrefix,
      String logGroupNamePattern,
      String nextToken,
      Integer limit,
      String logGroupClass,
      List<String> logGroupIdentifiers) {}

  record LogGroupShape(
      String logGroupName,
      Long creationTime,
      Integer retentionInDays,
      Integer metricFilterCount,
      String arn,
      Long storedBytes,
      String logGroupClass,
      String logGroupArn,
      Boolean deletionProtectionEnabled) {}

  record DescribeLogGroupsResponse(List<LogGroupShape> logGroups, String nextToken) {}

  record CreateLogStreamRequest(String logGroupName, String logStreamName) {}

  record DeleteLogStreamRequest(String logGroupName, String logStreamName) {}

  record DescribeLogStreamsRequest(
      String logGroupName,
      String logGroupIdentifier,
      String logStreamNamePrefix,
      String orderBy,
      Boolean descending,
      String nextToken,
      Integer limit) {}

  record LogStreamShape(
      String logStreamName,
      Long creationTime,
      Long firstEventTimestamp,
      Long lastEventTimestamp,
      Long lastIngestionTime,
      String uploadSequenceToken,
      String arn,
      Long storedBytes) {}

  record DescribeLogStreamsResponse(List<LogStreamShape> logStreams, String nextToken) {}

  record PutRetentionPolicyRequest(String logGroupName, Integer retentionInDays) {}

  record DeleteRetentionPolicyRequest(String logGroupName) {}

  record TagLogGroupRequest(String logGroupName, Map<String, String> tags) {}

  record UntagLogGroupRequest(String logGroupName, List<String> tags) {}

  record ListTagsLogGroupRequest(String logGroupName) {}

  record TagsResponse(Map<String, String> tags) {}

  record TagResourceRequest(String resourceArn, Map<String, String> tags) {}

  record UntagResourceRequest(String resourceArn, List<String> tagKeys) {}

  record ListTagsForResourceRequest(String resourceArn) {}

  private final StateMachine states;
  private final LogArns arns;
  private final EventStore events;

  LogGroupOperations(StateMachine states, LogArns arns, EventStore events) {
    this.states = states;
    this.arns = arns;
    this.events = events;
  }

  void register(Operations.Builder<Caller> ops) {
    ops.add("CreateLogGroup", CreateLogGroupRequest.class, (c, in) -> createGroup(in))
        .add("DeleteLogGroup", DeleteLogGroupRequest.class, (c, in) -> deleteGroup(in))
        .add("DescribeLogGroups", DescribeLogGroupsRequest.class, (c, in) -> describeGroups(in))
        .add("CreateLogStream", CreateLogStreamRequest.class, (c, in) -> createStream(in))
        .add("DeleteLogStream", DeleteLogStreamRequest.class, (c, in) -> deleteStream(in))
        .add("DescribeLogStreams", DescribeLogStreamsRequest.class, (c, in) -> describeStreams(in))
        .add(
            "PutRetentionPolicy",
            PutRetentionPolicyRequest.class,
            (c, in) -> putRetention(in.logGroupName(), in.retentionInDays()))
        .add(
            "DeleteRetentionPolicy",
            DeleteRetentionPolicyRequest.class,
            (c, in) -> deleteRetention(in.logGroupName()))
        .add(
            "TagLogGroup",
            TagLogGroupRequest.class,
            (c, in) -> tag(in.logGroupName(), in.tags(), "InvalidParameterException"))
        .add(
            "UntagLogGroup",
            UntagLogGroupRequest.class,
            (c, in) -> untag(in.logGroupName(), in.tags()))
        .add(
            "ListTagsLogGroup",
            ListTagsLogGroupRequest.class,
            (c, in) ->
                new TagsResponse(group(states.current().logging(), in.logGroupName()).tags()))
        .add(
            "TagResource",
            TagResourceRequest.class,
            (c, in) -> tag(groupOfArn(in.resourceArn()), in.tags(), "TooManyTagsException"))
        .add(
            "UntagResource",
            UntagResourceRequest.class,
            (c, in) -> untag(groupOfArn(in.resourceArn()), in.tagKeys()))
        .add(
            "ListTagsForResource",
            ListTagsForResourceRequest.class,
            (c, in) ->
                new TagsResponse(
                    group(states.current().logging(), groupOfArn(in.resourceArn())).tags()));
  }

  static LogGroup group(Logging logging, String name) {
    LogGroup g = logging.groups().get(name);
    if (g == null) {
      throw LogsErrors.groupNotFound();
    }
    return g;
  }

  private String groupOfArn(String arn) {
    String name = arns.groupName(arn).orElseThrow(() -> LogsErrors.resourceNotFound(arn));
    if (!states.current().logging().groups().containsKey(name)) {
      throw LogsErrors.resourceNotFound(arn);
    }
    return name;
  }

  private Object createGroup(CreateLogGroupRequest in) {
    Map<String, String> tags = in.tags() == null ? Map.of() : in.tags();
    String logGroupClass = in.logGroupClass() == null ? "STANDARD" : in.logGroupClass();
    states.execute(
        tx -> {
          if (tx.state().logging().groups().containsKey(in.logGroupName())) {
            throw LogsErrors.groupExists();
          }
          tx.apply(
              new Change.LogGroupPut(
                  new LogGroup(
                      in.logGroupName(),
                      arns.group(in.logGroupName()),
                      tx.now(),
                      null,
                      logGroupClass,
                      tags)));
          return null;
        });
    return null;
  }

  private Object deleteGroup(DeleteLogGroupRequest in) {
    List<LogStream> removed =
        states.execute(
            tx -> {
              Logging logging = tx.state().logging();
              group(logging, in.logGroupName());
              List<LogStream> streams = List.copyOf(logging.streamsOf(in.logGroupName()).values());
              // Each stream's own row goes too, so that a reload does not bring streams back.
              for (LogStream s : streams) {
                tx.apply(new Change.LogStreamRemoved(s.groupName(), s.name()));
              }
              tx.apply(new Change.LogGroupRemoved(in.logGroupName()));
              return streams;
            });
    removed.forEach(this::deleteEvents);
    return null;
  }

  private void deleteEvents(LogStream s) {
    try {
      events.delete(s.storageId());
    } catch (IOException e) {
      // The stream is gone from the state; its files are removed at the next start.
      log.warn("Cannot delete the events of stream {} now; they go at the next start", s.arn(), e);
    }
  }

  private DescribeLogGroupsResponse describeGroups(DescribeLogGroupsRequest in) {
    if (in.logGroupNamePrefix() != null && in.logGroupNamePattern() != null) {
      throw LogsErrors.invalidParameter(
          "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.");
    }
    Logging logging = states.current().logging();
    List<String> names = new ArrayList<>();
    String pattern =
        in.logGroupNamePattern() == null ? null : in.logGroupNamePattern().toLowerCase(Locale.ROOT);
    Set<String> identifiers =
        in.logGroupIdentifiers() == null
            ? null
            : Set.copyOf(in.logGroupIdentifiers().stream().map(arns::identifier).toList());
    Iterable<String> candidates =
        in.logGroupNamePrefix() == null
            ? logging.groups().keySet()
            : logging.groups().tailMap(in.logGroupNamePrefix(), true).keySet();
    for (String name : candidates) {
      if (in.logGroupNamePrefix() != null && !name.startsWith(in.logGroupNamePrefix())) {
        break; // sorted: past the prefix, nothing more matches
      }
      LogGroup g = logging.groups().get(name);
      if ((pattern == null || name.toLowerCase(Locale.ROOT).contains(pattern))
          && (identifiers == null || identifiers.contains(name))
          && (in.logGroupClass() == null || in.logGroupClass().equals(g.logGroupClass()))) {
        names.add(name);
      }
    }
    Page page =
        Page.of(names, Comparator.naturalOrder(), in.nextToken(), in.limit(), DESCRIBE_PAGE);
    List<LogGroupShape> out = new ArrayList<>();
    for (String name : page.items()) {
      out.add(shape(logging, logging.groups().get(name)));
    }
    return new DescribeLogGroupsResponse(out, page.nextToken());
  }

  private LogGroupShape shape(Logging logging, LogGroup g) {
    long stored = 0;
    for (LogStream s : logging.streamsOf(g.name()).values()) {
      stored += events.stream(s.storageId()).stats().storedBytes();
    }
    return new LogGroupShape(
        g.name(),
        g.createdAt().toEpochMilli(),
        g.retentionInDays(),
        0,
        g.arn() + ":*",
        stored,
        g.logGroupClass(),
        g.arn(),
        false);
  }

  private Object createStream(CreateLogStreamRequest in) {
    states.execute(
        tx -> {
          Logging logging = tx.state().logging();
          group(logging, in.logGroupName());
          if (logging.streamsOf(in.logGroupName()).containsKey(in.logStreamName())) {
            throw LogsErrors.streamExists();
          }
          tx.apply(
              new Change.LogStreamPut(
                  new LogStream(
                      in.logGroupName(),
                      in.logStreamName(),
                      arns.stream(in.logGroupName(), in.logStreamName()),
                      tx.now(),
                      // Unique: no two commands that change the state share a revision.
                      tx.revision())));
          return null;
        });
    return null;
  }

  private Object deleteStream(DeleteLogStreamRequest in) {
    LogStream removed =
        states.execute(
            tx -> {
              Logging logging = tx.state().logging();
              group(logging, in.logGroupName());
              LogStream s = logging.streamsOf(in.logGroupName()).get(in.logStreamName());
              if (s == null) {
                throw LogsErrors.streamNotFound();
              }
              tx.apply(new Change.LogStreamRemoved(s.groupName(), s.name()));
              return s;
            });
    deleteEvents(removed);
    return null;
  }

  private DescribeLogStreamsResponse describeStreams(DescribeLogStreamsRequest in) {
    String groupName = groupNameOf(arns, in.logGroupName(), in.logGroupIdentifier());
    boolean byTime = "LastEventTime".equals(in.orderBy());
    if (byTime && in.logStreamNamePrefix() != null) {
      throw LogsErrors.invalidParameter(
          "Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    Logging logging = states.current().logging();
    group(logging, groupName);
    Map<String, LogStream> byKey = new TreeMap<>();
    Map<String, StreamLog.Stats> stats = new TreeMap<>();
    for (LogStream s : logging.streamsOf(groupName).values()) {
      if (in.logStreamNamePrefix() != null && !s.name().startsWith(in.logStreamNamePrefix())) {
        continue;
      }
      StreamLog.Stats st = events.stream(s.storageId()).stats();
      // By time: the last event's time, zero-padded so text order is time order, then the name.
      String key =
          byTime
              ? String.format(
                      "%020d",
                      st.lastEventTimestamp() == null ? 0 : st.lastEventTimestamp().longValue())
                  + "\n"
                  + s.name()
              : s.name();
      byKey.put(key, s);
      stats.put(s.name(), st);
    }
    Comparator<String> order =
        Boolean.TRUE.equals(in.descending())
            ? Comparator.<String>naturalOrder().reversed()
            : Comparator.naturalOrder();
    List<String> keys = new ArrayList<>(byKey.keySet());
    keys.sort(order);
    Page page = Page.of(keys, order, in.nextToken(), in.limit(), DESCRIBE_PAGE);
    List<LogStreamShape> out = new ArrayList<>();
    for (String key : page.items()) {
      LogStream s = byKey.get(key);
      StreamLog.Stats st = stats.get(s.name());
      out.add(
          new LogStreamShape(
              s.name(),
              s.createdAt().toEpochMilli(),
              st.firstEventTimestamp(),
              st.lastEventTimestamp(),
              st.lastIngestionTime(),
              LogEventOperations.sequenceToken(events.stream(s.storageId()).nextSequence()),
              s.arn(),
              st.storedBytes()));
    }
    return new DescribeLogStreamsResponse(out, page.nextToken());
  }

  /** The group a request names by logGroupName or logGroupIdentifier (one of them, not both). */
  static String groupNameOf(LogArns arns, String name, String identifier) {
    if (name != null && identifier != null) {
      throw LogsErrors.invalidParameter(
          "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
    }
    if (name == null && identifier == null) {
      throw LogsErrors.invalidParameter(
          "Should provide either name or ARN (logGroupName or logGroupIdentifier) of the log group.");
    }
    return name != null ? name : arns.identifier(identifier);
  }

  private Object putRetention(String groupName, Integer days) {
    if (!RETENTION_DAYS.contains(days)) {
      throw LogsErrors.invalidParameter(
          "1 validation error detected: Value '"
              + days
              + "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum"
              + " value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,"
              + " 1827, 2192, 2557, 2922, 3288, 3653]");
    }
    updateGroup(groupName, g -> g.withRetention(days));
    return null;
  }

  private Object deleteRetention(String groupName) {
    updateGroup(groupName, g -> g.withRetention(null));
    return null;
  }

  private Object tag(String groupName, Map<String, String> tags, String tooManyCode) {
    updateGroup(
        groupName,
        g -> {
          Map<String, String> merged = new TreeMap<>(g.tags());
          merged.putAll(tags);
          if (merged.size() > MAX_TAGS) {
            throw new AwsServiceException(
                tooManyCode,
                "A resource can have no more than "
                    + MAX_TAGS
                    + " tags; "
                    + g.name()
                    + " would have "
                    + merged.size()
                    + ".");
          }
          return g.withTags(merged);
        });
    return null;
  }

  private Object untag(String groupName, List<String> keys) {
    updateGroup(
        groupName,
        g -> {
          Map<String, String> left = new TreeMap<>(g.tags());
          keys.forEach(left::remove);
          return g.withTags(left);
        });
    return null;
  }

  private void updateGroup(String name, java.util.function.UnaryOperator<LogGroup> change) {
    states.execute(
        tx -> {
          LogGroup g = group(tx.state().logging(), name);
          tx.apply(new Change.LogGroupPut(change.apply(g)));
          return null;
        });
  }
}
