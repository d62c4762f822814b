package io.wharf.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class PlacementTest {
  static Placement.Candidate instance(String id, long cpu, long mem, String... ports) {
    return new Placement.Candidate(id, cpu, mem, Set.of(ports));
  }

  @Test
  void fillsTheFirstInstanceThatFitsAndCountsEarlierTasks() {
    var result =
        Placement.place(
            new Placement.Demand(512, 256, List.of()),
            3,
            List.of(instance("a", 1024, 512), instance("b", 1024, 1024)));
    assertThat(result.placements()).containsExactly("a", "a", "b");
    assertThat(result.failures()).isEmpty();
  }

  @Test
  void reportsTheResourceEachInstanceLacks() {
    var result =
        Placement.place(
            new Placement.Demand(512, 256, List.of("tcp:80")),
            1,
            List.of(
                instance("cpu", 256, 4096),
                instance("mem", 4096, 128),
                instance("port", 4096, 4096, "tcp:80")));
    assertThat(result.placements()).isEmpty();
    assertThat(result.failures())
        .containsExactly(
            new Placement.Failure("cpu", "RESOURCE:CPU"),
            new Placement.Failure("mem", "RESOURCE:MEMORY"),
            new Placement.Failure("port", "RESOURCE:PORTS"));
  }

  @Test
  void aFixedHostPortGoesOncePerInstance() {
    var result =
        Placement.place(
            new Placement.Demand(0, 0, List.of("tcp:8080")),
            3,
            List.of(instance("a", 1024, 1024), instance("b", 1024, 1024)));
    assertThat(result.placements()).containsExactly("a", "b");
    assertThat(result.failures())
        .extracting(Placement.Failure::reason)
        .containsOnly("RESOURCE:PORTS");
  }

  /** Property: whatever the inputs, no instance is ever given more than it has. */
  @RepeatedTest(200)
  void neverOversubscribes(RepetitionInfo info) {
    SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
    List<Placement.Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < 1 + random.nextInt(8); i++) {
      candidates.add(instance("i" + i, random.nextInt(4096), random.nextInt(8192)));
    }
    var demand =
        new Placement.Demand(
            random.nextInt(1024),
            random.nextInt(2048),
            random.nextBoolean() ? List.of("tcp:" + random.nextInt(1, 100)) : List.of());
    int count = 1 + random.nextInt(10);
    var result = Placement.place(demand, count, candidates);
    Map<String, Integer> placed = new HashMap<>();
    result.placements().forEach(p -> placed.merge(p, 1, Integer::sum));
    for (Placement.Candidate c : candidates) {
      int n = placed.getOrDefault(c.instanceArn(), 0);
      assertThat(n * demand.cpu())
          .as("seed %d", info.getCurrentRepetition())
          .isLessThanOrEqualTo(c.remainingCpu());
      assertThat(n * demand.memory())
          .as("seed %d", info.getCurrentRepetition())
          .isLessThanOrEqualTo(c.remainingMemory());
      if (!demand.ports().isEmpty()) {
        assertThat(n).isLessThanOrEqualTo(1);
      }
    }
    assertThat(result.placements().size()).isLessThanOrEqualTo(count);
    if (result.placements().size() < count) {
      assertThat(result.failures()).hasSize(candidates.size());
    }
  }
}
