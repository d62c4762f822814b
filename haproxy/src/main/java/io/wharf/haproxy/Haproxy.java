package io.wharf.haproxy;

import io.wharf.files.PrivateFiles;
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
 *    └─ always ──────────────────▶ server slots through the runtime API (assign / drain / ready /
 *                                   free)
 * </pre>
 *
 * <p>A reload hands the listening sockets to the new worker, and the old one finishes its open
 * connections, so a reload refuses nothing; still, only structural changes (listeners, rules,
 * target groups) reload, and a backend that has run out of server slots ({@link Slots}). Targets
 * come and go through the runtime API.
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

  /**
   * The oldest HAProxy known to work: the runtime API, server-state file and master CLI used here.
   */
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

  /** Slots per backend in the configuration that runs. */
  private Map<String, Integer> capacities = new HashMap<>();

  private boolean closed;
  private Duration restartBackoff = Duration.ofSeconds(1);
  private final Thread supervisor;

  private Haproxy(Settings settings) throws IOException {
    this.settings = settings;
    Path work = settings.workDir().toAbsolutePath();
    // Owner-only: the configuration names every target, the sockets are the admin API.
    PrivateFiles.createDirectories(work);
    PrivateFiles.tightenTree(work);
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
      PrivateFiles.createDirectories(sockets);
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
   * Brings HAProxy to {@code target}: starts it, or reloads it when the structure differs from what
   * runs (or a backend needs more server slots); then points free slots at new servers, drains,
   * readies and frees slots through the runtime API.
   *
   * @throws ProxyException when HAProxy cannot be started or reloaded, or refuses a command; what
   *     runs is left as it was
   */
  public void apply(ProxyConfig target) {
    synchronized (lock) {
      if (closed) {
        throw new ProxyException("HAProxy has been stopped");
      }
      desired = target;
      if (master == null || !master.isAlive()) {
        start(target);
      } else {
        String dump = runtime.serversState();
        if (!target.structure().equals(appliedStructure) || needsMoreSlots(target)) {
          reload(target, dump);
        }
      }
      syncServers(target);
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
    // Warm: servers the last saved states knew keep their slots and health.
    String saved = readOrEmpty(stateFile);
    Map<String, Slots> slots = slotsFor(target, saved, Map.of());
    String text = render(target, slots);
    check(text);
    writeAtomically(stateFile, keptStates(saved, slots));
    writeAtomically(config, text);
    deleteIfExists(runtime.socket());
    deleteIfExists(masterSocket);
    try {
      PrivateFiles.createFile(logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + logFile, e);
    }
    // Through sh for its umask: HAProxy writes its pid file (again at every reload, when the
    // master re-executes itself) with mode 0644 less the umask. exec keeps the pid and leaves
    // haproxy's own command line in /proc, which adopt() looks for.
    List<String> command =
        List.of(
            "/bin/sh",
            "-c",
            "umask 077 && exec \"$0\" \"$@\"",
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
    applied(target, slots);
    log.info("HAProxy started (master {}, worker {}, config {})", master.pid(), worker, config);
  }

  private void reload(ProxyConfig target, String dump) {
    Map<String, Slots> slots = slotsFor(target, dump, capacities);
    String text = render(target, slots);
    check(text);
    long before = runtime.workerPid();
    writeAtomically(stateFile, keptStates(dump, slots));
    writeAtomically(config, text);
    masterCommand("reload");
    long after = awaitWorker(before);
    applied(target, slots);
    log.info("HAProxy reloaded (worker {} replaces {})", after, before);
  }

  private void applied(ProxyConfig target, Map<String, Slots> slots) {
    appliedStructure = target.structure();
    Map<String, Integer> now = new HashMap<>();
    slots.forEach((backend, s) -> now.put(backend, s.capacity()));
    capacities = now;
  }

  private String render(ProxyConfig target, Map<String, Slots> slots) {
    return ConfigRenderer.render(
        target, slots, new ConfigRenderer.Globals(runtime.socket(), stateFile, HARD_STOP_AFTER));
  }

  /**
   * The slots of the next configuration: a backend keeps the slots whose servers are still wanted
   * (so they keep their connections and health through the reload), and has room for all its
   * servers, never fewer slots than now.
   */
  static Map<String, Slots> slotsFor(
      ProxyConfig target, String dump, Map<String, Integer> currentCapacities) {
    Map<String, Map<String, RuntimeApi.SlotState>> running = new HashMap<>();
    for (RuntimeApi.SlotState slot : RuntimeApi.slots(safe(dump))) {
      if (slot.occupied()) {
        running.computeIfAbsent(slot.backend(), k -> new HashMap<>()).put(slot.key(), slot);
      }
    }
    Map<String, Slots> out = new HashMap<>();
    for (ProxyConfig.Backend b : target.backends()) {
      if (b.fixedResponse() != null) {
        continue;
      }
      Map<Integer, ProxyConfig.Server> kept = new HashMap<>();
      Map<String, RuntimeApi.SlotState> had = running.getOrDefault(b.name(), Map.of());
      int highest = 0;
      for (ProxyConfig.Server s : b.servers()) {
        RuntimeApi.SlotState slot = had.get(s.key());
        if (slot != null) {
          kept.put(slot.index(), s);
          highest = Math.max(highest, slot.index());
        }
      }
      int capacity =
          Math.max(
              Math.max(currentCapacities.getOrDefault(b.name(), 0), highest),
              Slots.capacityFor(b.servers().size()));
      out.put(b.name(), new Slots(capacity, kept));
    }
    return out;
  }

  /** Whether a backend has more servers to place than free and reusable slots. */
  private boolean needsMoreSlots(ProxyConfig target) {
    for (ProxyConfig.Backend b : target.backends()) {
      if (b.fixedResponse() == null
          && b.servers().size() > capacities.getOrDefault(b.name(), Slots.MINIMUM)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The lines of a {@code show servers state} dump for the slots that keep their server, so the
   * next worker starts them with the health and drain state they have. Their "disabled in the
   * configuration" bit is cleared: the new configuration declares them enabled, and HAProxy would
   * otherwise take the difference for a change of configuration and ignore the saved state.
   */
  static String keptStates(String dump, Map<String, Slots> slots) {
    StringBuilder out = new StringBuilder();
    String[] header = null;
    for (String line : safe(dump).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        header = line.substring(1).trim().split(" +");
        out.append(line).append('\n');
        continue;
      }
      if (header == null) {
        out.append(line).append('\n'); // the format's version
        continue;
      }
      String[] f = line.trim().split(" +", -1);
      Map<String, Integer> column = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        column.put(header[i], i);
      }
      Integer be = column.get("be_name");
      Integer name = column.get("srv_name");
      Integer addr = column.get("srv_addr");
      Integer port = column.get("srv_port");
      Integer admin = column.get("srv_admin_state");
      if (be == null
          || name == null
          || addr == null
          || port == null
          || admin == null
          || f.length < header.length) {
        continue;
      }
      Slots s = slots.get(f[be]);
      int index = Slots.index(f[name]);
      ProxyConfig.Server server = s == null ? null : s.occupied().get(index);
      if (server == null || !server.key().equals(f[addr] + ":" + f[port])) {
        continue;
      }
      int state = Integer.parseInt(f[admin]) & ~RuntimeApi.ADMIN_CONFIG_MAINT;
      f[admin] = String.valueOf(state);
      out.append(String.join(" ", f)).append('\n');
    }
    return out.toString();
  }

  private static String safe(String dump) {
    return dump == null ? "" : dump;
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
    Map<String, Integer> counted = new HashMap<>();
    for (RuntimeApi.SlotState slot : runtime.slots()) {
      counted.merge(slot.backend(), 1, Integer::sum);
    }
    capacities = counted;
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

  // ---- servers ---------------------------------------------------------------------------------

  /**
   * Brings every backend's slots in line with its servers: new servers get a free slot, servers
   * change between ready and drain, and slots of servers no longer wanted are freed.
   */
  private void syncServers(ProxyConfig target) {
    Map<String, List<RuntimeApi.SlotState>> byBackend = new HashMap<>();
    for (RuntimeApi.SlotState slot : runtime.slots()) {
      byBackend.computeIfAbsent(slot.backend(), k -> new ArrayList<>()).add(slot);
    }
    for (ProxyConfig.Backend b : target.backends()) {
      if (b.fixedResponse() != null) {
        continue;
      }
      List<RuntimeApi.SlotState> slots = byBackend.getOrDefault(b.name(), List.of());
      Map<String, RuntimeApi.SlotState> occupied = new HashMap<>();
      java.util.Deque<Integer> free = new java.util.ArrayDeque<>();
      slots.stream()
          .sorted(java.util.Comparator.comparingInt(RuntimeApi.SlotState::index))
          .forEach(
              slot -> {
                if (slot.occupied()) {
                  occupied.put(slot.key(), slot);
                } else {
                  free.add(slot.index());
                }
              });
      Set<String> wanted = new HashSet<>();
      for (ProxyConfig.Server s : b.servers()) {
        wanted.add(s.key());
      }
      // Free first, so that a slot let go can take a new server in the same pass.
      for (RuntimeApi.SlotState slot : occupied.values()) {
        if (!wanted.contains(slot.key())) {
          runtime.free(b.name(), slot.index());
          free.addFirst(slot.index());
          log.debug("Freed slot {}/{} ({})", b.name(), Slots.name(slot.index()), slot.key());
        }
      }
      for (ProxyConfig.Server s : b.servers()) {
        RuntimeApi.SlotState slot = occupied.get(s.key());
        if (slot == null) {
          if (s.draining()) {
            continue; // nothing to drain: it never got a slot
          }
          Integer index = free.pollFirst();
          if (index == null) {
            // Cannot happen: apply reloads with more slots first. The next apply catches up.
            log.warn("Backend {} has no free slot for {}", b.name(), s.key());
            continue;
          }
          runtime.assign(b.name(), index, s, b.check() != null);
          log.debug("Slot {}/{} now holds {}", b.name(), Slots.name(index), s.key());
        } else if (s.draining() && !slot.draining()) {
          runtime.drain(b.name(), slot.index());
        } else if (!s.draining() && slot.draining()) {
          runtime.ready(b.name(), slot.index());
        }
      }
    }
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
      Files.deleteIfExists(tmp);
      PrivateFiles.createFile(tmp);
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
