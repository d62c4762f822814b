package io.wharf.ecs.api;

import io.wharf.core.state.State;
import io.wharf.model.Deployment;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.util.HashMap;
import java.util.Map;

/** Task counts of every deployment of a service, in one walk over its tasks. */
final class TaskCounts {
  /** A deployment's task counts: desired, running and pending. */
  record Counts(int desired, int running, int pending) {}

  private final Service service;
  private final Map<String, int[]> byDeployment = new HashMap<>();

  TaskCounts(State state, Service service) {
    this.service = service;
    for (Task t : state.liveTasksOf(service)) {
      if (t.startedBy() == null || !t.desiredStatus().equals("RUNNING")) {
        continue;
      }
      // [wanted, running, pending]
      int[] c = byDeployment.computeIfAbsent(t.startedBy(), k -> new int[3]);
      c[0]++;
      if (t.lastStatus() == TaskStatus.RUNNING) {
        c[1]++;
      } else if (t.lastStatus().ordinal() < TaskStatus.RUNNING.ordinal()) {
        c[2]++;
      }
    }
  }

  /** The counts of one deployment: the PRIMARY one wants the service's desired count. */
  Counts of(Deployment d) {
    int[] c = byDeployment.getOrDefault(d.id(), new int[3]);
    int desired = d.status().equals(Deployment.PRIMARY) ? service.desiredCount() : c[0];
    return new Counts(desired, c[1], c[2]);
  }

  /** The counts of one deployment of {@code service}. */
  static Counts of(State state, Service service, Deployment d) {
    return new TaskCounts(state, service).of(d);
  }
}
