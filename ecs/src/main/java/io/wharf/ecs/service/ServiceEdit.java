package io.wharf.ecs.service;

import io.wharf.core.state.Change;
import io.wharf.core.state.StateMachine;
import io.wharf.model.Deployment;
import io.wharf.model.Service;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The next version of one service, built up by a command: deployments, events, throttle. Applied to
 * the transaction once, and only when something changed.
 */
final class ServiceEdit {
  /** The launch throttle's first delay; it doubles with every failure in a row. */
  static final Duration FIRST_THROTTLE = Duration.ofSeconds(5);

  /** ECS lengthens the gap between launches up to 15 minutes. */
  static final Duration MAX_THROTTLE = Duration.ofMinutes(15);

  /** Finished deployments kept for ListServiceDeployments. */
  static final int MAX_HISTORY = 50;

  private final Service original;
  private final Service.Builder next;
  private final List<Deployment> deployments;
  private final Instant now;
  private final Supplier<String> ids;
  private boolean changed;

  ServiceEdit(Service service, Instant now, Supplier<String> ids) {
    this.original = service;
    this.next = service.toBuilder();
    this.deployments = new ArrayList<>(service.deployments());
    this.now = now;
    this.ids = ids;
  }

  Service original() {
    return original;
  }

  String name() {
    return original.name();
  }

  Instant now() {
    return now;
  }

  Deployment primary() {
    return deployments.getFirst();
  }

  List<Deployment> deployments() {
    return deployments;
  }

  /** The deployment with this id, or null. */
  Deployment deployment(String id) {
    for (Deployment d : deployments) {
      if (d.id().equals(id)) {
        return d;
      }
    }
    return null;
  }

  void replace(Deployment d) {
    for (int i = 0; i < deployments.size(); i++) {
      if (deployments.get(i).id().equals(d.id())) {
        deployments.set(i, d);
        changed = true;
        return;
      }
    }
    throw new IllegalStateException("no deployment " + d.id());
  }

  /** Moves a deployment to the front as the new PRIMARY (a rollback's target). */
  void promote(Deployment d) {
    deployments.removeIf(x -> x.id().equals(d.id()));
    deployments.addFirst(d);
    changed = true;
  }

  void event(String message) {
    List<io.wharf.model.ServiceEvent> before = next.events();
    List<io.wharf.model.ServiceEvent> after = ServiceEvents.add(before, message, now, ids);
    if (after != before) {
      next.events(after);
      changed = true;
    }
  }

  /** The newest event's message, or null. */
  String newestEvent() {
    List<io.wharf.model.ServiceEvent> events = next.events();
    return events.isEmpty() ? null : events.getFirst().message();
  }

  Service.Builder service() {
    changed = true;
    return next;
  }

  void throttle(int failures, Instant nextLaunch) {
    if (failures != original.startFailures()
        || !java.util.Objects.equals(nextLaunch, original.nextLaunchAt())) {
      next.throttle(failures, nextLaunch);
      changed = true;
    }
  }

  /** The delay before the next launch after {@code failures} failed starts in a row. */
  static Duration throttleDelay(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - 1, 20);
    Duration d = FIRST_THROTTLE.multipliedBy(1L << doublings);
    return d.compareTo(MAX_THROTTLE) > 0 ? MAX_THROTTLE : d;
  }

  /** Applies the edit, if it changed anything; returns the service as it now is. */
  Service apply(StateMachine.Transaction tx) {
    if (!changed) {
      return original;
    }
    // History beyond the bound goes, oldest first; live deployments always stay.
    int inactive = 0;
    for (int i = 0; i < deployments.size(); i++) {
      if (deployments.get(i).status().equals(Deployment.INACTIVE) && ++inactive > MAX_HISTORY) {
        deployments.remove(i--);
      }
    }
    Service built = next.deployments(List.copyOf(deployments)).build(tx.revision());
    tx.apply(new Change.ServicePut(built));
    return built;
  }
}
