package io.wharf.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How long and how big a {@link TaskStartBench} run is, read from {@code wharf.bench.start.*}
 * system properties (and {@code wharf.bench.serverJar}, shared with the other benchmark).
 *
 * @param rounds measured rounds; each starts one task with RunTask and one container with {@code
 *     docker run -d}
 * @param warmup rounds run first and not recorded (the JITs of the control plane and the agent, the
 *     page cache, Docker's caches)
 * @param poll how often the client asks DescribeTasks whether the task is RUNNING
 * @param memoryTasks tasks running when the agent's memory is read the second time
 * @param settle how long the processes are left alone before their memory is read
 * @param image the image every container runs; it must be local (no pull is measured)
 * @param serverJar the launcher jar the control plane and the agent run from
 * @param testImageScript the script that builds the test image ({@code wharf-test/busybox}) when it
 *     is missing
 */
record TaskStartSettings(
    int rounds,
    int warmup,
    Duration poll,
    int memoryTasks,
    Duration settle,
    String image,
    Path serverJar,
    Path testImageScript) {
  TaskStartSettings {
    if (rounds < 1 || warmup < 0 || memoryTasks < 0) {
      throw new IllegalArgumentException(
          "wharf.bench.start.rounds must be >= 1, warmup and memoryTasks >= 0");
    }
    if (poll.isNegative() || poll.isZero() || settle.isNegative()) {
      throw new IllegalArgumentException(
          "wharf.bench.start.poll must be positive and wharf.bench.start.settle not negative");
    }
  }

  static TaskStartSettings fromSystemProperties() {
    return new TaskStartSettings(
        Integer.getInteger("wharf.bench.start.rounds", 20),
        Integer.getInteger("wharf.bench.start.warmup", 3),
        BenchSettings.parseDuration(System.getProperty("wharf.bench.start.poll", "50ms")),
        Integer.getInteger("wharf.bench.start.memoryTasks", 50),
        BenchSettings.parseDuration(System.getProperty("wharf.bench.start.settle", "5s")),
        System.getProperty("wharf.bench.start.image", "wharf-test/busybox:latest"),
        BenchSettings.serverJarFromProperty(),
        Path.of(System.getProperty("wharf.bench.testImageScript", "scripts/test-image.sh"))
            .toAbsolutePath()
            .normalize());
  }
}
