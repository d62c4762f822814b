package io.wharf.agent;

import io.wharf.runtime.ContainerRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's awslogs deliveries, one per container whose definition logs with awslogs, each with
 * its cursor in {@code <data-dir>/awslogs/<container id>.json}. Task managers start them (on
 * container start, and on adoption after an agent restart: delivery resumes from the cursor) and
 * forget them when the container is removed.
 *
 * <p>What non-blocking buffers dropped is counted per container: in the agent's log (a warning each
 * time the count grows), in the cursor file ({@code droppedEvents}, {@code droppedBytes}), and
 * through {@link Agent#awslogsDroppedEvents}. Thread-safe.
 */
final class AwslogsDeliveries implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AwslogsDeliveries.class);

  private final ControlPlaneClient client;
  private final ContainerRuntime runtime;
  private final Path dir;
  private final Map<String, AwslogsDelivery> running = new ConcurrentHashMap<>();
  private volatile boolean closed;

  AwslogsDeliveries(ControlPlaneClient client, ContainerRuntime runtime, Path dataDir) {
    this.client = client;
    this.runtime = runtime;
    this.dir = dataDir.resolve("awslogs");
  }

  /** See {@link AwslogsDelivery#prepare}. */
  void prepare(AwslogsOptions options, String streamName)
      throws AwslogsDelivery.NotReady, ControlPlaneClient.CallFailed {
    AwslogsDelivery.prepare(client, options, streamName);
  }

  /** Starts delivering the container's log, unless it is being delivered already. */
  void start(String containerId, AwslogsOptions options, String streamName) {
    if (closed) {
      return;
    }
    running.compute(
        containerId,
        (id, existing) -> {
          if (existing != null && existing.isRunning()) {
            return existing;
          }
          AwslogsDelivery d =
              new AwslogsDelivery(client, runtime, id, options, streamName, cursorFile(id));
          d.start();
          return d;
        });
  }

  /** The container is removed: its delivery stops and its cursor goes. */
  void forget(String containerId) {
    AwslogsDelivery d = running.remove(containerId);
    if (d != null) {
      d.stop();
    }
    try {
      Files.deleteIfExists(cursorFile(containerId));
    } catch (IOException e) {
      log.warn("Cannot delete the awslogs cursor of container {}", containerId, e);
    }
  }

  /** Events non-blocking buffers dropped, by container id. */
  Map<String, Long> droppedEvents() {
    Map<String, Long> out = new java.util.TreeMap<>();
    running.forEach((id, d) -> out.put(id, d.droppedEvents()));
    return out;
  }

  private Path cursorFile(String containerId) {
    if (!containerId.matches("[0-9a-f]{12,128}")) {
      throw new IllegalArgumentException("not a container id: " + containerId);
    }
    return dir.resolve(containerId + ".json");
  }

  /** Stops every delivery (the agent stops; the next one resumes from the cursors). */
  @Override
  public void close() {
    closed = true;
    running.values().forEach(AwslogsDelivery::stop);
  }
}
