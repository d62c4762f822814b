package io.wharf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code wharf} command ({@code server}, {@code agent}) in a child JVM, started as {@code
 * ./wharf} starts it: this JVM's {@code java --enable-native-access=ALL-UNNAMED -jar wharf.jar},
 * with the bench's admin key in {@code WHARF_ACCESS_KEY_ID} / {@code WHARF_SECRET_ACCESS_KEY}. It
 * counts as started when it prints a given line.
 *
 * <p>Its own process, so that its resident memory can be read from {@code /proc/<pid>/status}
 * without the benchmark's own heap in it.
 *
 * <p>Threading: one daemon platform thread per process drains its output (a full pipe would stall
 * it); everything else is called from the benchmark's main thread.
 */
final class ChildJvm implements AutoCloseable {
  // The tail of the process's output, shown when it fails.
  private static final int KEPT_LINES = 50;

  private final String name;
  private final Process process;
  private final String readyLine;
  private final long spawnedNanos;
  private final long readyNanos;
  private final Deque<String> tail;
  private final List<LineWatch> watches;

  /** A wait for the next line that starts with {@code prefix}: completes with its arrival time. */
  private record LineWatch(String prefix, CompletableFuture<Long> arrived) {}

  private ChildJvm(
      String name,
      Process process,
      String readyLine,
      long spawnedNanos,
      long readyNanos,
      Deque<String> tail,
      List<LineWatch> watches) {
    this.name = name;
    this.watches = watches;
    this.process = process;
    this.readyLine = readyLine;
    this.spawnedNanos = spawnedNanos;
    this.readyNanos = readyNanos;
    this.tail = tail;
  }

  /**
   * Spawns {@code java -jar jar args...} and returns once it printed a line starting with {@code
   * readyPrefix} (on stdout or stderr).
   *
   * @param name what to call the process in messages, e.g. {@code "wharf server"}
   * @throws IllegalStateException when the process exits or stays silent for {@code timeout}
   */
  static ChildJvm start(
      String name, Path jar, List<String> args, String readyPrefix, Duration timeout)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    // As ./wharf: sqlite-jdbc loads a native library, which JDK 24+ warns about otherwise.
    command.add("--enable-native-access=ALL-UNNAMED");
    // As ./wharf: generational ZGC, collecting before the heap grows past 1 GiB.
    command.add("-XX:+UseZGC");
    command.add("-XX:SoftMaxHeapSize=1g");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("WHARF_ACCESS_KEY_ID", WharfServer.KEY_ID);
    builder.environment().put("WHARF_SECRET_ACCESS_KEY", WharfServer.SECRET);

    Deque<String> tail = new ArrayDeque<>();
    List<LineWatch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<Ready> ready = new CompletableFuture<>();
    long spawned = System.nanoTime();
    Process process = builder.start();
    // A platform thread: a read from a process's pipe holds its carrier, and two such readers
    // blocked on a 2-core machine would leave no carrier for any virtual thread.
    Thread.ofPlatform()
        .daemon()
        .name(name.replace(' ', '-') + "-output")
        .start(() -> drain(process, readyPrefix, tail, watches, ready));
    try {
      Ready r = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new ChildJvm(name, process, r.line(), spawned, r.nanos(), tail, watches);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("Interrupted while starting " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException(name + " did not start:\n" + tailOf(tail), e);
    }
  }

  private record Ready(String line, long nanos) {}

  private static void drain(
      Process process,
      String readyPrefix,
      Deque<String> tail,
      List<LineWatch> watches,
      CompletableFuture<Ready> ready) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        // Read the clock first: the ready time is when the line arrived, not when it was parsed.
        long now = System.nanoTime();
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > KEPT_LINES) {
            tail.removeFirst();
          }
        }
        if (line.startsWith(readyPrefix)) {
          ready.complete(new Ready(line, now));
        }
        for (LineWatch w : watches) {
          // Log lines start with a time stamp and a level: the text is looked for anywhere.
          if (line.contains(w.prefix()) && w.arrived().complete(now)) {
            watches.remove(w);
          }
        }
      }
    } catch (IOException e) {
      // The pipe broke because the process is gone; the completion below reports that.
    }
    ready.completeExceptionally(new IllegalStateException("the process exited"));
    for (LineWatch w : watches) {
      w.arrived().completeExceptionally(new IllegalStateException("the process exited"));
    }
  }

  private static String tailOf(Deque<String> tail) {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  /** The line that said the process was ready. */
  String readyLine() {
    return readyLine;
  }

  long pid() {
    return process.pid();
  }

  /** When the process was spawned, in {@link System#nanoTime()} terms. */
  long spawnedNanos() {
    return spawnedNanos;
  }

  /** Nanoseconds from spawning the process to reading its ready line. */
  long nanosToReady() {
    return readyNanos - spawnedNanos;
  }

  /**
   * The arrival time ({@link System#nanoTime()}) of the next line, printed after this call, that
   * contains {@code text}; fails when the process exits first.
   */
  CompletableFuture<Long> nextLineContaining(String text) {
    CompletableFuture<Long> arrived = new CompletableFuture<>();
    watches.add(new LineWatch(text, arrived));
    return arrived;
  }

  /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. */
  void kill() {
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last lines the process printed (for failure messages). */
  String outputTail() {
    return tailOf(tail);
  }

  /**
   * The process's resident set size (VmRSS in {@code /proc/<pid>/status}) in bytes: the pages of
   * heap, metaspace, code cache, thread stacks and native memory it actually touches, which is what
   * it costs the machine. Empty where {@code /proc} is not there (not Linux).
   */
  OptionalLong residentBytes() {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:	  123456 kB"
          String kib = line.substring("VmRSS:".length()).replace("kB", "").strip();
          return OptionalLong.of(Long.parseLong(kib) * 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // No /proc, or the process is gone: the figure is reported as unknown.
    }
    return OptionalLong.empty();
  }

  /**
   * Asks the JVM for a full collection ({@code jcmd <pid> GC.run}, the JDK's own tool next to this
   * JVM's {@code java}); returns false when that failed. G1 gives heap it no longer needs back to
   * the OS after a full collection, so the RSS read after it is closer to what the process needs
   * than to what it happened to allocate since its last collection.
   */
  boolean fullGc() {
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Path jcmd = java.resolveSibling("jcmd");
    try {
      Process p =
          new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * SIGTERM, as Ctrl-C or {@code systemctl stop} would send; Wharf's shutdown hooks close the store
   * and the agent's channel. Returns how long the process took to exit.
   *
   * @throws IllegalStateException when it did not exit within {@code timeout} (it is then killed)
   */
  long stop(Duration timeout) {
    long asked = System.nanoTime();
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(
            name + " did not stop on SIGTERM within " + timeout + ":\n" + tailOf(tail));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    return System.nanoTime() - asked;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the process if it is still running (after a failure elsewhere). */
  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(60));
    }
  }
}
