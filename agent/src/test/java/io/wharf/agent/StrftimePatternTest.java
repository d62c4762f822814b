package io.wharf.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** awslogs-datetime-format as Docker's driver turns it into a pattern. */
class StrftimePatternTest {
  private static boolean startsEvent(String format, String line) {
    return Pattern.compile(StrftimePattern.toRegex(format)).matcher(line).find();
  }

  @Test
  void docker_sExampleMatchesALineThatStartsWithTheDate() {
    // Docker's documentation: awslogs-datetime-format='\[%b %d, %Y %H:%M:%S\]'
    String format = "\\[%b %d, %Y %H:%M:%S\\]";
    assertThat(startsEvent(format, "[May 01, 2017 19:00:01] A message was logged")).isTrue();
    assertThat(startsEvent(format, "    at com.example.Main")).isFalse();
  }

  @Test
  void theDateMustBeAtTheLineStart() {
    assertThat(startsEvent("%Y-%m-%d", "2026-12-08 INFO x")).isTrue();
    assertThat(startsEvent("%Y-%m-%d", "at 2026-12-08 INFO x")).isFalse();
  }

  @Test
  void everyDirectiveHasDocker_sExpression() {
    assertThat(StrftimePattern.toRegex("%H:%M:%S%L %p %z"))
        .isEqualTo("^(?:[0,1][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\\.\\d{3} [A,P]M [+-]\\d{4}");
    assertThat(
            startsEvent(
                "%a %A %w %B %y %I %f %Z %j", "Tue Tuesday 2 December 26 11 123456 PST 342"))
        .isTrue();
    assertThat(startsEvent("%m", "13")).isFalse();
    assertThat(startsEvent("%d", "32")).isFalse();
  }

  @Test
  void anUnknownDirectiveStaysAsWritten() {
    assertThat(StrftimePattern.toRegex("%Q-%Y")).isEqualTo("^%Q-\\d{4}");
  }
}
