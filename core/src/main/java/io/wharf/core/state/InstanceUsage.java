package io.wharf.core.state;

import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import org.pcollections.HashTreePMap;
import org.pcollections.HashTreePSet;
import org.pcollections.PMap;
import org.pcollections.PSet;

/**
 * What the tasks on one container instance hold, kept up to date as tasks change so that placement
 * and DescribeContainerInstances never scan every task.
 *
 * @param cpu CPU units held by tasks that have not stopped
 * @param memory MiB held by tasks that have not stopped
 * @param ports host ports held ("tcp:80")
 * @param running tasks whose last status is RUNNING
 * @param pending tasks not yet RUNNING
 * @param groups task group → tasks of that group on the instance
 * @param tasks ARNs of the instance's tasks that have not stopped
 */
public record InstanceUsage(
    long cpu,
    long memory,
    PSet<String> ports,
    int running,
    int pending,
    PMap<String, Integer> groups,
    PSet<String> tasks) {

  static final InstanceUsage NONE =
      new InstanceUsage(
          0, 0, HashTreePSet.empty(), 0, 0, HashTreePMap.empty(), HashTreePSet.empty());

  /** This usage with {@code task} added ({@code sign} 1) or taken away ({@code sign} -1). */
  InstanceUsage with(Task task, int sign) {
    PSet<String> p = ports;
    for (String port : task.reservedPorts()) {
      p = sign > 0 ? p.plus(port) : p.minus(port);
    }
    int run = running + (task.lastStatus() == TaskStatus.RUNNING ? sign : 0);
    int pend = pending + (task.lastStatus().ordinal() < TaskStatus.RUNNING.ordinal() ? sign : 0);
    int inGroup = groups.getOrDefault(task.group(), 0) + sign;
    PMap<String, Integer> g =
        inGroup <= 0 ? groups.minus(task.group()) : groups.plus(task.group(), inGroup);
    return new InstanceUsage(
        cpu + sign * task.reservedCpu(),
        memory + sign * task.reservedMemory(),
        p,
        run,
        pend,
        g,
        sign > 0 ? tasks.plus(task.arn()) : tasks.minus(task.arn()));
  }
}
