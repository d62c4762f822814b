package io.wharf.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.stream.Stream;

/** The facts about this machine that a reader needs to weigh the figures. */
final class Machine {
  private Machine() {}

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** One line: cores, CPU model, memory, OS and JDK. */
  static String describe() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    String memory = "";
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      memory = ", %.0f GiB RAM".formatted(sun.getTotalMemorySize() / (1024.0 * 1024 * 1024));
    }
    return String.format(
        Locale.ROOT,
        "%d cores (%s)%s, %s %s %s; JDK %s %s (%s)",
        cores(),
        cpuModel(),
        memory,
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        System.getProperty("java.vm.vendor"),
        Runtime.version(),
        System.getProperty("java.vm.name"));
  }

  /** The 1-minute load average: how busy the shared machine was, or -1 where unknown. */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * Times {@code times} durable replacements of a small file in {@code dir}: write, fsync, rename,
   * the way Wharf's agent saves its state file. It says what one fsync costs on that file system,
   * which every durable write pays.
   */
  static Samples durableWrites(Path dir, int times) throws IOException {
    Samples samples = new Samples("write + fsync + rename of 1 KiB");
    byte[] content = new byte[1024];
    Path tmp = dir.resolve("fsync-probe.tmp");
    Path file = dir.resolve("fsync-probe.json");
    for (int i = 0; i < times; i++) {
      long start = System.nanoTime();
      Files.write(tmp, content);
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      samples.addNanos(System.nanoTime() - start);
    }
    Files.deleteIfExists(file);
    return samples;
  }

  /** CPU time of the (platform) thread of this JVM with this name, or 0 when there is none. */
  static long threadCpuNanos(String name) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        return Math.max(0, threads.getThreadCpuTime(t.threadId()));
      }
    }
    return 0;
  }

  /** CPU time of this whole JVM, all threads, or 0 where unknown. */
  static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }

  private static String cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return "unknown CPU";
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}
