package io.wharf.haproxy;

/**
 * HAProxy could not be started, reloaded or reached, or refused a command; the message says why.
 */
public final class ProxyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProxyException(String message) {
    super(message);
  }

  public ProxyException(String message, Throwable cause) {
    super(message, cause);
  }
}
