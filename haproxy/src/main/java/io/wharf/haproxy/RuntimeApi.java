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
 * {@link #addServer} (which starts a server down, so that it gets traffic only once its health
 * check has passed {@code rise} times, as a new ELB target does), {@link #drain}, {@link #ready},
 * {@link #remove}.
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
   * Adds a server that takes no traffic until its health check has passed {@code rise} times (or at
   * once when the backend has no check).
   *
   * <p>HAProxy creates a runtime server in maintenance, and a server leaving maintenance counts as
   * up; so the server leaves maintenance into drain (no new traffic), is marked down, and only then
   * made ready, from where the health check brings it up.
   */
  public void addServer(String backend, ProxyConfig.Server server, ProxyConfig.HealthCheck check) {
    String id = backend + "/" + server.name();
    expect(
        command("add server " + id + " " + ConfigRenderer.serverArguments(server, check)),
        "New server registered");
    if (check != null) {
      expectEmpty(command("enable health " + id));
      expectEmpty(command("set server " + id + " state drain"));
      expectEmpty(command("set server " + id + " health down"));
    }
    expectEmpty(command("set server " + id + " state " + (server.draining() ? "drain" : "ready")));
  }

  /** No new requests for the server; requests in flight finish. */
  public void drain(String backend, String server) {
    expectEmpty(command("set server " + backend + "/" + server + " state drain"));
  }

  /** The server takes traffic again (as far as its health allows). */
  public void ready(String backend, String server) {
    expectEmpty(command("set server " + backend + "/" + server + " state ready"));
  }

  /**
   * Removes a server: maintenance, its remaining connections cut, then deleted.
   *
   * @return false when HAProxy still holds connections to it (idle ones are released within
   *     seconds); call again later
   */
  public boolean remove(String backend, String server) {
    String id = backend + "/" + server;
    expectEmpty(command("set server " + id + " state maint"));
    expectEmpty(command("shutdown sessions server " + id));
    String answer = command("del server " + id).trim();
    if (answer.startsWith("Server deleted") || answer.startsWith("No such server")) {
      return true;
    }
    if (answer.contains("connection") || answer.contains("queue")) {
      return false;
    }
    throw new ProxyException("HAProxy refused 'del server " + id + "': " + answer);
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
    Map<String, Map<String, String>> states = new HashMap<>();
    for (Map<String, String> row : table(serversState(), " ")) {
      states.put(row.get("be_name") + "/" + row.get("srv_name"), row);
    }
    List<ServerStatus> out = new ArrayList<>();
    for (Map<String, String> row : table(command("show stat"), ",")) {
      String name = row.get("svname");
      if (name == null || name.equals("FRONTEND") || name.equals("BACKEND")) {
        continue;
      }
      String backend = row.get("pxname");
      Map<String, String> state = states.getOrDefault(backend + "/" + name, Map.of());
      int admin = Integer.parseInt(state.getOrDefault("srv_admin_state", "0"));
      int operational = Integer.parseInt(state.getOrDefault("srv_op_state", "-1"));
      String code = row.getOrDefault("check_code", "");
      out.add(
          new ServerStatus(
              backend,
              name,
              row.getOrDefault("status", ""),
              row.getOrDefault("check_status", ""),
              code.isEmpty() ? 0 : Integer.parseInt(code),
              parseLong(row.getOrDefault("scur", "")),
              (admin & ADMIN_DRAIN) != 0,
              (admin & ADMIN_MAINT) != 0,
              operational));
    }
    return out;
  }

  /** srv_admin_state bits: forced, inherited (tracking) and resolver-caused maintenance. */
  private static final int ADMIN_MAINT = 0x01 | 0x02 | 0x04 | 0x20;

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

  private static void expect(String answer, String prefix) {
    if (!answer.trim().startsWith(prefix)) {
      throw new ProxyException("HAProxy answered: " + answer.trim());
    }
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
