package io.wharf.model;

import java.util.Objects;

/** A container-instance attribute: built-in ({@code ecs.*}) or custom. The value may be null. */
public record Attribute(String name, String value) {
  public Attribute {
    Objects.requireNonNull(name, "name");
  }
}
