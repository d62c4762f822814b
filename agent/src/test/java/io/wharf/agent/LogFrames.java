package io.wharf.agent;

import io.wharf.runtime.LogFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Engine log entries for tests, stamped as the engine stamps them. */
final class LogFrames {
  private LogFrames() {}

  static final Instant T0 = Instant.parse("2026-12-08T01:00:00.000000001Z");

  /** A complete line (its newline added) written at {@code T0} plus {@code micros}. */
  static LogFrame line(long micros, String text) {
    return frame(micros, text + "\n", LogFrame.Source.STDOUT);
  }

  static LogFrame frame(long micros, String payload, LogFrame.Source source) {
    Instant at = T0.plusNanos(micros * 1000);
    return new LogFrame(source, at.toString(), at, payload.getBytes(StandardCharsets.UTF_8));
  }
}
