package io.wharf.controlplane.state;

import io.wharf.model.AccountSetting;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskDefinition;

/**
 * A change to the control plane's state: what a command produces, what the store persists, and what
 * {@link State#apply} replays. Changes carry whole entities, so replaying one is idempotent.
 */
public sealed interface Change {
  record ClusterPut(Cluster cluster) implements Change {}

  record TaskDefinitionPut(TaskDefinition definition) implements Change {}

  record AccountSettingPut(AccountSetting setting) implements Change {}

  record AccountSettingRemoved(String name, String principalArn) implements Change {}

  record ContainerInstancePut(ContainerInstance instance) implements Change {}

  record TaskPut(Task task) implements Change {}

  record ServicePut(Service service) implements Change {}
}
