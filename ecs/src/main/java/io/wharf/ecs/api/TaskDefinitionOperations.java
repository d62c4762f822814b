package io.wharf.ecs.api;

import io.wharf.core.api.Page;
import io.wharf.core.state.Change;
import io.wharf.core.state.Family;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.taskdef.TaskDefinitionRules;
import io.wharf.model.Document;
import io.wharf.model.ResourceArn;
import io.wharf.model.Tag;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskDefinitionStatus;
import io.wharf.model.WharfException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies,
 * DeregisterTaskDefinition, DeleteTaskDefinitions.
 */
final class TaskDefinitionOperations {
  private static final int MAX_DELETE = 10;
  private static final String NOT_FOUND = "Unable to describe task definition.";

  private final StateMachine states;
  private final Lookup lookup;

  TaskDefinitionOperations(StateMachine states, Lookup lookup) {
    this.states = states;
    this.lookup = lookup;
  }

  void register(Map<String, Operation> ops) {
    ops.put(
        "RegisterTaskDefinition",
        Typed.of(RegisterTaskDefinitionRequest.class, this::registerTaskDefinition));
    ops.put(
        "DescribeTaskDefinition", Typed.of(DescribeTaskDefinitionRequest.class, this::describe));
    ops.put("ListTaskDefinitions", Typed.of(ListTaskDefinitionsRequest.class, this::list));
    ops.put(
        "ListTaskDefinitionFamilies",
        Typed.of(ListTaskDefinitionFamiliesRequest.class, this::listFamilies));
    ops.put(
        "DeregisterTaskDefinition",
        Typed.of(DeregisterTaskDefinitionRequest.class, this::deregister));
    ops.put(
        "DeleteTaskDefinitions",
        Typed.of(DeleteTaskDefinitionsRequest.class, this::deleteDefinitions));
  }

  /**
   * Every member of the request: all but {@code tags} go into the stored definition, so a member
   * left out here would be dropped from what DescribeTaskDefinition echoes. The structured ones are
   * {@link Document}s, kept as the user sent them for {@link TaskDefinitionRules} to check.
   */
  record RegisterTaskDefinitionRequest(
      String family,
      String taskRoleArn,
      String executionRoleArn,
      String networkMode,
      Document containerDefinitions,
      Document volumes,
      Document placementConstraints,
      List<String> requiresCompatibilities,
      String cpu,
      String memory,
      List<Tag> tags,
      String pidMode,
      String ipcMode,
      Document proxyConfiguration,
      Document inferenceAccelerators,
      Document ephemeralStorage,
      Document runtimePlatform,
      Boolean enableFaultInjection) {}

  record RegisterTaskDefinitionResponse(TaskDefinitionView taskDefinition, List<Tag> tags) {}

  record DescribeTaskDefinitionRequest(String taskDefinition, List<String> include) {}

  record DescribeTaskDefinitionResponse(TaskDefinitionView taskDefinition, List<Tag> tags) {}

  record ListTaskDefinitionsRequest(
      String familyPrefix,
      TaskDefinitionStatus status,
      String sort,
      String nextToken,
      Integer maxResults) {}

  record ListTaskDefinitionsResponse(List<String> taskDefinitionArns, String nextToken) {}

  record ListTaskDefinitionFamiliesRequest(
      String familyPrefix, String status, String nextToken, Integer maxResults) {}

  record ListTaskDefinitionFamiliesResponse(List<String> families, String nextToken) {}

  record DeregisterTaskDefinitionRequest(String taskDefinition) {}

  record DeregisterTaskDefinitionResponse(TaskDefinitionView taskDefinition) {}

  record DeleteTaskDefinitionsRequest(List<String> taskDefinitions) {}

  record DeleteTaskDefinitionsResponse(
      List<TaskDefinitionView> taskDefinitions, List<Failure> failures) {}

  private RegisterTaskDefinitionResponse registerTaskDefinition(
      Operation.Caller caller, RegisterTaskDefinitionRequest request) {
    Document document = TaskDefinitionDocument.normalize(request);
    String family = request.family();
    List<Tag> tags = Wire.readTags(request.tags());
    Wire.mergeTags(List.of(), tags);
    TaskDefinition registered =
        states.execute(
            tx -> {
              Family f = tx.state().families().get(family);
              int revision = (f == null ? 0 : f.latestRevision()) + 1;
              TaskDefinition d =
                  new TaskDefinition(
                      lookup.arns().taskDefinition(family, revision),
                      family,
                      revision,
                      TaskDefinitionStatus.ACTIVE,
                      tx.now(),
                      null,
                      null,
                      caller.principalArn(),
                      tags,
                      document,
                      tx.revision());
              tx.apply(new Change.TaskDefinitionPut(d));
              return d;
            });
    return new RegisterTaskDefinitionResponse(TaskDefinitionView.of(registered), registered.tags());
  }

  private DescribeTaskDefinitionResponse describe(
      Operation.Caller caller, DescribeTaskDefinitionRequest request) {
    String ref = request.taskDefinition();
    TaskDefinition d =
        resolve(states.current(), ref, true).orElseThrow(() -> WharfException.client(NOT_FOUND));
    boolean tags = request.include() != null && request.include().contains("TAGS");
    return new DescribeTaskDefinitionResponse(TaskDefinitionView.of(d), tags ? d.tags() : null);
  }

  private ListTaskDefinitionsResponse list(
      Operation.Caller caller, ListTaskDefinitionsRequest request) {
    String family = request.familyPrefix();
    // DELETE_IN_PROGRESS is a status of the model that Wharf's definitions never have:
    // DeleteTaskDefinitions removes them at once. Listing it lists nothing.
    TaskDefinitionStatus status =
        request.status() == null ? TaskDefinitionStatus.ACTIVE : request.status();
    boolean descending = "DESC".equals(request.sort());
    State state = states.current();
    // Keys sort as family, then revision: the order ECS lists in.
    List<String> keys = new ArrayList<>();
    Iterable<Family> families =
        family == null
            ? state.families().values()
            : Optional.ofNullable(state.families().get(family)).map(List::of).orElse(List.of());
    for (Family f : families) {
      for (TaskDefinition d : f.revisions().values()) {
        if (d.status() == status) {
          keys.add(sortKey(d));
        }
      }
    }
    Comparator<String> order = descending ? Comparator.reverseOrder() : Comparator.naturalOrder();
    if (descending) {
      keys = keys.reversed();
    }
    Page page = Page.of(keys, order, request.nextToken(), request.maxResults(), 100);
    List<String> arns = new ArrayList<>();
    for (String key : page.items()) {
      int split = key.lastIndexOf('\u0000');
      arns.add(
          lookup
              .arns()
              .taskDefinition(key.substring(0, split), Integer.parseInt(key.substring(split + 1))));
    }
    return new ListTaskDefinitionsResponse(arns, page.nextToken());
  }

  private ListTaskDefinitionFamiliesResponse listFamilies(
      Operation.Caller caller, ListTaskDefinitionFamiliesRequest request) {
    String prefix = request.familyPrefix() == null ? "" : request.familyPrefix();
    String status = request.status() == null ? "ALL" : request.status();
    State state = states.current();
    List<String> names = new ArrayList<>();
    for (Family f : state.families().tailMap(prefix).values()) {
      if (!f.name().startsWith(prefix)) {
        break;
      }
      boolean active = f.latestActive() != null;
      if (status.equals("ALL") || (status.equals("ACTIVE") == active)) {
        names.add(f.name());
      }
    }
    Page page =
        Page.of(names, Comparator.naturalOrder(), request.nextToken(), request.maxResults(), 100);
    return new ListTaskDefinitionFamiliesResponse(page.items(), page.nextToken());
  }

  private DeregisterTaskDefinitionResponse deregister(
      Operation.Caller caller, DeregisterTaskDefinitionRequest request) {
    String ref = request.taskDefinition();
    TaskDefinition d =
        states.execute(
            tx -> {
              TaskDefinition current =
                  resolve(tx.state(), ref, false)
                      .orElseThrow(
                          () ->
                              WharfException.client(
                                  "The specified task definition does not exist: "
                                      + ref
                                      + ". Name it by family:revision or by ARN."));
              if (current.status() != TaskDefinitionStatus.ACTIVE) {
                // Deregistering again changes nothing, as in ECS.
                return current;
              }
              TaskDefinition next = current.deregistered(tx.now()).withStateRevision(tx.revision());
              tx.apply(new Change.TaskDefinitionPut(next));
              return next;
            });
    return new DeregisterTaskDefinitionResponse(TaskDefinitionView.of(d));
  }

  private DeleteTaskDefinitionsResponse deleteDefinitions(
      Operation.Caller caller, DeleteTaskDefinitionsRequest request) {
    List<String> refs = request.taskDefinitions() == null ? List.of() : request.taskDefinitions();
    if (refs.isEmpty() || refs.size() > MAX_DELETE) {
      throw WharfException.invalidParameter(
          "taskDefinitions must name between 1 and "
              + MAX_DELETE
              + " task definitions; it named "
              + refs.size()
              + ".");
    }
    record Outcome(List<TaskDefinition> deleted, List<Failure> failures) {}
    Outcome outcome =
        states.execute(
            tx -> {
              List<TaskDefinition> deleted = new ArrayList<>();
              List<Failure> failures = new ArrayList<>();
              for (String ref : refs) {
                Optional<TaskDefinition> found = resolve(tx.state(), ref, false);
                if (found.isEmpty()) {
                  failures.add(
                      new Failure(ref, "The specified task definition does not exist.", null));
                } else if (found.get().status() == TaskDefinitionStatus.ACTIVE) {
                  failures.add(
                      new Failure(
                          found.get().arn(),
                          "The specified task definition is still in ACTIVE status. Deregister it before deleting it.",
                          null));
                } else {
                  TaskDefinition d = found.get();
                  if (d.status() == TaskDefinitionStatus.INACTIVE) {
                    d = d.deleteRequested(tx.now()).withStateRevision(tx.revision());
                    tx.apply(new Change.TaskDefinitionPut(d));
                  }
                  deleted.add(d);
                }
              }
              return new Outcome(deleted, failures);
            });
    return new DeleteTaskDefinitionsResponse(
        outcome.deleted().stream().map(TaskDefinitionView::of).toList(), outcome.failures());
  }

  /**
   * Finds a task definition by {@code family} (its newest ACTIVE revision, when {@code familyAlone}
   * is allowed), {@code family:revision} or ARN.
   */
  private Optional<TaskDefinition> resolve(State state, String ref, boolean familyAlone) {
    String spec = ref;
    if (ref.startsWith("arn:")) {
      Optional<ResourceArn> arn =
          lookup.ownArn(ref).filter(a -> a.type().equals("task-definition"));
      if (arn.isEmpty()) {
        return Optional.empty();
      }
      spec = arn.get().id();
    }
    int colon = spec.lastIndexOf(':');
    if (colon < 0) {
      if (!familyAlone) {
        return Optional.empty();
      }
      Family f = state.families().get(spec);
      return Optional.ofNullable(f == null ? null : f.latestActive());
    }
    try {
      int revision = Integer.parseInt(spec.substring(colon + 1));
      return Optional.ofNullable(state.taskDefinition(spec.substring(0, colon), revision));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String sortKey(TaskDefinition d) {
    // Zero-padded so that string order is revision order ("web:2" before "web:10").
    return d.family() + "\u0000" + String.format("%010d", d.revision());
  }
}
