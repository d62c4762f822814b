package io.wharf.core.auth;

import io.wharf.core.state.Identities;
import io.wharf.core.state.StateMachine;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.model.identity.InstanceKey;
import io.wharf.model.identity.JoinToken;
import java.util.Optional;

/**
 * Every access key the control plane knows: the admin key, the container instances' keys and the
 * join tokens (which sign their one exchange request like a key), all but the admin's read from the
 * newest state, so a key removed by a committed command is refused from the next request on.
 *
 * <p>Threading: safe from any thread (reads immutable snapshots).
 */
public final class AccessKeys {
  /** The role name in instance principals' ARNs (an ECS agent runs as the instance's role). */
  static final String INSTANCE_ROLE = "wharf-container-instance";

  private final AdminCredentials admin;
  private final StateMachine states;
  private final String account;

  public AccessKeys(AdminCredentials admin, StateMachine states, String account) {
    this.admin = admin;
    this.states = states;
    this.account = account;
  }

  /** The secret of a key, for the SigV4 verifier; empty for a key nobody holds. */
  public Optional<String> secretOf(String accessKeyId) {
    if (accessKeyId.equals(admin.accessKeyId())) {
      return Optional.of(admin.secretAccessKey());
    }
    Identities identities = states.current().identities();
    InstanceKey key = identities.instanceKeys().get(accessKeyId);
    if (key != null) {
      return Optional.of(key.secretAccessKey());
    }
    JoinToken token = identities.joinTokens().get(accessKeyId);
    return token == null ? Optional.empty() : Optional.of(token.secret());
  }

  /**
   * Who holds a verified key. A key removed since it was verified (revoked in between) is refused
   * as unknown, as AWS refuses a deleted key.
   */
  public Principal principalOf(String accessKeyId) {
    if (accessKeyId.equals(admin.accessKeyId())) {
      return new Principal.Admin(accessKeyId, "arn:aws:iam::" + account + ":root");
    }
    Identities identities = states.current().identities();
    InstanceKey key = identities.instanceKeys().get(accessKeyId);
    if (key != null) {
      String arn = key.containerInstanceArn();
      String id = arn.substring(arn.lastIndexOf('/') + 1);
      return new Principal.Instance(
          key, "arn:aws:sts::" + account + ":assumed-role/" + INSTANCE_ROLE + "/" + id);
    }
    JoinToken token = identities.joinTokens().get(accessKeyId);
    if (token != null) {
      return new Principal.Joiner(
          token, "arn:aws:iam::" + account + ":wharf-join-token/" + token.id());
    }
    throw new WharfException(
        ErrorCode.UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
  }
}
