package io.wharf.logs.filter;

import java.util.ArrayList;
import java.util.List;

/** Reads a pattern of terms: plain, "quoted", -excluded, ?any-of, %regex%. */
final class TermsParser extends PatternReader {
  private TermsParser(String text) {
    super(text);
  }

  static FilterPattern parse(String text) {
    TermsParser p = new TermsParser(text);
    List<FilterPattern.Term> all = new ArrayList<>();
    List<FilterPattern.Term> none = new ArrayList<>();
    List<FilterPattern.Term> any = new ArrayList<>();
    while (p.skipSpaces()) {
      char c = p.text.charAt(p.pos);
      if (c == '-' || c == '?') {
        p.pos++;
        if (p.pos >= p.text.length() || Character.isWhitespace(p.text.charAt(p.pos))) {
          throw new InvalidFilterPatternException(
              "Invalid filter pattern: '" + c + "' at position " + p.pos + " must precede a term.");
        }
        (c == '-' ? none : any).add(p.term());
      } else {
        all.add(p.term());
      }
    }
    return new FilterPattern.Terms(all, none, any);
  }

  private FilterPattern.Term term() {
    char c = text.charAt(pos);
    if (c == '"') {
      return new FilterPattern.Literal(quoted());
    }
    int start = pos;
    while (pos < text.length() && !Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
    String word = text.substring(start, pos);
    if (word.length() >= 2 && word.startsWith("%") && word.endsWith("%")) {
      return FilterPattern.Regex.of(word.substring(1, word.length() - 1));
    }
    if (word.indexOf('"') >= 0) {
      throw new InvalidFilterPatternException(
          "Invalid filter pattern: a quote inside the term " + word + " (quote the whole term).");
    }
    return new FilterPattern.Literal(word);
  }

  /** A "quoted phrase"; pos is at the opening quote. */
  private String quoted() {
    int open = pos;
    String phrase = quotedOrNull();
    if (phrase == null) {
      throw new InvalidFilterPatternException(
          "Invalid filter pattern: the quote at position " + open + " is not closed.");
    }
    if (phrase.isEmpty()) {
      throw new InvalidFilterPatternException(
          "Invalid filter pattern: the quoted term at position " + open + " is empty.");
    }
    return phrase;
  }
}
