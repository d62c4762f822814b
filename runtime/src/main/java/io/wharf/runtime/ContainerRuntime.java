package io.wharf.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A container engine as the agent sees it: create, start, stop, remove, look at and listen to
 * containers.
 *
 * <p><b>Threading.</b> Implementations are safe for concurrent use by many threads; every call
 * blocks the calling thread until the engine answers or the call's timeout passes (then it throws a
 * {@link ContainerRuntimeException} of kind {@link ContainerRuntimeException.Kind#TIMEOUT}). Event
 * listeners run on a thread owned by the runtime, one per subscription.
 *
 * <p><b>Failures.</b> Every failure is a {@link ContainerRuntimeException} that says what went
 * wrong ({@link ContainerRuntimeException#kind()}), whether trying again may help ({@link
 * ContainerRuntimeException#isRetryable()}) and the ECS agent's name for it ({@link
 * ContainerRuntimeException#ecsErrorName()}). Operations that are naturally idempotent (stopping a
 * stopped container, removing an absent one) succeed quietly.
 */
public interface ContainerRuntime extends AutoCloseable {

  /** Whether the engine answers (ping). Never throws. */
  boolean isAvailable();

  /** True if the image is present locally. */
  boolean hasImage(String image);

  /**
   * Pulls the image, blocking until it is present or the pull timeout passes. An image named
   * without a tag or digest means {@code :latest}, as with {@code docker pull}.
   *
   * @throws ContainerRuntimeException of kind {@code IMAGE_PULL_FAILED} when the image cannot be
   *     pulled (no registry reachable, unknown image, access denied), {@code TIMEOUT} when the pull
   *     does not finish in time or stops making progress
   */
  void pull(String image);

  /**
   * Creates (does not start) a container and returns its id. Does not pull.
   *
   * @throws ContainerRuntimeException of kind {@code IMAGE_NOT_FOUND} when the image is not present
   *     locally, {@code CREATE_FAILED} when the engine refuses the spec (name in use, memory below
   *     the engine's minimum, ...)
   */
  String create(ContainerSpec spec);

  /**
   * Starts a created container. Starting a running container is not an error.
   *
   * @throws ContainerRuntimeException of kind {@code PORT_IN_USE} when a host port of the spec is
   *     taken, {@code NOT_FOUND} when there is no such container, {@code START_FAILED} otherwise
   */
  void start(String containerId);

  /**
   * Stops with the container's stop signal (SIGTERM by default), then SIGKILL after {@code timeout}
   * (rounded up to whole seconds). Returns once the container has stopped. Stopping a stopped
   * container is not an error.
   *
   * @throws ContainerRuntimeException of kind {@code NOT_FOUND} when there is no such container
   */
  void stop(String containerId, Duration timeout);

  /**
   * Removes the container (forcibly, killing it if running) and its anonymous volumes. Removing an
   * absent container is not an error.
   */
  void remove(String containerId);

  /** Current state, or empty if there is no such container. */
  Optional<ContainerState> inspect(String containerId);

  /**
   * All containers (running or not) carrying every given label ({@code key=value}); an empty map
   * means all containers. Containers removed while listing are left out.
   */
  List<ContainerState> list(Map<String, String> labels);

  /**
   * Subscribes to the events of containers carrying every given label: start, die, oom,
   * health_status (healthy / unhealthy) and destroy. Returns once the engine has accepted the
   * subscription; events from that moment on are delivered.
   *
   * <p>{@code listener} is called on one runtime-owned thread per subscription, in the engine's
   * order; it should return quickly (hand work to a queue) as it holds up later events. An
   * exception it throws is logged and the subscription goes on.
   *
   * <p>The subscription ends, and {@code onClose} is called once with the cause (a {@link
   * ContainerRuntimeException}, usually {@code ENGINE_UNREACHABLE}), when the engine goes away or
   * ends the stream; the caller re-subscribes and reconciles with {@link #list(Map)}, since events
   * in between are lost. {@code onClose} is not called after {@link Subscription#close()} or {@link
   * #close()}.
   *
   * @throws ContainerRuntimeException when the subscription cannot be made
   */
  Subscription events(
      Map<String, String> labels, Consumer<ContainerEvent> listener, Consumer<Throwable> onClose);

  /**
   * Reads the container's log as the engine keeps it (its local log driver), oldest entry first,
   * from {@code since} (whole seconds; earlier entries are skipped by the engine) and, while the
   * container runs, following what it writes. Blocks the caller: returns when the log ends (the
   * container stopped and everything it wrote was given to {@code sink}), throws when the engine
   * cannot be read. {@code sink} is called one entry at a time, in the log's order, on a thread the
   * runtime owns; while it blocks the engine is not read further (the container is not held up: the
   * engine keeps writing its log). An interrupt of the calling thread ends the read.
   *
   * @throws ContainerRuntimeException of kind {@code NOT_FOUND} when there is no such container
   */
  void followLogs(String containerId, java.time.Instant since, Consumer<LogFrame> sink)
      throws InterruptedException;

  /**
   * Releases the connection to the engine and ends open subscriptions (without calling their {@code
   * onClose}). Containers are left as they are.
   */
  @Override
  void close();

  /** An open event subscription. */
  interface Subscription extends AutoCloseable {
    /**
     * Ends the subscription; idempotent. Once it returns the listener is not called again (a call
     * already under way on the runtime's thread may still finish).
     */
    @Override
    void close();
  }
}
