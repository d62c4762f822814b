package io.wharf.sigv4;

import java.util.ArrayList;
import java.util.List;

/**
 * One query-string parameter with its name and value in SigV4 canonical form (see {@link
 * PercentEncoding#canonicalize}), ready to be sorted and joined into the canonical query string.
 */
record QueryParameter(String canonicalName, String canonicalValue) {

  /**
   * Splits a raw, undecoded query string on {@code &} and {@code =} and canonicalizes each part. A
   * parameter without {@code =} has the empty value; parameters with an empty name are dropped, as
   * the AWS SDKs do not sign them. Returns an empty list for {@code null} or empty input.
   */
  static List<QueryParameter> parse(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return List.of();
    }
    List<QueryParameter> parameters = new ArrayList<>();
    int start = 0;
    while (start < rawQuery.length()) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = rawQuery.length();
      }
      int equals = rawQuery.indexOf('=', start);
      boolean hasValue = equals >= 0 && equals < end;
      String name = rawQuery.substring(start, hasValue ? equals : end);
      if (!name.isEmpty()) {
        String value = hasValue ? rawQuery.substring(equals + 1, end) : "";
        parameters.add(
            new QueryParameter(
                PercentEncoding.canonicalize(name), PercentEncoding.canonicalize(value)));
      }
      start = end + 1;
    }
    return parameters;
  }

  /** The value with its escapes decoded, for reading the {@code X-Amz-*} presigning parameters. */
  String decodedValue() {
    return PercentEncoding.decodeCanonical(canonicalValue);
  }
}
