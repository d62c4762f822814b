package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.ecs.taskdef.TaskDefinitionRules;
import io.wharf.model.Document;

/**
 * The task definition document Wharf stores (and hands to agents): written from a typed
 * RegisterTaskDefinition request by {@link TaskDefinitionRules#normalize}, read back as the members
 * of a {@link TaskDefinitionView}.
 */
final class TaskDefinitionDocument {
  private TaskDefinitionDocument() {}

  /**
   * Checks a registration with ECS's rules and returns the definition to store: its members as
   * given (rendered from the typed request, so nothing the request record does not carry is kept),
   * with ECS's defaults filled in.
   */
  static Document normalize(TaskDefinitionOperations.RegisterTaskDefinitionRequest request) {
    ObjectNode body = (ObjectNode) Typed.render(request);
    return new Document(TaskDefinitionRules.normalize(body).toString());
  }

  /** The stored definition's members; the server-assigned ones are null. */
  static TaskDefinitionView read(Document definition) {
    return TypedDocuments.read(definition, TaskDefinitionView.class);
  }
}
