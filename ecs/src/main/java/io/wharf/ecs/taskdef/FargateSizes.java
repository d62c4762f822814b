package io.wharf.ecs.taskdef;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The task sizes Fargate offers: each task cpu value allows a fixed set of memory values.
 *
 * <p>Source: the ECS developer guide's task size table, repeated in the service model's
 * documentation of {@code memory}. 8 and 16 vCPU need Linux platform version 1.4.0 or later;
 * Windows tasks run with 1, 2 or 4 vCPUs only.
 */
final class FargateSizes {
  /** Memory values from {@code minMiB} to {@code maxMiB} inclusive, {@code stepMiB} apart. */
  private record MemoryRange(int minMiB, int maxMiB, int stepMiB) {
    boolean contains(int memoryMiB) {
      return memoryMiB >= minMiB && memoryMiB <= maxMiB && (memoryMiB - minMiB) % stepMiB == 0;
    }
  }

  private static final Map<Integer, List<MemoryRange>> MEMORY_BY_CPU =
      Map.of(
          // 0.25 vCPU: 512 MiB, 1 GB or 2 GB; 1.5 GB is not offered, hence two ranges.
          256, List.of(new MemoryRange(512, 512, 512), new MemoryRange(1024, 2048, 1024)),
          512, List.of(new MemoryRange(1024, 4096, 1024)),
          1024, List.of(new MemoryRange(2048, 8192, 1024)),
          2048, List.of(new MemoryRange(4096, 16384, 1024)),
          4096, List.of(new MemoryRange(8192, 30720, 1024)),
          8192, List.of(new MemoryRange(16384, 61440, 4096)),
          16384, List.of(new MemoryRange(32768, 122880, 8192)));

  private static final Set<Integer> WINDOWS_CPU = Set.of(1024, 2048, 4096);

  private FargateSizes() {}

  /** True when Fargate offers a task of {@code cpu} units and {@code memoryMiB} MiB. */
  static boolean isOffered(int cpu, int memoryMiB, boolean windows) {
    if (windows && !WINDOWS_CPU.contains(cpu)) {
      return false;
    }
    return MEMORY_BY_CPU.getOrDefault(cpu, List.of()).stream()
        .anyMatch(range -> range.contains(memoryMiB));
  }
}
