package io.wharf.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerRuntimeException.Kind;
import io.wharf.runtime.docker.DockerErrors.Operation;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event stream from the engine. Its life:
 *
 * <pre>
 *   connecting ──(engine answers)──▶ open ──(stream breaks or ends)──▶ onClose(cause)
 *       │                             │
 *       └─(fails, times out)─▶ events() throws
 *                                     └──(close())──▶ ended quietly, no onClose
 * </pre>
 *
 * The engine-facing callbacks run on docker-java's streaming thread (one per subscription), which
 * is also where the listener and {@code onClose} are called; {@link #close()} may come from any
 * thread.
 */
final class EventSubscription implements ResultCallback<Event>, ContainerRuntime.Subscription {
  private static final Logger log = LoggerFactory.getLogger(EventSubscription.class);

  private final Consumer<ContainerEvent> listener;
  private final Consumer<Throwable> onClose;
  private final Consumer<EventSubscription> onEnded;
  private final CountDownLatch answered = new CountDownLatch(1);
  private final AtomicBoolean ended = new AtomicBoolean();

  private volatile Closeable stream;
  private volatile boolean open;
  private volatile boolean closedByOwner;
  private volatile ContainerRuntimeException connectFailure;

  /**
   * @param onEnded told once when the subscription ends, however it ends (the runtime uses it to
   *     forget the subscription)
   */
  EventSubscription(
      Consumer<ContainerEvent> listener,
      Consumer<Throwable> onClose,
      Consumer<EventSubscription> onEnded) {
    this.listener = listener;
    this.onClose = onClose;
    this.onEnded = onEnded;
  }

  @Override
  public void onStart(Closeable stream) {
    this.stream = stream;
    if (closedByOwner) {
      closeQuietly(stream);
      return;
    }
    open = true;
    answered.countDown();
  }

  @Override
  public void onNext(Event event) {
    if (closedByOwner || ended.get()) {
      return;
    }
    DockerMapping.event(event)
        .ifPresent(
            e -> {
              try {
                listener.accept(e);
              } catch (RuntimeException listenerFailure) {
                // One bad delivery must not end the stream for every later event.
                log.warn(
                    "event listener failed on {}; the subscription goes on", e, listenerFailure);
              }
            });
  }

  @Override
  public void onError(Throwable throwable) {
    end(DockerErrors.classify(Operation.EVENTS, null, throwable));
  }

  @Override
  public void onComplete() {
    // The engine closes the stream when it shuts down.
    end(
        new ContainerRuntimeException(
            Kind.ENGINE_UNREACHABLE,
            Operation.EVENTS.ecsErrorName,
            "the Docker engine ended the event stream",
            null));
  }

  private void end(ContainerRuntimeException cause) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    onEnded.accept(this);
    if (closedByOwner) {
      return;
    }
    if (!open) {
      connectFailure = cause;
      answered.countDown();
      return;
    }
    try {
      onClose.accept(cause);
    } catch (RuntimeException callbackFailure) {
      log.warn("onClose callback failed", callbackFailure);
    }
  }

  /** Waits for the engine to accept the subscription; throws (and closes) if it does not. */
  void awaitOpen(Duration limit) throws InterruptedException {
    boolean inTime = answered.await(limit.toNanos(), TimeUnit.NANOSECONDS);
    ContainerRuntimeException failure = connectFailure;
    if (failure != null) {
      close();
      throw failure;
    }
    if (!inTime) {
      close();
      throw DockerErrors.timeout(Operation.EVENTS, null, limit);
    }
  }

  @Override
  public void close() {
    closedByOwner = true;
    Closeable s = stream;
    if (s != null) {
      closeQuietly(s);
    }
    if (ended.compareAndSet(false, true)) {
      onEnded.accept(this);
    }
    answered.countDown();
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException ignored) {
      // closing an abandoned stream; nothing to report
    }
  }
}
