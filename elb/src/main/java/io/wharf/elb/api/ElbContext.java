package io.wharf.elb.api;

import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.elb.balancing.AddressPool;
import io.wharf.elb.balancing.DataPlane;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.model.elb.ElbArn;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.TargetGroup;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/** What every ELB operation shares: the state, ARNs and ids, the data plane, lookups, paging. */
final class ElbContext {
  final StateMachine states;
  final ElbArn.Builder arns;
  final DataPlane dataPlane;
  final AddressPool addresses;

  /** Drawn from on the state machine's thread only (inside commands): not shared. */
  private final RandomGenerator random;

  ElbContext(
      StateMachine states,
      ElbArn.Builder arns,
      DataPlane dataPlane,
      AddressPool addresses,
      RandomGenerator random) {
    this.states = states;
    this.arns = arns;
    this.dataPlane = dataPlane;
    this.addresses = addresses;
    this.random = random;
  }

  /** A new 16-hex-digit id. Call only inside a command (on the state machine's thread). */
  String newId() {
    byte[] bytes = new byte[8];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return HexFormat.of().formatHex(bytes);
  }

  /** The load-balancing state changed: the data plane follows at once. */
  void changed() {
    dataPlane.changed();
  }

  LoadBalancer loadBalancer(State state, String arn) {
    LoadBalancer lb = state.balancing().loadBalancers().get(arn);
    if (lb == null) {
      throw new WharfException(
          ErrorCode.LOAD_BALANCER_NOT_FOUND, "Load balancer '" + arn + "' not found");
    }
    return lb;
  }

  TargetGroup targetGroup(State state, String arn) {
    TargetGroup tg = state.balancing().targetGroups().get(arn);
    if (tg == null) {
      throw new WharfException(
          ErrorCode.TARGET_GROUP_NOT_FOUND, "Target groups '" + arn + "' not found");
    }
    return tg;
  }

  Listener listener(State state, String arn) {
    Listener l = state.balancing().listeners().get(arn);
    if (l == null) {
      throw new WharfException(ErrorCode.LISTENER_NOT_FOUND, "Listener '" + arn + "' not found");
    }
    return l;
  }

  /** ELB's page of a sorted list of keys: {@code PageSize} (1-400) and an opaque {@code Marker}. */
  record Page(List<String> items, String nextMarker) {
    /**
     * @param marker the request's {@code Marker}, or null for the first page
     * @param pageSize the request's {@code PageSize}, or null for ELB's 400
     */
    static Page of(List<String> sortedKeys, String marker, Integer pageSize) {
      int size = pageSize == null ? 400 : pageSize;
      int start = 0;
      if (marker != null) {
        String after = decode(marker);
        while (start < sortedKeys.size() && sortedKeys.get(start).compareTo(after) <= 0) {
          start++;
        }
      }
      int end = Math.min(sortedKeys.size(), start + size);
      List<String> items = sortedKeys.subList(start, end);
      return new Page(
          List.copyOf(items), end < sortedKeys.size() ? encode(items.get(items.size() - 1)) : null);
    }

    private static String encode(String key) {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(("1|" + key).getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String marker) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
        if (text.startsWith("1|")) {
          return text.substring(2);
        }
      } catch (IllegalArgumentException e) {
        // falls through
      }
      throw new WharfException(ErrorCode.VALIDATION, "The marker '" + marker + "' is not valid");
    }
  }
}
