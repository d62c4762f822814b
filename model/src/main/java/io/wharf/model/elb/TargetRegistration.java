package io.wharf.model.elb;

import java.time.Instant;
import java.util.Objects;

/**
 * A target registered in a target group. Deregistering it starts draining: it takes no new requests
 * while requests in flight finish, and it is removed once the group's deregistration delay has
 * passed since {@code drainingSince}.
 *
 * @param availabilityZone as given at registration, or null
 * @param drainingSince when deregistration began; null while registered
 */
public record TargetRegistration(
    Target target, String availabilityZone, Instant registeredAt, Instant drainingSince) {
  public TargetRegistration {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(registeredAt, "registeredAt");
  }

  public boolean isDraining() {
    return drainingSince != null;
  }

  public TargetRegistration draining(Instant since) {
    return new TargetRegistration(target, availabilityZone, registeredAt, since);
  }
}
