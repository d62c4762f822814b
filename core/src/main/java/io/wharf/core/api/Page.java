package io.wharf.core.api;

import io.wharf.model.WharfException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * ECS pagination over a sorted list of keys: {@code maxResults} (1-100) per page and an opaque
 * {@code nextToken} that holds the last key returned, so a page stays correct when entries are
 * added or removed between calls.
 */
public record Page(List<String> items, String nextToken) {
  private static final int MAX_RESULTS = 100;

  /**
   * Cuts one page out of {@code sortedKeys}, sorted by {@code order}, for a request's {@code
   * nextToken} and {@code maxResults} (either may be null).
   */
  public static Page of(
      List<String> sortedKeys,
      Comparator<String> order,
      String nextToken,
      Integer maxResults,
      int defaultPageSize) {
    int pageSize = pageSize(maxResults, defaultPageSize);
    int start = 0;
    if (nextToken != null) {
      start = insertionPoint(sortedKeys, order, decode(nextToken));
    }
    int end = Math.min(sortedKeys.size(), start + pageSize);
    List<String> items = sortedKeys.subList(start, end);
    String next = end < sortedKeys.size() ? encode(items.get(items.size() - 1)) : null;
    return new Page(List.copyOf(items), next);
  }

  /** The page size a typed request's {@code maxResults} asks for (null: the default). */
  public static int pageSize(Integer maxResults, int defaultPageSize) {
    if (maxResults == null) {
      return defaultPageSize;
    }
    int n = maxResults;
    if (n < 1 || n > MAX_RESULTS) {
      throw WharfException.invalidParameter(
          "maxResults must be between 1 and " + MAX_RESULTS + "; it was " + n + ".");
    }
    return n;
  }

  /** The index of the first key greater than {@code after}. */
  private static int insertionPoint(List<String> keys, Comparator<String> order, String after) {
    int lo = 0;
    int hi = keys.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (order.compare(keys.get(mid), after) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  public static String encode(String key) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("1|" + key).getBytes(StandardCharsets.UTF_8));
  }

  public static String decode(String token) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("1|")) {
        return text.substring(2);
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error below
    }
    throw WharfException.invalidParameter("The nextToken is not valid: " + token);
  }
}
