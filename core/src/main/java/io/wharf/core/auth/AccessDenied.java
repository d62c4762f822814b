package io.wharf.core.auth;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.protocol.Operations;

/**
 * AWS's refusal of an action the caller's identity may not take, in IAM's wording, for every
 * service: "User: &lt;arn&gt; is not authorized to perform: &lt;service&gt;:&lt;Action&gt; [on
 * resource: &lt;arn&gt;] because no identity-based policy allows the &lt;service&gt;:&lt;Action&gt;
 * action". Each service answers it in its own error shape (AccessDeniedException, or AccessDenied
 * for ELB's query XML).
 */
public final class AccessDenied {
  private AccessDenied() {}

  /**
   * @param action the IAM action, service prefix included ({@code ecs:RunTask})
   */
  public static WharfException of(Principal principal, String action) {
    return new WharfException(ErrorCode.ACCESS_DENIED, refusal(principal, action, ""));
  }

  /**
   * @param action the IAM action, service prefix included ({@code ecs:RunTask})
   * @param resource the resource AWS names in the refusal ({@code *} when none is named)
   */
  public static WharfException of(Principal principal, String action, String resource) {
    return new WharfException(
        ErrorCode.ACCESS_DENIED, refusal(principal, action, " on resource: " + resource));
  }

  /**
   * A guard for a service only the admin calls: every other key (instances', join tokens') is
   * refused every operation of it.
   *
   * @param servicePrefix the service's IAM prefix ({@code elasticloadbalancing}, {@code logs})
   */
  public static Operations.Guard<Caller> adminOnly(String servicePrefix) {
    return (caller, operation, request) -> {
      if (!(caller.principal() instanceof Principal.Admin)) {
        throw of(caller.principal(), servicePrefix + ":" + operation);
      }
    };
  }

  private static String refusal(Principal principal, String action, String onResource) {
    return "User: "
        + principal.arn()
        + " is not authorized to perform: "
        + action
        + onResource
        + " because no identity-based policy allows the "
        + action
        + " action";
  }
}
