package io.wharf.store;

/**
 * The store cannot be opened or written. The message says what is wrong with the data directory in
 * words an operator can act on (locked, corrupt, written by a newer version, ...).
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
