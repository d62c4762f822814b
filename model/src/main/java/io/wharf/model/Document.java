package io.wharf.model;

import java.util.Objects;

/**
 * A JSON document the control plane stores and returns as the user gave it but does not interpret
 * (for example a cluster's {@code configuration}). Kept as text so the model imports nothing.
 */
public record Document(String json) {
  public Document {
    Objects.requireNonNull(json, "json");
  }
}
