package io.wharf.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.WharfException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Timestamps in AWS JSON requests: what a member of a timestamp shape may hold. */
public final class Timestamps {
  private static final BigDecimal MIN_EPOCH_SECONDS = BigDecimal.valueOf(-62_135_596_800L);

  private static final BigDecimal MAX_EPOCH_SECONDS = BigDecimal.valueOf(253_402_300_799L);

  /**
   * A timestamp as clients send it, or null when absent. The SDKs and the CLI send AWS JSON 1.1
   * timestamps as epoch seconds, a JSON number with an optional fraction ({@code 1763825442.123});
   * hand-written clients send ISO-8601 text with an offset ({@code 2026-11-22T12:00:00Z}, {@code
   * ...+01:00}), which Wharf takes too. Anything else, and times outside the years 1 to 9999, are
   * the caller's error.
   *
   * @param member the member's path in the request, for the message ({@code createdAt.after})
   * @throws WharfException InvalidParameterException naming the member
   */
  public static Instant parse(JsonNode value, String member) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (value.isNumber()) {
      // 1e400 reads as an infinite double, which has no decimal value.
      if (value.isDouble() && !Double.isFinite(value.doubleValue())) {
        throw notATimestamp(value, member);
      }
      BigDecimal seconds = value.decimalValue();
      if (seconds.compareTo(MIN_EPOCH_SECONDS) < 0 || seconds.compareTo(MAX_EPOCH_SECONDS) > 0) {
        throw notATimestamp(value, member);
      }
      return Instant.ofEpochMilli(
          seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }
    if (value.isTextual()) {
      try {
        return OffsetDateTime.parse(value.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
            .toInstant();
      } catch (DateTimeParseException e) {
        throw notATimestamp(value, member);
      }
    }
    throw notATimestamp(value, member);
  }

  private static WharfException notATimestamp(JsonNode value, String member) {
    String given = value.toString();
    return WharfException.invalidParameter(
        "Parameter "
            + member
            + " must be a timestamp, epoch seconds (a number) or ISO-8601 text such as"
            + " 2026-11-22T12:00:00Z, between the years 1 and 9999; it is "
            + (given.length() > 64 ? given.substring(0, 64) + "..." : given)
            + ".");
  }

  private Timestamps() {}
}
