package io.wharf.sigv4;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SigV4 signing keys, derived from a secret by the HMAC chain {@code "AWS4" + secret → date →
 * region → service → "aws4_request"} and cached, because one key serves every request of a secret,
 * region and service for a whole UTC day while deriving it costs four HMACs.
 *
 * <p>Thread-safe. The cache is keyed by the secret itself rather than the access key id, so a
 * rotated secret can never meet a key derived from the old one. It is bounded by emptying it when
 * it is full: keys are cheap to derive again, and dates roll over daily, so yesterday's entries
 * would otherwise only accumulate. Returned arrays are shared and must not be modified.
 */
final class SigningKeys {

  /** Room for every access key × region × service in use on a day and the day before. */
  static final int DEFAULT_CAPACITY = 1024;

  private static final String HMAC_SHA256 = "HmacSHA256";

  private final ConcurrentHashMap<Scope, byte[]> keys = new ConcurrentHashMap<>();
  private final int capacity;

  SigningKeys(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  /** The signing key for {@code secret} and the credential scope {@code date/region/service}. */
  byte[] signingKey(String secret, String date, String region, String service) {
    Scope scope = new Scope(secret, date, region, service);
    byte[] key = keys.get(scope);
    if (key == null) {
      key = derive(scope);
      // A racing thread may clear or insert meanwhile; both only cost a later re-derivation.
      if (keys.size() >= capacity) {
        keys.clear();
      }
      keys.put(scope, key);
    }
    return key;
  }

  /** How many keys are cached now; for tests of the bound. */
  int size() {
    return keys.size();
  }

  /** HMAC-SHA256 of the UTF-8 bytes of {@code data}. */
  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance(HMAC_SHA256);
      mac.init(new SecretKeySpec(key, HMAC_SHA256));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime provides HmacSHA256", e);
    }
  }

  private static byte[] derive(Scope scope) {
    byte[] key = hmac(("AWS4" + scope.secret()).getBytes(StandardCharsets.UTF_8), scope.date());
    key = hmac(key, scope.region());
    key = hmac(key, scope.service());
    return hmac(key, "aws4_request");
  }

  private record Scope(String secret, String date, String region, String service) {
    // The generated toString would put the secret into any log line or message that shows a key.
    @Override
    public String toString() {
      return "Scope[" + date + "/" + region + "/" + service + "]";
    }
  }
}
