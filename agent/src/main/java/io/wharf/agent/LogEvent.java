package io.wharf.agent;

/**
 * One CloudWatch log event made from a container's output.
 *
 * @param timestamp ms since the epoch: when the engine stamped the event's first line
 * @param message its text (UTF-8 when sent), never empty
 * @param utf8Bytes the message's length in UTF-8
 * @param mark the last engine log entry this event completes: once it is stored, delivery resumes
 *     after that entry; null for a piece of a split entry that is not its last piece
 */
record LogEvent(long timestamp, String message, int utf8Bytes, FrameMark mark) {
  /** What CloudWatch counts for an event towards a batch's size. */
  static final int OVERHEAD = 26;

  long cost() {
    return (long) utf8Bytes + OVERHEAD;
  }
}
