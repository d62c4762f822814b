package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.auth.Principal;

/**
 * One ECS operation: takes a request body already checked against the model, returns the response
 * body.
 */
@FunctionalInterface
interface Operation {
  JsonNode invoke(Caller caller, JsonNode request);

  /**
   * Who is calling.
   *
   * @param principalArn the IAM principal the caller's key belongs to (the account root for the
   *     admin key)
   * @param principal who holds the key: the admin, or a container instance (whose agent-facing
   *     operations act only for that instance)
   */
  record Caller(String accessKeyId, String principalArn, Principal principal) {
    /** The container instance whose key signed the request, or null for the admin. */
    Principal.Instance instance() {
      return principal instanceof Principal.Instance i ? i : null;
    }
  }
}
