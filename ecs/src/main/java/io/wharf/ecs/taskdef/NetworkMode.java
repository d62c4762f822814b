package io.wharf.ecs.taskdef;

import com.fasterxml.jackson.databind.JsonNode;

/** The Docker network modes a task definition can ask for, with the names used on the wire. */
enum NetworkMode {
  BRIDGE("bridge"),
  HOST("host"),
  AWSVPC("awsvpc"),
  NONE("none");

  private final String wireName;

  NetworkMode(String wireName) {
    this.wireName = wireName;
  }

  String wireName() {
    return wireName;
  }

  /**
   * True when the container's ports are the ports of the host or ENI itself, so a host port can
   * only be the container port (no dynamic mapping).
   */
  boolean bindsContainerPortsDirectly() {
    return this == HOST || this == AWSVPC;
  }

  /**
   * The mode of a request's {@code networkMode} member. An absent member means bridge, ECS's
   * default on Linux; the enum check against the model has already refused unknown names.
   */
  static NetworkMode of(JsonNode member) {
    if (member == null || !member.isTextual()) {
      return BRIDGE;
    }
    for (NetworkMode mode : values()) {
      if (mode.wireName.equals(member.textValue())) {
        return mode;
      }
    }
    return BRIDGE;
  }
}
