package io.wharf.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers state reports (SubmitTaskStateChange, SubmitContainerStateChange) to the control plane
 * in order, retrying with back-off until each is acknowledged. A report that is not delivered at
 * the first attempt is kept in the state file until it is, so neither a control-plane outage nor an
 * agent restart loses one. A report lost to an agent crash before its first attempt is repaired all
 * the same: the restarted agent re-adopts its containers and reports what they actually do. Keeping
 * the fsync off the first attempt keeps it off the path of every task start.
 *
 * <p>Threading: {@link #report} from any thread; one delivery thread.
 */
final class Reporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reporter.class);

  private final ControlPlaneClient client;
  private final StateFile state;
  private final LinkedBlockingQueue<ObjectNode> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  /** Told when a report was refused because a newer process of this instance registered. */
  private final java.util.function.Consumer<ControlPlaneClient.CallFailed> fenced;

  Reporter(
      ControlPlaneClient client,
      StateFile state,
      java.util.function.Consumer<ControlPlaneClient.CallFailed> fenced) {
    this.client = client;
    this.fenced = fenced;
    this.state = state;
    // Reports a previous run could not deliver go first.
    queue.addAll(state.reports());
    this.thread = Thread.ofVirtual().name("wharf-agent-reporter").start(this::deliver);
  }

  com.fasterxml.jackson.databind.ObjectMapper json() {
    return client.json();
  }

  /** Queues a report: {@code {"operation": "SubmitTaskStateChange", "body": {...}}}. */
  void report(String operation, ObjectNode body) {
    ObjectNode entry = client.json().createObjectNode();
    entry.put("operation", operation);
    entry.set("body", body);
    queue.add(entry);
  }

  private void deliver() {
    while (!closed) {
      ObjectNode entry;
      try {
        entry = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      // The reconnect back-off: a report held up by an outage goes out as soon as the channel does.
      Backoff backoff = Backoff.reconnect();
      boolean kept = state.reports().contains(entry);
      while (!closed) {
        try {
          client.call(entry.path("operation").asText(), (ObjectNode) entry.get("body"));
          if (kept) {
            state.delivered(entry);
          }
          break;
        } catch (ControlPlaneClient.CallFailed e) {
          if (ControlPlaneClient.isStaleEpoch(e)) {
            // Not this process's to deliver any more: the report stays where it was, and the
            // agent stops.
            fenced.accept(e);
            return;
          }
          if (!e.retryable) {
            // The control plane refused it for good (e.g. the task is unknown there): drop it.
            log.warn("Report {} refused: {}", entry.path("operation").asText(), e.getMessage());
            if (kept) {
              state.delivered(entry);
            }
            break;
          }
          if (!kept) {
            // Not delivered at once: from now on it is kept in the state file until it is.
            state.addReport(entry);
            kept = true;
          }
          java.time.Duration wait = backoff.next();
          log.debug("Report delivery failed, retrying in {}: {}", wait, e.getMessage());
          try {
            Thread.sleep(wait);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
