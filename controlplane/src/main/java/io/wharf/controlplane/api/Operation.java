package io.wharf.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;

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
   */
  record Caller(String accessKeyId, String principalArn) {}
}
