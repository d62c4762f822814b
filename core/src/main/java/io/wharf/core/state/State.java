package io.wharf.core.state;

import io.wharf.model.AccountSetting;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pcollections.HashTreePMap;
import org.pcollections.HashTreePSet;
import org.pcollections.PMap;
import org.pcollections.PSet;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The whole control-plane state as one immutable value. Only the state machine creates new states
 * (by {@link #apply}); everyone else reads a snapshot and never locks.
 *
 * <p>Maps are persistent collections, so applying a change copies a path, not the state.
 *
 * @param revision the revision of the last command that changed anything
 * @param clusters clusters by name, sorted (ListClusters pages through them in ARN order, and
 *     within one account and region ARN order is name order)
 * @param families task definition families by name, sorted
 * @param accountSettings settings by {@link #settingKey}
 * @param containerInstances instances by ARN, sorted
 * @param tasks tasks by ARN, sorted
 * @param identities join tokens and container instances' access keys
 * @param logging CloudWatch Logs' groups and streams
 * @param usage what the unstopped tasks of each container instance hold, by instance ARN (derived
 *     from {@code tasks}, kept for speed)
 */
public record State(
    long revision,
    PSortedMap<String, Cluster> clusters,
    PSortedMap<String, Family> families,
    PMap<String, AccountSetting> accountSettings,
    PSortedMap<String, ContainerInstance> containerInstances,
    PSortedMap<String, Task> tasks,
    PMap<String, InstanceUsage> usage,
    PSortedMap<String, Service> services,
    PMap<String, PSet<String>> serviceTasks,
    LoadBalancing balancing,
    Identities identities,
    Logging logging) {

  public State {
    Objects.requireNonNull(clusters);
    Objects.requireNonNull(families);
    Objects.requireNonNull(accountSettings);
    Objects.requireNonNull(containerInstances);
    Objects.requireNonNull(tasks);
    Objects.requireNonNull(usage);
    Objects.requireNonNull(services);
    Objects.requireNonNull(serviceTasks);
    Objects.requireNonNull(balancing);
    Objects.requireNonNull(identities);
    Objects.requireNonNull(logging);
  }

  public static State empty() {
    return new State(
        0,
        TreePMap.empty(),
        TreePMap.empty(),
        HashTreePMap.empty(),
        TreePMap.empty(),
        TreePMap.empty(),
        // Looked up for every instance placement considers: a trie, not a tree (HashTrieMap).
        HashTrieMap.empty(),
        TreePMap.empty(),
        HashTreePMap.empty(),
        LoadBalancing.EMPTY,
        Identities.EMPTY,
        Logging.EMPTY);
  }

  public static String settingKey(String name, String principalArn) {
    return name + "\n" + principalArn;
  }

  /** Replays one change. Pure: the same state and change always give the same result. */
  public State apply(Change change) {
    return switch (change) {
      case Change.ClusterPut(Cluster c) -> withClusters(clusters.plus(c.name(), c));
      case Change.TaskDefinitionPut(TaskDefinition d) -> {
        Family family = families.getOrDefault(d.family(), Family.empty(d.family()));
        yield withFamilies(families.plus(d.family(), family.withRevision(d)));
      }
      case Change.AccountSettingPut(AccountSetting s) ->
          withAccountSettings(accountSettings.plus(settingKey(s.name(), s.principalArn()), s));
      case Change.AccountSettingRemoved(String name, String principal) ->
          withAccountSettings(accountSettings.minus(settingKey(name, principal)));
      case Change.ContainerInstancePut(ContainerInstance i) ->
          withContainerInstances(containerInstances.plus(i.arn(), i));
      case Change.TaskPut(Task t) -> {
        Task old = tasks.get(t.arn());
        yield new State(
            revision,
            clusters,
            families,
            accountSettings,
            containerInstances,
            tasks.plus(t.arn(), t),
            withTask(usage, old, t),
            services,
            withServiceTask(serviceTasks, old, t),
            balancing,
            identities,
            logging);
      }
      case Change.ServicePut(Service v) -> withServices(services.plus(v.arn(), v));
      case Change.Balancing b -> withBalancing(balancing.apply(b));
      case Change.Identity i -> withIdentities(identities.apply(i));
      case Change.Logs l -> withLogging(logging.apply(l));
    };
  }

  // One copy-with per part, so that a change names only what it touches.

  private State withClusters(PSortedMap<String, Cluster> v) {
    return new State(
        revision,
        v,
        families,
        accountSettings,
        containerInstances,
        tasks,
        usage,
        services,
        serviceTasks,
        balancing,
        identities,
        logging);
  }

  private State withFamilies(PSortedMap<String, Family> v) {
    return new State(
        revision,
        clusters,
        v,
        accountSettings,
        containerInstances,
        tasks,
        usage,
        services,
        serviceTasks,
        balancing,
        identities,
        logging);
  }

  private State withAccountSettings(PMap<String, AccountSetting> v) {
    return new State(
        revision,
        clusters,
        families,
        v,
        containerInstances,
        tasks,
        usage,
        services,
        serviceTasks,
        balancing,
        identities,
        logging);
  }

  private State withContainerInstances(PSortedMap<String, ContainerInstance> v) {
    return new State(
        revision,
        clusters,
        families,
        accountSettings,
        v,
        tasks,
        usage,
        services,
        serviceTasks,
        balancing,
        identities,
        logging);
  }

  private State withTasks(PSortedMap<String, Task> v, PMap<String, InstanceUsage> u) {
    return new State(
        revision,
        clusters,
        families,
        accountSettings,
        containerInstances,
        v,
        u,
        services,
        serviceTasks,
        balancing,
        identities,
        logging);
  }

  private State withServices(PSortedMap<String, Service> v) {
    return new State(
        revision,
        clusters,
        families,
        accountSettings,
        containerInstances,
        tasks,
        usage,
        v,
        serviceTasks,
        balancing,
        identities,
        logging);
  }

  private State withBalancing(LoadBalancing v) {
    return new State(
        revision,
        clusters,
        families,
        accountSettings,
        containerInstances,
        tasks,
        usage,
        services,
        serviceTasks,
        v,
        identities,
        logging);
  }

  private State withIdentities(Identities v) {
    return new State(
        revision,
        clusters,
        families,
        accountSettings,
        containerInstances,
        tasks,
        usage,
        services,
        serviceTasks,
        balancing,
        v,
        logging);
  }

  private State withLogging(Logging v) {
    return new State(
        revision,
        clusters,
        families,
        accountSettings,
        containerInstances,
        tasks,
        usage,
        services,
        serviceTasks,
        balancing,
        identities,
        v);
  }

  /** Moves a task's holdings from its old version to its new one. */
  private static PMap<String, InstanceUsage> withTask(
      PMap<String, InstanceUsage> usage, Task old, Task task) {
    if (old != null && old.containerInstanceArn() != null && old.holdsResources()) {
      InstanceUsage u =
          usage.getOrDefault(old.containerInstanceArn(), InstanceUsage.NONE).with(old, -1);
      usage = usage.plus(old.containerInstanceArn(), u);
    }
    if (task.containerInstanceArn() != null && task.holdsResources()) {
      InstanceUsage u =
          usage.getOrDefault(task.containerInstanceArn(), InstanceUsage.NONE).with(task, 1);
      usage = usage.plus(task.containerInstanceArn(), u);
    }
    return usage;
  }

  /**
   * Keeps the index of service tasks that have not stopped: by {@link #groupKey} of the cluster and
   * the {@code service:} group. Standalone tasks are not indexed.
   */
  private static PMap<String, PSet<String>> withServiceTask(
      PMap<String, PSet<String>> index, Task old, Task task) {
    if (task.group() == null || !task.group().startsWith("service:")) {
      return index;
    }
    String key = groupKey(task.clusterArn(), task.group());
    PSet<String> set = index.getOrDefault(key, HashTreePSet.empty());
    boolean live = task.lastStatus() != TaskStatus.STOPPED;
    if (live == set.contains(task.arn())) {
      return index;
    }
    set = live ? set.plus(task.arn()) : set.minus(task.arn());
    return set.isEmpty() ? index.minus(key) : index.plus(key, set);
  }

  /** The key of a cluster's task group in {@link #serviceTasks}. */
  public static String groupKey(String clusterArn, String group) {
    return clusterArn + "\n" + group;
  }

  /** The tasks of a service that have not reached STOPPED (any deployment, any desired status). */
  public List<Task> liveTasksOf(Service service) {
    PSet<String> arns = serviceTasks.get(groupKey(service.clusterArn(), service.group()));
    if (arns == null) {
      return List.of();
    }
    List<Task> out = new ArrayList<>(arns.size());
    for (String arn : arns) {
      Task t = tasks.get(arn);
      if (t != null) {
        out.add(t);
      }
    }
    // The set's order is a function of its contents: the same state gives the same order.
    return out;
  }

  /** What the unstopped tasks on an instance hold. */
  public InstanceUsage usageOf(String instanceArn) {
    return usage.getOrDefault(instanceArn, InstanceUsage.NONE);
  }

  State withRevision(long newRevision) {
    return new State(
        newRevision,
        clusters,
        families,
        accountSettings,
        containerInstances,
        tasks,
        usage,
        services,
        serviceTasks,
        balancing,
        identities,
        logging);
  }

  /**
   * The task definition an ARN ({@code ...:task-definition/<family>:<revision>}) names, or null.
   */
  public TaskDefinition taskDefinition(String arn) {
    int slash = arn.indexOf("task-definition/");
    int colon = arn.lastIndexOf(':');
    if (slash < 0 || colon < slash) {
      return null;
    }
    try {
      return taskDefinition(
          arn.substring(slash + "task-definition/".length(), colon),
          Integer.parseInt(arn.substring(colon + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The task definition with this family and revision, or null. */
  public TaskDefinition taskDefinition(String family, int revision) {
    Family f = families.get(family);
    return f == null ? null : f.revisions().get(revision);
  }
}
