package io.wharf.logs.filter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON filter pattern: {@code { expression }} where expressions are comparisons of a
 * selector ({@code $.a.b[0]}) with a value, joined by {@code &&} and {@code ||} ({@code &&} binds
 * tighter) and grouped with parentheses.
 */
final class JsonPatternParser extends PatternReader {
  private JsonPatternParser(String text) {
    super(text);
  }

  static FilterPattern parse(String text) {
    JsonPatternParser p = new JsonPatternParser(text);
    p.expect('{');
    JsonExpression e = p.or();
    p.expect('}');
    p.skipSpaces();
    if (p.pos < text.length()) {
      throw p.error("unexpected text after the closing brace");
    }
    return new FilterPattern.Json(e);
  }

  private JsonExpression or() {
    JsonExpression left = and();
    while (skipSpaces() && text.startsWith("||", pos)) {
      pos += 2;
      left = new JsonExpression.Or(left, and());
    }
    return left;
  }

  private JsonExpression and() {
    JsonExpression left = primary();
    while (skipSpaces() && text.startsWith("&&", pos)) {
      pos += 2;
      left = new JsonExpression.And(left, primary());
    }
    return left;
  }

  private JsonExpression primary() {
    skipSpaces();
    if (peek() == '(') {
      pos++;
      JsonExpression inner = or();
      expect(')');
      return inner;
    }
    JsonExpression.Selector selector = selector();
    skipSpaces();
    if (keyword("IS")) {
      skipSpaces();
      for (JsonExpression.Literal literal : JsonExpression.Literal.values()) {
        if (keyword(literal.name())) {
          return new JsonExpression.Is(selector, literal);
        }
      }
      throw error("IS must be followed by TRUE, FALSE or NULL");
    }
    if (keyword("NOT")) {
      skipSpaces();
      if (keyword("EXISTS")) {
        return new JsonExpression.NotExists(selector);
      }
      throw error("NOT must be followed by EXISTS");
    }
    JsonExpression.Operator op = operator();
    skipSpaces();
    if (peek() == '"') {
      if (op != JsonExpression.Operator.EQ && op != JsonExpression.Operator.NE) {
        throw error("a text value can only be compared with = or !=");
      }
      return JsonExpression.TextComparison.of(selector, op == JsonExpression.Operator.EQ, quoted());
    }
    String bare = bareValue();
    BigDecimal number = number(bare);
    if (number != null) {
      return new JsonExpression.NumberComparison(selector, op, number);
    }
    if (op != JsonExpression.Operator.EQ && op != JsonExpression.Operator.NE) {
      throw error("the operator " + op.symbol + " needs a number, not " + bare);
    }
    return JsonExpression.TextComparison.of(selector, op == JsonExpression.Operator.EQ, bare);
  }

  private JsonExpression.Selector selector() {
    int start = pos;
    if (peek() != '$') {
      throw error("a selector starting with $ was expected");
    }
    pos++;
    List<Object> steps = new ArrayList<>();
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '.') {
        pos++;
        int nameStart = pos;
        while (pos < text.length() && isNameChar(text.charAt(pos))) {
          pos++;
        }
        if (pos == nameStart) {
          throw error("a field name was expected after '.'");
        }
        steps.add(text.substring(nameStart, pos));
      } else if (c == '[') {
        pos++;
        int indexStart = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          pos++;
        }
        if (pos == indexStart || peek() != ']') {
          throw error("an array index such as [0] was expected");
        }
        steps.add(Integer.parseInt(text.substring(indexStart, pos)));
        pos++;
      } else {
        break;
      }
    }
    if (steps.isEmpty()) {
      throw error("the selector $ must name a field, as in $.level");
    }
    return new JsonExpression.Selector(text.substring(start, pos), steps);
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '@' || c == ':';
  }

  private JsonExpression.Operator operator() {
    for (String symbol : List.of("!=", "<=", ">=", "=", "<", ">")) {
      if (text.startsWith(symbol, pos)) {
        pos += symbol.length();
        for (JsonExpression.Operator op : JsonExpression.Operator.values()) {
          if (op.symbol.equals(symbol)) {
            return op;
          }
        }
      }
    }
    throw error("a comparison (=, !=, <, <=, >, >=), IS or NOT EXISTS was expected");
  }

  private String bareValue() {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isWhitespace(c)
          || c == ')'
          || c == '}'
          || text.startsWith("&&", pos)
          || text.startsWith("||", pos)) {
        break;
      }
      pos++;
    }
    if (pos == start) {
      throw error("a value was expected");
    }
    return text.substring(start, pos);
  }

  private static BigDecimal number(String text) {
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private String quoted() {
    String phrase = quotedOrNull();
    if (phrase == null) {
      throw error("the quote is not closed");
    }
    return phrase;
  }

  private boolean keyword(String word) {
    if (text.regionMatches(true, pos, word, 0, word.length())) {
      int end = pos + word.length();
      if (end == text.length() || !Character.isLetterOrDigit(text.charAt(end))) {
        pos = end;
        return true;
      }
    }
    return false;
  }

  private void expect(char c) {
    skipSpaces();
    if (peek() != c) {
      throw error("'" + c + "' was expected");
    }
    pos++;
  }

  private InvalidFilterPatternException error(String what) {
    return new InvalidFilterPatternException(
        "Invalid filter pattern: " + what + " at position " + pos + " of " + text + ".");
  }
}
