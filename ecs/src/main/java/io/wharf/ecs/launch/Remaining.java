package io.wharf.ecs.launch;

import io.wharf.core.state.InstanceUsage;
import io.wharf.core.state.State;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Resource;
import java.util.HashSet;
import java.util.Set;

/** What an instance has left after the tasks that hold resources on it. */
public record Remaining(long cpu, long memory, Set<String> ports, int running, int pending) {
  public static Remaining of(State state, ContainerInstance instance) {
    long cpu = 0;
    long memory = 0;
    Set<String> ports = new HashSet<>();
    for (Resource r : instance.registeredResources()) {
      switch (r.name()) {
        case "CPU" -> cpu = r.integerValue();
        case "MEMORY" -> memory = r.integerValue();
        case "PORTS" -> r.stringSetValue().forEach(p -> ports.add("tcp:" + p));
        case "PORTS_UDP" -> r.stringSetValue().forEach(p -> ports.add("udp:" + p));
        default -> {}
      }
    }
    InstanceUsage used = state.usageOf(instance.arn());
    cpu -= used.cpu();
    memory -= used.memory();
    ports.addAll(used.ports());
    return new Remaining(cpu, memory, ports, used.running(), used.pending());
  }
}
