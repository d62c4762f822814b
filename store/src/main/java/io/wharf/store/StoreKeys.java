package io.wharf.store;

import io.wharf.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The keys the store encrypts its rows with: the current one, which seals every write, and older
 * ones, which only open rows written before a rotation (the store rewrites those under the current
 * key when it loads them).
 *
 * <p>Where they come from: {@code WHARF_STORE_KEY} when set, else {@code <data-dir>/store.key},
 * else 32 random bytes written to {@code store.key} (owner-only) on first start. Either holds one
 * or more base64-encoded 32-byte keys, comma- or line-separated, the current one first. To rotate,
 * put a new key first and keep the old one after it for one start.
 */
public final class StoreKeys {
  public static final String FILE = "store.key";
  public static final String ENVIRONMENT = "WHARF_STORE_KEY";

  /** AES-256. */
  static final int KEY_BYTES = 32;

  /** A key's id in a sealed row: short, and not the key (a hash of it). */
  static final int ID_BYTES = 4;

  /** One key and its id. */
  record Key(byte[] id, byte[] secret) {
    Key {
      id = id.clone();
      secret = secret.clone();
    }

    String idHex() {
      return HexFormat.of().formatHex(id);
    }
  }

  private final List<Key> keys;
  private final String source;

  private StoreKeys(List<Key> keys, String source) {
    if (keys.isEmpty()) {
      throw new StoreException(source + " holds no key");
    }
    this.keys = List.copyOf(keys);
    this.source = source;
  }

  /** Keys given as raw bytes, the current one first (for tests and embedding). */
  public static StoreKeys of(byte[]... secrets) {
    List<Key> keys = new ArrayList<>();
    for (byte[] s : secrets) {
      keys.add(key(s, "a given key"));
    }
    return new StoreKeys(keys, "the given keys");
  }

  /**
   * Where a store finds its keys. {@code mayCreate} is false when the database already holds rows
   * sealed with some key: a missing key file is then an error, not a reason to make a new key.
   */
  @FunctionalInterface
  public interface Source {
    StoreKeys keys(boolean mayCreate);
  }

  /** {@code WHARF_STORE_KEY} from {@code env} when set, else {@code <dataDir>/store.key}. */
  public static Source from(Path dataDir, Map<String, String> env) {
    return mayCreate -> {
      String fromEnv = env.get(ENVIRONMENT);
      if (fromEnv != null && !fromEnv.isBlank()) {
        return parse(fromEnv, "the " + ENVIRONMENT + " environment variable");
      }
      Path file = dataDir.resolve(FILE);
      try {
        if (Files.exists(file)) {
          PrivateFiles.tighten(file);
          return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        }
        if (!mayCreate) {
          throw new StoreException(
              "The database in "
                  + dataDir
                  + " is encrypted, but its key "
                  + file
                  + " is missing and "
                  + ENVIRONMENT
                  + " is not set. Restore store.key (or set "
                  + ENVIRONMENT
                  + ") to the key it was written with.");
        }
        byte[] secret = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(secret);
        // Owner-only from creation, then written: the key is never readable by anyone else.
        PrivateFiles.createFile(file);
        Files.writeString(
            file, Base64.getEncoder().encodeToString(secret) + "\n", StandardCharsets.US_ASCII);
        return new StoreKeys(List.of(key(secret, file.toString())), file.toString());
      } catch (IOException e) {
        throw new StoreException("Cannot read or create " + file + ": " + e.getMessage(), e);
      }
    };
  }

  private static StoreKeys parse(String text, String source) {
    List<Key> keys = new ArrayList<>();
    for (String part : text.split("[,\\s]+")) {
      if (part.isEmpty()) {
        continue;
      }
      byte[] secret;
      try {
        secret = Base64.getDecoder().decode(part);
      } catch (IllegalArgumentException e) {
        throw new StoreException(source + " holds a key that is not base64: " + e.getMessage());
      }
      keys.add(key(secret, source));
    }
    return new StoreKeys(keys, source);
  }

  private static Key key(byte[] secret, String source) {
    if (secret.length != KEY_BYTES) {
      throw new StoreException(
          source
              + " holds a key of "
              + secret.length
              + " bytes; a store key is "
              + KEY_BYTES
              + " random bytes, base64-encoded (e.g. head -c 32 /dev/urandom | base64)");
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("wharf store key id".getBytes(StandardCharsets.US_ASCII));
      return new Key(Arrays.copyOf(sha.digest(secret), ID_BYTES), secret);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The key that seals new rows. */
  Key current() {
    return keys.getFirst();
  }

  /** The key with this id, or null. */
  Key byId(byte[] id, int offset) {
    for (Key k : keys) {
      if (Arrays.equals(k.id(), 0, ID_BYTES, id, offset, offset + ID_BYTES)) {
        return k;
      }
    }
    return null;
  }

  /** Where the keys came from, for messages. */
  String source() {
    return source;
  }
}
