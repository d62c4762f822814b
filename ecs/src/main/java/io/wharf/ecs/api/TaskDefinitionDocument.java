package io.wharf.ecs.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.ecs.taskdef.TaskDefinitionRules;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.io.IOException;

/**
 * The task definition document Wharf stores (and hands to agents): written from a typed
 * RegisterTaskDefinition request by {@link TaskDefinitionRules#normalize}, read back as the members
 * of a {@link TaskDefinitionView}.
 */
final class TaskDefinitionDocument {
  // Reads a stored definition, whose members are all members of the TaskDefinition shape; a member
  // the view does not carry is skipped rather than failing the read.
  private static final ObjectMapper STORED =
      Wire.forVirtualThreads(
          JsonMapper.builder()
              .addModule(
                  new SimpleModule("stored-definition")
                      .addDeserializer(Document.class, new DocumentReader()))
              .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .build());

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
    try {
      return STORED.readValue(definition.json(), TaskDefinitionView.class);
    } catch (IOException e) {
      throw new WharfException(ErrorCode.SERVER, "A stored task definition is unreadable.", e);
    }
  }

  /** A member's JSON, kept as stored. */
  private static final class DocumentReader extends JsonDeserializer<Document> {
    @Override
    public Document deserialize(JsonParser in, DeserializationContext context) throws IOException {
      return new Document(in.readValueAsTree().toString());
    }
  }
}
