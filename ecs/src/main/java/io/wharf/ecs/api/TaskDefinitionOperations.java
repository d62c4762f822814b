package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Arrays;
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
    ops.put("RegisterTaskDefinition", this::registerTaskDefinition);
    ops.put("DescribeTaskDefinition", this::describe);
    ops.put("ListTaskDefinitions", this::list);
    ops.put("ListTaskDefinitionFamilies", this::listFamilies);
    ops.put("DeregisterTaskDefinition", this::deregister);
    ops.put("DeleteTaskDefinitions", this::deleteDefinitions);
  }

  private JsonNode registerTaskDefinition(Operation.Caller caller, JsonNode request) {
    ObjectNode definition = TaskDefinitionRules.normalize((ObjectNode) request);
    String family = request.path("family").asText();
    List<Tag> tags = Wire.readTags(request.get("tags"));
    Wire.mergeTags(List.of(), tags);
    Document document = new Document(definition.toString());
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
    ObjectNode out = Wire.object();
    out.set("taskDefinition", toWire(registered));
    out.set("tags", Wire.tags(registered.tags()));
    return out;
  }

  private JsonNode describe(Operation.Caller caller, JsonNode request) {
    String ref = request.path("taskDefinition").asText();
    TaskDefinition d =
        resolve(states.current(), ref, true).orElseThrow(() -> WharfException.client(NOT_FOUND));
    ObjectNode out = Wire.object();
    out.set("taskDefinition", toWire(d));
    if (Wire.stringList(request, "include").contains("TAGS")) {
      out.set("tags", Wire.tags(d.tags()));
    }
    return out;
  }

  private JsonNode list(Operation.Caller caller, JsonNode request) {
    String family = Wire.text(request, "familyPrefix", null);
    String statusName = Wire.text(request, "status", "ACTIVE");
    // DELETE_IN_PROGRESS is a status of the model that Wharf's definitions never have:
    // DeleteTaskDefinitions removes them at once. Listing it lists nothing.
    TaskDefinitionStatus status =
        Arrays.stream(TaskDefinitionStatus.values())
            .filter(s -> s.name().equals(statusName))
            .findFirst()
            .orElse(null);
    boolean descending = "DESC".equals(Wire.text(request, "sort", "ASC"));
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
    Page page = Page.of(keys, order, request, 100);
    ArrayNode arns = Wire.array();
    for (String key : page.items()) {
      int split = key.lastIndexOf('\u0000');
      arns.add(
          lookup
              .arns()
              .taskDefinition(key.substring(0, split), Integer.parseInt(key.substring(split + 1))));
    }
    ObjectNode out = Wire.object();
    out.set("taskDefinitionArns", arns);
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    return out;
  }

  private JsonNode listFamilies(Operation.Caller caller, JsonNode request) {
    String prefix = Wire.text(request, "familyPrefix", "");
    String status = Wire.text(request, "status", "ALL");
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
    Page page = Page.of(names, request, 100);
    ObjectNode out = Wire.object();
    out.set("families", Wire.strings(page.items()));
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    return out;
  }

  private JsonNode deregister(Operation.Caller caller, JsonNode request) {
    String ref = request.path("taskDefinition").asText();
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
    return Wire.object().set("taskDefinition", toWire(d));
  }

  private JsonNode deleteDefinitions(Operation.Caller caller, JsonNode request) {
    List<String> refs = Wire.stringList(request, "taskDefinitions");
    if (refs.isEmpty() || refs.size() > MAX_DELETE) {
      throw WharfException.invalidParameter(
          "taskDefinitions must name between 1 and "
              + MAX_DELETE
              + " task definitions; it named "
              + refs.size()
              + ".");
    }
    record Outcome(List<TaskDefinition> deleted, List<ObjectNode> failures) {}
    Outcome outcome =
        states.execute(
            tx -> {
              List<TaskDefinition> deleted = new ArrayList<>();
              List<ObjectNode> failures = new ArrayList<>();
              for (String ref : refs) {
                Optional<TaskDefinition> found = resolve(tx.state(), ref, false);
                if (found.isEmpty()) {
                  failures.add(
                      Wire.failure(ref, "The specified task definition does not exist.", null));
                } else if (found.get().status() == TaskDefinitionStatus.ACTIVE) {
                  failures.add(
                      Wire.failure(
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
    ObjectNode out = Wire.object();
    ArrayNode defs = out.putArray("taskDefinitions");
    outcome.deleted().forEach(d -> defs.add(toWire(d)));
    ArrayNode failures = out.putArray("failures");
    failures.addAll(outcome.failures());
    return out;
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

  /** The TaskDefinition shape: the stored definition plus the server-assigned members. */
  static ObjectNode toWire(TaskDefinition d) {
    ObjectNode out = Wire.object();
    out.put("taskDefinitionArn", d.arn());
    out.setAll((ObjectNode) Wire.parse(d.definition()));
    out.put("family", d.family());
    out.put("revision", d.revision());
    out.put("status", d.status().name());
    out.set("registeredAt", Wire.timestamp(d.registeredAt()));
    if (d.deregisteredAt() != null) {
      out.set("deregisteredAt", Wire.timestamp(d.deregisteredAt()));
    }
    if (d.deleteRequestedAt() != null) {
      out.set("deleteRequestedAt", Wire.timestamp(d.deleteRequestedAt()));
    }
    if (d.registeredBy() != null) {
      out.put("registeredBy", d.registeredBy());
    }
    return out;
  }
}
