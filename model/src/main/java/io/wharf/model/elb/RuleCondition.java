package io.wharf.model.elb;

import java.util.List;
import java.util.Objects;

/**
 * A condition of a listener rule: the request's {@code path-pattern} or {@code host-header} matches
 * one of {@code values} (wildcards {@code *} and {@code ?}).
 */
public record RuleCondition(String field, List<String> values) {
  public static final String PATH_PATTERN = "path-pattern";
  public static final String HOST_HEADER = "host-header";

  public RuleCondition {
    Objects.requireNonNull(field, "field");
    values = List.copyOf(values);
  }
}
