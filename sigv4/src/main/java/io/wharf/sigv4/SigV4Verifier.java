package io.wharf.sigv4;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Verifies AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}) on API requests, the way AWS services
 * do, so that the AWS CLI and SDKs can call Wharf with an access key id and secret.
 *
 * <p>Both ways of carrying a signature are accepted: the {@code Authorization} header, which is
 * what every CLI and SDK call uses, and presigned URLs ({@code X-Amz-*} query parameters). The
 * signature is checked against the request's own list of signed headers, which differs between
 * clients; {@code host} must be among them, and so must the headers the API's {@link Scope} names.
 * The scope also fixes the region and service a credential must be scoped to, and whether {@code
 * UNSIGNED-PAYLOAD} is accepted. A session token ({@code x-amz-security-token}) is not checked:
 * Wharf issues no temporary credentials, so to the verifier it is just another header, signed or
 * not.
 *
 * <p>Failures are {@link WharfException}s with AWS's codes and messages: {@link
 * ErrorCode#MISSING_AUTHENTICATION_TOKEN} when there is no signature at all, {@link
 * ErrorCode#INCOMPLETE_SIGNATURE} when it is malformed, {@link ErrorCode#UNRECOGNIZED_CLIENT} for
 * an unknown access key id, and {@link ErrorCode#INVALID_SIGNATURE} when it does not match or is
 * outside its time window.
 *
 * <p>A verification has two halves, so that the HTTP front need not read a body to refuse a
 * request: {@link #verifyHeaders} checks all that the headers decide (and the signature itself when
 * the payload's hash is declared in {@code x-amz-content-sha256}), then {@link
 * PayloadCheck#verifyPayload} checks the body that was read.
 *
 * <p>Thread-safe: one verifier serves all request threads at once. Apart from a bounded cache of
 * derived signing keys it holds no mutable state; the secrets function is called at most once per
 * {@link #verifyHeaders}, on the calling thread, and only for requests that are well formed, in
 * time and in scope.
 */
public final class SigV4Verifier {

  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  private static final String TERMINATOR = "aws4_request";
  private static final String SIGNATURE_PARAMETER = "X-Amz-Signature";

  /** AWS's limit on presigned URLs; the SDKs refuse to sign anything longer. */
  private static final long MAX_PRESIGNED_SECONDS = Duration.ofDays(7).toSeconds();

  /** ISO 8601 basic format, as in {@code x-amz-date}; also how AWS prints times in its errors. */
  private static final DateTimeFormatter BASIC_DATE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final HexFormat HEX = HexFormat.of(); // Lower case, as SigV4 signatures are.

  private static final String MISSING_TOKEN = "Missing Authentication Token";
  private static final String UNKNOWN_KEY =
      "The security token included in the request is invalid.";
  private static final String MISMATCH =
      "The request signature we calculated does not match the signature you provided. Check your"
          + " AWS Secret Access Key and signing method. Consult the service documentation for"
          + " details.";

  private final Function<String, Optional<String>> secrets;
  private final Clock clock;
  private final Duration maxClockSkew;
  private final SigningKeys signingKeys;

  /**
   * @param secrets looks up the secret access key for an access key id; returns {@code
   *     Optional.empty()} for unknown keys. Called concurrently, so it must be thread-safe.
   * @param clock the time requests are checked against
   * @param maxClockSkew how far a request's time may be from the clock, either way; AWS uses 15
   *     minutes
   */
  public SigV4Verifier(
      Function<String, Optional<String>> secrets, Clock clock, Duration maxClockSkew) {
    this(secrets, clock, maxClockSkew, SigningKeys.DEFAULT_CAPACITY);
  }

  /** As the public constructor, with room for {@code cachedKeys} derived signing keys. */
  SigV4Verifier(
      Function<String, Optional<String>> secrets,
      Clock clock,
      Duration maxClockSkew,
      int cachedKeys) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxClockSkew = Objects.requireNonNull(maxClockSkew, "maxClockSkew");
    if (maxClockSkew.isNegative()) {
      throw new IllegalArgumentException("maxClockSkew must not be negative: " + maxClockSkew);
    }
    this.signingKeys = new SigningKeys(cachedKeys);
  }

  /**
   * Verifies the request's signature, with no demands on its scope: any region and service, {@code
   * UNSIGNED-PAYLOAD} allowed, only {@code host} required among the signed headers. The APIs use
   * {@link #verifyHeaders} with their {@link Scope} instead.
   *
   * @return the verified caller: the access key id, and the region and service of the credential
   *     scope
   * @throws WharfException if the request is unsigned, malformed, signed with an unknown key,
   *     outside its time window, or its signature does not match
   */
  public Caller verify(SignedRequest request) {
    Objects.requireNonNull(request, "request");
    return verifyHeaders(request, Scope.ANY).verifyPayload(request.body());
  }

  /**
   * The first half of a verification, done before any of the body is read, so that a request that
   * cannot be genuine costs the server its headers only: the signature is parsed, the signed
   * headers, the time and the credential scope are checked against {@code scope}, and the access
   * key is looked up. When the request declares its payload's hash ({@code x-amz-content-sha256})
   * the signature itself is checked too; otherwise it covers the body's hash and waits for {@link
   * PayloadCheck#verifyPayload}.
   *
   * @param request the request; its body is ignored (pass {@code null})
   * @throws WharfException as {@link #verify} does, and for a request outside {@code scope}
   */
  public PayloadCheck verifyHeaders(SignedRequest request, Scope scope) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(scope, "scope");
    List<QueryParameter> query = QueryParameter.parse(request.rawQuery());
    Claim claim = claim(request, query);
    checkSignedHeaders(claim, request, scope);
    checkScopeDate(claim);
    checkTime(claim);
    checkScope(claim.credential(), scope);
    String declared = request.firstHeader("x-amz-content-sha256");
    boolean unsigned = UNSIGNED_PAYLOAD.equals(declared);
    if (unsigned && !scope.unsignedPayloadAllowed()) {
      throw incomplete(
          "'x-amz-content-sha256: UNSIGNED-PAYLOAD' is not accepted by this service: sign the"
              + " SHA-256 of the payload.");
    }

    Credential credential = claim.credential();
    String secret =
        secrets
            .apply(credential.accessKeyId())
            .orElseThrow(() -> new WharfException(ErrorCode.UNRECOGNIZED_CLIENT, UNKNOWN_KEY));
    byte[] signingKey =
        signingKeys.signingKey(
            secret, credential.date(), credential.region(), credential.service());

    // S3 alone signs the path as sent; every other service normalizes and re-encodes it.
    CanonicalRequest canonical =
        CanonicalRequest.of(
            request,
            query,
            claim.signedHeaders(),
            claim.presigned() ? SIGNATURE_PARAMETER : null,
            credential.service().equals("s3"));
    Caller caller = new Caller(credential.accessKeyId(), credential.region(), credential.service());
    PayloadCheck check = new PayloadCheck(signingKey, claim, canonical, declared, caller, scope);
    if (declared != null) {
      // The payload hash is in the headers: the signature is decided now, the body only has to
      // match the hash it declared.
      check.checkSignature(declared);
    }
    return check;
  }

  /**
   * The second half of a verification: what remains to check once the body has been read. Returned
   * by {@link #verifyHeaders} only for requests whose headers passed.
   */
  public static final class PayloadCheck {
    private final byte[] signingKey;
    private final Claim claim;
    private final CanonicalRequest canonical;
    private final String declaredHash;
    private final Caller caller;
    private final Scope scope;

    private PayloadCheck(
        byte[] signingKey,
        Claim claim,
        CanonicalRequest canonical,
        String declaredHash,
        Caller caller,
        Scope scope) {
      this.signingKey = signingKey;
      this.claim = claim;
      this.canonical = canonical;
      this.declaredHash = declaredHash;
      this.caller = caller;
      this.scope = scope;
    }

    /**
     * Checks the body against the signature: its hash against the declared one, or, without a
     * declared hash, the signature over the body's hash.
     *
     * @param body the body as received; {@code null} is read as empty
     * @return the verified caller
     * @throws WharfException if the body is not what was signed
     */
    public Caller verifyPayload(byte[] body) {
      return verifyPayloadDigest(sha256(body == null ? new byte[0] : body));
    }

    /**
     * As {@link #verifyPayload}, given the body's SHA-256 rather than the body: for a body hashed
     * as it was read, never held in one array.
     */
    public Caller verifyPayloadDigest(byte[] bodySha256) {
      String bodyHash = HEX.formatHex(bodySha256);
      if (declaredHash != null) {
        if (!declaredHash.equals(UNSIGNED_PAYLOAD) && !declaredHash.equalsIgnoreCase(bodyHash)) {
          throw new WharfException(
              ErrorCode.INVALID_SIGNATURE,
              "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        return caller;
      }
      // A presigned URL without a declared hash signed either the body's hash (the SDKs outside
      // S3 and the published test suite) or UNSIGNED-PAYLOAD (S3-style presigning): each is a
      // signature over exactly what its signer meant to vouch for, where the scope allows it.
      if (claim.presigned() && scope.unsignedPayloadAllowed() && matches(UNSIGNED_PAYLOAD)) {
        return caller;
      }
      checkSignature(bodyHash);
      return caller;
    }

    private void checkSignature(String payloadHash) {
      if (!matches(payloadHash)) {
        throw new WharfException(ErrorCode.INVALID_SIGNATURE, MISMATCH);
      }
    }

    private boolean matches(String payloadHash) {
      byte[] provided = claim.signature().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
      byte[] expected = expectedSignature(signingKey, claim, canonical.text(payloadHash));
      // Constant time, so response timing does not reveal how much of a forgery was right.
      return MessageDigest.isEqual(expected, provided);
    }
  }

  /**
   * What an API demands of a signature beyond its being valid.
   *
   * @param service the service the credential must be scoped to, or {@code null} for any
   * @param region the region the credential must be scoped to, or {@code null} for any
   * @param signedWhenPresent lower-case names of headers that must be signed whenever the request
   *     carries them: those the API reads to decide what the request means (an unsigned {@code
   *     x-amz-target} would let anyone who saw a signed ListServices resend it as DeleteCluster).
   *     The first one unsigned, in this order, is the one the refusal names.
   * @param unsignedPayloadAllowed whether {@code UNSIGNED-PAYLOAD} may stand for the body's hash
   */
  public record Scope(
      String service,
      String region,
      List<String> signedWhenPresent,
      boolean unsignedPayloadAllowed) {

    /** No demands: any service and region, {@code UNSIGNED-PAYLOAD} allowed. */
    public static final Scope ANY = new Scope(null, null, List.of(), true);

    public Scope {
      signedWhenPresent = List.copyOf(Objects.requireNonNull(signedWhenPresent));
    }

    /** A service's API in one region, payloads signed, {@code headers} signed when sent. */
    public static Scope of(String service, String region, String... headers) {
      return new Scope(
          Objects.requireNonNull(service, "service"),
          Objects.requireNonNull(region, "region"),
          List.of(headers),
          false);
    }
  }

  /** The lower-case hex signature of a canonical request, as ASCII bytes for the comparison. */
  private static byte[] expectedSignature(byte[] signingKey, Claim claim, String canonicalRequest) {
    String stringToSign =
        String.join(
            "\n",
            ALGORITHM,
            claim.timestamp(),
            claim.credential().scope(),
            HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
    return HEX.formatHex(SigningKeys.hmac(signingKey, stringToSign))
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The service a request's credential is scoped to ({@code .../<region>/<service>/aws4_request}),
   * from its Authorization header or its presigned query, read leniently and before anything is
   * verified: it only decides which service's rules ({@link Scope}) verify the request and answer
   * its errors. Null when the request names none that can be read.
   *
   * @param headers the request's headers by lower-case name
   * @param rawQuery the request's query string, undecoded, or null
   */
  public static String credentialService(Map<String, List<String>> headers, String rawQuery) {
    String credential = null;
    List<String> authorization = headers.get("authorization");
    if (authorization != null && !authorization.isEmpty()) {
      String value = authorization.getFirst();
      int at = value.indexOf("Credential=");
      if (at >= 0) {
        int from = at + "Credential=".length();
        int to = from;
        while (to < value.length() && value.charAt(to) != ',' && value.charAt(to) != ' ') {
          to++;
        }
        credential = value.substring(from, to);
      }
    } else if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        if (pair.startsWith("X-Amz-Credential=")) {
          try {
            credential =
                java.net.URLDecoder.decode(
                    pair.substring("X-Amz-Credential=".length()), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            return null;
          }
        }
      }
    }
    if (credential == null) {
      return null;
    }
    String[] parts = credential.split("/", -1);
    return parts.length == 5 && !parts[3].isEmpty() ? parts[3] : null;
  }

  /** Reads the signature the request claims, from its Authorization header or its query. */
  private static Claim claim(SignedRequest request, List<QueryParameter> query) {
    List<String> authorization = request.headers().get("authorization");
    boolean presigned = false;
    for (QueryParameter parameter : query) {
      String name = parameter.canonicalName();
      presigned |=
          name.equals("X-Amz-Algorithm")
              || name.equals("X-Amz-Credential")
              || name.equals(SIGNATURE_PARAMETER);
    }
    if (authorization != null && presigned) {
      throw incomplete(
          "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the"
              + " Authorization header should be specified.");
    }
    if (authorization != null) {
      if (authorization.size() != 1) {
        throw incomplete("Authorization header must be given exactly once.");
      }
      return fromAuthorizationHeader(authorization.getFirst(), request);
    }
    if (presigned) {
      return fromQuery(query);
    }
    throw new WharfException(ErrorCode.MISSING_AUTHENTICATION_TOKEN, MISSING_TOKEN);
  }

  /**
   * Parses {@code AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...}: components in
   * any order, whitespace around them ignored, unknown ones skipped, as AWS does.
   */
  private static Claim fromAuthorizationHeader(String header, SignedRequest request) {
    String value = header.strip();
    int space = value.indexOf(' ');
    String algorithm = space < 0 ? value : value.substring(0, space);
    if (!algorithm.equals(ALGORITHM)) {
      throw incomplete(unsupportedAlgorithm(algorithm));
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    int start = space + 1;
    while (start < value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      int equals = value.indexOf('=', start);
      if (equals >= 0 && equals < end) {
        String component = value.substring(equals + 1, end).strip();
        switch (value.substring(start, equals).strip()) {
          case "Credential" -> credential = component;
          case "SignedHeaders" -> signedHeaders = component;
          case "Signature" -> signature = component;
          default -> {} // AWS ignores components it does not know; so does Wharf.
        }
      }
      start = end + 1;
    }

    String amzDate = request.firstHeader("x-amz-date");
    String date = request.firstHeader("date");
    // Report everything missing at once, as AWS does, rather than one problem per round trip.
    StringJoiner missing = new StringJoiner(" ");
    if (credential == null) {
      missing.add("Authorization header requires 'Credential' parameter.");
    }
    if (signature == null) {
      missing.add("Authorization header requires 'Signature' parameter.");
    }
    if (signedHeaders == null) {
      missing.add("Authorization header requires 'SignedHeaders' parameter.");
    }
    if (amzDate == null && date == null) {
      missing.add(
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    if (missing.length() > 0) {
      throw incomplete(missing.toString());
    }

    // x-amz-date wins when both are sent: HTTP clients and proxies rewrite Date freely.
    Instant time;
    String timestamp;
    if (amzDate != null) {
      time = parseBasicDateTime(amzDate);
      timestamp = amzDate;
    } else {
      time = parseHttpDate(date);
      timestamp = BASIC_DATE_TIME.format(time);
    }
    return new Claim(
        Credential.parse(credential),
        signedHeaderNames(signedHeaders),
        signature,
        timestamp,
        time,
        null,
        false);
  }

  /** Reads a presigned URL's {@code X-Amz-*} parameters. */
  private static Claim fromQuery(List<QueryParameter> query) {
    Map<String, String> values = new HashMap<>();
    for (QueryParameter parameter : query) {
      if (parameter.canonicalName().startsWith("X-Amz-")) {
        values.putIfAbsent(parameter.canonicalName(), parameter.decodedValue());
      }
    }
    StringJoiner missing = new StringJoiner(" ", "", " Re-examine the query-string parameters.");
    missing.setEmptyValue("");
    for (String required :
        List.of(
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            SIGNATURE_PARAMETER,
            "X-Amz-Date",
            "X-Amz-SignedHeaders")) {
      if (!values.containsKey(required)) {
        missing.add("AWS query-string parameters must include '" + required + "'.");
      }
    }
    if (missing.length() > 0) {
      throw incomplete(missing.toString());
    }
    String algorithm = values.get("X-Amz-Algorithm");
    if (!algorithm.equals(ALGORITHM)) {
      throw incomplete(unsupportedAlgorithm(algorithm));
    }
    String timestamp = values.get("X-Amz-Date");
    // Without X-Amz-Expires (the SDKs' query signing without presigning) the clock skew applies.
    Duration validity = null;
    String expires = values.get("X-Amz-Expires");
    if (expires != null) {
      long seconds;
      try {
        seconds = Long.parseLong(expires);
      } catch (NumberFormatException e) {
        seconds = -1;
      }
      if (seconds > MAX_PRESIGNED_SECONDS) {
        // AWS's words for the longest a presigned URL may live.
        throw incomplete(
            "X-Amz-Expires must be less than a week (in seconds) that is "
                + MAX_PRESIGNED_SECONDS
                + ", got '"
                + expires
                + "'.");
      }
      if (seconds < 1) {
        throw incomplete(
            "X-Amz-Expires must be a number of seconds from 1 to "
                + MAX_PRESIGNED_SECONDS
                + ", got '"
                + expires
                + "'.");
      }
      validity = Duration.ofSeconds(seconds);
    }
    return new Claim(
        Credential.parse(values.get("X-Amz-Credential")),
        signedHeaderNames(values.get("X-Amz-SignedHeaders")),
        values.get(SIGNATURE_PARAMETER),
        timestamp,
        parseBasicDateTime(timestamp),
        validity,
        true);
  }

  private static List<String> signedHeaderNames(String signedHeaders) {
    String[] names = signedHeaders.split(";", -1);
    List<String> lowerCase = new ArrayList<>(names.length);
    for (String name : names) {
      lowerCase.add(name.strip().toLowerCase(Locale.ROOT));
    }
    return lowerCase;
  }

  /**
   * {@code host} must be signed, or a signature could be replayed against another endpoint; every
   * signed header must be present, or there is nothing to check it against.
   */
  private static void checkSignedHeaders(Claim claim, SignedRequest request, Scope scope) {
    if (!claim.signedHeaders().contains("host")) {
      throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    for (String name : scope.signedWhenPresent()) {
      if (request.headers().containsKey(name) && !claim.signedHeaders().contains(name)) {
        throw incomplete("'" + name + "' must be a 'SignedHeader' in the AWS Authorization.");
      }
    }
    for (String name : claim.signedHeaders()) {
      if (!request.headers().containsKey(name)) {
        throw incomplete(
            "Header '" + name + "' is listed in SignedHeaders but is absent from the request.");
      }
    }
  }

  /** AWS's own messages: the scope names a region and service, which must be this API's. */
  private static void checkScope(Credential credential, Scope scope) {
    if (scope.region() != null && !scope.region().equals(credential.region())) {
      throw new WharfException(
          ErrorCode.INVALID_SIGNATURE,
          "Credential should be scoped to a valid region. This endpoint's region is '"
              + scope.region()
              + "', not '"
              + credential.region()
              + "'.");
    }
    if (scope.service() != null && !scope.service().equals(credential.service())) {
      throw new WharfException(
          ErrorCode.INVALID_SIGNATURE,
          "Credential should be scoped to correct service: '" + scope.service() + "'.");
    }
  }

  private static void checkScopeDate(Claim claim) {
    String requestDay = claim.timestamp().substring(0, 8);
    if (!claim.credential().date().equals(requestDay)) {
      throw new WharfException(
          ErrorCode.INVALID_SIGNATURE,
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
              + " HTTP: '"
              + claim.credential().date()
              + "' != '"
              + requestDay
              + "', from '"
              + claim.timestamp()
              + "'.");
    }
  }

  /**
   * A request may be at most the clock skew ahead of the clock, and at most the clock skew behind
   * it, or for a presigned URL at most its validity. Replays are limited to that window.
   */
  private void checkTime(Claim claim) {
    // Requests carry whole seconds; so do the messages, which would read oddly otherwise.
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Duration maxAge = claim.validity() != null ? claim.validity() : maxClockSkew;
    Instant earliest = now.minus(maxAge);
    if (claim.time().isBefore(earliest)) {
      throw new WharfException(
          ErrorCode.INVALID_SIGNATURE,
          (claim.validity() != null ? "Request has expired. " : "")
              + "Signature expired: "
              + BASIC_DATE_TIME.format(claim.time())
              + " is now earlier than "
              + BASIC_DATE_TIME.format(earliest)
              + " ("
              + BASIC_DATE_TIME.format(now)
              + " - "
              + describe(maxAge)
              + ")");
    }
    Instant latest = now.plus(maxClockSkew);
    if (claim.time().isAfter(latest)) {
      throw new WharfException(
          ErrorCode.INVALID_SIGNATURE,
          "Signature not yet current: "
              + BASIC_DATE_TIME.format(claim.time())
              + " is still later than "
              + BASIC_DATE_TIME.format(latest)
              + " ("
              + BASIC_DATE_TIME.format(now)
              + " + "
              + describe(maxClockSkew)
              + ")");
    }
  }

  /** Parses {@code yyyyMMdd'T'HHmmss'Z'} by hand: it runs on every request. */
  private static Instant parseBasicDateTime(String value) {
    if (value.length() == 16
        && value.charAt(8) == 'T'
        && value.charAt(15) == 'Z'
        && isDigits(value, 0, 8)
        && isDigits(value, 9, 15)) {
      try {
        return LocalDateTime.of(
                Integer.parseInt(value, 0, 4, 10),
                Integer.parseInt(value, 4, 6, 10),
                Integer.parseInt(value, 6, 8, 10),
                Integer.parseInt(value, 9, 11, 10),
                Integer.parseInt(value, 11, 13, 10),
                Integer.parseInt(value, 13, 15, 10))
            .toInstant(ZoneOffset.UTC);
      } catch (DateTimeException e) {
        // Digits in the right places but no such date, like month 13: malformed as well.
      }
    }
    throw incomplete(
        "Date must be in ISO-8601 'basic format'. Got '"
            + value
            + "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }

  private static Instant parseHttpDate(String value) {
    try {
      return DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.strip(), Instant::from);
    } catch (DateTimeException e) {
      throw incomplete("Date header must be an RFC 1123 date. Got '" + value + "'.");
    }
  }

  private static boolean isDigits(String value, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** As AWS words a time window in its messages: "15 min.", or seconds when not whole minutes. */
  private static String describe(Duration window) {
    long seconds = window.toSeconds();
    return seconds % 60 == 0 ? seconds / 60 + " min." : seconds + " sec.";
  }

  private static String unsupportedAlgorithm(String algorithm) {
    return "Unsupported AWS 'algorithm': '" + algorithm + "'. Only " + ALGORITHM + " is supported.";
  }

  private static WharfException incomplete(String message) {
    return new WharfException(ErrorCode.INCOMPLETE_SIGNATURE, message);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  /**
   * An HTTP request as received, before any decoding: what a signature is computed over.
   *
   * <p>The constructor lower-cases header names (merging the values of names that differ only in
   * case) and copies the header map, so the record is safe to share. The body is not copied, to
   * spare large payloads; callers must not change it afterwards.
   *
   * @param method the HTTP method, e.g. {@code POST}
   * @param rawPath the path as sent on the wire, still percent-encoded
   * @param rawQuery the query string as sent, without {@code ?}, not decoded; {@code null} is read
   *     as empty
   * @param headers header values by name; several values for a name are possible, in the order
   *     received. The HTTP/2 {@code :authority} must be supplied as {@code host}.
   * @param body the request body; {@code null} is read as empty
   */
  public record SignedRequest(
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      byte[] body) {

    public SignedRequest {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(rawPath, "rawPath");
      rawQuery = rawQuery == null ? "" : rawQuery;
      headers = lowerCaseNames(Objects.requireNonNull(headers, "headers"));
      body = body == null ? new byte[0] : body;
    }

    /** The first value of a header, by lower-case name, or {@code null} if it is absent. */
    String firstHeader(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static Map<String, List<String>> lowerCaseNames(Map<String, List<String>> headers) {
      Map<String, List<String>> copy = HashMap.newHashMap(headers.size());
      headers.forEach(
          (name, values) ->
              copy.merge(
                  name.toLowerCase(Locale.ROOT),
                  List.copyOf(values),
                  (first, second) -> {
                    List<String> merged = new ArrayList<>(first);
                    merged.addAll(second);
                    return List.copyOf(merged);
                  }));
      return Map.copyOf(copy);
    }
  }

  /**
   * The verified identity of a request's signer.
   *
   * @param accessKeyId the access key id the request was signed with
   * @param region the region of the credential scope, e.g. {@code us-east-1}
   * @param service the service of the credential scope, e.g. {@code ecs}
   */
  public record Caller(String accessKeyId, String region, String service) {
    public Caller {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(service, "service");
    }
  }

  /**
   * The signature a request claims to carry, before it is checked.
   *
   * @param signedHeaders lower-case names, in the client's order
   * @param timestamp the request time as signed, in ISO 8601 basic format
   * @param time the same, parsed
   * @param validity how long a presigned URL is valid ({@code X-Amz-Expires}), or {@code null} to
   *     apply the clock skew
   */
  private record Claim(
      Credential credential,
      List<String> signedHeaders,
      String signature,
      String timestamp,
      Instant time,
      Duration validity,
      boolean presigned) {}

  /** The {@code <access key id>/<yyyymmdd>/<region>/<service>/aws4_request} credential. */
  private record Credential(String accessKeyId, String date, String region, String service) {

    static Credential parse(String value) {
      // A one-character, non-regex separator: String.split takes its fast path, no Pattern.
      String[] parts = value.split("/", -1);
      if (parts.length != 5) {
        throw incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g."
                + " keyid/date/region/service/term, got '"
                + value
                + "'");
      }
      if (!parts[4].equals(TERMINATOR)) {
        throw incomplete(
            "Credential should be scoped with a valid terminator: '"
                + TERMINATOR
                + "', not '"
                + parts[4]
                + "'.");
      }
      if (parts[0].isEmpty()) {
        throw incomplete("Credential should have a non-empty access key id, got '" + value + "'.");
      }
      if (parts[1].length() != 8 || !isDigits(parts[1], 0, 8)) {
        throw incomplete(
            "Credential should be scoped to a date in the format yyyyMMdd, not '"
                + parts[1]
                + "'.");
      }
      if (parts[2].isEmpty()) {
        throw incomplete("Credential should be scoped to a valid region, not ''.");
      }
      if (parts[3].isEmpty()) {
        throw incomplete("Credential should be scoped to correct service: ''.");
      }
      return new Credential(parts[0], parts[1], parts[2], parts[3]);
    }

    String scope() {
      return date + '/' + region + '/' + service + '/' + TERMINATOR;
    }
  }
}
