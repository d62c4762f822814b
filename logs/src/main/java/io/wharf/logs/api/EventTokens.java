package io.wharf.logs.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GetLogEvents' tokens, shaped as CloudWatch's: {@code f/<position>} pages forward from a position
 * of the stream, {@code b/<position>} backward from it (the events before it). A page that reaches
 * the end in its direction returns the token it was given, which is how clients know to stop.
 */
final class EventTokens {
  enum Direction {
    FORWARD('f'),
    BACKWARD('b');

    final char letter;

    Direction(char letter) {
      this.letter = letter;
    }
  }

  record Token(Direction direction, long position) {
    @Override
    public String toString() {
      return direction.letter + "/" + String.format("%019d", position);
    }
  }

  private static final Pattern FORM = Pattern.compile("([fb])/(\\d{1,20})");

  private EventTokens() {}

  static Token forward(long position) {
    return new Token(Direction.FORWARD, position);
  }

  static Token backward(long position) {
    return new Token(Direction.BACKWARD, position);
  }

  static Token parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw LogsErrors.invalidParameter("The specified nextToken is invalid.");
    }
    long position;
    try {
      position = Long.parseLong(m.group(2));
    } catch (NumberFormatException e) {
      throw LogsErrors.invalidParameter("The specified nextToken is invalid.");
    }
    return new Token(m.group(1).equals("f") ? Direction.FORWARD : Direction.BACKWARD, position);
  }

  /**
   * FilterLogEvents' nextToken: the last event returned, by the order events are returned in
   * (timestamp, stream name, position in the stream), so the next page starts right after it.
   */
  record FilterCursor(long timestamp, String streamName, long sequence) {
    String encode() {
      String text = "1|" + timestamp + "|" + sequence + "|" + streamName;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static FilterCursor decode(String token) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        String[] parts = text.split("\\|", 4);
        if (parts.length == 4 && parts[0].equals("1")) {
          return new FilterCursor(Long.parseLong(parts[1]), parts[3], Long.parseLong(parts[2]));
        }
      } catch (IllegalArgumentException e) {
        // falls through to the error below (NumberFormatException is one)
      }
      throw LogsErrors.invalidParameter("The specified nextToken is invalid.");
    }

    int compareTo(long otherTimestamp, String otherStream, long otherSequence) {
      int c = Long.compare(timestamp, otherTimestamp);
      if (c == 0) {
        c = streamName.compareTo(otherStream);
      }
      return c != 0 ? c : Long.compare(sequence, otherSequence);
    }
  }
}
