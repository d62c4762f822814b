package io.wharf.logs.filter;

/**
 * What both filter pattern parsers read with: the pattern's text, the position reached, and the
 * pieces of lexing they share (spaces, quoted phrases). Each parser words its own errors.
 */
abstract sealed class PatternReader permits TermsParser, JsonPatternParser {
  protected final String text;
  protected int pos;

  PatternReader(String text) {
    this.text = text;
  }

  /** Skips whitespace; false at the end. */
  protected final boolean skipSpaces() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
    return pos < text.length();
  }

  /** The character at the position, or {@code '\0'} at the end. */
  protected final char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  /**
   * A "quoted phrase" with {@code \"} and {@code \\} escapes, from the opening quote at the
   * position; null, with the position left at that quote, when the quote is not closed.
   */
  protected final String quotedOrNull() {
    int open = pos;
    pos++;
    StringBuilder out = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '\\' && pos < text.length()) {
        out.append(text.charAt(pos++));
      } else if (c == '"') {
        return out.toString();
      } else {
        out.append(c);
      }
    }
    pos = open;
    return null;
  }
}
