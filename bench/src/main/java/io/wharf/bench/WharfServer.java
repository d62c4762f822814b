package io.wharf.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code wharf server} in a child JVM, the way a user runs it: its own process, its own JIT, its
 * own data directory lock. Start-up is timed from just before the process is spawned to the moment
 * its ready line is read.
 *
 * <p>Threading: see {@link ChildJvm}; everything here is called from the benchmark's main thread.
 */
final class WharfServer implements AutoCloseable {
  static final String KEY_ID = "AKIAWHARFBENCHKEY001";
  static final String SECRET = "wharf-bench-secret-key-00000000000000000";
  static final String ACCOUNT = "123456789012";

  /** The line {@code wharf server} prints once it serves requests; the endpoint follows it. */
  private static final String READY = "Wharf control plane is running at ";

  // A server that has not printed its ready line by then is reported as broken, not slow.
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final ChildJvm process;
  private final String endpoint;

  private WharfServer(ChildJvm process) {
    this.process = process;
    this.endpoint = process.readyLine().substring(READY.length()).strip();
  }

  /**
   * Spawns a server on a free loopback port of {@code dataDir} and returns once it printed its
   * ready line.
   *
   * @param serverJar the launcher jar, run with this JVM's {@code java -jar} as {@code ./wharf}
   *     runs it
   */
  static WharfServer start(Path dataDir, Path serverJar) throws IOException {
    return start(dataDir, serverJar, List.of());
  }

  /** As {@link #start(Path, Path)}, with more {@code wharf server} options. */
  static WharfServer start(Path dataDir, Path serverJar, List<String> moreArgs) throws IOException {
    return startOnPort(0, dataDir, serverJar, moreArgs);
  }

  /**
   * As {@link #start(Path, Path, List)}, on a given port: a restarted control plane comes back
   * where its agents look for it.
   */
  static WharfServer startOnPort(int port, Path dataDir, Path serverJar, List<String> moreArgs)
      throws IOException {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "server",
                "--port",
                Integer.toString(port),
                "--data-dir",
                dataDir.toString(),
                "--account-id",
                ACCOUNT));
    args.addAll(moreArgs);
    return new WharfServer(ChildJvm.start("wharf server", serverJar, args, READY, START_TIMEOUT));
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
    return process.spawnedNanos();
  }

  /** Nanoseconds from spawning the process to reading its ready line. */
  long nanosToReady() {
    return process.nanosToReady();
  }

  /** The server process's resident set size in bytes; see {@link ChildJvm#residentBytes()}. */
  OptionalLong residentBytes() {
    return process.residentBytes();
  }

  /** A full collection in the server's JVM; see {@link ChildJvm#fullGc()}. */
  boolean fullGc() {
    return process.fullGc();
  }

  /**
   * SIGTERM, as Ctrl-C or {@code systemctl stop} would send; the server's shutdown hook closes the
   * store. Returns how long the process took to exit.
   */
  long stop() {
    return process.stop(STOP_TIMEOUT);
  }

  /** SIGKILL: a crash, with no shutdown hook. */
  void kill() {
    process.kill();
  }

  /** Stops the server if it is still running (after a failure elsewhere). */
  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
