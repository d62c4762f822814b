package io.wharf.core.state;

import io.wharf.model.TaskDefinition;
import java.util.Objects;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * A task definition family: its revisions and the highest revision number ever given out, which
 * never goes down (a deleted revision's number is not reused).
 */
public record Family(
    String name, int latestRevision, PSortedMap<Integer, TaskDefinition> revisions) {
  public Family {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(revisions, "revisions");
  }

  static Family empty(String name) {
    return new Family(name, 0, TreePMap.empty());
  }

  Family withRevision(TaskDefinition definition) {
    return new Family(
        name,
        Math.max(latestRevision, definition.revision()),
        revisions.plus(definition.revision(), definition));
  }

  /** The newest ACTIVE revision, or null. */
  public TaskDefinition latestActive() {
    for (TaskDefinition d : revisions.descendingMap().values()) {
      if (d.status() == io.wharf.model.TaskDefinitionStatus.ACTIVE) {
        return d;
      }
    }
    return null;
  }
}
