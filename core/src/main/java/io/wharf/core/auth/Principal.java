package io.wharf.core.auth;

import io.wharf.model.identity.InstanceKey;
import io.wharf.model.identity.JoinToken;

/**
 * Who signed a request, once its signature is verified.
 *
 * <pre>
 *  Admin     the admin key: the root of trust, may do everything (and create join tokens)
 *  Instance  a container instance's key: only the agent-facing operations, only for itself
 *  Joiner    a join token: only the exchange of the token for an instance key
 * </pre>
 */
public sealed interface Principal {
  /** The IAM-style ARN AWS names in its errors ("User: ... is not authorized to perform: ..."). */
  String arn();

  record Admin(String accessKeyId, String arn) implements Principal {}

  /**
   * @param arn {@code arn:aws:sts::<account>:assumed-role/wharf-container-instance/<instance id>},
   *     as an ECS agent's instance role session would be named
   */
  record Instance(InstanceKey key, String arn) implements Principal {
    public String containerInstanceArn() {
      return key.containerInstanceArn();
    }
  }

  record Joiner(JoinToken token, String arn) implements Principal {}
}
