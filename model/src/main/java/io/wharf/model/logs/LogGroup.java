package io.wharf.model.logs;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A log group.
 *
 * @param arn the group's ARN without CloudWatch's trailing {@code :*}
 * @param retentionInDays how long its events are kept; null keeps them for ever
 * @param logGroupClass STANDARD unless created otherwise (Wharf treats every class alike)
 * @param tags sorted by key
 */
public record LogGroup(
    String name,
    String arn,
    Instant createdAt,
    Integer retentionInDays,
    String logGroupClass,
    Map<String, String> tags) {
  public LogGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(logGroupClass, "logGroupClass");
    tags = Collections.unmodifiableSortedMap(new TreeMap<>(tags));
  }

  public LogGroup withRetention(Integer days) {
    return new LogGroup(name, arn, createdAt, days, logGroupClass, tags);
  }

  public LogGroup withTags(Map<String, String> newTags) {
    return new LogGroup(name, arn, createdAt, retentionInDays, logGroupClass, newTags);
  }
}
