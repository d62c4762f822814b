package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.files.PrivateFiles;
import io.wharf.runtime.LogFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the awslogs delivery of one container stands, kept in {@code <data-dir>/awslogs/<container
 * id>.json} (written whole, fsync'd, renamed into place).
 *
 * <h2>Why resuming from it loses nothing and repeats nothing (blocking mode)</h2>
 *
 * The engine's log of the container is the source of truth: it is on disk and every entry in it is
 * named by a {@link FrameMark}. The log stream in Wharf advances only by whole batches (one
 * PutLogEvents is one fsync'd chunk, all or nothing) and only this delivery writes to it, one batch
 * at a time; its position is the stream's next sequence number, which GetLogEvents reveals (the
 * forward token of a read from the tail is {@code f/<next sequence>}).
 *
 * <ol>
 *   <li>Before a batch is sent, the cursor records it as in flight: the mark of the last entry it
 *       completes and the stream's position before it ({@code inflightFrom}).
 *   <li>When the answer comes, the cursor moves to that mark and the new position, in one write.
 *   <li>If anything stops in between (the agent killed, the control plane gone before or after it
 *       stored the batch, the answer lost), the next attempt first reads the stream's position: if
 *       it moved past {@code inflightFrom}, the batch was stored and the cursor moves to its mark;
 *       if not, nothing of it was stored and it is made again from the engine's log.
 * </ol>
 *
 * So the stream holds exactly the entries up to {@link #delivered} and the delivery resumes right
 * after that entry: the engine log is read again from a little before its time ({@link
 * AwslogsDelivery#RESUME_SKEW}: a container's two outputs are stamped by two readers, so the log's
 * order may differ from time order by that much) and entries are skipped until that one. The one
 * window this leaves is a PutLogEvents that the control plane is still storing when the agent has
 * given up on it ({@link AwslogsDelivery#PUT_TIMEOUT}) and checked the position; the timeout is
 * long enough that only a control plane stalled for that long opens it.
 *
 * @param delivered the last engine log entry whose events are all stored, or null for none yet
 * @param nextSequence the stream's position after them, or -1 when not known yet
 * @param inflight the last entry of the batch being sent, or null when none is in flight
 * @param inflightFrom the stream's position before the batch in flight
 * @param complete the container stopped and every entry of its log was delivered
 * @param droppedEvents events the non-blocking buffer dropped (0 in blocking mode)
 * @param droppedBytes their size, as CloudWatch counts it
 */
record DeliveryCursor(
    FrameMark delivered,
    long nextSequence,
    FrameMark inflight,
    long inflightFrom,
    boolean complete,
    long droppedEvents,
    long droppedBytes) {

  static final DeliveryCursor START = new DeliveryCursor(null, -1, null, -1, false, 0, 0);

  private static final ObjectMapper JSON = new ObjectMapper();

  DeliveryCursor sending(FrameMark last, long from) {
    return new DeliveryCursor(
        delivered, nextSequence, last, from, false, droppedEvents, droppedBytes);
  }

  /** The batch in flight is stored: the stream is at {@code position}. */
  DeliveryCursor stored(FrameMark last, long position) {
    return new DeliveryCursor(
        last == null ? delivered : last, position, null, -1, false, droppedEvents, droppedBytes);
  }

  /** Nothing of the batch in flight was stored: the stream is still at {@code position}. */
  DeliveryCursor notStored(long position) {
    return new DeliveryCursor(delivered, position, null, -1, false, droppedEvents, droppedBytes);
  }

  DeliveryCursor completed() {
    return new DeliveryCursor(delivered, nextSequence, null, -1, true, droppedEvents, droppedBytes);
  }

  DeliveryCursor withDropped(long events, long bytes) {
    return new DeliveryCursor(
        delivered, nextSequence, inflight, inflightFrom, complete, events, bytes);
  }

  static DeliveryCursor load(Path file) {
    if (!Files.exists(file)) {
      return START;
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      return new DeliveryCursor(
          mark(root.get("delivered")),
          root.path("nextSequence").asLong(-1),
          mark(root.get("inflight")),
          root.path("inflightFrom").asLong(-1),
          root.path("complete").asBoolean(false),
          root.path("droppedEvents").asLong(0),
          root.path("droppedBytes").asLong(0));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "Cannot read the awslogs cursor " + file + ": " + e.getMessage(), e);
    }
  }

  void save(Path file) {
    ObjectNode root = JSON.createObjectNode();
    root.set("delivered", node(delivered));
    root.put("nextSequence", nextSequence);
    root.set("inflight", node(inflight));
    root.put("inflightFrom", inflightFrom);
    root.put("complete", complete);
    root.put("droppedEvents", droppedEvents);
    root.put("droppedBytes", droppedBytes);
    try {
      PrivateFiles.createDirectories(file.getParent());
      PrivateFiles.writeAtomically(file, JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the awslogs cursor " + file, e);
    }
  }

  private static JsonNode node(FrameMark mark) {
    if (mark == null) {
      return JSON.nullNode();
    }
    return JSON.createObjectNode()
        .put("time", mark.engineTime())
        .put("source", mark.source().name())
        .put("crc", mark.crc());
  }

  private static FrameMark mark(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return new FrameMark(
        node.path("time").asText(),
        LogFrame.Source.valueOf(node.path("source").asText()),
        node.path("crc").asLong());
  }
}
