package io.wharf.core.state;

import io.wharf.model.logs.LogGroup;
import io.wharf.model.logs.LogStream;
import java.util.Objects;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The CloudWatch Logs part of the state: log groups by name, sorted (DescribeLogGroups pages in
 * name order), and each group's streams by name, sorted. Only metadata: the events are in the logs
 * module's event store.
 */
public record Logging(
    PSortedMap<String, LogGroup> groups, PMap<String, PSortedMap<String, LogStream>> streams) {

  public static final Logging EMPTY = new Logging(TreePMap.empty(), HashTreePMap.empty());

  public Logging {
    Objects.requireNonNull(groups);
    Objects.requireNonNull(streams);
  }

  /** Replays one change. Pure. */
  Logging apply(Change.Logs change) {
    return switch (change) {
      case Change.LogGroupPut(LogGroup g) -> new Logging(groups.plus(g.name(), g), streams);
      // A group takes its streams with it, as CloudWatch's DeleteLogGroup does.
      case Change.LogGroupRemoved(String name) ->
          new Logging(groups.minus(name), streams.minus(name));
      case Change.LogStreamPut(LogStream s) ->
          new Logging(
              groups, streams.plus(s.groupName(), streamsOf(s.groupName()).plus(s.name(), s)));
      case Change.LogStreamRemoved(String group, String name) -> {
        PSortedMap<String, LogStream> left = streamsOf(group).minus(name);
        yield new Logging(
            groups, left.isEmpty() ? streams.minus(group) : streams.plus(group, left));
      }
    };
  }

  /** A group's streams by name (empty for an unknown group). */
  public PSortedMap<String, LogStream> streamsOf(String groupName) {
    PSortedMap<String, LogStream> s = streams.get(groupName);
    return s == null ? TreePMap.empty() : s;
  }
}
