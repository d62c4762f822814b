package io.wharf.ecs.api;

import io.wharf.core.api.LogText;
import io.wharf.model.ContainerInstance;
import io.wharf.model.WharfException;

/**
 * Fences agent processes of an instance that registered before its latest registration. The agent
 * learns its epoch from RegisterContainerInstance's answer and signs it into every later call as
 * {@value #HEADER}; a call or channel with an older epoch than the instance's is refused.
 *
 * <p>A call without the header is not fenced. The agent always sends it, so a stale copy of the
 * agent (the case fencing is for) is always caught; what goes without it is the admin, the
 * simulation's agents, and agents that predate epochs. Requiring it of instance keys would add no
 * protection: whoever holds an instance's key can register it again and get the newest epoch.
 */
public final class RegistrationEpochs {
  /** The request header, lower case as the verifier and Jetty name headers. */
  public static final String HEADER = "x-wharf-registration-epoch";

  private RegistrationEpochs() {}

  /**
   * The epoch a request carries, or 0 when it carries none.
   *
   * @throws WharfException ClientException if the header is not a positive whole number
   */
  public static long parse(String header) {
    if (header == null) {
      return 0;
    }
    long epoch;
    try {
      epoch = Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      epoch = -1;
    }
    if (epoch < 1) {
      throw WharfException.client(
          "X-Wharf-Registration-Epoch must be a positive whole number; it was '"
              + LogText.escape(header)
              + "'.");
    }
    return epoch;
  }

  /** Why {@code epoch} may not act for {@code instance}, or null when it may (or was not sent). */
  public static String staleness(long epoch, ContainerInstance instance) {
    if (epoch == 0 || instance == null || epoch >= instance.registrationEpoch()) {
      return null;
    }
    return "Registration epoch "
        + epoch
        + " of "
        + instance.arn()
        + " is stale: the instance was registered again (epoch "
        + instance.registrationEpoch()
        + ").";
  }

  /**
   * @throws WharfException ClientException if {@code epoch} is older than the instance's
   */
  public static void check(long epoch, ContainerInstance instance) {
    String stale = staleness(epoch, instance);
    if (stale != null) {
      throw WharfException.client(stale);
    }
  }
}
