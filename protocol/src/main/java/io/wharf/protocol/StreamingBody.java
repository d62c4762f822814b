package io.wharf.protocol;

/**
 * A response body written as it comes (an event stream, {@link EventStream}), message by message,
 * each flushed to the client as soon as it is had. The front calls {@link #next} on one thread
 * until it returns null, and {@link #close} once, whatever happened (the client went away, the
 * server stops).
 */
public interface StreamingBody extends AutoCloseable {
  /**
   * The next message's bytes, blocking until there is one.
   *
   * @return null at the end of the body
   */
  byte[] next() throws InterruptedException;

  /** Releases what the body holds; never throws. */
  @Override
  void close();
}
