package io.wharf.sigv4;

import io.wharf.sigv4.SigV4Verifier.SignedRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Signs outgoing requests with SigV4 header authentication, as the AWS SDKs do: Wharf's own agent
 * uses it for the ECS API calls and for its WebSocket upgrade. It shares the canonical form with
 * {@link SigV4Verifier}, so what one signs the other accepts.
 *
 * <p>Thread-safe.
 */
public final class SigV4Signer {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  private final String accessKeyId;
  private final String secretAccessKey;
  private final String region;
  private final String service;
  private final Clock clock;
  private final SigningKeys keys = new SigningKeys(16);

  public SigV4Signer(
      String accessKeyId, String secretAccessKey, String region, String service, Clock clock) {
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.region = region;
    this.service = service;
    this.clock = clock;
  }

  /**
   * Returns the headers to send: the given ones plus {@code host}, {@code x-amz-date} and {@code
   * authorization}. Every given header is signed.
   *
   * @param headers header names and values the request will carry (names in any case)
   */
  public Map<String, String> sign(
      String method, URI uri, Map<String, String> headers, byte[] body) {
    String amzDate = AMZ_DATE.format(clock.instant());
    String date = amzDate.substring(0, 8);
    Map<String, String> all = new LinkedHashMap<>();
    headers.forEach((k, v) -> all.put(k.toLowerCase(Locale.ROOT), v));
    all.put("host", uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
    all.put("x-amz-date", amzDate);
    List<String> names = new ArrayList<>(all.keySet());
    names.sort(null);
    Map<String, List<String>> multi = new HashMap<>();
    all.forEach((k, v) -> multi.put(k, List.of(v)));
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    SignedRequest request = new SignedRequest(method, path, uri.getRawQuery(), multi, body);
    CanonicalRequest canonical =
        CanonicalRequest.of(
            request, QueryParameter.parse(uri.getRawQuery()), names, null, service.equals("s3"));
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String stringToSign =
        String.join(
            "\n",
            SigV4Verifier.ALGORITHM,
            amzDate,
            scope,
            HEX.formatHex(
                SigV4Verifier.sha256(
                    canonical
                        .text(HEX.formatHex(SigV4Verifier.sha256(body)))
                        .getBytes(StandardCharsets.UTF_8))));
    byte[] key = keys.signingKey(secretAccessKey, date, region, service);
    String signature = HEX.formatHex(SigningKeys.hmac(key, stringToSign));
    Map<String, String> out = new LinkedHashMap<>(all);
    out.put(
        "authorization",
        SigV4Verifier.ALGORITHM
            + " Credential="
            + accessKeyId
            + "/"
            + scope
            + ", SignedHeaders="
            + String.join(";", names)
            + ", Signature="
            + signature);
    return out;
  }
}
