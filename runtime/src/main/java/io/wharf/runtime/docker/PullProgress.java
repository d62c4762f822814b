package io.wharf.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.PullResponseItem;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerRuntimeException.Kind;
import io.wharf.runtime.docker.DockerErrors.Operation;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Follows one image pull's progress stream and enforces its three limits: time to first output,
 * silence between outputs, and the whole pull (see {@link DockerTimeouts}). The stream's callbacks
 * run on docker-java's streaming thread; {@link #await} runs on the caller's.
 */
final class PullProgress implements ResultCallback<PullResponseItem> {
  private final String image;
  private final DockerTimeouts timeouts;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final long startedAt = System.nanoTime();

  // Written by the streaming thread, read by the waiting caller.
  private volatile Closeable stream;
  private volatile boolean closed;

  /** System.nanoTime() of the last progress line: the inactivity limit counts from it. */
  private volatile long lastOutputAt;

  /** Until the first line the (longer) begin limit applies instead of the inactivity limit. */
  private volatile boolean hasOutput;

  /** The engine refused the pull outright, or the connection broke. */
  private volatile Throwable failure;

  /** The registry failed the pull after it began, reported inside the stream. */
  private volatile String registryError;

  PullProgress(String image, DockerTimeouts timeouts) {
    this.image = image;
    this.timeouts = timeouts;
  }

  @Override
  public void onStart(Closeable stream) {
    this.stream = stream;
    if (closed) {
      closeQuietly(stream);
    }
  }

  @Override
  public void onNext(PullResponseItem item) {
    lastOutputAt = System.nanoTime();
    hasOutput = true;
    // A pull that fails after it began (unknown tag, registry refusing a layer) still answers
    // HTTP 200; the failure comes as an item of the stream.
    if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
      registryError = item.getErrorDetail().getMessage();
    }
  }

  @Override
  public void onError(Throwable throwable) {
    if (!closed) {
      failure = throwable;
    }
    finished.countDown();
  }

  @Override
  public void onComplete() {
    finished.countDown();
  }

  /** Waits for the pull to end; throws if it failed or broke one of its limits. */
  void await() throws InterruptedException {
    // Sleep until the pull ends or the nearer of its two deadlines (whole pull, silence) passes;
    // new output moves the silence deadline, so re-check rather than fail on waking.
    long deadline = startedAt + timeouts.pull().toNanos();
    while (true) {
      long now = System.nanoTime();
      long silenceLimit =
          hasOutput
              ? lastOutputAt + timeouts.pullInactivity().toNanos()
              : startedAt + timeouts.pullBegin().toNanos();
      long wakeAt = Math.min(deadline, silenceLimit);
      if (finished.await(Math.max(0, wakeAt - now), TimeUnit.NANOSECONDS)) {
        break;
      }
      now = System.nanoTime();
      if (now - deadline >= 0) {
        throw DockerErrors.timeout(Operation.PULL, image, timeouts.pull());
      }
      boolean silentTooLong =
          hasOutput
              ? now - (lastOutputAt + timeouts.pullInactivity().toNanos()) >= 0
              : now - (startedAt + timeouts.pullBegin().toNanos()) >= 0;
      if (silentTooLong) {
        var limit = hasOutput ? timeouts.pullInactivity() : timeouts.pullBegin();
        throw new ContainerRuntimeException(
            Kind.TIMEOUT,
            DockerErrors.TIMEOUT_ERROR_NAME,
            DockerErrors.describe(Operation.PULL, image)
                + ": no progress for "
                + DockerErrors.format(limit)
                + (hasOutput ? "" : " after it was asked for"),
            null);
      }
    }
    if (failure != null) {
      throw DockerErrors.classify(Operation.PULL, image, failure);
    }
    if (registryError != null) {
      throw DockerErrors.classify(Operation.PULL, image, new IllegalStateException(registryError));
    }
  }

  @Override
  public void close() {
    closed = true;
    Closeable s = stream;
    if (s != null) {
      closeQuietly(s);
    }
    finished.countDown();
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException ignored) {
      // the stream is being abandoned; nothing more to learn from it
    }
  }
}
