package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The agent's local state ({@code <data-dir>/agent-state.json}): its identity (instance id and
 * container instance ARN) and the state reports not yet acknowledged by the control plane.
 *
 * <p>Which tasks run here is not kept in this file: Docker labels say that, and they cannot drift
 * from what Docker actually runs. Writes are atomic (write, fsync, rename), so a crash leaves the
 * old or the new file, never half of one.
 *
 * <p>Threading: synchronized; the agent's threads share one instance.
 */
final class StateFile {
  private static final String FILE = "agent-state.json";

  private final Path file;
  private final ObjectMapper json = new ObjectMapper();
  private String instanceId;
  private String containerInstanceArn;
  private final List<ObjectNode> pendingReports = new ArrayList<>();

  private StateFile(Path file) {
    this.file = file;
  }

  /** Loads the file, or starts a new identity when there is none. */
  static StateFile open(Path dataDir) {
    StateFile state = new StateFile(dataDir.resolve(FILE));
    try {
      // Owner-only: the file names this instance, and its pending reports what its tasks did.
      PrivateFiles.createDirectories(dataDir);
      PrivateFiles.tightenTree(dataDir);
      if (Files.exists(state.file)) {
        JsonNode root = state.json.readTree(state.file.toFile());
        state.instanceId = root.path("instanceId").asText(null);
        state.containerInstanceArn = root.path("containerInstanceArn").asText(null);
        for (JsonNode r : root.path("pendingReports")) {
          state.pendingReports.add((ObjectNode) r);
        }
      }
      if (state.instanceId == null) {
        byte[] id = new byte[9];
        new SecureRandom().nextBytes(id);
        state.instanceId = "i-" + HexFormat.of().formatHex(id).substring(0, 17);
        state.save();
      }
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the agent state in " + state.file + ": " + e.getMessage(), e);
    }
  }

  /** The instance ARN a data dir's state file holds, without creating or changing the file. */
  static java.util.Optional<String> registeredInstance(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.ofNullable(
          new ObjectMapper().readTree(file.toFile()).path("containerInstanceArn").asText(null));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the agent state in " + file + ": " + e.getMessage(), e);
    }
  }

  synchronized String instanceId() {
    return instanceId;
  }

  synchronized String containerInstanceArn() {
    return containerInstanceArn;
  }

  synchronized void containerInstanceArn(String arn) {
    containerInstanceArn = arn;
    save();
  }

  /** A report to deliver; kept until {@link #delivered} so a restart replays it. */
  synchronized void addReport(ObjectNode report) {
    pendingReports.add(report);
    save();
  }

  synchronized List<ObjectNode> reports() {
    return List.copyOf(pendingReports);
  }

  synchronized void delivered(ObjectNode report) {
    pendingReports.remove(report);
    save();
  }

  private void save() {
    ObjectNode root = json.createObjectNode();
    root.put("instanceId", instanceId);
    if (containerInstanceArn != null) {
      root.put("containerInstanceArn", containerInstanceArn);
    }
    ArrayNode reports = root.putArray("pendingReports");
    pendingReports.forEach(reports::add);
    try {
      PrivateFiles.writeAtomically(file, json.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the agent state " + file + ": " + e.getMessage(), e);
    }
  }
}
