package io.wharf.core.state;

import io.wharf.model.identity.InstanceKey;
import io.wharf.model.identity.JoinToken;
import java.util.Objects;
import java.util.Optional;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The credentials part of the state: join tokens by id, and container instances' access keys by
 * access key id (with an index by instance ARN, derived, for revocation and channel checks).
 *
 * <p>Secrets are kept here, inside state rows like any other entity, so that the store's encryption
 * at rest covers them; they are never logged (the records' {@code toString} leaves them out).
 */
public record Identities(
    PMap<String, JoinToken> joinTokens,
    PMap<String, InstanceKey> instanceKeys,
    PMap<String, String> keyOfInstance) {

  public static final Identities EMPTY =
      new Identities(HashTreePMap.empty(), HashTreePMap.empty(), HashTreePMap.empty());

  public Identities {
    Objects.requireNonNull(joinTokens);
    Objects.requireNonNull(instanceKeys);
    Objects.requireNonNull(keyOfInstance);
  }

  /** Replays one change. Pure. */
  Identities apply(Change.Identity change) {
    return switch (change) {
      case Change.JoinTokenPut(JoinToken t) ->
          new Identities(joinTokens.plus(t.id(), t), instanceKeys, keyOfInstance);
      case Change.JoinTokenRemoved(String id) ->
          new Identities(joinTokens.minus(id), instanceKeys, keyOfInstance);
      case Change.InstanceKeyPut(InstanceKey k) ->
          new Identities(
              joinTokens,
              instanceKeys.plus(k.accessKeyId(), k),
              keyOfInstance.plus(k.containerInstanceArn(), k.accessKeyId()));
      case Change.InstanceKeyRemoved(String accessKeyId) -> {
        InstanceKey old = instanceKeys.get(accessKeyId);
        yield new Identities(
            joinTokens,
            instanceKeys.minus(accessKeyId),
            old == null ? keyOfInstance : keyOfInstance.minus(old.containerInstanceArn()));
      }
    };
  }

  /** The access key of a container instance, if it has one. */
  public Optional<InstanceKey> keyOf(String containerInstanceArn) {
    String id = keyOfInstance.get(containerInstanceArn);
    return id == null ? Optional.empty() : Optional.ofNullable(instanceKeys.get(id));
  }
}
