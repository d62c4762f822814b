package io.wharf.model;

import java.util.List;
import java.util.Objects;

/**
 * A registered or remaining resource of a container instance: {@code CPU} and {@code MEMORY} are
 * integers, {@code PORTS} and {@code PORTS_UDP} string sets of reserved port numbers.
 */
public record Resource(String name, String type, long integerValue, List<String> stringSetValue) {
  public Resource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    stringSetValue = List.copyOf(stringSetValue);
  }

  public static Resource integer(String name, long value) {
    return new Resource(name, "INTEGER", value, List.of());
  }

  public static Resource stringSet(String name, List<String> values) {
    return new Resource(name, "STRINGSET", 0, values);
  }
}
