package io.wharf.logs.filter;

/** A filter pattern that does not parse; the API answers it as InvalidParameterException. */
public final class InvalidFilterPatternException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidFilterPatternException(String message) {
    super(message);
  }
}
