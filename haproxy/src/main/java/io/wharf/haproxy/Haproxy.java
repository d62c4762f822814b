package io.wharf.haproxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HAProxy, run in master-worker mode and kept in line with a {@link ProxyConfig}.
 *
 * <pre>
 *  apply(desired)
 *    ├─ not running ─────────────▶ write config ─▶ start master ─▶ wait for the worker
 *    ├─ structure changed ───────▶ save server states ─▶ write config ─▶ check it (haproxy -c)
 *    │                              ─▶ master CLI "reload" ─▶ wait for the new worker
 *    └─ always ──────────────────▶ servers through the runtime API (add / drain / ready / remove)
 * </pre>
 *
 * <p>A reload hands the listening sockets to the new worker, and the old one finishes its open
 * connections, so a reload refuses nothing; still, only structural changes (listeners, rules,
 * target groups) reload. Targets come and go through the runtime API.
 *
 * <p>Supervision: a master that dies is started again (with backoff), warm: the configuration holds
 * the servers it had and the state file their health. A master left running by a previous Wharf
 * that was killed is adopted (found through the pid file), so traffic never stops for a
 * control-plane restart. {@link #close} stops HAProxy.
 *
 * <p>Threading: {@link #apply}, {@link #servers} and {@link #saveServerStates} may be called from
 * any thread; changes are serialized.
 */
public final class Haproxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Haproxy.class);

  /** The oldest HAProxy whose runtime API can add servers with health checks. */
  static final int[] MINIMUM_VERSION = {2, 6};

  /** How long a started or reloaded worker may take to answer on its socket. */
  private static final Duration WORKER_START = Duration.ofSeconds(15);

  /** Sun paths are limited to 108 bytes; leave room. */
  private static final int MAX_SOCKET_PATH = 100;

  /** An old worker serves its open connections at most this long after a reload. */
  private static final Duration HARD_STOP_AFTER = Duration.ofMinutes(2);

  private static final Duration MAX_RESTART_BACKOFF = Duration.ofSeconds(30);

  /**
   * Where HAProxy lives and keeps its files.
   *
   * @param binary the haproxy executable
   * @param workDir configuration, state file, pid file and log; sockets too when the path is short
   */
  public record Settings(Path binary, Path workDir) {}

  private final Settings settings;
  private final Path config;
  private final Path stateFile;
  private final Path pidFile;
  private final Path logFile;
  private final Path masterSocket;
  private final RuntimeApi runtime;
  private final Object lock = new Object();

  // Guarded by lock.
  private ProcessHandle master;
  private ProxyConfig desired = ProxyConfig.EMPTY;
  private ProxyConfig appliedStructure;
  private boolean closed;
  private Duration restartBackoff = Duration.ofSeconds(1);
  private final Thread supervisor;

  private Haproxy(Settings settings) throws IOException {
    this.settings = settings;
    Path work = settings.workDir().toAbsolutePath();
    Files.createDirectories(work);
    this.config = work.resolve("haproxy.cfg");
    this.stateFile = work.resolve("servers.state");
    this.pidFile = work.resolve("haproxy.pid");
    this.logFile = work.resolve("haproxy.log");
    Path sockets = work;
    if (work.resolve("master.sock").toString().length() > MAX_SOCKET_PATH) {
      sockets =
          Path.of(
              System.getProperty("java.io.tmpdir"),
              "wharf-haproxy-" + Integer.toHexString(work.toString().hashCode()));
      Files.createDirectories(sockets);
    }
    this.masterSocket = sockets.resolve("master.sock");
    this.runtime = new RuntimeApi(sockets.resolve("admin.sock"));
    this.supervisor =
        Thread.ofVirtual().name("wharf-haproxy-supervisor").unstarted(this::supervise);
  }

  /**
   * Adopts the HAProxy a previous Wharf left running in {@code workDir}, or prepares to start one
   * at the first {@link #apply}.
   *
   * @throws ProxyException when the binary is missing or too old
   */
  public static Haproxy open(Settings settings) {
    checkVersion(settings.binary());
    try {
      Haproxy proxy = new Haproxy(settings);
      proxy.adopt();
      proxy.supervisor.start();
      return proxy;
    } catch (IOException e) {
      throw new ProxyException("Cannot prepare HAProxy's directory " + settings.workDir(), e);
    }
  }

  /**
   * The haproxy executable: {@code configured} when given, else {@code haproxy} on the PATH or in
   * the sbin directories (which a non-root PATH often lacks).
   */
  public static Optional<Path> findBinary(Path configured) {
    if (configured != null) {
      return Files.isExecutable(configured) ? Optional.of(configured) : Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, "haproxy"));
      }
    }
    candidates.add(Path.of("/usr/sbin/haproxy"));
    candidates.add(Path.of("/usr/local/sbin/haproxy"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** What to tell someone who has no HAProxy. */
  public static String installHint() {
    return "install HAProxy 2.6 or newer (Debian/Ubuntu: sudo apt-get install haproxy) or point"
        + " --haproxy at it";
  }

  public RuntimeApi runtime() {
    return runtime;
  }

  public Path logFile() {
    return logFile;
  }

  /** Whether a master is running and its worker answers. */
  public boolean isRunning() {
    synchronized (lock) {
      return master != null && master.isAlive() && runtime.isReachable();
    }
  }

  /**
   * Brings HAProxy to {@code target}: starts or reloads it when the structure differs from what
   * runs, then adds, drains and removes servers through the runtime API.
   *
   * @return servers that could not be removed yet because HAProxy still holds connections to them
   * @throws ProxyException when HAProxy cannot be started or reloaded, or refuses a command; what
   *     runs is left as it was
   */
  public Set<String> apply(ProxyConfig target) {
    synchronized (lock) {
      if (closed) {
        throw new ProxyException("HAProxy has been stopped");
      }
      desired = target;
      if (master == null || !master.isAlive()) {
        start(target);
      } else if (!target.structure().equals(appliedStructure)) {
        reload(target);
      }
      return syncServers(target);
    }
  }

  /** Every server HAProxy has now, with health and connections. */
  public List<ServerStatus> servers() {
    return runtime.servers();
  }

  /**
   * Saves the servers' states, so that a master started after a crash begins with the health they
   * had rather than everyone up.
   */
  public void saveServerStates() {
    synchronized (lock) {
      if (master != null && master.isAlive()) {
        writeAtomically(stateFile, runtime.serversState());
      }
    }
  }

  // ---- start, reload, adopt --------------------------------------------------------------------

  private void start(ProxyConfig target) {
    Set<String> known = knownServers(readOrEmpty(stateFile));
    String text = render(target, known);
    check(text);
    writeAtomically(config, text);
    deleteIfExists(runtime.socket());
    deleteIfExists(masterSocket);
    List<String> command =
        List.of(
            settings.binary().toString(),
            "-W",
            "-db",
            "-f",
            config.toString(),
            "-p",
            pidFile.toString(),
            "-S",
            masterSocket + ",mode,600");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      master = process.toHandle();
    } catch (IOException e) {
      throw new ProxyException("Cannot run " + settings.binary() + ": " + e.getMessage(), e);
    }
    long worker = awaitWorker(-1);
    appliedStructure = target.structure();
    log.info("HAProxy started (master {}, worker {}, config {})", master.pid(), worker, config);
  }

  private void reload(ProxyConfig target) {
    String states = runtime.serversState();
    writeAtomically(stateFile, states);
    String text = render(target, knownServers(states));
    check(text);
    long before = runtime.workerPid();
    writeAtomically(config, text);
    masterCommand("reload");
    long after = awaitWorker(before);
    appliedStructure = target.structure();
    log.info("HAProxy reloaded (worker {} replaces {})", after, before);
  }

  /** Adopts a master left running by a previous Wharf on the same directory. */
  private void adopt() {
    String pid = readOrEmpty(pidFile).trim();
    if (pid.isEmpty()) {
      return;
    }
    Optional<ProcessHandle> handle;
    try {
      handle = ProcessHandle.of(Long.parseLong(pid.lines().findFirst().orElse("").trim()));
    } catch (NumberFormatException e) {
      return;
    }
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return;
    }
    String commandLine = handle.get().info().commandLine().orElse("");
    if (!commandLine.contains("haproxy") || !commandLine.contains(config.toString())) {
      return;
    }
    if (!runtime.isReachable()) {
      log.warn(
          "HAProxy {} from a previous run does not answer on {}; stopping it",
          handle.get().pid(),
          runtime.socket());
      stop(handle.get());
      return;
    }
    master = handle.get();
    // Unknown: the next apply compares against nothing and reloads once with the current state.
    appliedStructure = null;
    log.info("Adopted the running HAProxy (master {})", master.pid());
  }

  /** Waits until a worker other than {@code previous} answers; returns its pid. */
  private long awaitWorker(long previous) {
    long deadline = System.nanoTime() + WORKER_START.toNanos();
    while (System.nanoTime() < deadline) {
      if (master == null || !master.isAlive()) {
        throw new ProxyException("HAProxy exited at start; see " + logFile + ":\n" + logTail());
      }
      try {
        long pid = runtime.workerPid();
        if (pid != previous) {
          return pid;
        }
      } catch (ProxyException e) {
        // not up yet
      }
      sleep(Duration.ofMillis(20));
    }
    throw new ProxyException(
        "HAProxy did not "
            + (previous < 0 ? "start" : "take the new configuration")
            + " within "
            + WORKER_START.toSeconds()
            + " s; see "
            + logFile
            + ":\n"
            + logTail());
  }

  private void masterCommand(String command) {
    new RuntimeApi(masterSocket).command(command);
  }

  /** Fails with HAProxy's own words when it would refuse the configuration. */
  private void check(String text) {
    Path candidate = config.resolveSibling("haproxy.cfg.new");
    writeAtomically(candidate, text);
    try {
      Process p =
          new ProcessBuilder(settings.binary().toString(), "-c", "-q", "-f", candidate.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ProxyException("haproxy -c did not finish");
      }
      if (p.exitValue() != 0) {
        throw new ProxyException("HAProxy refuses the generated configuration:\n" + output);
      }
    } catch (IOException e) {
      throw new ProxyException("Cannot run " + settings.binary() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProxyException("Interrupted while checking the configuration", e);
    }
  }

  private String render(ProxyConfig target, Set<String> known) {
    // Servers HAProxy already knows keep their state through the state file; others start down
    // and are added at runtime, so that no server takes traffic before its first passed checks.
    List<ProxyConfig.Backend> backends = new ArrayList<>();
    for (ProxyConfig.Backend b : target.backends()) {
      backends.add(
          b.withServers(
              b.servers().stream()
                  .filter(s -> known.contains(b.name() + "/" + s.name()))
                  .toList()));
    }
    return ConfigRenderer.render(
        new ProxyConfig(target.frontends(), backends),
        new ConfigRenderer.Globals(runtime.socket(), stateFile, HARD_STOP_AFTER));
  }

  /** {@code backend/server} of each line of a {@code show servers state} dump. */
  static Set<String> knownServers(String states) {
    Set<String> out = new HashSet<>();
    try {
      for (Map<String, String> row : RuntimeApi.table(states, " ")) {
        out.add(row.get("be_name") + "/" + row.get("srv_name"));
      }
    } catch (ProxyException e) {
      log.warn("Ignoring an unreadable server-state file: {}", e.getMessage());
    }
    return out;
  }

  // ---- servers ---------------------------------------------------------------------------------

  private Set<String> syncServers(ProxyConfig target) {
    Map<String, ServerStatus> running = new HashMap<>();
    for (ServerStatus s : runtime.servers()) {
      running.put(s.backend() + "/" + s.server(), s);
    }
    Set<String> wanted = new HashSet<>();
    Set<String> pending = new HashSet<>();
    for (ProxyConfig.Backend b : target.backends()) {
      if (b.fixedResponse() != null) {
        continue;
      }
      for (ProxyConfig.Server s : b.servers()) {
        String id = b.name() + "/" + s.name();
        wanted.add(id);
        ServerStatus now = running.get(id);
        if (now == null) {
          if (!s.draining()) {
            runtime.addServer(b.name(), s, b.check());
            log.debug("Added server {} ({}:{})", id, s.address(), s.port());
          }
        } else if (s.draining() && !now.draining() && !now.maintenance()) {
          runtime.drain(b.name(), s.name());
          log.debug("Draining server {}", id);
        } else if (!s.draining() && (now.draining() || now.maintenance())) {
          runtime.ready(b.name(), s.name());
          log.debug("Server {} is ready again", id);
        }
      }
    }
    for (Map.Entry<String, ServerStatus> e : running.entrySet()) {
      if (!wanted.contains(e.getKey())) {
        ServerStatus s = e.getValue();
        if (target.backend(s.backend()) == null) {
          continue; // its backend is gone with the last reload
        }
        if (runtime.remove(s.backend(), s.server())) {
          log.debug("Removed server {}", e.getKey());
        } else {
          pending.add(e.getKey());
        }
      }
    }
    return pending;
  }

  // ---- supervision -----------------------------------------------------------------------------

  private void supervise() {
    while (true) {
      ProcessHandle watched;
      synchronized (lock) {
        if (closed) {
          return;
        }
        watched = master;
      }
      if (watched == null) {
        sleep(Duration.ofMillis(500));
        continue;
      }
      try {
        watched.onExit().get();
      } catch (Exception e) {
        sleep(Duration.ofMillis(500));
        continue;
      }
      synchronized (lock) {
        if (closed) {
          return;
        }
        if (master != watched) {
          continue;
        }
        log.error(
            "HAProxy (master {}) exited; starting it again in {} s. Its log {}:\n{}",
            watched.pid(),
            restartBackoff.toSeconds(),
            logFile,
            logTail());
      }
      sleep(restartBackoff);
      synchronized (lock) {
        if (closed) {
          return;
        }
        try {
          start(desired);
          syncServers(desired);
          restartBackoff = Duration.ofSeconds(1);
        } catch (ProxyException e) {
          log.error("Cannot start HAProxy again: {}", e.getMessage());
          restartBackoff =
              restartBackoff.multipliedBy(2).compareTo(MAX_RESTART_BACKOFF) > 0
                  ? MAX_RESTART_BACKOFF
                  : restartBackoff.multipliedBy(2);
          master = null;
        }
      }
    }
  }

  /** Stops HAProxy (and with it every listener) and the supervisor. */
  @Override
  public void close() {
    ProcessHandle running;
    synchronized (lock) {
      closed = true;
      running = master;
      master = null;
      if (running != null && running.isAlive()) {
        try {
          writeAtomically(stateFile, runtime.serversState());
        } catch (RuntimeException e) {
          log.debug("Could not save server states before stopping: {}", e.getMessage());
        }
      }
    }
    supervisor.interrupt();
    if (running != null) {
      stop(running);
    }
  }

  private static void stop(ProcessHandle process) {
    process.destroy();
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Refuses an HAProxy older than {@link #MINIMUM_VERSION} with a message saying what to do. */
  static void checkVersion(Path binary) {
    String output;
    try {
      Process p = new ProcessBuilder(binary.toString(), "-v").redirectErrorStream(true).start();
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new ProxyException(
          "Cannot run " + binary + " (" + e.getMessage() + "); " + installHint());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProxyException("Interrupted while checking " + binary);
    }
    Matcher m = Pattern.compile("version (\\d+)\\.(\\d+)").matcher(output);
    if (!m.find()) {
      throw new ProxyException(binary + " -v does not say which HAProxy it is: " + output.trim());
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (major < MINIMUM_VERSION[0] || (major == MINIMUM_VERSION[0] && minor < MINIMUM_VERSION[1])) {
      throw new ProxyException(
          binary + " is HAProxy " + major + "." + minor + ", too old; " + installHint());
    }
  }

  private String logTail() {
    List<String> lines = readOrEmpty(logFile).lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void writeAtomically(Path file, String text) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, text);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  private static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
