package io.wharf.scheduler;

/**
 * A placement request that cannot be honoured as written: too many constraints or strategies, an
 * unknown type or field, a memberOf expression that does not parse.
 *
 * <p>The message is written for the API caller; the control plane answers it as ECS's {@code
 * InvalidParameterException} without rewording. Nothing has been placed when this is thrown.
 */
public class PlacementException extends RuntimeException {
  public PlacementException(String message) {
    super(message);
  }
}
