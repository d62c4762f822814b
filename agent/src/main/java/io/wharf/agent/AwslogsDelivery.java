package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.LogFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one container's stdout and stderr to its CloudWatch log stream, as ECS's awslogs driver
 * does, from the engine's own log of the container.
 *
 * <pre>
 *  engine log (json-file, on disk) ──followLogs──▶ reader thread ──▶ EventAssembler (multi-line)
 *        ▲ resume after the cursor's entry                                  │ events
 *        │                                                                  ▼
 *  DeliveryCursor ◀──stored── sender thread ◀──batches (≤ 1 s)── EventBuffer (blocking / drop oldest)
 *                                  │ PutLogEvents, signed with the instance's key
 *                                  ▼
 *                          control plane (Logs)
 * </pre>
 *
 * <p>See {@link DeliveryCursor} for why blocking mode loses and repeats nothing. Threading: a
 * reader and a sender thread (virtual) of its own; {@link #stop} may come from any thread.
 */
final class AwslogsDelivery {
  private static final Logger log = LoggerFactory.getLogger(AwslogsDelivery.class);

  /**
   * How often a batch goes out while events come: Docker's driver waits 5 s, ECS users see their
   * lines within a second, so Wharf sends at least every second.
   */
  static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

  /** How long the sender waits for a first event before it looks at the multi-line event again. */
  private static final Duration POLL = Duration.ofMillis(250);

  /**
   * How far before the cursor's entry the engine log is read again: the log's order of stdout and
   * stderr lines may differ from their stamped times by the time between two reads of the engine's
   * two readers, microseconds on a loaded machine; five seconds is far beyond that.
   */
  static final Duration RESUME_SKEW = Duration.ofSeconds(5);

  /**
   * The time limit on one PutLogEvents: a maximal batch is several MB of JSON that the control
   * plane stores and fsyncs before it answers. Long, because a batch given up while still being
   * stored is the one way to repeat events (see {@link DeliveryCursor}).
   */
  static final Duration PUT_TIMEOUT = Duration.ofSeconds(60);

  /** The time limit on the other Logs calls. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  /** The most a blocking buffer holds before the reader waits: a few full batches. */
  static final long BLOCKING_BUFFER_BYTES = 4L * LogBatch.MAX_BYTES;

  /**
   * The task fails with this when the group is missing and may not be created: ECS's words for a
   * task whose awslogs driver could not create its stream (the ECS developer guide's
   * "Troubleshooting ResourceInitializationError errors", and AWS re:Post's
   * "ResourceInitializationError: failed to validate logger args" answers): {@code
   * ResourceInitializationError: failed to validate logger args: create stream has been retried 1
   * times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log
   * group does not exist. : exit status 1}.
   */
  static String groupMissingReason(String message) {
    return "ResourceInitializationError: failed to validate logger args: create stream has been"
        + " retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
        + message
        + " : exit status 1";
  }

  /** The group or stream could not be made ready: the task cannot start. */
  static final class NotReady extends Exception {
    private static final long serialVersionUID = 1L;

    NotReady(String reason) {
      super(reason);
    }
  }

  private final ControlPlaneClient client;
  private final ContainerRuntime runtime;
  private final String containerId;
  private final AwslogsOptions options;
  private final String streamName;
  private final Path cursorFile;
  private final EventBuffer buffer;
  private final EventAssembler assembler;
  private volatile boolean stopped;
  private volatile Thread reader;
  private volatile Thread sender;
  private volatile DeliveryCursor cursor;
  private long loggedDrops;

  /** What earlier processes' buffers dropped (from the cursor file), counted on from there. */
  private volatile long droppedBefore;

  private volatile long droppedBytesBefore;

  AwslogsDelivery(
      ControlPlaneClient client,
      ContainerRuntime runtime,
      String containerId,
      AwslogsOptions options,
      String streamName,
      Path cursorFile) {
    this.client = client;
    this.runtime = runtime;
    this.containerId = containerId;
    this.options = options;
    this.streamName = streamName;
    this.cursorFile = cursorFile;
    boolean blocking = options.mode() == AwslogsOptions.Mode.BLOCKING;
    this.buffer =
        new EventBuffer(blocking ? BLOCKING_BUFFER_BYTES : options.maxBufferBytes(), !blocking);
    this.assembler = new EventAssembler(options.newEventPattern(), this::enqueue, System::nanoTime);
  }

  /**
   * Makes the group (when {@code awslogs-create-group} is true) and the stream exist, before the
   * container starts, as Docker's driver does when it is set up.
   *
   * @throws NotReady with ECS's stopped reason when the group is missing (or a call is refused)
   * @throws ControlPlaneClient.CallFailed when the control plane cannot be reached
   */
  static void prepare(ControlPlaneClient client, AwslogsOptions options, String streamName)
      throws NotReady, ControlPlaneClient.CallFailed {
    try {
      if (options.createGroup()) {
        createIgnoringExisting(
            client,
            "CreateLogGroup",
            client.json().createObjectNode().put("logGroupName", options.group()));
      }
      createIgnoringExisting(
          client,
          "CreateLogStream",
          client
              .json()
              .createObjectNode()
              .put("logGroupName", options.group())
              .put("logStreamName", streamName));
    } catch (ControlPlaneClient.CallFailed e) {
      if (e.retryable) {
        throw e;
      }
      if (e.code.equals("ResourceNotFoundException")) {
        throw new NotReady(groupMissingReason(message(e)));
      }
      throw new NotReady(
          "ResourceInitializationError: failed to validate logger args: " + e.getMessage());
    }
  }

  private static void createIgnoringExisting(
      ControlPlaneClient client, String operation, ObjectNode body)
      throws ControlPlaneClient.CallFailed {
    try {
      client.callLogs(operation, body, CALL_TIMEOUT);
    } catch (ControlPlaneClient.CallFailed e) {
      if (!e.code.equals("ResourceAlreadyExistsException")) {
        throw e;
      }
    }
  }

  private static String message(ControlPlaneClient.CallFailed e) {
    String text = e.getMessage();
    return text.startsWith(e.code + ": ") ? text.substring(e.code.length() + 2) : text;
  }

  String streamName() {
    return streamName;
  }

  /** Events the non-blocking buffer dropped so far (kept across agent restarts). */
  long droppedEvents() {
    return droppedBefore + buffer.droppedEvents();
  }

  boolean isRunning() {
    Thread s = sender;
    return s != null && s.isAlive();
  }

  /** Starts the sender (which starts the reader once it knows where to resume). */
  void start() {
    sender =
        Thread.ofVirtual().name("awslogs-send-" + containerId.substring(0, 12)).start(this::send);
  }

  /** Stops both threads; what is not yet stored is delivered by the next agent, from the cursor. */
  void stop() {
    stopped = true;
    buffer.close();
    Thread r = reader;
    if (r != null) {
      r.interrupt();
    }
    Thread s = sender;
    if (s != null) {
      s.interrupt();
    }
  }

  // ---- sender ---------------------------------------------------------------------------------

  private void send() {
    Backoff backoff = Backoff.reconnect();
    try {
      DeliveryCursor loaded = DeliveryCursor.load(cursorFile);
      if (loaded.complete()) {
        return;
      }
      cursor = loaded;
      droppedBefore = loaded.droppedEvents();
      droppedBytesBefore = loaded.droppedBytes();
      while (!stopped && !ready()) {
        Thread.sleep(backoff.next());
      }
      backoff.reset();
      if (stopped) {
        return;
      }
      FrameMark from = cursor.delivered();
      reader =
          Thread.ofVirtual()
              .name("awslogs-read-" + containerId.substring(0, 12))
              .start(() -> read(from));
      while (!stopped) {
        assembler.flushIfIdle(FLUSH_INTERVAL.toNanos());
        LogBatch batch = buffer.take(POLL, FLUSH_INTERVAL);
        if (batch.isEmpty()) {
          if (buffer.isDrained()) {
            break;
          }
          continue;
        }
        put(batch, backoff);
      }
      if (!stopped) {
        cursor = cursor.completed();
        save();
        log.info("awslogs: the log of container {} is delivered to {}", containerId, streamName);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Fatal e) {
      log.error(
          "awslogs: delivery of container {} to {}/{} stops: {}",
          containerId,
          options.group(),
          streamName,
          e.getMessage());
      stop();
    } catch (RuntimeException e) {
      log.error("awslogs: delivery of container {} failed", containerId, e);
      stop();
    }
  }

  /** A refusal no retry can mend (the instance's key revoked, the API refusing the call). */
  private static final class Fatal extends Exception {
    private static final long serialVersionUID = 1L;

    Fatal(String message) {
      super(message);
    }
  }

  /**
   * Makes sure the stream exists and settles a batch left in flight by an earlier process; false
   * when the control plane cannot be reached (try again).
   */
  private boolean ready() throws Fatal {
    try {
      prepare(client, options, streamName);
      long position = position();
      if (cursor.inflight() != null) {
        boolean stored = position > cursor.inflightFrom();
        log.info(
            "awslogs: the batch container {} had in flight was {}stored; resuming",
            containerId,
            stored ? "" : "not ");
        cursor = stored ? cursor.stored(cursor.inflight(), position) : cursor.notStored(position);
      } else {
        cursor = cursor.notStored(position);
      }
      save();
      return true;
    } catch (ControlPlaneClient.CallFailed e) {
      if (e.retryable) {
        return false;
      }
      throw new Fatal(e.getMessage());
    } catch (NotReady e) {
      throw new Fatal(e.getMessage());
    }
  }

  /**
   * The stream's next sequence number: the forward token of a read from its tail is {@code f/<next
   * sequence>} (Wharf's tokens; the agent talks only to Wharf).
   */
  private long position() throws ControlPlaneClient.CallFailed {
    ObjectNode body =
        client
            .json()
            .createObjectNode()
            .put("logGroupName", options.group())
            .put("logStreamName", streamName)
            .put("startFromHead", false)
            .put("limit", 1);
    JsonNode answer = client.callLogs("GetLogEvents", body, CALL_TIMEOUT);
    String token = answer.path("nextForwardToken").asText("");
    if (!token.startsWith("f/")) {
      throw new ControlPlaneClient.CallFailed(
          "BadResponse", "GetLogEvents gave no forward token: " + answer, true);
    }
    return Long.parseLong(token.substring(2));
  }

  /** Sends one batch until it is stored (blocking and non-blocking alike retry the batch taken). */
  private void put(LogBatch batch, Backoff backoff) throws InterruptedException, Fatal {
    long from = cursor.nextSequence();
    cursor = cursor.sending(batch.mark(), from);
    save();
    ObjectNode body =
        client
            .json()
            .createObjectNode()
            .put("logGroupName", options.group())
            .put("logStreamName", streamName);
    ArrayNode events = body.putArray("logEvents");
    for (LogEvent e : batch.chronological()) {
      events.addObject().put("timestamp", e.timestamp()).put("message", e.message());
    }
    while (true) {
      try {
        JsonNode answer = client.callLogs("PutLogEvents", body, PUT_TIMEOUT);
        long position = sequenceOf(answer.path("nextSequenceToken").asText(""));
        cursor = cursor.stored(batch.mark(), position >= 0 ? position : position());
        if (answer.hasNonNull("rejectedLogEventsInfo")) {
          log.warn(
              "awslogs: CloudWatch left out events of container {}: {}",
              containerId,
              answer.get("rejectedLogEventsInfo"));
        }
        save();
        backoff.reset();
        return;
      } catch (ControlPlaneClient.CallFailed e) {
        if (!e.retryable) {
          switch (e.code) {
            case "ResourceNotFoundException" -> {
              // The stream (or group) was deleted under the delivery: make it again, then go on.
              log.warn(
                  "awslogs: {} of container {} is gone; creating it again",
                  streamName,
                  containerId);
            }
            case "InvalidParameterException", "SerializationException" -> {
              // The batch itself is refused, and always will be: keep the log moving past it.
              log.error(
                  "awslogs: a batch of {} events of container {} was refused and is dropped: {}",
                  batch.size(),
                  containerId,
                  e.getMessage());
              cursor = cursor.stored(batch.mark(), from);
              save();
              return;
            }
            default -> throw new Fatal(e.getMessage());
          }
        }
        if (stopped) {
          throw new InterruptedException("delivery stopped");
        }
        Thread.sleep(backoff.next());
        // Whether the batch was stored before the failure: then it must not be sent again.
        try {
          if (e.code.equals("ResourceNotFoundException")) {
            prepare(client, options, streamName);
          }
          long position = position();
          if (position > from) {
            cursor = cursor.stored(batch.mark(), position);
            save();
            backoff.reset();
            return;
          }
          if (position < from) {
            // A stream made again starts over: the batch goes in from its start.
            from = position;
            cursor = cursor.sending(batch.mark(), from);
            save();
          }
        } catch (ControlPlaneClient.CallFailed notYet) {
          // Still unreachable: try the batch again after the next wait.
        } catch (NotReady refused) {
          throw new Fatal(refused.getMessage());
        }
      }
    }
  }

  /** Wharf's sequence tokens are the stream's next sequence number; -1 for another shape. */
  static long sequenceOf(String token) {
    if (token.isEmpty() || !token.chars().allMatch(Character::isDigit) || token.length() > 60) {
      return -1;
    }
    try {
      return Long.parseLong(token.replaceFirst("^0+(?=.)", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void save() {
    long dropped = buffer.droppedEvents();
    if (dropped > loggedDrops) {
      log.warn(
          "awslogs: the non-blocking buffer ({} bytes) of container {} was full; {} events ({}"
              + " bytes) dropped so far",
          options.maxBufferBytes(),
          containerId,
          dropped,
          buffer.droppedBytes());
      loggedDrops = dropped;
    }
    cursor =
        cursor.withDropped(
            droppedBefore + buffer.droppedEvents(), droppedBytesBefore + buffer.droppedBytes());
    cursor.save(cursorFile);
  }

  // ---- reader ---------------------------------------------------------------------------------

  private void enqueue(LogEvent event) {
    try {
      buffer.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("delivery stopped", e);
    }
  }

  /**
   * Follows the engine log from just after {@code from} (all of it for null) until the container
   * stops; when the engine goes away, follows again from the last entry read.
   */
  private void read(FrameMark from) {
    FrameMark after = from;
    Backoff backoff = Backoff.reconnect();
    while (!stopped) {
      Resume resume = new Resume(after);
      try {
        runtime.followLogs(containerId, resume.since(), resume::accept);
        resume.finish();
        // A followed log can end before the log does: seen with a container that wrote 500,000
        // lines in under a second and exited while delivery was behind (the read ended after
        // 171,532). So the log is read again from its last entry until a read brings nothing new.
        if (java.util.Objects.equals(resume.last(), after)) {
          break;
        }
        after = resume.last();
      } catch (InterruptedException e) {
        return;
      } catch (ContainerRuntimeException e) {
        if (e.kind() == ContainerRuntimeException.Kind.NOT_FOUND) {
          log.warn("awslogs: container {} is gone; its log ends here", containerId);
          break;
        }
        after = resume.last();
        log.warn(
            "awslogs: reading the log of container {} failed, reading on: {}",
            containerId,
            e.getMessage());
        try {
          Thread.sleep(backoff.next());
        } catch (InterruptedException interrupted) {
          return;
        }
      } catch (IllegalStateException e) {
        return; // stopped while handing on an event
      }
    }
    assembler.flush();
    buffer.end();
  }

  /**
   * One read of the engine log, resuming after an entry: entries up to that one are skipped. The
   * entries stamped after it that come before it in the log are held, and handed on after all if it
   * never shows (a log rotated under it), so at worst its neighbours repeat, never vanish.
   */
  private final class Resume {
    private final FrameMark after;
    private final Instant afterTime;
    private boolean skipping;
    private final List<LogFrame> held = new ArrayList<>();
    private FrameMark last;

    Resume(FrameMark after) {
      this.after = after;
      this.afterTime = after == null ? null : OffsetDateTime.parse(after.engineTime()).toInstant();
      this.skipping = after != null;
      this.last = after;
    }

    Instant since() {
      return afterTime == null ? null : afterTime.minus(RESUME_SKEW);
    }

    FrameMark last() {
      return last;
    }

    void accept(LogFrame frame) {
      if (stopped) {
        throw new IllegalStateException("delivery stopped");
      }
      if (skipping) {
        if (after.names(frame)) {
          skipping = false;
          held.clear();
          return;
        }
        if (frame.time().isAfter(afterTime)) {
          held.add(frame);
        }
        if (frame.time().isAfter(afterTime.plus(RESUME_SKEW))) {
          log.warn(
              "awslogs: entry {} of container {} is not in its log any more; delivering from"
                  + " its time on",
              after,
              containerId);
          finish();
        }
        return;
      }
      hand(frame);
    }

    /** The log ended (or the entry was given up on): hand on what was held. */
    void finish() {
      if (skipping) {
        skipping = false;
        List<LogFrame> pending = List.copyOf(held);
        held.clear();
        pending.forEach(this::hand);
      }
    }

    private void hand(LogFrame frame) {
      last = FrameMark.of(frame);
      assembler.accept(frame);
    }
  }
}
