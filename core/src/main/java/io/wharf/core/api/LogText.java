package io.wharf.core.api;

/**
 * Request-derived text made safe for a log line: what a client sends (an instance ARN in a query, a
 * target header, an action name) must not be able to start a new log line that reads as the
 * server's own, nor fill the log with one value.
 */
public final class LogText {
  /** Longer values are cut, with a note of how much was left out. */
  static final int MAX_CHARS = 256;

  private LogText() {}

  /**
   * The value with control characters (C0, DEL, C1 and the Unicode line and paragraph separators)
   * written as escapes ({@code \n}, {@code \r}, {@code \t}, {@code \u001b}), backslashes doubled so
   * that an escape in the output always means one in the input, and cut after {@link #MAX_CHARS}.
   * {@code null} stays {@code null}, as the logger prints it.
   */
  public static String escape(String value) {
    if (value == null) {
      return null;
    }
    int length = Math.min(value.length(), MAX_CHARS);
    StringBuilder out = null;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      String escaped = escaped(c);
      if (escaped != null && out == null) {
        out = new StringBuilder(length + 16).append(value, 0, i);
      }
      if (out != null) {
        if (escaped != null) {
          out.append(escaped);
        } else {
          out.append(c);
        }
      }
    }
    String text = out != null ? out.toString() : value.substring(0, length);
    return value.length() > MAX_CHARS
        ? text + "...(" + (value.length() - MAX_CHARS) + " more chars)"
        : text;
  }

  private static String escaped(char c) {
    return switch (c) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      case '\\' -> "\\\\";
      default ->
          c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
              ? String.format("\\u%04x", (int) c)
              : null;
    };
  }
}
