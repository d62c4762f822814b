package io.wharf.logs.api;

import io.wharf.core.api.ServiceContext;
import io.wharf.core.auth.AccessDenied;
import io.wharf.core.auth.Caller;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.StateMachine;
import io.wharf.logs.events.EventStore;
import io.wharf.model.logs.LogStream;
import io.wharf.protocol.AwsService;
import io.wharf.protocol.Operations;
import io.wharf.protocol.ServiceModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CloudWatch Logs (API version 2014-03-28, JSON 1.1, {@code X-Amz-Target: Logs_20140328.*}, signed
 * for {@code logs}) on Wharf's endpoint.
 *
 * <pre>
 *  Endpoint ─▶ guard (the admin) ─▶ model check ─▶ typed record ─▶
 *     groups, streams, retention, tags ─▶ StateMachine (durable before acknowledged)
 *     PutLogEvents, GetLogEvents, FilterLogEvents ─▶ EventStore (fsync'd chunks per stream)
 *     StartLiveTail ─▶ LiveTail session (an event stream) ◀─ the EventStore's appends
 *  retention sweep (due every minute of the injected clock, looked at every second)
 *     ─▶ EventStore deletes expired segments
 * </pre>
 *
 * <p>Threading: operations run concurrently on request threads; metadata changes go through the
 * single-writer state machine, events through the stream's own writer lock.
 */
public final class LogsApi implements AwsService<Caller>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogsApi.class);

  /**
   * How often, on the injected clock, expired events are looked for; CloudWatch itself deletes them
   * within 72 hours.
   */
  static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

  /**
   * How often (wall time) the timer looks at the injected clock to see whether a sweep is due: so
   * that a virtual clock moved ahead (the simulation, tests) sweeps within a second, as the real
   * one does once a minute.
   */
  static final Duration SWEEP_CHECK = Duration.ofSeconds(1);

  private final ServiceModel model;
  private final Operations<Caller> operations;
  private final EventStore events;
  private final LogEventOperations eventOperations;
  private final LiveTail liveTail;
  private final ScheduledExecutorService sweeper;

  /** When the next sweep is due, in the injected clock's milliseconds. */
  private volatile long nextSweepAt;

  private final Clock clock;

  LogsApi(ServiceContext context, ServiceModel model) throws IOException {
    this(context, model, SWEEP_CHECK);
  }

  /**
   * @param sweepCheck how often the timer looks whether a sweep is due; null for no timer (tests
   *     that sweep by hand)
   */
  LogsApi(ServiceContext context, ServiceModel model, Duration sweepCheck) throws IOException {
    this.model = model;
    this.clock = context.clock();
    this.nextSweepAt = clock.millis() + SWEEP_INTERVAL.toMillis();
    StateMachine states = context.states();
    Clock clock = context.clock();
    this.events = new EventStore(context.dataDir().resolve("logs"));
    // Files of streams whose deletion a crash interrupted: the state says which streams exist.
    events.deleteAllBut(
        states.current().logging().streams().values().stream()
            .flatMap(m -> m.values().stream())
            .map(LogStream::storageId)
            .collect(Collectors.toSet()));
    LogArns arns = new LogArns(context.region(), context.accountId());
    LogGroupOperations groups = new LogGroupOperations(states, arns, events);
    this.eventOperations = new LogEventOperations(states, events, clock, arns);
    this.liveTail = new LiveTail(states, events, arns, clock, LiveTail.Limits.CLOUDWATCH);
    Operations.Builder<Caller> builder =
        Operations.<Caller>builder(model).guard(LogsApi::authorize);
    groups.register(builder);
    eventOperations.register(builder);
    liveTail.register(builder);
    this.operations = builder.build();
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("wharf-logs-retention").daemon(true).unstarted(r));
    if (sweepCheck != null) {
      // sweepIfDue catches its own failures, so the future carries none worth checking.
      var unused =
          sweeper.scheduleWithFixedDelay(
              this::sweepIfDue,
              sweepCheck.toMillis(),
              sweepCheck.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  /** Sweeps when the injected clock has passed the due time, and sets the next one. */
  private void sweepIfDue() {
    long now = clock.millis();
    if (now >= nextSweepAt) {
      nextSweepAt = now + SWEEP_INTERVAL.toMillis();
      sweepQuietly();
    }
  }

  /** The {@link io.wharf.core.api.ServiceModule} that puts CloudWatch Logs on the endpoint. */
  public static LogsApi start(ServiceContext context) {
    try {
      return new LogsApi(context, loadModel());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the log event store", e);
    }
  }

  public static ServiceModel loadModel() {
    return ServiceModel.load(LogsApi.class, "logs-2014-03-28.json.gz");
  }

  /**
   * What a container instance's own key may call: exactly what its agent's awslogs delivery needs
   * (as an ECS task execution role's {@code logs:CreateLogStream} and {@code logs:PutLogEvents},
   * plus {@code logs:CreateLogGroup}, which the agent calls only for a container whose {@code
   * awslogs-create-group} is true, and {@code logs:GetLogEvents}, with which the agent reads its
   * stream's position back to resume exactly).
   */
  static final Set<String> INSTANCE_OPERATIONS =
      Set.of("CreateLogGroup", "CreateLogStream", "PutLogEvents", "GetLogEvents");

  /** The admin may do everything; an instance what its delivery needs; anyone else nothing. */
  private static void authorize(Caller caller, String operation, Operations.RequestView request) {
    boolean allowed =
        switch (caller.principal()) {
          case Principal.Admin a -> true;
          case Principal.Instance i -> INSTANCE_OPERATIONS.contains(operation);
          case Principal.Joiner j -> false;
        };
    if (!allowed) {
      throw AccessDenied.of(caller.principal(), "logs:" + operation);
    }
  }

  /**
   * Deletes the stored events that every group's retention has expired, as of the clock's now.
   *
   * @return how many events were deleted
   */
  public long sweepRetention() {
    return eventOperations.sweepRetention();
  }

  private void sweepQuietly() {
    try {
      long deleted = sweepRetention();
      if (deleted > 0) {
        log.info("Retention deleted {} expired log events", deleted);
      }
    } catch (RuntimeException e) {
      log.warn("The log retention sweep failed; it runs again in {}", SWEEP_INTERVAL, e);
    }
  }

  /** The event store, for tests of what is built on it. */
  EventStore events() {
    return events;
  }

  /** The names of the operations served (the rest answer the layer's not-supported error). */
  public Set<String> implemented() {
    return operations.implemented();
  }

  @Override
  public ServiceModel model() {
    return model;
  }

  @Override
  public Operations<Caller> operations() {
    return operations;
  }

  @Override
  public void close() throws IOException {
    liveTail.close();
    sweeper.shutdownNow();
    try {
      sweeper.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    events.close();
  }
}
