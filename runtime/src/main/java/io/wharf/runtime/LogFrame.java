package io.wharf.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a container's log as the engine keeps it (with the local json-file driver: one line
 * of its output, or a piece of at most 16 KiB of a longer line).
 *
 * @param source which of the container's outputs wrote it
 * @param engineTime the time the engine stamped on it, as it printed it (RFC 3339 with
 *     nanoseconds): together with {@code source} and the payload it names the entry
 * @param time {@code engineTime} parsed
 * @param payload what the container wrote, the line's newline included when the entry ends a line
 *     (an entry without one is a piece of a longer line)
 */
public record LogFrame(Source source, String engineTime, Instant time, byte[] payload) {
  public enum Source {
    STDOUT,
    STDERR
  }

  public LogFrame {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(engineTime, "engineTime");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(payload, "payload");
  }

  /** Whether the entry ends a line (the json-file driver keeps the newline of a complete line). */
  public boolean endsLine() {
    return payload.length > 0 && payload[payload.length - 1] == '\n';
  }
}
