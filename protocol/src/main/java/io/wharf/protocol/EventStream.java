package io.wharf.protocol;

/**
 * An operation's answer that is a stream of events (the output member the model marks {@code
 * eventstream}), written to the client as each comes. A handler returns one instead of its output
 * record; the {@link Endpoint} answers 200 with {@link EventStreamFrames#CONTENT_TYPE} and turns
 * each event into a message of the protocol's framing, its payload the event's shape in the
 * protocol's body format.
 *
 * <p>Threading: one thread (the front's writer) calls {@link #next} in turn; {@link #close} may
 * come from any thread, also while {@code next} blocks, and must make it return soon.
 */
public interface EventStream extends AutoCloseable {
  /** One thing the stream says. */
  sealed interface Event {}

  /**
   * An event: {@code member} names a member of the model's event-stream structure ({@code
   * sessionUpdate}), {@code value} is a record of that member's shape.
   */
  record Next(String member, Object value) implements Event {}

  /**
   * The stream's end with one of the model's exceptions in it ({@code member} names an exception
   * member of the event-stream structure, e.g. {@code SessionTimeoutException}). After it, {@link
   * #next} is not called again.
   */
  record Failure(String member, String message) implements Event {}

  /**
   * The next event, blocking until there is one.
   *
   * @return null when the stream has ended (also after {@link #close})
   * @throws InterruptedException when the writer is interrupted (the server stops)
   */
  Event next() throws InterruptedException;

  /**
   * Ends the stream and releases what it holds: called once when the last event is written, when
   * the client has gone away, or when the server stops. Never throws.
   */
  @Override
  void close();
}
