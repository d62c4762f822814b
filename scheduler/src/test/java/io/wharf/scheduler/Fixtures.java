package io.wharf.scheduler;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Instances and demands for tests, built fluently with sensible defaults. */
final class Fixtures {
  private Fixtures() {}

  static final Instant REGISTERED = Instant.parse("2026-06-18T22:28:28Z");

  /** An ACTIVE, connected instance with 4 vCPU and 8 GiB free, nothing running. */
  static Builder instance(String arn) {
    return new Builder(arn);
  }

  static Demand demand(long cpu, long memory) {
    return Demand.of(cpu, memory, "family:web");
  }

  static final class Builder {
    private final String arn;
    private String ec2InstanceId;
    private String status = "ACTIVE";
    private boolean agentConnected = true;
    private String agentVersion = "1.82.0";
    private Instant registeredAt = REGISTERED;
    private final Map<String, String> attributes = new HashMap<>();
    private long cpu = 4096;
    private long memory = 8192;
    private final Set<String> usedPorts = new HashSet<>(List.of("tcp:22", "tcp:51678"));
    private int runningTasksCount;
    private final Map<String, Integer> taskGroups = new HashMap<>();

    private Builder(String arn) {
      this.arn = arn;
      this.ec2InstanceId = "i-" + arn;
    }

    Builder ec2InstanceId(String id) {
      ec2InstanceId = id;
      return this;
    }

    Builder status(String s) {
      status = s;
      return this;
    }

    Builder disconnected() {
      agentConnected = false;
      return this;
    }

    Builder agentVersion(String v) {
      agentVersion = v;
      return this;
    }

    Builder registeredAt(String instant) {
      registeredAt = Instant.parse(instant);
      return this;
    }

    Builder attribute(String name, String value) {
      attributes.put(name, value);
      return this;
    }

    Builder az(String zone) {
      return attribute("ecs.availability-zone", zone);
    }

    Builder cpu(long units) {
      cpu = units;
      return this;
    }

    Builder memory(long mib) {
      memory = mib;
      return this;
    }

    Builder resources(long units, long mib) {
      return cpu(units).memory(mib);
    }

    Builder port(String port) {
      usedPorts.add(port);
      return this;
    }

    Builder running(int count) {
      runningTasksCount = count;
      return this;
    }

    /** {@code count} tasks of {@code group} on the instance (also counted as running). */
    Builder tasks(String group, int count) {
      taskGroups.merge(group, count, Integer::sum);
      runningTasksCount += count;
      return this;
    }

    InstanceView build() {
      return new InstanceView(
          arn,
          ec2InstanceId,
          status,
          agentConnected,
          agentVersion,
          registeredAt,
          attributes,
          cpu,
          memory,
          usedPorts,
          runningTasksCount,
          taskGroups);
    }
  }
}
