package io.wharf.scheduler;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A container instance as placement sees it. The control plane builds one per instance from its
 * snapshot for each call; placement never changes it (capacity used within a call is tracked on the
 * side).
 *
 * @param arn the container instance ARN, reported in placements and failures
 * @param ec2InstanceId the identity the agent registered with, or null when it gave none
 * @param status the ECS container instance status ({@code ACTIVE}, {@code DRAINING}, ...); only
 *     {@code ACTIVE} instances take tasks
 * @param agentConnected whether the agent is connected now; a disconnected instance takes no tasks
 * @param agentVersion the agent's version such as {@code 1.82.0}, or null when unknown
 * @param registeredAt when the instance registered
 * @param attributes attribute name to value; the value is null for attributes that have none (the
 *     {@code ecs.capability.*} kind)
 * @param remainingCpu CPU units left (may be negative when an instance is oversubscribed: then
 *     nothing that needs CPU fits)
 * @param remainingMemory MiB left (same remark)
 * @param usedPorts host ports taken, by tasks or reserved, as {@code tcp:80} or {@code udp:53}
 * @param runningTasksCount the instance's {@code runningTasksCount}, as in the query language
 * @param taskGroups task group to the number of this instance's tasks of that group that are not
 *     stopped; groups with no task may be absent or map to 0
 */
public record InstanceView(
    String arn,
    String ec2InstanceId,
    String status,
    boolean agentConnected,
    String agentVersion,
    Instant registeredAt,
    Map<String, String> attributes,
    long remainingCpu,
    long remainingMemory,
    Set<String> usedPorts,
    int runningTasksCount,
    Map<String, Integer> taskGroups) {

  /** The only status that takes new tasks. */
  public static final String ACTIVE = "ACTIVE";

  public InstanceView {
    if (arn == null || arn.isBlank()) {
      throw new IllegalArgumentException("arn is required");
    }
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(registeredAt, "registeredAt");
    // Map.copyOf refuses null values, and valueless attributes are normal: copy by hand.
    HashMap<String, String> copy = new HashMap<>(attributes);
    if (copy.containsKey(null)) {
      throw new IllegalArgumentException("attribute names must not be null");
    }
    attributes = Collections.unmodifiableMap(copy);
    usedPorts = Set.copyOf(usedPorts);
    if (runningTasksCount < 0) {
      throw new IllegalArgumentException("runningTasksCount must not be negative");
    }
    taskGroups = Map.copyOf(taskGroups);
    for (int n : taskGroups.values()) {
      if (n < 0) {
        throw new IllegalArgumentException("task group counts must not be negative");
      }
    }
  }

  /** Whether this instance may take tasks at all: {@code ACTIVE}, whatever its agent does. */
  public boolean isActive() {
    return ACTIVE.equals(status);
  }

  /** How many not-stopped tasks of {@code group} run here (0 when none). */
  public int tasksOfGroup(String group) {
    Integer n = taskGroups.get(group);
    return n == null ? 0 : n;
  }
}
