package io.wharf.model;

import java.util.Objects;

/** A name/value setting, as on a cluster ({@code containerInsights}). */
public record Setting(String name, String value) {
  public Setting {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
