package io.wharf.core.auth;

/**
 * Who called, as the HTTP front verified it: what every service's operations receive.
 *
 * @param principal who signed the request
 * @param registrationEpoch the registration epoch the request carried ({@code
 *     X-Wharf-Registration-Epoch}; 0 for none): an agent names the registration it acts for, and a
 *     stale one is fenced out of the agent-facing ECS operations
 */
public record Caller(Principal principal, long registrationEpoch) {
  /** The key that signed the request: the admin's, the instance's, or the join token's id. */
  public String accessKeyId() {
    return switch (principal) {
      case Principal.Admin a -> a.accessKeyId();
      case Principal.Instance i -> i.key().accessKeyId();
      case Principal.Joiner j -> j.token().id();
    };
  }
}
