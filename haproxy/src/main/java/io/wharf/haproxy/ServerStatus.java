package io.wharf.haproxy;

/**
 * One occupied server slot as HAProxy's {@code show stat} and {@code show servers state} report it.
 *
 * @param server the slot's name ({@code s1}, {@code s2}, ...)
 * @param address the target's address
 * @param port the target's port
 * @param status {@code UP}, {@code DOWN}, {@code UP 1/3} (up, failing), {@code DOWN 1/2} (down,
 *     recovering), {@code NOLB}, {@code DRAIN}, {@code MAINT}, {@code no check}
 * @param checkStatus the last health check's result: {@code INI} (none yet), {@code L7OK}, {@code
 *     L7STS} (wrong status), {@code L4CON} (refused), {@code L4TOUT}/{@code L7TOUT} (timeout), ...
 * @param checkCode the HTTP status of the last check, 0 when there was none
 * @param currentSessions connections to the server right now
 * @param draining put in drain through the runtime API (no new traffic)
 * @param maintenance put in maintenance (no traffic, no checks)
 * @param operationalState {@code srv_op_state}: 0 stopped (down), 1 starting, 2 running (up), 3
 *     stopping; -1 when unknown
 */
public record ServerStatus(
    String backend,
    String server,
    String address,
    int port,
    String status,
    String checkStatus,
    int checkCode,
    long currentSessions,
    boolean draining,
    boolean maintenance,
    int operationalState) {

  /** {@code address:port}, as {@link ProxyConfig.Server#key}. */
  public String key() {
    return address + ":" + port;
  }

  /** Whether the server's health is up (it takes traffic unless drained or in maintenance). */
  public boolean isUp() {
    if (operationalState >= 0) {
      return operationalState == 2 || operationalState == 3;
    }
    return status.startsWith("UP") || status.equals("NOLB") || status.equals("no check");
  }

  /** Whether the last check failed on a timeout. */
  public boolean timedOut() {
    return checkStatus.endsWith("TOUT");
  }

  /** Whether the last check reached the server and got a status that did not match. */
  public boolean wrongStatus() {
    return checkStatus.equals("L7STS");
  }

  /** Whether a check has run at all. */
  public boolean checked() {
    return !checkStatus.isEmpty() && !checkStatus.equals("INI");
  }
}
