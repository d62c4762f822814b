package io.wharf.ecs.api;

import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ErrorCode;
import io.wharf.model.ResourceArn;
import io.wharf.model.Tag;
import io.wharf.model.TaskDefinition;
import io.wharf.model.WharfException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * TagResource, UntagResource, ListTagsForResource over clusters, task definitions and container
 * instances.
 */
final class TagOperations {
  private final StateMachine states;
  private final Lookup lookup;

  TagOperations(StateMachine states, Lookup lookup) {
    this.states = states;
    this.lookup = lookup;
  }

  void register(Map<String, Operation> ops) {
    ops.put("TagResource", Typed.of(TagResourceRequest.class, this::tag));
    ops.put("UntagResource", Typed.of(UntagResourceRequest.class, this::untag));
    ops.put("ListTagsForResource", Typed.of(ListTagsForResourceRequest.class, this::listTags));
  }

  record TagResourceRequest(String resourceArn, List<Tag> tags) {}

  record TagResourceResponse() {}

  private TagResourceResponse tag(Operation.Caller caller, TagResourceRequest request) {
    String arn = request.resourceArn();
    List<Tag> added = Wire.readTags(request.tags());
    if (added.isEmpty()) {
      throw WharfException.invalidParameter("tags must hold at least one tag.");
    }
    states.execute(
        tx -> {
          retag(tx, arn, existing -> Wire.mergeTags(existing, added));
          return null;
        });
    return new TagResourceResponse();
  }

  record UntagResourceRequest(String resourceArn, List<String> tagKeys) {}

  record UntagResourceResponse() {}

  private UntagResourceResponse untag(Operation.Caller caller, UntagResourceRequest request) {
    String arn = request.resourceArn();
    Set<String> keys = Set.copyOf(request.tagKeys());
    states.execute(
        tx -> {
          retag(
              tx, arn, existing -> existing.stream().filter(t -> !keys.contains(t.key())).toList());
          return null;
        });
    return new UntagResourceResponse();
  }

  record ListTagsForResourceRequest(String resourceArn) {}

  record ListTagsForResourceResponse(List<Tag> tags) {}

  private ListTagsForResourceResponse listTags(
      Operation.Caller caller, ListTagsForResourceRequest request) {
    return new ListTagsForResourceResponse(tagsOf(states.current(), request.resourceArn()));
  }

  private List<Tag> tagsOf(State state, String arn) {
    return switch (find(state, arn)) {
      case Cluster c -> c.tags();
      case TaskDefinition d -> d.tags();
      case ContainerInstance i -> i.tags();
      default -> throw new IllegalStateException("unexpected resource " + arn);
    };
  }

  private void retag(StateMachine.Transaction tx, String arn, UnaryOperator<List<Tag>> change) {
    switch (find(tx.state(), arn)) {
      case Cluster c ->
          tx.apply(
              new Change.ClusterPut(
                  c.withTags(change.apply(c.tags())).withRevision(tx.revision())));
      case TaskDefinition d ->
          tx.apply(
              new Change.TaskDefinitionPut(
                  d.withTags(change.apply(d.tags())).withStateRevision(tx.revision())));
      case ContainerInstance i ->
          tx.apply(
              new Change.ContainerInstancePut(
                  i.withTags(change.apply(i.tags())).withRevision(tx.revision())));
      default -> throw new IllegalStateException("unexpected resource " + arn);
    }
  }

  /** The taggable resource an ARN names; ECS's not-found error for its type otherwise. */
  private Object find(State state, String arn) {
    ResourceArn parsed =
        ResourceArn.parse(arn)
            .orElseThrow(
                () ->
                    WharfException.invalidParameter(
                        "The resourceArn is not a valid ECS ARN: " + arn));
    if (lookup.ownArn(arn).isEmpty()) {
      throw notFound(arn);
    }
    return switch (parsed.type()) {
      case "cluster" ->
          lookup
              .cluster(state, arn)
              .filter(Cluster::isActive)
              .orElseThrow(WharfException::clusterNotFound);
      case "task-definition" -> {
        int colon = parsed.id().lastIndexOf(':');
        TaskDefinition d = null;
        if (colon > 0) {
          try {
            d =
                state.taskDefinition(
                    parsed.id().substring(0, colon),
                    Integer.parseInt(parsed.id().substring(colon + 1)));
          } catch (NumberFormatException e) {
            d = null;
          }
        }
        if (d == null) {
          throw notFound(arn);
        }
        yield d;
      }
      case "container-instance" -> {
        ContainerInstance i = state.containerInstances().get(arn);
        if (i == null) {
          throw notFound(arn);
        }
        yield i;
      }
      default ->
          throw WharfException.invalidParameter(
              "Wharf cannot tag resources of type '" + parsed.type() + "' yet: " + arn);
    };
  }

  private static WharfException notFound(String arn) {
    return new WharfException(
        ErrorCode.RESOURCE_NOT_FOUND, "The specified resource could not be found: " + arn);
  }
}
