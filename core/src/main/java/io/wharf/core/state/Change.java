package io.wharf.core.state;

import io.wharf.model.AccountSetting;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskDefinition;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.identity.InstanceKey;
import io.wharf.model.identity.JoinToken;
import io.wharf.model.logs.LogGroup;
import io.wharf.model.logs.LogStream;

/**
 * A change to the control plane's state: what a command produces, what the store persists, and what
 * {@link State#apply} replays. Changes carry whole entities, so replaying one is idempotent.
 */
public sealed interface Change {
  /** A change to the load-balancing part of the state ({@link LoadBalancing}). */
  sealed interface Balancing extends Change {}

  record LoadBalancerPut(LoadBalancer loadBalancer) implements Balancing {}

  record LoadBalancerRemoved(String arn) implements Balancing {}

  record TargetGroupPut(TargetGroup targetGroup) implements Balancing {}

  record TargetGroupRemoved(String arn) implements Balancing {}

  record ListenerPut(Listener listener) implements Balancing {}

  record ListenerRemoved(String arn) implements Balancing {}

  record RulePut(ListenerRule rule) implements Balancing {}

  record RuleRemoved(String arn) implements Balancing {}

  record TargetRegistrationPut(String targetGroupArn, TargetRegistration registration)
      implements Balancing {}

  record TargetRegistrationRemoved(String targetGroupArn, Target target) implements Balancing {}

  /** A change to the credentials part of the state ({@link Identities}). */
  sealed interface Identity extends Change {}

  record JoinTokenPut(JoinToken token) implements Identity {}

  record JoinTokenRemoved(String id) implements Identity {}

  record InstanceKeyPut(InstanceKey key) implements Identity {}

  record InstanceKeyRemoved(String accessKeyId) implements Identity {}

  /** A change to the CloudWatch Logs part of the state ({@link Logging}). */
  sealed interface Logs extends Change {}

  record LogGroupPut(LogGroup group) implements Logs {}

  record LogGroupRemoved(String name) implements Logs {}

  record LogStreamPut(LogStream stream) implements Logs {}

  record LogStreamRemoved(String groupName, String name) implements Logs {}

  record ClusterPut(Cluster cluster) implements Change {}

  record TaskDefinitionPut(TaskDefinition definition) implements Change {}

  record AccountSettingPut(AccountSetting setting) implements Change {}

  record AccountSettingRemoved(String name, String principalArn) implements Change {}

  record ContainerInstancePut(ContainerInstance instance) implements Change {}

  record TaskPut(Task task) implements Change {}

  record ServicePut(Service service) implements Change {}
}
