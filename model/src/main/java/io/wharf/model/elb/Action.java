package io.wharf.model.elb;

import java.util.Objects;

/**
 * What a listener or rule does with a request: forward it to a target group, or answer it with a
 * fixed response.
 *
 * @param type {@link #FORWARD} or {@link #FIXED_RESPONSE}
 * @param order the action's order among the rule's actions (1-50000)
 * @param targetGroupArn for {@code forward}, else null
 * @param fixedResponse for {@code fixed-response}, else null
 */
public record Action(String type, int order, String targetGroupArn, FixedResponse fixedResponse) {
  public static final String FORWARD = "forward";
  public static final String FIXED_RESPONSE = "fixed-response";

  public Action {
    Objects.requireNonNull(type, "type");
    if (type.equals(FORWARD) && targetGroupArn == null) {
      throw new IllegalArgumentException("A forward action needs a target group");
    }
    if (type.equals(FIXED_RESPONSE) && fixedResponse == null) {
      throw new IllegalArgumentException("A fixed-response action needs a response");
    }
  }

  public static Action forward(int order, String targetGroupArn) {
    return new Action(FORWARD, order, targetGroupArn, null);
  }

  public static Action fixed(int order, FixedResponse response) {
    return new Action(FIXED_RESPONSE, order, null, response);
  }

  /**
   * A response the load balancer gives itself.
   *
   * @param statusCode 2XX, 4XX or 5XX, as a string as in the API
   * @param contentType null when not given
   * @param messageBody null when not given
   */
  public record FixedResponse(String statusCode, String contentType, String messageBody) {
    public FixedResponse {
      Objects.requireNonNull(statusCode, "statusCode");
    }
  }
}
