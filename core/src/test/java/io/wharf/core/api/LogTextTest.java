package io.wharf.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

  @Test
  void leavesPrintableTextAsItIs() {
    String arn = "arn:aws:ecs:us-east-1:123456789012:container-instance/wharf/0f1e2d3c";

    assertThat(LogText.escape(arn)).isSameAs(arn);
    assertThat(LogText.escape("Zürich – 東京")).isEqualTo("Zürich – 東京");
    assertThat(LogText.escape(null)).isNull();
  }

  @Test
  void escapesLineBreaksSoThatNoValueCanStartALogLineOfItsOwn() {
    String forged = "x\n12:00:00.000 INFO  ApiHandler - admin logged in\r\n";

    assertThat(LogText.escape(forged))
        .isEqualTo("x\\n12:00:00.000 INFO  ApiHandler - admin logged in\\r\\n")
        .doesNotContain("\n", "\r");
  }

  @Test
  void escapesEveryOtherControlCharacterAndTheUnicodeLineSeparators() {
    assertThat(LogText.escape("a\tb")).isEqualTo("a\\tb");
    assertThat(LogText.escape("\u001b[31mred")).isEqualTo("\\u001b[31mred");
    assertThat(LogText.escape("nul\u0000del\u007fc1\u0085"))
        .isEqualTo("nul\\u0000del\\u007fc1\\u0085");
    assertThat(LogText.escape("line\u2028para\u2029")).isEqualTo("line\\u2028para\\u2029");
  }

  @Test
  void doublesBackslashesSoThatAnEscapeInTheLogMeansOneInTheRequest() {
    assertThat(LogText.escape("a\\nb")).isEqualTo("a\\\\nb");
    assertThat(LogText.escape("a\nb")).isNotEqualTo(LogText.escape("a\\nb"));
  }

  @Test
  void cutsLongValuesSayingHowMuchWasLeftOut() {
    String escaped = LogText.escape("y".repeat(LogText.MAX_CHARS + 1000));

    assertThat(escaped).startsWith("y".repeat(LogText.MAX_CHARS)).endsWith("...(1000 more chars)");
  }
}
