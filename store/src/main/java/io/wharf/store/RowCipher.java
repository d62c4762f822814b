package io.wharf.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals each row's value with AES-256-GCM, bound to its kind and key, so that a copy of the
 * database (or of a backup of it) shows no task environment, no credential, nothing of any entity
 * but its kind and key.
 *
 * <pre>
 *  sealed value = format(1) ‖ key id(4) ‖ session salt(16) ‖ counter(8) ‖ AES-GCM(value) ‖ tag(16)
 *  session key  = HMAC-SHA256(store key, "wharf store session v1" ‖ salt)    (salt: random, per open)
 *  nonce        = 0(4) ‖ counter(8)                                           (counter: per seal)
 *  associated   = header(29) ‖ kind ‖ 0 ‖ key
 * </pre>
 *
 * <p>Why a session key rather than one random nonce per write under the store key: random 96-bit
 * nonces limit one key to about 2^32 encryptions (NIST SP 800-38D) before a repeated nonce becomes
 * likely, and a repeated nonce gives away GCM's authentication key. At the placement rates the
 * store sustains (thousands of rows a second) that is days, not years. Each open of the store
 * derives a fresh key from 128 random bits, and within it a counter never repeats, so no (key,
 * nonce) pair is ever used twice, however long the store runs or however often it restarts. The
 * derivation costs one HMAC per open (and per distinct session when rows are read).
 *
 * <p>Why the kind and key are bound in: a row's sealed value copied onto another row does not open.
 *
 * <p>Threading: not thread-safe; the store's single writer seals and opens.
 */
final class RowCipher {
  static final byte FORMAT = 1;
  private static final int SALT_BYTES = 16;
  private static final int COUNTER_BYTES = 8;
  static final int HEADER_BYTES = 1 + StoreKeys.ID_BYTES + SALT_BYTES + COUNTER_BYTES;
  private static final int TAG_BITS = 128;
  private static final int NONCE_BYTES = 12;
  private static final byte[] SESSION_LABEL =
      "wharf store session v1".getBytes(StandardCharsets.US_ASCII);

  private final StoreKeys keys;
  private final byte[] sessionSalt = new byte[SALT_BYTES];
  private final SecretKeySpec sessionKey;
  private long counter;
  private final Cipher sealer;
  private final Cipher opener;

  /** Session keys of rows read, by key id and salt (rows come from a handful of sessions). */
  private final Map<String, SecretKeySpec> sessions = new HashMap<>();

  RowCipher(StoreKeys keys) {
    this.keys = keys;
    new SecureRandom().nextBytes(sessionSalt);
    this.sessionKey = derive(keys.current(), sessionSalt, 0);
    try {
      this.sealer = Cipher.getInstance("AES/GCM/NoPadding");
      this.opener = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is missing from this JVM", e);
    }
  }

  /** The sealed form of {@code value}, the row ({@code kind}, {@code key})'s. */
  byte[] seal(String kind, String key, String value) {
    byte[] plain = value.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[HEADER_BYTES + plain.length + TAG_BITS / 8];
    long n = counter++;
    out[0] = FORMAT;
    System.arraycopy(keys.current().id(), 0, out, 1, StoreKeys.ID_BYTES);
    System.arraycopy(sessionSalt, 0, out, 1 + StoreKeys.ID_BYTES, SALT_BYTES);
    ByteBuffer.wrap(out, 1 + StoreKeys.ID_BYTES + SALT_BYTES, COUNTER_BYTES).putLong(n);
    try {
      sealer.init(Cipher.ENCRYPT_MODE, sessionKey, nonce(out));
      sealer.updateAAD(out, 0, HEADER_BYTES);
      sealer.updateAAD(associated(kind, key));
      sealer.doFinal(plain, 0, plain.length, out, HEADER_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed to encrypt", e);
    }
    return out;
  }

  /**
   * The value of a sealed row.
   *
   * @throws StoreException when it is not sealed, sealed with a key the store does not have, or
   *     does not open (altered, or copied from another row)
   */
  String open(String kind, String key, byte[] sealed) {
    if (sealed.length < HEADER_BYTES + TAG_BITS / 8 || sealed[0] != FORMAT) {
      throw new StoreException(
          "The "
              + kind
              + " '"
              + key
              + "' is not sealed in a format this Wharf knows; the database is corrupt or was"
              + " written by a newer Wharf.");
    }
    StoreKeys.Key k = keys.byId(sealed, 1);
    if (k == null) {
      throw new StoreException(
          "The database was encrypted with a key (id "
              + java.util.HexFormat.of().formatHex(sealed, 1, 1 + StoreKeys.ID_BYTES)
              + ") that is not among the keys from "
              + keys.source()
              + " (the current one has id "
              + keys.current().idHex()
              + "). Give Wharf the key it was written with in "
              + StoreKeys.ENVIRONMENT
              + " or "
              + StoreKeys.FILE
              + " (to change keys, list the new one first and the old one after it).");
    }
    String session =
        new String(sealed, 1, StoreKeys.ID_BYTES + SALT_BYTES, StandardCharsets.ISO_8859_1);
    SecretKeySpec sessionKeyOfRow =
        sessions.computeIfAbsent(session, s -> derive(k, sealed, 1 + StoreKeys.ID_BYTES));
    try {
      opener.init(Cipher.DECRYPT_MODE, sessionKeyOfRow, nonce(sealed));
      opener.updateAAD(sealed, 0, HEADER_BYTES);
      opener.updateAAD(associated(kind, key));
      byte[] plain = opener.doFinal(sealed, HEADER_BYTES, sealed.length - HEADER_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new StoreException(
          "The " + kind + " '" + key + "' does not decrypt: the database has been altered.", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed to decrypt", e);
    }
  }

  /** Whether a sealed value was sealed with the current key (else it is rewritten at load). */
  boolean sealedWithCurrentKey(byte[] sealed) {
    return keys.byId(sealed, 1) == keys.current();
  }

  private static GCMParameterSpec nonce(byte[] header) {
    byte[] nonce = new byte[NONCE_BYTES];
    System.arraycopy(
        header,
        1 + StoreKeys.ID_BYTES + SALT_BYTES,
        nonce,
        NONCE_BYTES - COUNTER_BYTES,
        COUNTER_BYTES);
    return new GCMParameterSpec(TAG_BITS, nonce);
  }

  private static byte[] associated(String kind, String key) {
    byte[] k = kind.getBytes(StandardCharsets.UTF_8);
    byte[] r = key.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[k.length + 1 + r.length];
    System.arraycopy(k, 0, out, 0, k.length);
    System.arraycopy(r, 0, out, k.length + 1, r.length);
    return out;
  }

  private static SecretKeySpec derive(StoreKeys.Key key, byte[] salt, int offset) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
      hmac.update(SESSION_LABEL);
      hmac.update(salt, offset, SALT_BYTES);
      return new SecretKeySpec(hmac.doFinal(), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
    }
  }
}
