package io.wharf.sigv4;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding as SigV4 defines it: UTF-8 bytes, the RFC 3986 unreserved characters {@code
 * A-Za-z0-9-_.~} as they are, every other byte (a space included, never {@code +}) as {@code %XX}
 * with upper-case hex.
 *
 * <p>Each method returns its input unchanged, without copying, when there is nothing to encode:
 * that is the common case for ECS calls and these run on every request.
 */
final class PercentEncoding {

  private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

  private PercentEncoding() {}

  /**
   * Encodes every byte of {@code text} that is not unreserved, a {@code %} included; with {@code
   * keepSlash}, {@code /} also stays. Applied to a raw request path, this is the second encoding
   * that AWS services other than S3 sign.
   */
  static String encode(String text, boolean keepSlash) {
    int plain = plainPrefix(text, keepSlash);
    if (plain == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, plain);
    for (byte b : text.substring(plain).getBytes(StandardCharsets.UTF_8)) {
      appendByte(out, b & 0xff, keepSlash);
    }
    return out.toString();
  }

  /**
   * Puts one raw query-string component into canonical form: decodes its valid {@code %XX} escapes
   * and encodes the resulting bytes again. Clients differ in what they escape ({@code ~} or {@code
   * %7E}, {@code %2f} or {@code %2F}); the canonical form is what they all signed.
   *
   * <p>It works on bytes rather than on a decoded string so that escapes of invalid UTF-8 (a lone
   * {@code %FF}) survive instead of becoming U+FFFD. A {@code %} not followed by two hex digits is
   * taken literally, and so is {@code +}: SigV4 clients send a space as {@code %20}.
   */
  static String canonicalize(String raw) {
    int plain = plainPrefix(raw, false);
    if (plain == raw.length()) {
      return raw;
    }
    StringBuilder out = new StringBuilder(raw.length() + 16).append(raw, 0, plain);
    for (int i = plain; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%'
          && i + 2 < raw.length()
          && isHex(raw.charAt(i + 1))
          && isHex(raw.charAt(i + 2))) {
        appendByte(out, hexValue(raw.charAt(i + 1)) << 4 | hexValue(raw.charAt(i + 2)), false);
        i += 2;
      } else if (c < 0x80) {
        appendByte(out, c, false);
      } else {
        // Raw non-ASCII text (a client should have escaped it): encode its UTF-8 bytes.
        int codePoint = raw.codePointAt(i);
        for (byte b : Character.toString(codePoint).getBytes(StandardCharsets.UTF_8)) {
          appendByte(out, b & 0xff, false);
        }
        i += Character.charCount(codePoint) - 1;
      }
    }
    return out.toString();
  }

  /** Decodes text in canonical form (unreserved ASCII and well-formed escapes only). */
  static String decodeCanonical(String canonical) {
    if (canonical.indexOf('%') < 0) {
      return canonical;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(canonical.length());
    for (int i = 0; i < canonical.length(); i++) {
      char c = canonical.charAt(i);
      if (c == '%') {
        bytes.write(hexValue(canonical.charAt(i + 1)) << 4 | hexValue(canonical.charAt(i + 2)));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int plainPrefix(String text, boolean keepSlash) {
    int i = 0;
    while (i < text.length() && isUnreserved(text.charAt(i), keepSlash)) {
      i++;
    }
    return i;
  }

  private static void appendByte(StringBuilder out, int b, boolean keepSlash) {
    if (isUnreserved((char) b, keepSlash)) {
      out.append((char) b);
    } else {
      out.append('%').append(UPPER_HEX[b >> 4]).append(UPPER_HEX[b & 0xf]);
    }
  }

  private static boolean isUnreserved(char c, boolean keepSlash) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.'
        || c == '~'
        || (keepSlash && c == '/');
  }

  // ASCII only: Character.digit would also accept other scripts' digits, which are not escapes.
  private static boolean isHex(char c) {
    return hexValue(c) >= 0;
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
