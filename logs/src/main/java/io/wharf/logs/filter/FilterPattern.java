package io.wharf.logs.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A CloudWatch Logs filter pattern, parsed once per request and matched against every candidate
 * event.
 *
 * <pre>
 *  ""                      every event
 *  ERROR Exception         events holding every term (case-sensitive, anywhere in the message)
 *  "connection reset"      a quoted phrase is one term, spaces and punctuation included
 *  ERROR -Timeout          and not holding an excluded term
 *  ?ERROR ?WARN            holding at least one of the ?-terms
 *  %err(or)?%              a term given as a regular expression
 *  { $.level = "error" && ($.latency > 500 || $.retry IS TRUE) }   JSON events by their fields
 * </pre>
 *
 * <p>Besides matching, a pattern says which literal texts an event must contain ({@link
 * #mayMatch}), so the event store can skip whole chunks with its term index without reading them.
 */
public sealed interface FilterPattern {
  /** Whether the event's message matches. */
  boolean matches(String message);

  /**
   * False when no event can match in a chunk whose index answers {@code false} to {@code contains}
   * for a literal text: then the chunk need not be read. May be true when no event matches.
   */
  boolean mayMatch(Predicate<String> contains);

  /** The pattern that matches every event (an empty or missing filterPattern). */
  FilterPattern ALL = new Terms(List.of(), List.of(), List.of());

  /**
   * Parses CloudWatch's filter pattern syntax.
   *
   * @throws InvalidFilterPatternException naming what is wrong and where
   */
  static FilterPattern parse(String text) {
    if (text == null || text.isBlank()) {
      return ALL;
    }
    String trimmed = text.strip();
    if (trimmed.startsWith("{")) {
      return JsonPatternParser.parse(trimmed);
    }
    if (trimmed.startsWith("[")) {
      throw new InvalidFilterPatternException(
          "Space-delimited filter patterns ([field, ...]) are not supported by Wharf.");
    }
    return TermsParser.parse(trimmed);
  }

  /** One term: a literal text (plain or quoted) or a regular expression. */
  sealed interface Term {
    boolean in(String message);

    /** The literal the message must contain, or null when the term has none (a regex). */
    String literal();
  }

  record Literal(String text) implements Term {
    @Override
    public boolean in(String message) {
      return message.contains(text);
    }

    @Override
    public String literal() {
      return text;
    }
  }

  record Regex(Pattern pattern) implements Term {
    static Regex of(String source) {
      try {
        return new Regex(Pattern.compile(source));
      } catch (PatternSyntaxException e) {
        throw new InvalidFilterPatternException(
            "Invalid regular expression %" + source + "%: " + e.getDescription() + ".");
      }
    }

    @Override
    public boolean in(String message) {
      return pattern.matcher(message).find();
    }

    @Override
    public String literal() {
      return null;
    }
  }

  /**
   * A pattern of terms: every one of {@code all}, none of {@code none}, and (when there are any) at
   * least one of {@code any}.
   */
  record Terms(List<Term> all, List<Term> none, List<Term> any) implements FilterPattern {
    public Terms {
      all = List.copyOf(all);
      none = List.copyOf(none);
      any = List.copyOf(any);
    }

    @Override
    public boolean matches(String message) {
      for (Term t : all) {
        if (!t.in(message)) {
          return false;
        }
      }
      for (Term t : none) {
        if (t.in(message)) {
          return false;
        }
      }
      if (any.isEmpty()) {
        return true;
      }
      for (Term t : any) {
        if (t.in(message)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean mayMatch(Predicate<String> contains) {
      for (Term t : all) {
        if (t.literal() != null && !contains.test(t.literal())) {
          return false;
        }
      }
      if (any.isEmpty()) {
        return true;
      }
      for (Term t : any) {
        if (t.literal() == null || contains.test(t.literal())) {
          return true;
        }
      }
      return false;
    }
  }

  /** A JSON pattern: events whose message is a JSON object for which the expression holds. */
  record Json(JsonExpression expression) implements FilterPattern {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public boolean matches(String message) {
      String m = message.strip();
      if (!m.startsWith("{")) {
        return false;
      }
      JsonNode tree;
      try {
        tree = MAPPER.readTree(m);
      } catch (IOException e) {
        return false; // not JSON: a JSON pattern matches no such event
      }
      return tree != null && tree.isObject() && expression.test(tree);
    }

    @Override
    public boolean mayMatch(Predicate<String> contains) {
      // Field names and values may be escaped in the message: no literal is certain to appear.
      return true;
    }
  }
}
