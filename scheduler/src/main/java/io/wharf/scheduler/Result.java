package io.wharf.scheduler;

import java.util.List;

/**
 * What {@link Placement#place} decided.
 *
 * @param placements the instance ARN of each placed task, in placement order; fewer than asked when
 *     capacity or constraints ran out
 * @param failures one per task that could not be placed (so placements + failures = count)
 */
public record Result(List<String> placements, List<Failure> failures) {
  public Result {
    placements = List.copyOf(placements);
    failures = List.copyOf(failures);
  }
}
