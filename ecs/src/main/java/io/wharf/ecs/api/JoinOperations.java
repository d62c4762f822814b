package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.auth.AccessDenied;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.Change;
import io.wharf.core.state.StateMachine;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.model.identity.InstanceKey;
import io.wharf.model.identity.JoinToken;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Wharf's own operations, beside ECS's on the same endpoint: how an agent host gets a key of its
 * own. They are AWS JSON 1.1 calls like ECS's, with {@code X-Amz-Target: WharfV1.<Operation>} and
 * SigV4-signed (for the {@code ecs} service):
 *
 * <pre>
 *  admin ── CreateJoinToken {cluster, expiresInSeconds, maxUses} ──▶ {joinToken: "WJT….secret"}
 *  agent ── JoinCluster {cluster}, signed with the token's id and secret
 *        ──▶ {accessKeyId, secretAccessKey, containerInstanceArn}  (a key for one instance)
 * </pre>
 *
 * <p>Why this shape: a separate target prefix keeps the ECS model (and clients generated from it)
 * untouched; signing the exchange with the token makes it the verifier's ordinary HMAC check, in
 * constant time, and the token's secret never crosses the wire. The token's id is public like an
 * access key id; its secret has 160 random bits. Tokens are state rows, so a token is durable
 * before it is printed, and its uses are counted by the single writer: a single-use token joins
 * exactly one instance, however many agents race with it.
 */
final class JoinOperations {
  /** The {@code X-Amz-Target} prefix of Wharf's own operations. */
  static final String TARGET_PREFIX = "WharfV1";

  static final Duration DEFAULT_EXPIRY = Duration.ofHours(1);
  static final Duration MAX_EXPIRY = Duration.ofDays(365);
  static final int MAX_USES = 10_000;

  /** Expired tokens are kept this long, so that using one is refused as expired, not unknown. */
  static final Duration KEEP_EXPIRED = Duration.ofDays(1);

  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final String SECRET_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  private final StateMachine states;
  private final Lookup lookup;
  // Secrets come from the kernel's generator, never from the seeded one ids are drawn from.
  private final SecureRandom secureRandom = new SecureRandom();

  JoinOperations(StateMachine states, Lookup lookup) {
    this.states = states;
    this.lookup = lookup;
  }

  /** The operations callable by a principal; the rest of what this class answers, refused. */
  private static final Set<String> OPERATIONS = Set.of("CreateJoinToken", "JoinCluster");

  JsonNode invoke(String operation, Principal caller, JsonNode request) {
    if (!OPERATIONS.contains(operation)) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION,
          "Unknown operation " + TARGET_PREFIX + "." + operation + ".");
    }
    boolean allowed =
        operation.equals("CreateJoinToken")
            ? caller instanceof Principal.Admin
            : caller instanceof Principal.Joiner;
    if (!allowed) {
      throw AccessDenied.of(caller, "wharf:" + operation, "*");
    }
    return operation.equals("CreateJoinToken")
        ? createJoinToken(request)
        : joinCluster((Principal.Joiner) caller, request);
  }

  private JsonNode createJoinToken(JsonNode request) {
    String clusterRef = text(request, "cluster");
    long expiresIn = number(request, "expiresInSeconds", DEFAULT_EXPIRY.toSeconds());
    if (expiresIn < 1 || expiresIn > MAX_EXPIRY.toSeconds()) {
      throw WharfException.invalidParameter(
          "expiresInSeconds must be between 1 and "
              + MAX_EXPIRY.toSeconds()
              + "; it was "
              + expiresIn
              + ".");
    }
    long maxUses = number(request, "maxUses", 1);
    if (maxUses < 1 || maxUses > MAX_USES) {
      throw WharfException.invalidParameter(
          "maxUses must be between 1 and " + MAX_USES + "; it was " + maxUses + ".");
    }
    String id = "WJT" + random(BASE32, 17);
    String secret = random(BASE32, 32);
    JoinToken token =
        states.execute(
            tx -> {
              Cluster cluster = lookup.activeCluster(tx.state(), clusterRef);
              // Tokens expired a day ago are dropped here, so they do not pile up (until then,
              // using one is refused as expired or used, which says more than "unknown").
              for (JoinToken old : tx.state().identities().joinTokens().values()) {
                if (old.expiresAt().plus(KEEP_EXPIRED).isBefore(tx.now())) {
                  tx.apply(new Change.JoinTokenRemoved(old.id()));
                }
              }
              JoinToken created =
                  new JoinToken(
                      id,
                      secret,
                      cluster.arn(),
                      tx.now(),
                      tx.now().plusSeconds(expiresIn),
                      (int) maxUses,
                      0,
                      tx.revision());
              tx.apply(new Change.JoinTokenPut(created));
              return created;
            });
    ObjectNode out = Wire.object();
    out.put("joinToken", token.text());
    out.put("joinTokenId", token.id());
    out.put("clusterArn", token.clusterArn());
    out.set("expiresAt", Wire.timestamp(token.expiresAt()));
    out.put("maxUses", token.maxUses());
    return out;
  }

  private JsonNode joinCluster(Principal.Joiner joiner, JsonNode request) {
    String clusterRef = text(request, "cluster");
    String accessKeyId = "WKI" + random(BASE32, 17);
    String secret = random(SECRET_ALPHABET, 40);
    String instanceId = HexFormat.of().formatHex(randomBytes(16));
    InstanceKey key =
        states.execute(
            tx -> {
              // The newest version of the token: its uses are counted here, one command at a time.
              JoinToken token = tx.state().identities().joinTokens().get(joiner.token().id());
              if (token == null) {
                throw new WharfException(
                    ErrorCode.UNRECOGNIZED_CLIENT,
                    "The security token included in the request is invalid.");
              }
              if (token.isExpired(tx.now())) {
                throw new WharfException(
                    ErrorCode.ACCESS_DENIED,
                    "The join token "
                        + token.id()
                        + " expired at "
                        + token.expiresAt()
                        + "; create a new one (wharf join-token create).");
              }
              if (token.isUsedUp()) {
                throw new WharfException(
                    ErrorCode.ACCESS_DENIED,
                    "The join token "
                        + token.id()
                        + (token.maxUses() == 1
                            ? " is single-use and has already been used"
                            : " has been used its " + token.maxUses() + " times")
                        + "; create a new one (wharf join-token create).");
              }
              Cluster cluster = lookup.activeCluster(tx.state(), clusterRef);
              if (!cluster.arn().equals(token.clusterArn())) {
                throw new WharfException(
                    ErrorCode.ACCESS_DENIED,
                    "The join token "
                        + token.id()
                        + " joins instances to "
                        + token.clusterArn()
                        + ", not to "
                        + cluster.arn()
                        + ".");
              }
              tx.apply(new Change.JoinTokenPut(token.usedOnce(tx.revision())));
              InstanceKey created =
                  new InstanceKey(
                      accessKeyId,
                      secret,
                      lookup.arns().containerInstance(cluster.name(), instanceId),
                      cluster.arn(),
                      token.id(),
                      tx.now());
              tx.apply(new Change.InstanceKeyPut(created));
              return created;
            });
    ObjectNode out = Wire.object();
    out.put("accessKeyId", key.accessKeyId());
    out.put("secretAccessKey", key.secretAccessKey());
    out.put("containerInstanceArn", key.containerInstanceArn());
    out.put("clusterArn", key.clusterArn());
    return out;
  }

  /**
   * Gives a registered instance a key of its own on the admin's behalf, replacing any it had: for
   * {@code wharf up}'s local agent when its data dir comes from a Wharf before join tokens (it is
   * registered, but holds no key). In-process only; no request reaches it.
   *
   * @return the key, or empty when the instance is not registered (or deregistered)
   */
  Optional<InstanceKey> issueKeyFor(String instanceArn) {
    String accessKeyId = "WKI" + random(BASE32, 17);
    String secret = random(SECRET_ALPHABET, 40);
    return states.execute(
        tx -> {
          ContainerInstance instance = tx.state().containerInstances().get(instanceArn);
          if (instance == null || instance.status().isTerminal()) {
            return Optional.empty();
          }
          tx.state()
              .identities()
              .keyOf(instanceArn)
              .ifPresent(old -> tx.apply(new Change.InstanceKeyRemoved(old.accessKeyId())));
          InstanceKey created =
              new InstanceKey(
                  accessKeyId, secret, instanceArn, instance.clusterArn(), null, tx.now());
          tx.apply(new Change.InstanceKeyPut(created));
          return Optional.of(created);
        });
  }

  private static String text(JsonNode request, String member) {
    JsonNode value = request.get(member);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw WharfException.invalidParameter(member + " must be a non-empty string.");
    }
    return value.asText();
  }

  private static long number(JsonNode request, String member, long fallback) {
    JsonNode value = request.get(member);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw WharfException.invalidParameter(member + " must be an integer.");
    }
    return value.asLong();
  }

  private String random(String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(secureRandom.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    secureRandom.nextBytes(bytes);
    return bytes;
  }
}
