package io.wharf.logs.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CloudWatch's filter pattern syntax, one form per test. */
class FilterPatternTest {
  private static List<String> matching(String pattern, String... messages) {
    FilterPattern p = FilterPattern.parse(pattern);
    return java.util.Arrays.stream(messages).filter(p::matches).toList();
  }

  @Test
  void anEmptyPatternMatchesEverything() {
    assertThat(matching("", "a", "b")).containsExactly("a", "b");
    assertThat(matching("   ", "a")).containsExactly("a");
    assertThat(FilterPattern.parse(null)).isSameAs(FilterPattern.ALL);
  }

  @Test
  void everyTermMustAppearCaseSensitively() {
    assertThat(
            matching(
                "ERROR Exception", "ERROR: NullPointerException", "ERROR only", "error Exception"))
        .containsExactly("ERROR: NullPointerException");
  }

  @Test
  void aQuotedPhraseIsOneTermWithItsSpacesAndPunctuation() {
    assertThat(
            matching(
                "\"connection reset\"", "the connection reset by peer", "connection was reset"))
        .containsExactly("the connection reset by peer");
    assertThat(matching("\"say \\\"hi\\\"\"", "they say \"hi\" now", "say hi"))
        .containsExactly("they say \"hi\" now");
  }

  @Test
  void aMinusExcludesATerm() {
    assertThat(matching("ERROR -Timeout", "ERROR disk full", "ERROR Timeout after 5s", "INFO"))
        .containsExactly("ERROR disk full");
    assertThat(matching("-DEBUG", "DEBUG x", "INFO y")).containsExactly("INFO y");
  }

  @Test
  void questionMarkedTermsAreAnyOf() {
    assertThat(matching("?ERROR ?WARN", "ERROR a", "WARN b", "INFO c"))
        .containsExactly("ERROR a", "WARN b");
    assertThat(matching("disk ?ERROR ?WARN", "disk ERROR", "disk INFO", "net WARN"))
        .containsExactly("disk ERROR");
  }

  @Test
  void aPercentDelimitedTermIsARegularExpression() {
    assertThat(matching("%err(or)?\\s+\\d+%", "err 42", "error 7", "errors"))
        .containsExactly("err 42", "error 7");
  }

  @Test
  void jsonPatternsCompareFields() {
    String[] events = {
      "{\"level\":\"error\",\"latency\":900,\"user\":{\"name\":\"ann\"},\"tags\":[\"a\",\"b\"],\"ok\":false}",
      "{\"level\":\"info\",\"latency\":5,\"user\":{\"name\":\"bob\"},\"ok\":true}",
      "not json at all",
      "{\"level\":\"error\",\"latency\":\"12\"}"
    };
    assertThat(matching("{ $.level = \"error\" }", events)).containsExactly(events[0], events[3]);
    assertThat(matching("{ $.level = error }", events)).containsExactly(events[0], events[3]);
    assertThat(matching("{ $.latency > 500 }", events)).containsExactly(events[0]);
    assertThat(matching("{ $.latency <= 12 }", events)).containsExactly(events[1], events[3]);
    assertThat(matching("{ $.user.name = a* }", events)).containsExactly(events[0]);
    assertThat(matching("{ $.tags[1] = \"b\" }", events)).containsExactly(events[0]);
    assertThat(matching("{ $.level != \"error\" }", events)).containsExactly(events[1]);
    assertThat(matching("{ $.ok IS TRUE }", events)).containsExactly(events[1]);
    assertThat(matching("{ $.ok NOT EXISTS }", events)).containsExactly(events[3]);
  }

  @Test
  void jsonPatternsCombineWithAndOrAndParentheses() {
    String a = "{\"level\":\"error\",\"latency\":900}";
    String b = "{\"level\":\"error\",\"latency\":10,\"retry\":true}";
    String c = "{\"level\":\"info\",\"latency\":1000}";
    assertThat(matching("{ $.level = \"error\" && $.latency > 500 }", a, b, c)).containsExactly(a);
    assertThat(matching("{ $.level = \"info\" || $.latency < 100 }", a, b, c))
        .containsExactly(b, c);
    assertThat(matching("{ $.level = \"error\" && ($.latency > 500 || $.retry IS TRUE) }", a, b, c))
        .containsExactly(a, b);
    // && binds tighter than ||.
    assertThat(
            matching("{ $.level = \"info\" || $.level = \"error\" && $.latency > 500 }", a, b, c))
        .containsExactly(a, c);
  }

  @Test
  void malformedPatternsAreRefusedSayingWhere() {
    assertThatThrownBy(() -> FilterPattern.parse("\"unclosed"))
        .isInstanceOf(InvalidFilterPatternException.class)
        .hasMessageContaining("is not closed");
    assertThatThrownBy(() -> FilterPattern.parse("{ $.a = 1 "))
        .isInstanceOf(InvalidFilterPatternException.class)
        .hasMessageContaining("'}' was expected");
    assertThatThrownBy(() -> FilterPattern.parse("{ level = 1 }"))
        .hasMessageContaining("a selector starting with $ was expected");
    assertThatThrownBy(() -> FilterPattern.parse("{ $.a > abc }"))
        .hasMessageContaining("the operator > needs a number, not abc");
    assertThatThrownBy(() -> FilterPattern.parse("ERROR -"))
        .hasMessageContaining("must precede a term");
    assertThatThrownBy(() -> FilterPattern.parse("%(%"))
        .hasMessageContaining("Invalid regular expression");
  }

  @Test
  void theTermIndexQuestionIsAskedOnlyForRequiredLiterals() {
    Set<String> present = Set.of("ERROR");
    assertThat(FilterPattern.parse("ERROR").mayMatch(present::contains)).isTrue();
    assertThat(FilterPattern.parse("ERROR Timeout").mayMatch(present::contains)).isFalse();
    // Exclusions never rule a chunk out; any-of needs one possible term.
    assertThat(FilterPattern.parse("-Timeout").mayMatch(present::contains)).isTrue();
    assertThat(FilterPattern.parse("?WARN ?ERROR").mayMatch(present::contains)).isTrue();
    assertThat(FilterPattern.parse("?WARN ?FATAL").mayMatch(present::contains)).isFalse();
    // A regex has no literal: it may match anywhere.
    assertThat(FilterPattern.parse("%WA.N%").mayMatch(present::contains)).isTrue();
    assertThat(FilterPattern.parse("{ $.a = 1 }").mayMatch(present::contains)).isTrue();
  }
}
