package io.wharf.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How big and how long a {@link PlacementBench} run is, read from {@code wharf.bench.*} system
 * properties.
 *
 * @param instances the cluster sizes measured, each a new simulation with that many instances
 * @param tasksPerInstance tasks placed per instance of the cluster: a cluster of N instances is
 *     filled to N × this many tasks (10,000 instances: 100,000 tasks)
 * @param clients the concurrency levels measured at each size, each a number of client threads
 * @param rounds how many slices the fill is split into, alternating the client counts, so that each
 *     count places tasks at every fill level and under the same drifting machine load
 * @param baseline how long the baseline (ListClusters) is measured per client count and round
 * @param count tasks asked for by each RunTask (ECS allows at most 10)
 * @param instanceCpu CPU units each simulated instance registers
 * @param instanceMemory MiB each simulated instance registers
 * @param taskCpu CPU units of the task definition's one container
 * @param taskMemory MiB of the task definition's one container
 * @param warmupInstances the size of the throwaway cluster filled once to warm the JIT up
 * @param restarts control-plane restarts timed at the largest size (the median is reported)
 * @param seed the simulation's seed (instance order, start jitter)
 * @param serverJar the launcher jar to run {@code wharf server} alone on a copy of the largest
 *     size's data, or null to skip that measurement
 */
record PlacementSettings(
    List<Integer> instances,
    int tasksPerInstance,
    List<Integer> clients,
    int rounds,
    Duration baseline,
    int count,
    long instanceCpu,
    long instanceMemory,
    long taskCpu,
    long taskMemory,
    int warmupInstances,
    int restarts,
    long seed,
    Path serverJar) {

  PlacementSettings {
    instances = List.copyOf(instances);
    clients = List.copyOf(clients);
    if (instances.isEmpty() || instances.stream().anyMatch(n -> n < 1)) {
      throw new IllegalArgumentException("wharf.bench.instances must list positive sizes");
    }
    if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1)) {
      throw new IllegalArgumentException("wharf.bench.placementClients must list positive counts");
    }
    if (tasksPerInstance < 1
        || rounds < 1
        || restarts < 1
        || warmupInstances < 0
        || taskCpu < 1
        || taskMemory < 1) {
      throw new IllegalArgumentException(
          "wharf.bench.tasksPerInstance, placementRounds, restarts, taskCpu and taskMemory must be"
              + " >= 1, warmupInstances >= 0");
    }
    if (count < 1 || count > 10) {
      throw new IllegalArgumentException("wharf.bench.count must be 1 to 10 (RunTask's limit)");
    }
    if (baseline.isNegative() || baseline.isZero()) {
      throw new IllegalArgumentException("wharf.bench.baseline must be positive");
    }
    if (tasksPerInstance * taskCpu > instanceCpu
        || tasksPerInstance * taskMemory > instanceMemory) {
      throw new IllegalArgumentException(
          "the tasks do not fit: wharf.bench.tasksPerInstance × taskCpu/taskMemory exceeds"
              + " instanceCpu/instanceMemory");
    }
  }

  static PlacementSettings fromSystemProperties() {
    String jar = System.getProperty("wharf.bench.serverJar", "app/target/wharf.jar");
    Path serverJar = Path.of(jar).toAbsolutePath().normalize();
    return new PlacementSettings(
        integers(System.getProperty("wharf.bench.instances", "1000,5000,10000")),
        Integer.getInteger("wharf.bench.tasksPerInstance", 10),
        integers(System.getProperty("wharf.bench.placementClients", "8,32")),
        Integer.getInteger("wharf.bench.placementRounds", 5),
        BenchSettings.parseDuration(System.getProperty("wharf.bench.baseline", "1s")),
        Integer.getInteger("wharf.bench.count", 10),
        Long.getLong("wharf.bench.instanceCpu", 10_240),
        Long.getLong("wharf.bench.instanceMemory", 20_480),
        Long.getLong("wharf.bench.taskCpu", 100),
        Long.getLong("wharf.bench.taskMemory", 200),
        Integer.getInteger("wharf.bench.warmupInstances", 500),
        Integer.getInteger("wharf.bench.restarts", 3),
        Long.getLong("wharf.bench.seed", 42L),
        Files.isRegularFile(serverJar) ? serverJar : null);
  }

  private static List<Integer> integers(String list) {
    return Arrays.stream(list.split(",")).map(String::strip).map(Integer::valueOf).toList();
  }

  /** The largest cluster size: memory and restarts are measured there. */
  int largest() {
    return instances.stream().mapToInt(Integer::intValue).max().orElseThrow();
  }

  /** How many tasks fit on one instance (CPU and memory), which first fit fills before the next. */
  long tasksThatFitOneInstance() {
    return Math.min(instanceCpu / taskCpu, instanceMemory / taskMemory);
  }
}
