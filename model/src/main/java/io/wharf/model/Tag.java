package io.wharf.model;

import java.util.Objects;

/** A resource tag. Keys are unique per resource; the value may be empty. */
public record Tag(String key, String value) {
  public Tag {
    Objects.requireNonNull(key, "key");
    value = value == null ? "" : value;
  }
}
