package io.wharf.agent;

import io.wharf.runtime.LogFrame;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Names one entry of a container's engine log: the time the engine stamped on it (nanoseconds, as
 * it printed it), the output it came from and a checksum of what it says. Two entries that agree on
 * all three are, in practice, never both in one log: the engine stamps every line of an output as
 * it reads it, at nanosecond resolution.
 */
record FrameMark(String engineTime, LogFrame.Source source, long crc) {
  FrameMark {
    Objects.requireNonNull(engineTime, "engineTime");
    Objects.requireNonNull(source, "source");
  }

  static FrameMark of(LogFrame frame) {
    CRC32 crc = new CRC32();
    crc.update(frame.payload());
    return new FrameMark(frame.engineTime(), frame.source(), crc.getValue());
  }

  boolean names(LogFrame frame) {
    return engineTime.equals(frame.engineTime())
        && source == frame.source()
        && crc == of(frame).crc;
  }
}
