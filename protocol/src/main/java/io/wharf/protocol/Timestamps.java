package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.WharfException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Timestamps as the protocols carry them: epoch seconds with an optional fraction (JSON numbers,
 * CBOR tag 1), or ISO-8601 text with an offset (query, and hand-written JSON clients).
 */
public final class Timestamps {
  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years ISO-8601 text writes in 4 digits. */
  private static final BigDecimal MIN_EPOCH_SECONDS = BigDecimal.valueOf(-62_135_596_800L);

  private static final BigDecimal MAX_EPOCH_SECONDS = BigDecimal.valueOf(253_402_300_799L);

  private Timestamps() {}

  /**
   * A timestamp as a client sent it, or null when absent; to the millisecond, as ECS keeps them.
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
      if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
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
    if (value.isPojo()
        && ((com.fasterxml.jackson.databind.node.POJONode) value).getPojo()
            instanceof Instant instant) {
      return instant;
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

  /** Epoch seconds with milliseconds, as AWS JSON writes timestamps ({@code 1763825442.123}). */
  static BigDecimal epochSeconds(Instant instant) {
    return BigDecimal.valueOf(instant.toEpochMilli(), 3);
  }

  /** As AWS query services (and ELB today) write timestamps: always three digits of fraction. */
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** ISO-8601 in UTC with milliseconds ({@code 2026-12-07T10:00:00.000Z}). */
  static String iso(Instant instant) {
    return ISO_MILLIS.format(instant);
  }
}
