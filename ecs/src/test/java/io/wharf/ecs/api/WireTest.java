package io.wharf.ecs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.protocol.Timestamps;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Timestamps as clients send them: what the SDKs send is taken, anything else named and refused.
 */
class WireTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  @Test
  void epochSecondsAreWhatTheSdksSend() {
    assertThat(Timestamps.parse(json("1795348800"), "pullStartedAt"))
        .isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
  }

  @Test
  void epochSecondsMayHaveAFraction() {
    assertThat(Timestamps.parse(json("1795348800.125"), "pullStartedAt"))
        .isEqualTo(Instant.parse("2026-11-22T12:00:00.125Z"));
  }

  @Test
  void isoTextInUtcIsTaken() {
    assertThat(Timestamps.parse(json("\"2026-11-22T12:00:00Z\""), "pullStartedAt"))
        .isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
  }

  @Test
  void isoTextWithAnOffsetIsTaken() {
    assertThat(Timestamps.parse(json("\"2026-11-22T13:00:00+01:00\""), "pullStartedAt"))
        .isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
  }

  @Test
  void anAbsentTimestampIsNull() {
    assertThat(Timestamps.parse(null, "pullStartedAt")).isNull();
    assertThat(Timestamps.parse(json("null"), "pullStartedAt")).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"yesterday\"",
        "\"\"",
        "\"2026-11-22 12:00:00.000000\"",
        "\"2026-13-45T25:61:00Z\"",
        "\"2026-11-22T12:00:00\"",
        "\"1763812800\"",
        "true",
        "{\"epoch\":1}",
        "[1763812800]"
      })
  void anythingElseIsRefusedNamingTheMember(String given) {
    assertThatThrownBy(() -> Timestamps.parse(json(given), "createdAt.after"))
        .isInstanceOfSatisfying(
            WharfException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER))
        .hasMessage(
            "Parameter createdAt.after must be a timestamp, epoch seconds (a number) or ISO-8601"
                + " text such as 2026-11-22T12:00:00Z, between the years 1 and 9999; it is "
                + given
                + ".");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e20", "-1e20", "1e400", "253402300800", "1208925819614629174706176"})
  void timesBeyondTheYear9999AreRefused(String given) {
    assertThatThrownBy(() -> Timestamps.parse(json(given), "pullStoppedAt"))
        .isInstanceOf(WharfException.class)
        .hasMessageStartingWith("Parameter pullStoppedAt must be a timestamp");
  }

  @Test
  void theLastSecondOfTheYear9999IsTaken() {
    assertThat(Timestamps.parse(json("253402300799"), "pullStoppedAt"))
        .isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
  }
}
