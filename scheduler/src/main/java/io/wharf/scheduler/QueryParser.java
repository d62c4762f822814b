package io.wharf.scheduler;

import io.wharf.scheduler.Term.Field;
import io.wharf.scheduler.Term.Op;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive descent over the cluster query language, straight from the characters (no separate
 * lexer: whether {@code !} means "not" or starts {@code !=} depends on where it stands).
 *
 * <pre>
 *  expression := and ( ("or" | "||") and )*
 *  and        := unary ( ("and" | "&amp;&amp;") unary )*
 *  unary      := ("not" | "!") unary | "(" expression ")" | comparison
 *  comparison := subject operator [argument]
 *  argument   := value | "[" value ("," value)* "]"        (lists for in / !in)
 *  value      := 'quoted' | "quoted" | bare
 * </pre>
 *
 * <p>Subjects, operators and keywords are case-sensitive, as ECS documents them; values compare
 * case-sensitively ("string equality"). A bare value runs until white space or one of {@code
 * ()[],'"&|!=<>~}; a bare regex (after =~ or !~) runs until white space or a ')' it did not open,
 * so {@code not(attribute:x =~ (a|b).*)} reads as meant. Quotes have no escapes (attribute values
 * cannot contain quotes; a regex that needs one can use the other kind).
 */
final class QueryParser {
  private static final String SUBJECTS =
      "agentConnected, agentVersion, attribute:<name>, ec2InstanceId, registeredAt,"
          + " runningTasksCount or task:group";

  // The operators ECS documents for each subject; attributes take them all.
  private static final Set<Op> LIKE_IDS =
      EnumSet.of(Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.MATCHES, Op.NOT_MATCHES);
  private static final Set<Op> ORDERED = EnumSet.of(Op.EQ, Op.NE, Op.GT, Op.GE, Op.LT, Op.LE);
  private static final Set<Op> GROUPS =
      EnumSet.of(
          Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.MATCHES, Op.NOT_MATCHES, Op.EXISTS, Op.NOT_EXISTS);
  private static final Set<Op> ALL = EnumSet.allOf(Op.class);

  /** Deeper nesting than any real query needs; the limit keeps a hostile one off the stack. */
  private static final int MAX_NESTING = 100;

  private final String text;
  private int pos;
  private int nesting;

  private QueryParser(String text) {
    this.text = text;
  }

  static Term parse(String text) {
    QueryParser parser = new QueryParser(text);
    parser.skipSpace();
    if (parser.atEnd()) {
      throw parser.error(parser.pos, "the expression is empty");
    }
    Term term = parser.expression();
    parser.skipSpace();
    if (!parser.atEnd()) {
      throw parser.error(
          parser.pos,
          "expected 'and', 'or' or the end of the expression but found " + parser.found());
    }
    return term;
  }

  private Term expression() {
    Term left = conjunction();
    while (true) {
      skipSpace();
      if (acceptSymbol("||") || acceptWord("or")) {
        left = new Term.Or(left, conjunction());
      } else {
        return left;
      }
    }
  }

  private Term conjunction() {
    Term left = unary();
    while (true) {
      skipSpace();
      if (acceptSymbol("&&") || acceptWord("and")) {
        left = new Term.And(left, unary());
      } else {
        return left;
      }
    }
  }

  private Term unary() {
    skipSpace();
    if (atEnd()) {
      throw error(pos, "expected a condition but found the end of the expression");
    }
    if (++nesting > MAX_NESTING) {
      throw error(
          pos, "the expression nests 'not' and parentheses more than " + MAX_NESTING + " deep");
    }
    try {
      return unaryAtThisDepth();
    } finally {
      nesting--;
    }
  }

  private Term unaryAtThisDepth() {
    if (text.charAt(pos) == '(') {
      int open = pos++;
      Term inner = expression();
      skipSpace();
      if (!acceptSymbol(")")) {
        throw error(
            pos,
            "expected ')' to close the '(' at character " + (open + 1) + " but found " + found());
      }
      return inner;
    }
    if (text.charAt(pos) == '!' && !text.startsWith("!=", pos) && !text.startsWith("!~", pos)) {
      pos++;
      return new Term.Not(unary());
    }
    if (acceptWord("not")) {
      return new Term.Not(unary());
    }
    return comparison();
  }

  private Term comparison() {
    int start = pos;
    while (!atEnd() && isSubjectChar(text.charAt(pos))) {
      pos++;
    }
    String subject = text.substring(start, pos);
    if (subject.isEmpty()) {
      throw error(start, "expected a subject (" + SUBJECTS + ") but found " + found());
    }
    String attribute = null;
    boolean known =
        switch (subject) {
          case "agentConnected",
              "agentVersion",
              "ec2InstanceId",
              "registeredAt",
              "runningTasksCount",
              "task:group" ->
              true;
          default -> false;
        };
    if (!known) {
      if (!subject.startsWith(Strategy.ATTRIBUTE_PREFIX)) {
        throw error(start, "unknown subject '" + subject + "'; expected " + SUBJECTS);
      }
      attribute = subject.substring(Strategy.ATTRIBUTE_PREFIX.length());
      int nameStart = start + Strategy.ATTRIBUTE_PREFIX.length();
      if (attribute.isEmpty()) {
        throw error(nameStart, "expected an attribute name after 'attribute:'");
      }
      if (!ClusterQuery.isAttributeName(attribute)) {
        throw error(
            nameStart,
            "'"
                + attribute
                + "' is not an attribute name (1 to 128 letters, digits, '-', '_', '.', '/'"
                + " or '\\')");
      }
    }
    skipSpace();
    int opStart = pos;
    Op op = operator(subject);
    return switch (subject) {
      case "agentConnected" -> text(Field.AGENT_CONNECTED, null, subject, op, opStart, LIKE_IDS);
      case "agentVersion" -> text(Field.AGENT_VERSION, null, subject, op, opStart, ORDERED);
      case "ec2InstanceId" -> text(Field.EC2_INSTANCE_ID, null, subject, op, opStart, LIKE_IDS);
      case "registeredAt" -> registeredAt(op, opStart);
      case "runningTasksCount" -> runningTasksCount(op, opStart);
      case "task:group" -> group(op, opStart);
      default -> text(Field.ATTRIBUTE, attribute, subject, op, opStart, ALL);
    };
  }

  private Term text(
      Field field, String attribute, String subject, Op op, int opStart, Set<Op> valid) {
    checkOperator(subject, op, opStart, valid);
    return switch (op) {
      case EXISTS, NOT_EXISTS -> new Term.Text(field, attribute, op, null, null, null);
      case IN, NOT_IN -> {
        List<Value> values = list(op);
        Set<String> set = new LinkedHashSet<>();
        for (Value v : values) {
          set.add(checked(field, v));
        }
        yield new Term.Text(field, attribute, op, null, Set.copyOf(set), null);
      }
      case MATCHES, NOT_MATCHES -> new Term.Text(field, attribute, op, null, null, regex(op));
      default -> new Term.Text(field, attribute, op, checked(field, value(op)), null, null);
    };
  }

  /** agentConnected compares with true or false only; anything else is a mistake worth naming. */
  private String checked(Field field, Value value) {
    if (field == Field.AGENT_CONNECTED
        && !value.text().equals("true")
        && !value.text().equals("false")) {
      throw error(value.start(), "agentConnected is true or false, not '" + value.text() + "'");
    }
    return value.text();
  }

  private Term registeredAt(Op op, int opStart) {
    checkOperator("registeredAt", op, opStart, ORDERED);
    Value value = value(op);
    String v = value.text();
    try {
      if (v.length() == 10) {
        return new Term.Registered(op, true, LocalDate.parse(v).toEpochDay());
      }
      boolean zoned = v.endsWith("Z") || v.lastIndexOf('+') > 10 || v.lastIndexOf('-') > 10;
      long seconds =
          zoned
              ? OffsetDateTime.parse(v).toEpochSecond()
              : LocalDateTime.parse(v).toEpochSecond(ZoneOffset.UTC);
      return new Term.Registered(op, false, seconds);
    } catch (DateTimeParseException e) {
      throw error(
          value.start(),
          "registeredAt takes a date such as 2018-06-18, 2018-06-18T22:28:28,"
              + " 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00, not '"
              + v
              + "'");
    }
  }

  private Term runningTasksCount(Op op, int opStart) {
    checkOperator("runningTasksCount", op, opStart, ORDERED);
    Value value = value(op);
    String v = value.text();
    boolean digits = !v.isEmpty() && v.length() <= 18;
    for (int k = 0; digits && k < v.length(); k++) {
      digits = v.charAt(k) >= '0' && v.charAt(k) <= '9';
    }
    if (!digits) {
      throw error(value.start(), "runningTasksCount takes a whole number, not '" + v + "'");
    }
    return new Term.Count(op, Long.parseLong(v));
  }

  private Term group(Op op, int opStart) {
    checkOperator("task:group", op, opStart, GROUPS);
    return switch (op) {
      case EXISTS, NOT_EXISTS -> new Term.Group(op, null, null, null);
      case IN, NOT_IN -> {
        List<String> groups = new ArrayList<>();
        for (Value v : list(op)) {
          groups.add(v.text());
        }
        yield new Term.Group(op, null, List.copyOf(groups), null);
      }
      case MATCHES, NOT_MATCHES -> new Term.Group(op, null, null, regex(op));
      default -> new Term.Group(op, value(op).text(), null, null);
    };
  }

  private void checkOperator(String subject, Op op, int opStart, Set<Op> valid) {
    if (!valid.contains(op)) {
      StringBuilder names = new StringBuilder();
      for (Op o : valid) {
        names.append(names.isEmpty() ? "" : ", ").append(o.symbol);
      }
      throw error(
          opStart,
          "operator '" + op.symbol + "' is not valid for " + subject + "; use one of " + names);
    }
  }

  private Op operator(String subject) {
    if (atEnd()) {
      throw error(
          pos, "expected an operator after '" + subject + "' but found the end of the expression");
    }
    // Longest first: "!exists" before "!=", ">=" before ">".
    if (acceptWord("!exists")) {
      return Op.NOT_EXISTS;
    }
    if (acceptWord("!in")) {
      return Op.NOT_IN;
    }
    String[] symbols = {"==", "!=", ">=", "<=", "=~", "!~", ">", "<"};
    Op[] ops = {Op.EQ, Op.NE, Op.GE, Op.LE, Op.MATCHES, Op.NOT_MATCHES, Op.GT, Op.LT};
    for (int k = 0; k < symbols.length; k++) {
      if (acceptSymbol(symbols[k])) {
        return ops[k];
      }
    }
    int start = pos;
    while (!atEnd() && (Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    String word = text.substring(start, pos);
    Op op =
        switch (word) {
          case "equals" -> Op.EQ;
          case "not_equals" -> Op.NE;
          case "greater_than" -> Op.GT;
          case "greater_than_equal" -> Op.GE;
          case "less_than" -> Op.LT;
          case "less_than_equal" -> Op.LE;
          case "exists" -> Op.EXISTS;
          case "not_exists" -> Op.NOT_EXISTS;
          case "in" -> Op.IN;
          case "not_in" -> Op.NOT_IN;
          case "matches" -> Op.MATCHES;
          case "not_matches" -> Op.NOT_MATCHES;
          default -> null;
        };
    if (op == null || (!atEnd() && isSubjectChar(text.charAt(pos)))) {
      pos = start;
      throw error(
          start,
          "expected an operator (==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~) after '"
              + subject
              + "' but found "
              + found());
    }
    return op;
  }

  /** A value as written, and where it starts (for errors about it). */
  private record Value(String text, int start) {}

  private Value value(Op op) {
    skipSpace();
    int start = pos;
    if (atEnd()) {
      throw error(
          pos, "expected a value after '" + op.symbol + "' but found the end of the expression");
    }
    char c = text.charAt(pos);
    if (c == '\'' || c == '"') {
      return quoted();
    }
    while (!atEnd() && isBareChar(text.charAt(pos))) {
      pos++;
    }
    if (pos == start) {
      throw error(start, "expected a value after '" + op.symbol + "' but found " + found());
    }
    return new Value(text.substring(start, pos), start);
  }

  private Value quoted() {
    int start = pos;
    char quote = text.charAt(pos);
    int end = text.indexOf(quote, pos + 1);
    if (end < 0) {
      throw error(start, "the quoted value starting here has no closing " + quote);
    }
    pos = end + 1;
    return new Value(text.substring(start + 1, end), start);
  }

  private List<Value> list(Op op) {
    skipSpace();
    if (!acceptSymbol("[")) {
      throw error(pos, "'" + op.symbol + "' takes a list such as [a, b] but found " + found());
    }
    List<Value> values = new ArrayList<>();
    while (true) {
      skipSpace();
      if (!atEnd() && text.charAt(pos) == ']') {
        throw error(pos, values.isEmpty() ? "the list is empty" : "expected a value but found ']'");
      }
      values.add(value(op));
      skipSpace();
      if (acceptSymbol("]")) {
        return values;
      }
      if (!acceptSymbol(",")) {
        throw error(pos, "expected ',' or ']' in the list but found " + found());
      }
    }
  }

  private Pattern regex(Op op) {
    skipSpace();
    Value value;
    if (!atEnd() && (text.charAt(pos) == '\'' || text.charAt(pos) == '"')) {
      value = quoted();
    } else {
      int start = pos;
      int depth = 0;
      boolean inClass = false;
      while (!atEnd()) {
        char c = text.charAt(pos);
        if (Character.isWhitespace(c)) {
          break;
        }
        if (c == '\\' && pos + 1 < text.length()) {
          pos += 2;
          continue;
        }
        if (inClass) {
          inClass = c != ']';
        } else if (c == '[') {
          inClass = true;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          if (depth == 0) {
            break; // closes a parenthesis of the expression, not of the regex
          }
          depth--;
        }
        pos++;
      }
      if (pos == start) {
        throw error(
            start, "expected a regular expression after '" + op.symbol + "' but found " + found());
      }
      value = new Value(text.substring(start, pos), start);
    }
    try {
      return Pattern.compile(value.text());
    } catch (PatternSyntaxException e) {
      throw error(
          value.start(),
          "'" + value.text() + "' is not a Java regular expression (" + e.getDescription() + ")");
    }
  }

  private boolean acceptSymbol(String symbol) {
    if (text.startsWith(symbol, pos)) {
      pos += symbol.length();
      return true;
    }
    return false;
  }

  /** Accepts a keyword only as a whole word: "or" in "order" is not the keyword. */
  private boolean acceptWord(String word) {
    int end = pos + word.length();
    if (text.startsWith(word, pos) && (end == text.length() || !isSubjectChar(text.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  /** What stands at the cursor, for messages: a short quote, or "the end of the expression". */
  private String found() {
    if (atEnd()) {
      return "the end of the expression";
    }
    int end = pos;
    while (end < text.length() && end - pos < 20 && !Character.isWhitespace(text.charAt(end))) {
      end++;
    }
    return "'" + text.substring(pos, Math.max(end, pos + 1)) + "'";
  }

  private QuerySyntaxException error(int index, String problem) {
    return new QuerySyntaxException(index, problem);
  }

  static boolean isSubjectChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_'
        || c == ':'
        || c == '/'
        || c == '\\';
  }

  private static boolean isBareChar(char c) {
    return !Character.isWhitespace(c) && "()[],'\"&|!=<>~".indexOf(c) < 0;
  }
}
