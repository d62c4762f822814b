package io.wharf.scheduler;

/**
 * A cluster query language expression that does not parse, or that uses an operator or value its
 * subject does not accept. The message says what is wrong and at which character.
 */
public final class QuerySyntaxException extends PlacementException {
  private final int position;

  QuerySyntaxException(int index, String problem) {
    super("Invalid cluster query expression at character " + (index + 1) + ": " + problem);
    this.position = index + 1;
  }

  /**
   * Where the problem is: the 1-based number of the character in the expression (one past the end
   * when the expression stopped too early), the same number the message gives.
   */
  public int position() {
    return position;
  }
}
