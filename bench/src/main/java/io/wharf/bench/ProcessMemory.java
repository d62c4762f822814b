package io.wharf.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much memory a JVM holds: the kernel's view ({@code VmRSS}, {@code VmHWM} in {@code
 * /proc/<pid>/status}) and the heap's after a full collection (what is live).
 *
 * @param rss resident set size, bytes: what the process holds in RAM now
 * @param peakRss the most it ever held (the high-water mark), bytes
 * @param heapUsed heap in use after a full GC, bytes: the live objects
 * @param heapCommitted heap the JVM has taken from the OS, bytes
 * @param heapMax the heap limit (-Xmx or the JVM's default), bytes
 */
record ProcessMemory(long rss, long peakRss, long heapUsed, long heapCommitted, long heapMax) {
  // GC.heap_info's first line, e.g. " garbage-first heap   total reserved 6291456K, committed
  // 262144K, used 151023K [...]"; G1, Parallel and Serial print the same three figures.
  private static final Pattern HEAP_INFO =
      Pattern.compile("reserved (\\d+)K, committed (\\d+)K, used (\\d+)K");

  // ZGC's instead, e.g. " ZHeap           used 270M, capacity 1260M, max capacity 6028M".
  private static final Pattern Z_HEAP_INFO =
      Pattern.compile("used (\\d+)M, capacity (\\d+)M, max capacity (\\d+)M");

  private static final long JCMD_TIMEOUT_SECONDS = 60;

  /**
   * This JVM, after full collections: two, because the first may leave objects whose finalization
   * or reference processing frees more in the second.
   */
  static ProcessMemory ofThisJvm() throws IOException {
    System.gc();
    System.gc();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    Path status = Path.of("/proc/self/status");
    return new ProcessMemory(
        statusKib(status, "VmRSS") * 1024,
        statusKib(status, "VmHWM") * 1024,
        heap.getUsed(),
        heap.getCommitted(),
        heap.getMax());
  }

  /**
   * Another JVM (by pid), after asking it for a full collection with {@code jcmd <pid> GC.run}; its
   * heap figures come from {@code jcmd <pid> GC.heap_info}.
   */
  static ProcessMemory ofJvm(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String heapInfo = jcmd(pid, "GC.heap_info");
    Path status = Path.of("/proc", Long.toString(pid), "status");
    long rss = statusKib(status, "VmRSS") * 1024;
    long peak = statusKib(status, "VmHWM") * 1024;
    Matcher m = HEAP_INFO.matcher(heapInfo);
    if (m.find()) {
      return new ProcessMemory(
          rss,
          peak,
          Long.parseLong(m.group(3)) * 1024,
          Long.parseLong(m.group(2)) * 1024,
          Long.parseLong(m.group(1)) * 1024);
    }
    Matcher z = Z_HEAP_INFO.matcher(heapInfo);
    if (z.find()) {
      long mib = 1024 * 1024;
      return new ProcessMemory(
          rss,
          peak,
          Long.parseLong(z.group(1)) * mib,
          Long.parseLong(z.group(2)) * mib,
          Long.parseLong(z.group(3)) * mib);
    }
    throw new IllegalStateException("Unexpected GC.heap_info output:\n" + heapInfo);
  }

  /** Resident set size of a process now, bytes (no collection first). */
  static long rssOf(long pid) throws IOException {
    return statusKib(Path.of("/proc", Long.toString(pid), "status"), "VmRSS") * 1024;
  }

  private static long statusKib(Path status, String field) throws IOException {
    // Lines look like "VmRSS:\t  123456 kB".
    for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
      }
    }
    throw new IllegalStateException(status + " has no " + field);
  }

  /** Runs {@code jcmd} of this JVM's JDK; returns its output. */
  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Path jcmd = java.resolveSibling("jcmd");
    Process p =
        new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("jcmd " + pid + " " + command + " failed:\n" + out);
    }
    return out;
  }

  static String mib(long bytes) {
    return "%,.0f".formatted(bytes / (1024.0 * 1024));
  }
}
