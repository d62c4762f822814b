package io.wharf.sigv4;

import io.wharf.sigv4.SigV4Verifier.SignedRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A SigV4 canonical request without its last line, the payload hash, which the caller supplies to
 * {@link #text}: a presigned request may have signed either of two hashes, and the rest of the text
 * is the same for both.
 *
 * @param method the HTTP method as sent
 * @param uri the canonical URI
 * @param query the canonical query string, possibly empty
 * @param headers the canonical headers, one {@code name:value\n} line per signed header
 * @param signedHeaders the signed header names joined with {@code ;}
 */
record CanonicalRequest(
    String method, String uri, String query, String headers, String signedHeaders) {

  private static final Comparator<QueryParameter> QUERY_ORDER =
      Comparator.comparing(QueryParameter::canonicalName)
          .thenComparing(QueryParameter::canonicalValue);

  /**
   * Builds the canonical request of {@code request} for the given signed header names, which must
   * all be present in the request.
   *
   * @param query the request's parsed query parameters
   * @param excludedParameter a parameter name left out of the canonical query ({@code
   *     X-Amz-Signature} of a presigned request, which cannot sign itself), or {@code null}
   * @param s3 whether to use S3's rules: the path signed as sent, neither normalized nor encoded a
   *     second time
   */
  static CanonicalRequest of(
      SignedRequest request,
      List<QueryParameter> query,
      List<String> signedHeaderNames,
      String excludedParameter,
      boolean s3) {
    return new CanonicalRequest(
        request.method(),
        s3 ? s3Uri(request.rawPath()) : uri(request.rawPath()),
        query(query, excludedParameter),
        headers(request, signedHeaderNames),
        String.join(";", signedHeaderNames));
  }

  /** The full canonical request text, ending with {@code payloadHash}. */
  String text(String payloadHash) {
    // The header block ends with its own newline: a blank line separates it from the names.
    return String.join("\n", method, uri, query, headers, signedHeaders, payloadHash);
  }

  /**
   * The canonical URI as AWS services other than S3 compute it, and as the AWS SDKs sign it: the
   * raw path with empty and dot segments removed (keeping a trailing slash), then each character
   * but {@code /} percent-encoded once more, so {@code %20} on the wire is signed as {@code %2520}.
   */
  static String uri(String rawPath) {
    if (rawPath.isEmpty() || rawPath.equals("/")) {
      return "/"; // Every ECS call is a POST to "/".
    }
    List<String> segments = new ArrayList<>();
    int start = 0;
    while (start <= rawPath.length()) {
      int slash = rawPath.indexOf('/', start);
      int end = slash < 0 ? rawPath.length() : slash;
      String segment = rawPath.substring(start, end);
      if (segment.equals("..")) {
        if (!segments.isEmpty()) {
          segments.removeLast();
        }
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        segments.add(segment);
      }
      start = end + 1;
    }
    if (segments.isEmpty()) {
      return "/";
    }
    StringBuilder path = new StringBuilder(rawPath.length() + 8);
    for (String segment : segments) {
      path.append('/').append(segment);
    }
    if (rawPath.endsWith("/")) {
      path.append('/');
    }
    return PercentEncoding.encode(path.toString(), true);
  }

  private static String s3Uri(String rawPath) {
    return rawPath.startsWith("/") ? rawPath : "/" + rawPath;
  }

  /** Parameters sorted by canonical name, then value, and joined as {@code name=value&...}. */
  static String query(List<QueryParameter> parameters, String excludedParameter) {
    if (parameters.isEmpty()) {
      return "";
    }
    List<QueryParameter> sorted = new ArrayList<>(parameters.size());
    for (QueryParameter parameter : parameters) {
      if (!parameter.canonicalName().equals(excludedParameter)) {
        sorted.add(parameter);
      }
    }
    sorted.sort(QUERY_ORDER);
    StringBuilder query = new StringBuilder(64 * sorted.size());
    for (QueryParameter parameter : sorted) {
      if (!query.isEmpty()) {
        query.append('&');
      }
      query.append(parameter.canonicalName()).append('=').append(parameter.canonicalValue());
    }
    return query.toString();
  }

  /**
   * One line per signed header, in the order the client listed them (sorted, as SigV4 requires of
   * the client): the name, a colon, and the values trimmed, with inner runs of whitespace collapsed
   * to one space, joined with commas.
   */
  static String headers(SignedRequest request, List<String> signedHeaderNames) {
    StringBuilder headers = new StringBuilder(64 * signedHeaderNames.size());
    for (String name : signedHeaderNames) {
      headers.append(name).append(':');
      List<String> values = request.headers().get(name);
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          headers.append(',');
        }
        appendTrimmed(headers, values.get(i));
      }
      headers.append('\n');
    }
    return headers.toString();
  }

  private static void appendTrimmed(StringBuilder out, String value) {
    boolean pendingSpace = false;
    boolean started = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isWhitespace(c)) {
        pendingSpace = started; // Leading whitespace is dropped, trailing never flushed.
      } else {
        if (pendingSpace) {
          out.append(' ');
          pendingSpace = false;
        }
        out.append(c);
        started = true;
      }
    }
  }

  // The same set the AWS SDK for Java collapses; Character.isWhitespace would add Unicode spaces.
  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\r' || c == '\f';
  }
}
