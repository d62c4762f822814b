package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's own access key ({@code <data-dir>/agent-key.json}, owner-only), received once for a
 * join token: it acts for this one container instance and nothing else, and a restarted agent uses
 * it again, so the token is needed only the first time. The admin key is never on an agent host.
 *
 * <p>A file of its own beside {@code agent-state.json}: that file is rewritten for every report,
 * and the secret should be written once.
 */
record AgentKey(
    String accessKeyId, String secretAccessKey, String containerInstanceArn, String clusterArn) {
  static final String FILE = "agent-key.json";

  AgentKey {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    Objects.requireNonNull(containerInstanceArn, "containerInstanceArn");
  }

  /** The key kept in a data dir, if this machine has joined. */
  static Optional<AgentKey> load(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      return Optional.of(
          new AgentKey(
              root.path("accessKeyId").asText(null),
              root.path("secretAccessKey").asText(null),
              root.path("containerInstanceArn").asText(null),
              root.path("clusterArn").asText(null)));
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException(
          "Cannot read the agent's key in " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the key: created owner-only (never readable by others, not even for a moment). */
  void save(Path dataDir) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("accessKeyId", accessKeyId);
    root.put("secretAccessKey", secretAccessKey);
    root.put("containerInstanceArn", containerInstanceArn);
    root.put("clusterArn", clusterArn);
    Path file = dataDir.resolve(FILE);
    try {
      PrivateFiles.createDirectories(dataDir);
      PrivateFiles.writeAtomically(file, json.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the agent's key " + file + ": " + e.getMessage(), e);
    }
  }

  /** Without the secret: records print every component, and this one must never reach a log. */
  @Override
  public String toString() {
    return "AgentKey[accessKeyId=" + accessKeyId + ", instance=" + containerInstanceArn + "]";
  }
}
