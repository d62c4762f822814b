package io.wharf.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy's runtime API (the worker's stats socket at level admin): one command per connection, as
 * HAProxy's non-interactive mode answers a command and closes.
 *
 * <p>Servers changed here change at once and without a reload, so live connections are not cut:
 * {@link #assign} (which starts a server down, so that it gets traffic only once its health check
 * has passed {@code rise} times, as a new ELB target does), {@link #drain}, {@link #ready}, {@link
 * #free}. Servers live in the slots the configuration declares ({@link Slots}).
 *
 * <p>Threading: safe from any thread; each call opens its own connection.
 */
public final class RuntimeApi {
  /** A command that has not answered in this long is given up (HAProxy answers in microseconds). */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon(true).name("wharf-haproxy-watchdog").unstarted(r));

  private final Path socket;

  public RuntimeApi(Path socket) {
    this.socket = socket;
  }

  public Path socket() {
    return socket;
  }

  /**
   * Sends one command and returns the whole answer.
   *
   * @throws ProxyException when the socket cannot be reached or does not answer in time
   */
  public String command(String command) {
    if (command.contains("\n")) {
      throw new IllegalArgumentException("One command per call");
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      // Unix-domain channels have no read timeout; a watchdog closes a channel that hangs.
      ScheduledFuture<?> watchdog =
          WATCHDOG.schedule(
              () -> {
                try {
                  channel.close();
                } catch (IOException ignored) {
                  // closing is all we can do
                }
              },
              TIMEOUT.toMillis(),
              TimeUnit.MILLISECONDS);
      try {
        channel.connect(UnixDomainSocketAddress.of(socket));
        channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
          buffer.flip();
          answer.write(buffer.array(), 0, buffer.limit());
          buffer.clear();
        }
        return answer.toString(StandardCharsets.UTF_8);
      } finally {
        watchdog.cancel(false);
      }
    } catch (IOException e) {
      throw new ProxyException(
          "HAProxy's runtime API at " + socket + " did not answer '" + command + "': " + e, e);
    }
  }

  /** Whether the socket answers at all. */
  public boolean isReachable() {
    try {
      command("show info");
      return true;
    } catch (ProxyException e) {
      return false;
    }
  }

  /** The worker's process id (it changes when a reload has taken effect). */
  public long workerPid() {
    for (String line : command("show info").split("\n")) {
      if (line.startsWith("Pid:")) {
        return Long.parseLong(line.substring(4).trim());
      }
    }
    throw new ProxyException("HAProxy's 'show info' has no Pid");
  }

  /**
   * Points a free slot at a server and puts it in rotation, where it takes no traffic until its
   * health check has passed {@code rise} times (at once when the backend has no check), as a new
   * ELB target.
   *
   * <p>A server leaving maintenance counts as up; so the slot leaves maintenance into drain (no new
   * traffic), is marked down, and only then made ready, from where the check brings it up.
   */
  public void assign(String backend, int slot, ProxyConfig.Server server, boolean checked) {
    String id = backend + "/" + Slots.name(slot);
    String answer =
        command("set server " + id + " addr " + server.address() + " port " + server.port());
    if (!answer.contains("changed") && !answer.contains("no need to change")) {
      throw new ProxyException("HAProxy refused 'set server " + id + " addr': " + answer.trim());
    }
    if (checked) {
      expectEmpty(command("set server " + id + " state drain"));
      expectEmpty(command("set server " + id + " health down"));
    }
    expectEmpty(command("set server " + id + " state " + (server.draining() ? "drain" : "ready")));
  }

  /** No new requests for the slot's server; requests in flight finish. */
  public void drain(String backend, int slot) {
    expectEmpty(command("set server " + backend + "/" + Slots.name(slot) + " state drain"));
  }

  /** The slot's server takes traffic again (as far as its health allows). */
  public void ready(String backend, int slot) {
    expectEmpty(command("set server " + backend + "/" + Slots.name(slot) + " state ready"));
  }

  /**
   * Frees a slot: maintenance (no traffic, no checks, its idle connections closed), and whatever
   * connections its server still has are cut.
   */
  public void free(String backend, int slot) {
    String id = backend + "/" + Slots.name(slot);
    expectEmpty(command("set server " + id + " state maint"));
    expectEmpty(command("shutdown sessions server " + id));
  }

  /** A slot as {@code show servers state} reports it. */
  public record SlotState(
      String backend, int index, String address, int port, int adminState, int operationalState) {
    /** Whether it holds a server (it is not in forced maintenance). */
    public boolean occupied() {
      return (adminState & ADMIN_FORCED_MAINT) == 0;
    }

    public boolean draining() {
      return (adminState & ADMIN_DRAIN) != 0;
    }

    public String key() {
      return address + ":" + port;
    }
  }

  /** Every slot of every backend. */
  public List<SlotState> slots() {
    return slots(serversState());
  }

  /** The slots of a {@code show servers state} dump. */
  static List<SlotState> slots(String dump) {
    List<SlotState> out = new ArrayList<>();
    for (Map<String, String> row : table(dump, " ")) {
      int index = Slots.index(row.getOrDefault("srv_name", ""));
      if (index > 0) {
        out.add(
            new SlotState(
                row.get("be_name"),
                index,
                row.getOrDefault("srv_addr", ""),
                Integer.parseInt(row.getOrDefault("srv_port", "0")),
                Integer.parseInt(row.getOrDefault("srv_admin_state", "0")),
                Integer.parseInt(row.getOrDefault("srv_op_state", "-1"))));
      }
    }
    return out;
  }

  /** The current servers' states as {@code show servers state} prints them, for the state file. */
  public String serversState() {
    return command("show servers state");
  }

  /**
   * Every server of every backend with its status, last check and administrative state: {@code show
   * stat} joined with {@code show servers state}.
   */
  public List<ServerStatus> servers() {
    Map<String, SlotState> states = new HashMap<>();
    for (SlotState slot : slots()) {
      states.put(slot.backend() + "/" + Slots.name(slot.index()), slot);
    }
    List<ServerStatus> out = new ArrayList<>();
    for (Map<String, String> row : table(command("show stat"), ",")) {
      String name = row.get("svname");
      if (name == null || name.equals("FRONTEND") || name.equals("BACKEND")) {
        continue;
      }
      String backend = row.get("pxname");
      SlotState slot = states.get(backend + "/" + name);
      if (slot == null || !slot.occupied()) {
        continue; // a free slot, or one created between the two commands
      }
      String code = row.getOrDefault("check_code", "");
      out.add(
          new ServerStatus(
              backend,
              name,
              slot.address(),
              slot.port(),
              row.getOrDefault("status", ""),
              row.getOrDefault("check_status", ""),
              code.isEmpty() ? 0 : Integer.parseInt(code),
              parseLong(row.getOrDefault("scur", "")),
              slot.draining(),
              (slot.adminState() & ADMIN_MAINT) != 0,
              slot.operationalState()));
    }
    return out;
  }

  /**
   * srv_admin_state bits: forced, inherited (tracking) and resolver-caused maintenance. (0x04 only
   * remembers that the configuration said {@code disabled}; it does not keep a server out.)
   */
  private static final int ADMIN_MAINT = 0x01 | 0x02 | 0x20;

  /** srv_admin_state bit: maintenance forced through the runtime API (a free slot). */
  static final int ADMIN_FORCED_MAINT = 0x01;

  /** srv_admin_state bit: the configuration declared the server {@code disabled}. */
  static final int ADMIN_CONFIG_MAINT = 0x04;

  /** srv_admin_state bits: forced and inherited drain. */
  private static final int ADMIN_DRAIN = 0x08 | 0x10;

  /**
   * Rows of a table HAProxy prints with a {@code # name name ...} header line: {@code show stat}
   * (comma-separated) and {@code show servers state} (space-separated, after a version line).
   */
  static List<Map<String, String>> table(String text, String separator) {
    String[] header = null;
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# ")) {
        header = line.substring(2).trim().split(separator.equals(",") ? "," : " +", -1);
        continue;
      }
      if (header == null || line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(separator.equals(",") ? "," : " +", -1);
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.length && i < f.length; i++) {
        row.put(header[i], f[i]);
      }
      rows.add(row);
    }
    if (header == null && !text.isBlank() && !text.trim().matches("\\d+")) {
      throw new ProxyException("Unexpected answer from HAProxy: " + firstLine(text));
    }
    return rows;
  }

  private static long parseLong(String text) {
    return text.isEmpty() ? 0 : Long.parseLong(text);
  }

  private static void expectEmpty(String answer) {
    if (!answer.isBlank()) {
      throw new ProxyException("HAProxy answered: " + answer.trim());
    }
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
