package io.wharf.core.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * The admin access key: from {@code WHARF_ACCESS_KEY_ID} / {@code WHARF_SECRET_ACCESS_KEY} when
 * set, else from {@code <data-dir>/credentials}, else generated on first start and written there in
 * the AWS shared-credentials format (profile {@code wharf}, owner-only permissions).
 *
 * @param source where the key came from, for the start-up message
 */
public record AdminCredentials(String accessKeyId, String secretAccessKey, String source) {
  public static final String PROFILE = "wharf";
  public static final String FILE = "credentials";
  public static final String CONFIG_FILE = "config";

  /** Base32 alphabet, as AWS access key ids use. */
  private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private static final String SECRET_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  public AdminCredentials {
    if (accessKeyId == null
        || accessKeyId.isBlank()
        || secretAccessKey == null
        || secretAccessKey.isBlank()) {
      throw new IllegalArgumentException("An access key needs an id and a secret");
    }
  }

  /** Finds or creates the admin key for a data directory. */
  public static AdminCredentials resolve(Path dataDir, Map<String, String> env, String region)
      throws IOException {
    String id = env.get("WHARF_ACCESS_KEY_ID");
    String secret = env.get("WHARF_SECRET_ACCESS_KEY");
    if (id != null || secret != null) {
      if (id == null || secret == null || id.isBlank() || secret.isBlank()) {
        throw new IllegalArgumentException(
            "Set both WHARF_ACCESS_KEY_ID and WHARF_SECRET_ACCESS_KEY, or neither.");
      }
      return new AdminCredentials(id, secret, "the WHARF_ACCESS_KEY_ID environment variable");
    }
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      return read(file);
    }
    AdminCredentials generated = generate(new SecureRandom(), file.toString());
    write(dataDir, generated, region);
    return generated;
  }

  static AdminCredentials generate(SecureRandom random, String source) {
    StringBuilder id = new StringBuilder("AKIA");
    for (int i = 0; i < 16; i++) {
      id.append(KEY_ALPHABET.charAt(random.nextInt(KEY_ALPHABET.length())));
    }
    StringBuilder secret = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      secret.append(SECRET_ALPHABET.charAt(random.nextInt(SECRET_ALPHABET.length())));
    }
    return new AdminCredentials(id.toString(), secret.toString(), source);
  }

  private static AdminCredentials read(Path file) throws IOException {
    String section = "";
    String id = null;
    String secret = null;
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String line = raw.strip();
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).strip();
      } else if (section.equals(PROFILE) && line.contains("=")) {
        String key = line.substring(0, line.indexOf('=')).strip();
        String value = line.substring(line.indexOf('=') + 1).strip();
        if (key.equals("aws_access_key_id")) {
          id = value;
        } else if (key.equals("aws_secret_access_key")) {
          secret = value;
        }
      }
    }
    if (id == null || secret == null) {
      throw new IOException(
          file
              + " has no complete ["
              + PROFILE
              + "] profile (aws_access_key_id and aws_secret_access_key).");
    }
    return new AdminCredentials(id, secret, file.toString());
  }

  private static void write(Path dataDir, AdminCredentials key, String region) throws IOException {
    io.wharf.files.PrivateFiles.createDirectories(dataDir);
    String credentials =
        "["
            + PROFILE
            + "]\naws_access_key_id = "
            + key.accessKeyId()
            + "\naws_secret_access_key = "
            + key.secretAccessKey()
            + "\n";
    writeOwnerOnly(dataDir.resolve(FILE), credentials);
    String config = "[profile " + PROFILE + "]\nregion = " + region + "\noutput = json\n";
    Path configFile = dataDir.resolve(CONFIG_FILE);
    if (!Files.exists(configFile)) {
      writeOwnerOnly(configFile, config);
    }
  }

  /**
   * Creates the file with owner-only permissions from the start, so the secret is never readable by
   * others.
   */
  private static void writeOwnerOnly(Path file, String text) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.write(file, List.of(text.split("\n")), StandardCharsets.UTF_8);
  }
}
