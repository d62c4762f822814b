package io.wharf.haproxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a {@link ProxyConfig} as an {@code haproxy.cfg}. Pure: the same configuration always gives
 * the same text.
 *
 * <p>Choices that matter for zero-downtime operation, each explained where it is written: the
 * runtime API socket hands its listeners to the next worker ({@code expose-fd listeners}); server
 * states (up, down, drain, health counters) carry over a reload through the server-state file;
 * failed connections are retried on another server ({@code option redispatch}).
 */
public final class ConfigRenderer {
  /**
   * Where the generated configuration points HAProxy.
   *
   * @param adminSocket the runtime API socket of the worker (level admin)
   * @param stateFile servers' states saved before a reload and loaded by the new worker
   * @param hardStopAfter how long an old worker may keep serving its open connections after a
   *     reload before it is stopped
   */
  public record Globals(Path adminSocket, Path stateFile, Duration hardStopAfter) {}

  /** The {@code User-Agent} ALB's health checker sends; some applications look for it. */
  static final String CHECK_USER_AGENT = "ELB-HealthChecker/2.0";

  private ConfigRenderer() {}

  /**
   * The configuration: frontends, and backends whose servers are {@code slots} (a backend without
   * an entry gets {@link Slots#MINIMUM} free slots).
   */
  public static String render(ProxyConfig config, Map<String, Slots> slots, Globals globals) {
    StringBuilder out = new StringBuilder();
    out.append("# Written by Wharf from its load-balancing state. Do not edit: every change of")
        .append(" listeners,\n# rules or target groups rewrites it.\n");
    out.append("global\n");
    // The worker's runtime API: servers are added, drained and removed through it. Handing the
    // listening sockets over to the next worker means a reload never refuses a connection.
    line(
        out,
        "stats socket "
            + quote(globals.adminSocket().toString())
            + " mode 600 level admin expose-fd listeners");
    line(out, "stats timeout 30s");
    line(out, "server-state-file " + quote(globals.stateFile().toString()));
    line(out, "hard-stop-after " + millis(globals.hardStopAfter()));
    line(out, "log stderr format short local0 notice");
    out.append("\ndefaults\n");
    line(out, "mode http");
    line(out, "log global");
    // Up/down/drain states and check counters survive a reload (the file is written just before).
    line(out, "load-server-state-from-file global");
    // A connection refused by a target that just went away is retried on another target.
    line(out, "option redispatch");
    line(out, "retries 3");
    line(out, "option forwardfor");
    // ALB's idle timeout is 60 s; connecting to a target on the same host is quick or failed.
    line(out, "timeout connect 5s");
    line(out, "timeout client 60s");
    line(out, "timeout server 60s");
    line(out, "timeout http-request 60s");
    line(out, "timeout http-keep-alive 60s");
    line(out, "timeout queue 60s");
    for (ProxyConfig.Frontend f : config.frontends()) {
      frontend(out, f);
    }
    for (ProxyConfig.Backend b : config.backends()) {
      backend(out, b, slots.getOrDefault(b.name(), new Slots(Slots.MINIMUM, Map.of())));
    }
    return out.toString();
  }

  private static void frontend(StringBuilder out, ProxyConfig.Frontend f) {
    out.append("\nfrontend ").append(f.name()).append('\n');
    line(out, "bind " + hostPort(f.address(), f.port()));
    line(out, "http-request set-header X-Forwarded-Proto http");
    line(out, "http-request set-header X-Forwarded-Port " + f.port());
    for (ProxyConfig.Route r : f.routes()) {
      StringBuilder condition = new StringBuilder();
      int i = 0;
      for (ProxyConfig.Match m : r.matches()) {
        String acl = r.name() + "-" + (++i);
        StringBuilder patterns = new StringBuilder();
        for (String glob : m.globs()) {
          patterns.append(' ').append(quote(globRegex(glob)));
        }
        String fetch =
            switch (m.field()) {
              case PATH -> "path -m reg";
              // The Host header without its port; ELB compares host names case-insensitively.
              case HOST -> "req.hdr(host),field(1,:) -m reg -i";
            };
        line(out, "acl " + acl + " " + fetch + patterns);
        condition.append(' ').append(acl);
      }
      line(out, "use_backend " + r.backend() + " if" + condition);
    }
    line(out, "default_backend " + f.defaultBackend());
  }

  private static void backend(StringBuilder out, ProxyConfig.Backend b, Slots slots) {
    out.append("\nbackend ").append(b.name()).append('\n');
    if (b.fixedResponse() != null) {
      ProxyConfig.FixedResponse r = b.fixedResponse();
      line(
          out,
          "http-request return status "
              + r.status()
              + " content-type "
              + quote(r.contentType())
              + (r.body().isEmpty() ? "" : " string " + quote(r.body())));
      return;
    }
    line(
        out,
        "balance "
            + switch (b.balance()) {
              case ROUND_ROBIN -> "roundrobin";
              case LEAST_CONNECTIONS -> "leastconn";
            });
    ProxyConfig.HealthCheck check = b.check();
    if (check != null) {
      line(out, "option httpchk");
      line(
          out,
          "http-check send meth GET uri "
              + check.path()
              + " ver HTTP/1.1 hdr Host wharf-health-check hdr User-Agent "
              + CHECK_USER_AGENT);
      line(out, "http-check expect rstatus " + quote(check.statusRegex()));
      line(out, "timeout check " + millis(check.timeout()));
    }
    // Every slot carries the check; a free one is disabled (no traffic, no checks) and points
    // nowhere until the runtime API gives it a target. Draining servers keep their slot: the
    // server-state file keeps them drained in the next worker.
    String checkArguments = checkArguments(check);
    for (int i = 1; i <= slots.capacity(); i++) {
      ProxyConfig.Server s = slots.occupied().get(i);
      line(
          out,
          "server "
              + Slots.name(i)
              + " "
              + (s == null ? FREE_SLOT + " disabled" : hostPort(s.address(), s.port()))
              + checkArguments);
    }
  }

  /** Where a free slot points: nothing listens on port 1, and the slot is disabled anyway. */
  static final String FREE_SLOT = "127.0.0.1:1";

  /** The health-check arguments of a server line ({@code check inter … rise … fall …}). */
  static String checkArguments(ProxyConfig.HealthCheck check) {
    StringBuilder out = new StringBuilder();
    if (check != null) {
      out.append(" check inter ")
          .append(millis(check.interval()))
          .append(" rise ")
          .append(check.rise())
          .append(" fall ")
          .append(check.fall());
      if (check.port() != 0) {
        out.append(" port ").append(check.port());
      }
    }
    return out.toString();
  }

  /**
   * A regular expression for a glob with ELB's wildcards: {@code *} any run of characters, {@code
   * ?} exactly one. Every other character stands for itself; special ones are put in a character
   * class rather than escaped with a backslash, which HAProxy's quoting would also interpret.
   */
  public static String globRegex(String glob) {
    StringBuilder re = new StringBuilder("^");
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '.', '$', '+', '(', ')', '{', '}', '|', '[', ']', '^', '\\' ->
            re.append(c == '\\' || c == '^' || c == ']' ? "\\" + c : "[" + c + "]");
        default -> re.append(c);
      }
    }
    return re.append('$').toString();
  }

  /**
   * A regular expression matching exactly these HTTP status codes, compact where whole tens or
   * hundreds are covered: {200..299} gives {@code ^(2[0-9][0-9])$}.
   */
  public static String statusRegex(Collection<Integer> codes) {
    TreeSet<Integer> left = new TreeSet<>(codes);
    if (left.isEmpty() || left.first() < 100 || left.last() > 999) {
      throw new IllegalArgumentException("HTTP status codes are 100-999: " + codes);
    }
    List<String> parts = new java.util.ArrayList<>();
    int last = left.last();
    for (int hundred = left.first() / 100 * 100; hundred <= last; hundred += 100) {
      if (left.subSet(hundred, hundred + 100).size() == 100) {
        parts.add((hundred / 100) + "[0-9][0-9]");
        left.removeAll(new TreeSet<>(left.subSet(hundred, hundred + 100)));
        continue;
      }
      for (int ten = hundred; ten < hundred + 100; ten += 10) {
        if (left.subSet(ten, ten + 10).size() == 10) {
          parts.add((ten / 10) + "[0-9]");
          left.removeAll(new TreeSet<>(left.subSet(ten, ten + 10)));
        }
      }
    }
    for (int code : left) {
      parts.add(String.valueOf(code));
    }
    return "^(" + String.join("|", parts) + ")$";
  }

  /**
   * A double-quoted HAProxy word. Inside double quotes HAProxy interprets backslash escapes and
   * {@code $} (environment variables), so those and the quote itself are escaped.
   */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\' || c == '$') {
        out.append('\\');
      } else if (c == '\n' || c == '\r') {
        throw new IllegalArgumentException("A configuration word cannot span lines");
      }
      out.append(c);
    }
    return out.append('"').toString();
  }

  static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  private static String hostPort(String address, int port) {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  private static void line(StringBuilder out, String text) {
    out.append("  ").append(text).append('\n');
  }
}
