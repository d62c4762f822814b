package io.wharf.logs.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;

/** The expression inside a JSON filter pattern's braces, evaluated against one event's JSON. */
sealed interface JsonExpression {
  boolean test(JsonNode event);

  record And(JsonExpression left, JsonExpression right) implements JsonExpression {
    @Override
    public boolean test(JsonNode event) {
      return left.test(event) && right.test(event);
    }
  }

  record Or(JsonExpression left, JsonExpression right) implements JsonExpression {
    @Override
    public boolean test(JsonNode event) {
      return left.test(event) || right.test(event);
    }
  }

  /** A path into the event: {@code $.a.b[0].c}. Each step is a field name or an array index. */
  record Selector(String text, List<Object> steps) {
    public Selector {
      steps = List.copyOf(steps);
    }

    /** The selected value, or null when the path leads nowhere. */
    JsonNode select(JsonNode event) {
      JsonNode node = event;
      for (Object step : steps) {
        node = step instanceof Integer i ? node.get(i) : node.get((String) step);
        if (node == null) {
          return null;
        }
      }
      return node;
    }
  }

  enum Operator {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    boolean holds(int comparison) {
      return switch (this) {
        case EQ -> comparison == 0;
        case NE -> comparison != 0;
        case LT -> comparison < 0;
        case LE -> comparison <= 0;
        case GT -> comparison > 0;
        case GE -> comparison >= 0;
      };
    }
  }

  /** {@code $.n > 5}: the field is a number (or numeric text) and compares so. */
  record NumberComparison(Selector selector, Operator operator, BigDecimal value)
      implements JsonExpression {
    @Override
    public boolean test(JsonNode event) {
      JsonNode v = selector.select(event);
      if (v == null) {
        return false;
      }
      BigDecimal actual;
      if (v.isNumber()) {
        actual = v.decimalValue();
      } else if (v.isTextual()) {
        try {
          actual = new BigDecimal(v.asText());
        } catch (NumberFormatException e) {
          return operator == Operator.NE;
        }
      } else {
        return operator == Operator.NE;
      }
      return operator.holds(actual.compareTo(value));
    }
  }

  /**
   * {@code $.level = "error"}, {@code $.name = web*}: text equality, {@code *} matching any run of
   * characters.
   */
  record TextComparison(Selector selector, boolean equal, String value, Pattern wildcard)
      implements JsonExpression {
    static TextComparison of(Selector selector, boolean equal, String value) {
      Pattern p = null;
      if (value.indexOf('*') >= 0) {
        StringBuilder regex = new StringBuilder();
        for (String part : value.split("\\*", -1)) {
          if (!regex.isEmpty()) {
            regex.append(".*");
          }
          regex.append(Pattern.quote(part));
        }
        p = Pattern.compile(regex.toString(), Pattern.DOTALL);
      }
      return new TextComparison(selector, equal, value, p);
    }

    @Override
    public boolean test(JsonNode event) {
      JsonNode v = selector.select(event);
      if (v == null || v.isContainerNode() || v.isNull()) {
        return false;
      }
      String actual = v.asText();
      boolean same = wildcard == null ? actual.equals(value) : wildcard.matcher(actual).matches();
      return same == equal;
    }
  }

  enum Literal {
    TRUE,
    FALSE,
    NULL
  }

  /** {@code $.ok IS TRUE}, {@code $.ok IS FALSE}, {@code $.x IS NULL}. */
  record Is(Selector selector, Literal literal) implements JsonExpression {
    @Override
    public boolean test(JsonNode event) {
      JsonNode v = selector.select(event);
      if (v == null) {
        return false;
      }
      return switch (literal) {
        case TRUE -> v.isBoolean() && v.booleanValue();
        case FALSE -> v.isBoolean() && !v.booleanValue();
        case NULL -> v.isNull();
      };
    }
  }

  /** {@code $.x NOT EXISTS}. */
  record NotExists(Selector selector) implements JsonExpression {
    @Override
    public boolean test(JsonNode event) {
      return selector.select(event) == null;
    }
  }
}
