package io.wharf.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

class StateTest {
  static Task task(
      String arn,
      String instance,
      TaskStatus status,
      long cpu,
      long memory,
      String port,
      String group) {
    return new Task(
        arn,
        "cluster",
        "arn:aws:ecs:r:1:task-definition/f:1",
        instance,
        group,
        null,
        "EC2",
        status,
        status.isTerminal() ? "STOPPED" : "RUNNING",
        null,
        null,
        List.of(),
        null,
        List.of(),
        Instant.EPOCH,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "UNKNOWN",
        1,
        cpu,
        memory,
        port == null ? List.of() : List.of(port),
        null,
        1);
  }

  /** Property: the per-instance usage index always equals a recount over all tasks. */
  @RepeatedTest(100)
  void usageIndexMatchesARecount(RepetitionInfo info) {
    long seed = info.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    State state = State.empty();
    List<String> arns = new ArrayList<>();
    TaskStatus[] statuses = TaskStatus.values();
    for (int step = 0; step < 200; step++) {
      String arn =
          arns.isEmpty() || random.nextInt(3) == 0
              ? "t" + step
              : arns.get(random.nextInt(arns.size()));
      if (!arns.contains(arn)) {
        arns.add(arn);
      }
      String instance = "i" + random.nextInt(5);
      Task t =
          task(
              arn,
              instance,
              statuses[random.nextInt(statuses.length)],
              random.nextInt(1024),
              random.nextInt(2048),
              random.nextBoolean() ? "tcp:" + step : null,
              "g" + random.nextInt(3));
      state = state.apply(new Change.TaskPut(t));
    }
    Map<String, long[]> expected = new HashMap<>();
    Map<String, HashSet<String>> expectedTasks = new HashMap<>();
    for (Task t : state.tasks().values()) {
      if (t.holdsResources()) {
        long[] e = expected.computeIfAbsent(t.containerInstanceArn(), k -> new long[4]);
        e[0] += t.reservedCpu();
        e[1] += t.reservedMemory();
        e[2] += t.lastStatus() == TaskStatus.RUNNING ? 1 : 0;
        e[3] += t.lastStatus().ordinal() < TaskStatus.RUNNING.ordinal() ? 1 : 0;
        expectedTasks.computeIfAbsent(t.containerInstanceArn(), k -> new HashSet<>()).add(t.arn());
      }
    }
    for (int i = 0; i < 5; i++) {
      String instance = "i" + i;
      InstanceUsage u = state.usageOf(instance);
      long[] e = expected.getOrDefault(instance, new long[4]);
      assertThat(new long[] {u.cpu(), u.memory(), u.running(), u.pending()})
          .as("seed %d %s", seed, instance)
          .containsExactly(e);
      assertThat(u.tasks())
          .as("seed %d", seed)
          .containsExactlyInAnyOrderElementsOf(
              expectedTasks.getOrDefault(instance, new HashSet<>()));
      int grouped = u.groups().values().stream().mapToInt(Integer::intValue).sum();
      assertThat(grouped).as("seed %d", seed).isEqualTo(u.tasks().size());
    }
  }
}
