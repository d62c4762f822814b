package io.wharf.model.identity;

import java.time.Instant;
import java.util.Objects;

/**
 * A join token: what an admin hands to a new agent host so that it can get an access key of its
 * own, without the admin key ever being on that host.
 *
 * <p>The token the operator copies is {@code <id>.<secret>}. The agent never sends the secret: it
 * signs its one exchange request (SigV4) with the id as access key id and the secret as secret
 * access key, so a token is checked like any key (HMAC, constant-time comparison) and nothing a
 * listener on the wire sees can be replayed after the token is used up.
 *
 * @param id the public half, looked up like an access key id
 * @param secret the secret half (at least 128 random bits); kept only inside state rows
 * @param clusterArn the cluster the token joins instances to
 * @param expiresAt after this the token is refused
 * @param maxUses how many instances may join with it (1: single-use)
 * @param uses how many have joined with it
 */
public record JoinToken(
    String id,
    String secret,
    String clusterArn,
    Instant createdAt,
    Instant expiresAt,
    int maxUses,
    int uses,
    long revision) {
  public JoinToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(clusterArn, "clusterArn");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (maxUses < 1 || uses < 0 || uses > maxUses) {
      throw new IllegalArgumentException("A join token's uses must be within 0.." + maxUses);
    }
  }

  /** The text an operator passes to {@code wharf agent --join-token}. */
  public String text() {
    return id + "." + secret;
  }

  public boolean isUsedUp() {
    return uses >= maxUses;
  }

  public boolean isExpired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  public JoinToken usedOnce(long newRevision) {
    return new JoinToken(
        id, secret, clusterArn, createdAt, expiresAt, maxUses, uses + 1, newRevision);
  }

  /** Without the secret: records print every component, and this one must never reach a log. */
  @Override
  public String toString() {
    return "JoinToken[id="
        + id
        + ", cluster="
        + clusterArn
        + ", uses="
        + uses
        + "/"
        + maxUses
        + ", expiresAt="
        + expiresAt
        + "]";
  }
}
