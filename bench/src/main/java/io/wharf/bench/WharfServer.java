package io.wharf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code wharf server} in a child JVM, the way a user runs it: its own process, its own JIT, its
 * own data directory lock. Start-up is timed from just before the process is spawned to the moment
 * its ready line is read.
 *
 * <p>Threading: one virtual thread per server drains its output (a full pipe would stall the
 * server); everything else is called from the benchmark's main thread.
 */
final class WharfServer implements AutoCloseable {
  static final String KEY_ID = "AKIAWHARFBENCHKEY001";
  static final String SECRET = "wharf-bench-secret-key-00000000000000000";
  static final String ACCOUNT = "123456789012";

  /** The line {@code wharf server} prints once it serves requests; the endpoint follows it. */
  private static final String READY = "Wharf control plane is running at ";

  // A server that has not printed its ready line by then is reported as broken, not slow.
  private static final long START_TIMEOUT_SECONDS = 120;
  private static final long STOP_TIMEOUT_SECONDS = 60;

  // The tail of the server's output, shown when it fails to start.
  private static final int KEPT_LINES = 50;

  private final Process process;
  private final String endpoint;
  private final long spawnedNanos;
  private final long readyNanos;
  private final Deque<String> tail;

  private WharfServer(
      Process process, String endpoint, long spawnedNanos, long readyNanos, Deque<String> tail) {
    this.process = process;
    this.endpoint = endpoint;
    this.spawnedNanos = spawnedNanos;
    this.readyNanos = readyNanos;
    this.tail = tail;
  }

  /**
   * Spawns a server on a free loopback port of {@code dataDir} and returns once it printed its
   * ready line.
   *
   * @param serverJar the launcher jar, run with this JVM's {@code java -jar} as {@code ./wharf}
   *     runs it
   */
  static WharfServer start(Path dataDir, Path serverJar) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(
        List.of(
            // As ./wharf: sqlite-jdbc loads a native library, which JDK 24+ warns about otherwise.
            "--enable-native-access=ALL-UNNAMED",
            "-jar",
            serverJar.toString(),
            "server",
            "--port",
            "0",
            "--data-dir",
            dataDir.toString(),
            "--account-id",
            ACCOUNT));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("WHARF_ACCESS_KEY_ID", KEY_ID);
    builder.environment().put("WHARF_SECRET_ACCESS_KEY", SECRET);

    Deque<String> tail = new ArrayDeque<>();
    CompletableFuture<Ready> ready = new CompletableFuture<>();
    long spawned = System.nanoTime();
    Process process = builder.start();
    Thread.ofVirtual().name("wharf-server-output").start(() -> drain(process, tail, ready));
    try {
      Ready r = ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new WharfServer(process, r.endpoint(), spawned, r.nanos(), tail);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("Interrupted while starting wharf server", e);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException("wharf server did not start:\n" + tailOf(tail), e);
    }
  }

  private record Ready(String endpoint, long nanos) {}

  private static void drain(Process process, Deque<String> tail, CompletableFuture<Ready> ready) {
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
        if (line.startsWith(READY)) {
          ready.complete(new Ready(line.substring(READY.length()).strip(), now));
        }
      }
    } catch (IOException e) {
      // The pipe broke because the process is gone; the completion below reports that.
    }
    ready.completeExceptionally(new IllegalStateException("wharf server exited"));
  }

  private static String tailOf(Deque<String> tail) {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  String endpoint() {
    return endpoint;
  }

  /** The server process's id, to read its memory from {@code /proc} or run {@code jcmd} on it. */
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
   * SIGTERM, as Ctrl-C or {@code systemctl stop} would send; the server's shutdown hook closes the
   * store. Returns how long the process took to exit.
   */
  long stop() {
    long asked = System.nanoTime();
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(
            "wharf server did not stop on SIGTERM within "
                + STOP_TIMEOUT_SECONDS
                + "s:\n"
                + tailOf(tail));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    return System.nanoTime() - asked;
  }

  /** Stops the server if it is still running (after a failure elsewhere). */
  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
