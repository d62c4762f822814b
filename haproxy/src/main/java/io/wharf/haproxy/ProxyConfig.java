package io.wharf.haproxy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What HAProxy should do, as plain values: frontends (one per listener) that route requests to
 * backends (one per target group, or one per fixed response), and the servers of each backend.
 *
 * <p>The <em>structure</em> (everything but the servers) changes only by a reload; servers are
 * added, drained and removed through the runtime API without one. {@link #structure()} is what a
 * reload is decided on.
 *
 * <p>Names are HAProxy identifiers: letters, digits, {@code - _ . :} only.
 */
public record ProxyConfig(List<Frontend> frontends, List<Backend> backends) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

  public static final ProxyConfig EMPTY = new ProxyConfig(List.of(), List.of());

  public ProxyConfig {
    frontends = List.copyOf(frontends);
    backends = List.copyOf(backends);
  }

  /** This configuration without any server: equal structures need no reload. */
  public ProxyConfig structure() {
    return new ProxyConfig(
        frontends, backends.stream().map(b -> b.withServers(List.of())).toList());
  }

  /** The backend of this name, or null. */
  public Backend backend(String name) {
    for (Backend b : backends) {
      if (b.name().equals(name)) {
        return b;
      }
    }
    return null;
  }

  static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Not a valid HAProxy name: " + name);
    }
    return name;
  }

  /**
   * A listener: binds {@code address:port}, tries {@code routes} in order and sends everything else
   * to {@code defaultBackend}.
   */
  public record Frontend(
      String name, String address, int port, List<Route> routes, String defaultBackend) {
    public Frontend {
      checkName(name);
      Objects.requireNonNull(address, "address");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port);
      }
      routes = List.copyOf(routes);
      checkName(defaultBackend);
    }
  }

  /** Sends a request to {@code backend} when every match holds (a rule's conditions are ANDed). */
  public record Route(String name, String backend, List<Match> matches) {
    public Route {
      checkName(name);
      checkName(backend);
      matches = List.copyOf(matches);
      if (matches.isEmpty()) {
        throw new IllegalArgumentException("A route needs at least one match");
      }
    }
  }

  /**
   * One condition: the request's path, or its host (the Host header without a port), matches any of
   * {@code globs} ({@code *} any run of characters, {@code ?} exactly one). Paths match case
   * sensitively, hosts without regard to case, as ELB does.
   */
  public record Match(Field field, List<String> globs) {
    public Match {
      Objects.requireNonNull(field, "field");
      globs = List.copyOf(globs);
      if (globs.isEmpty()) {
        throw new IllegalArgumentException("A match needs at least one pattern");
      }
    }
  }

  /** What a {@link Match} looks at. */
  public enum Field {
    PATH,
    HOST
  }

  /** How a backend picks a server. */
  public enum Balance {
    ROUND_ROBIN,
    LEAST_CONNECTIONS
  }

  /**
   * A pool of servers with one health check, or (when {@code fixedResponse} is set) a backend that
   * answers every request itself.
   *
   * @param check null when health checks are off: every server then counts as up
   */
  public record Backend(
      String name,
      Balance balance,
      HealthCheck check,
      FixedResponse fixedResponse,
      List<Server> servers) {
    public Backend {
      checkName(name);
      Objects.requireNonNull(balance, "balance");
      servers = List.copyOf(servers);
      if (servers.stream().map(Server::key).distinct().count() != servers.size()) {
        throw new IllegalArgumentException("Two servers of backend " + name + " have one address");
      }
    }

    public static Backend pool(
        String name, Balance balance, HealthCheck check, List<Server> servers) {
      return new Backend(name, balance, check, null, servers);
    }

    public static Backend fixed(String name, FixedResponse response) {
      return new Backend(
          name, Balance.ROUND_ROBIN, null, Objects.requireNonNull(response), List.of());
    }

    public Backend withServers(List<Server> newServers) {
      return new Backend(name, balance, check, fixedResponse, newServers);
    }

    /** The server at this {@link Server#key}, or null. */
    public Server server(String key) {
      for (Server s : servers) {
        if (s.key().equals(key)) {
          return s;
        }
      }
      return null;
    }
  }

  /**
   * An HTTP health check: {@code GET path} every {@code interval}, answered within {@code timeout}
   * with a status matching {@code statusRegex}; {@code rise} successes in a row make a server up,
   * {@code fall} failures down.
   *
   * @param port the port to check, or 0 for the server's own port
   */
  public record HealthCheck(
      String path,
      int port,
      Duration interval,
      Duration timeout,
      int rise,
      int fall,
      String statusRegex) {
    public HealthCheck {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(statusRegex, "statusRegex");
      if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == '"')) {
        throw new IllegalArgumentException("Not a health check path: " + path);
      }
      if (rise < 1 || fall < 1 || port < 0 || port > 65535) {
        throw new IllegalArgumentException("rise, fall and port must be positive");
      }
    }
  }

  /** A response HAProxy gives by itself (ELB's fixed-response action). */
  public record FixedResponse(int status, String contentType, String body) {
    public FixedResponse {
      if (status < 200 || status > 599) {
        throw new IllegalArgumentException("status " + status);
      }
      Objects.requireNonNull(contentType, "contentType");
      body = body == null ? "" : body;
    }
  }

  /**
   * A target: where traffic goes. Within a backend a server is known by its address and port
   * ({@link #key}); HAProxy runs it in one of the backend's server slots.
   *
   * @param draining takes no new requests; requests in flight finish
   */
  public record Server(String address, int port, boolean draining) {
    public Server {
      Objects.requireNonNull(address, "address");
      if (address.isEmpty() || address.chars().anyMatch(c -> c <= ' ' || c == '"')) {
        throw new IllegalArgumentException("Not an address: " + address);
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port);
      }
    }

    /** {@code address:port}, the server's identity within its backend. */
    public String key() {
      return address + ":" + port;
    }
  }
}
