package io.wharf.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How big and how long a {@link ServiceBench} run is, read from {@code wharf.bench.services.*}
 * system properties (and {@code wharf.bench.serverJar} / {@code wharf.bench.testImageScript},
 * shared with the other benchmarks).
 *
 * @param parts which parts run: {@code simulation}, {@code docker}, or both
 * @param instances simulated container instances of every simulation
 * @param scales the desired counts a service is scaled to from 0, each a run of its own
 * @param rollout the desired count of the service rolled out to a new revision (0: none)
 * @param repeats runs of each simulated scenario, each on a fresh simulation (medians reported)
 * @param warmup throwaway simulated runs first (the smallest scale as a service and with RunTask,
 *     and the rollout), for the JIT
 * @param step how much virtual time each {@code Simulation.advance} call moves (the harness steps
 *     its agents and runs the service controller once per step of at most one second)
 * @param instanceCpu CPU units each simulated instance registers
 * @param instanceMemory MiB each simulated instance registers
 * @param taskCpu CPU units of the services' one container
 * @param taskMemory MiB of the services' one container
 * @param seed the simulations' seed
 * @param dockerTasks the desired count of the service on real Docker
 * @param dockerRepeats measured runs on real Docker (medians reported)
 * @param dockerWarmup runs on real Docker first, not recorded
 * @param poll how often the client sends DescribeServices while it waits for steady state on real
 *     Docker
 * @param image the image of every container on real Docker; it must be local (no pull)
 * @param serverJar the launcher jar the control plane and the agent run from
 * @param testImageScript the script that builds the test image when it is missing
 */
record ServiceSettings(
    Set<String> parts,
    int instances,
    List<Integer> scales,
    int rollout,
    int repeats,
    int warmup,
    Duration step,
    long instanceCpu,
    long instanceMemory,
    long taskCpu,
    long taskMemory,
    long seed,
    int dockerTasks,
    int dockerRepeats,
    int dockerWarmup,
    Duration poll,
    String image,
    Path serverJar,
    Path testImageScript) {
  static final String SIMULATION = "simulation";
  static final String DOCKER = "docker";

  ServiceSettings {
    parts = Set.copyOf(parts);
    scales = List.copyOf(scales);
    if (parts.isEmpty() || !Set.of(SIMULATION, DOCKER).containsAll(parts)) {
      throw new IllegalArgumentException(
          "wharf.bench.services.parts must list simulation and/or docker");
    }
    if (instances < 1 || scales.stream().anyMatch(n -> n < 1) || rollout < 0) {
      throw new IllegalArgumentException(
          "wharf.bench.services.instances and scales must be positive, rollout not negative");
    }
    if (repeats < 1 || warmup < 0 || dockerTasks < 1 || dockerRepeats < 1 || dockerWarmup < 0) {
      throw new IllegalArgumentException(
          "wharf.bench.services.repeats, dockerTasks and dockerRepeats must be >= 1, warm-ups >= 0");
    }
    if (step.isNegative() || step.isZero() || poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException(
          "wharf.bench.services.step and wharf.bench.services.poll must be positive");
    }
    long perInstance = Math.min(instanceCpu / taskCpu, instanceMemory / taskMemory);
    // A rollout holds up to twice its tasks (maximumPercent 200).
    long most =
        Math.max(scales.stream().mapToLong(Integer::longValue).max().orElse(0), 2L * rollout);
    if (parts.contains(SIMULATION) && most > perInstance * instances) {
      throw new IllegalArgumentException(
          "the tasks do not fit: %,d tasks on %,d instances of %,d tasks each"
              .formatted(most, instances, perInstance));
    }
  }

  static ServiceSettings fromSystemProperties() {
    String parts = System.getProperty("wharf.bench.services.parts", "simulation,docker");
    boolean docker = parts.contains(DOCKER);
    return new ServiceSettings(
        Set.copyOf(Arrays.stream(parts.split(",")).map(String::strip).toList()),
        Integer.getInteger("wharf.bench.services.instances", 1_000),
        integers(System.getProperty("wharf.bench.services.scales", "1000,10000")),
        Integer.getInteger("wharf.bench.services.rollout", 1_000),
        Integer.getInteger("wharf.bench.services.repeats", 3),
        Integer.getInteger("wharf.bench.services.warmup", 1),
        BenchSettings.parseDuration(System.getProperty("wharf.bench.services.step", "1s")),
        Long.getLong("wharf.bench.services.instanceCpu", 10_240),
        Long.getLong("wharf.bench.services.instanceMemory", 20_480),
        Long.getLong("wharf.bench.services.taskCpu", 100),
        Long.getLong("wharf.bench.services.taskMemory", 200),
        Long.getLong("wharf.bench.services.seed", 42L),
        Integer.getInteger("wharf.bench.services.dockerTasks", 20),
        Integer.getInteger("wharf.bench.services.dockerRepeats", 3),
        Integer.getInteger("wharf.bench.services.dockerWarmup", 1),
        BenchSettings.parseDuration(System.getProperty("wharf.bench.services.poll", "50ms")),
        System.getProperty("wharf.bench.services.image", "wharf-test/busybox:latest"),
        // The jar is needed only on real Docker; the simulation runs in this JVM.
        docker ? BenchSettings.serverJarFromProperty() : null,
        Path.of(System.getProperty("wharf.bench.testImageScript", "scripts/test-image.sh"))
            .toAbsolutePath()
            .normalize());
  }

  boolean runs(String part) {
    return parts.contains(part);
  }

  private static List<Integer> integers(String list) {
    if (list.isBlank()) {
      return List.of();
    }
    return Arrays.stream(list.split(",")).map(String::strip).map(Integer::valueOf).toList();
  }
}
