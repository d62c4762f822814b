package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.WharfException;
import java.io.IOException;

/**
 * The members of an EC2 instance identity document that RegisterContainerInstance reads: the
 * machine's instance ID (a machine that registers again keeps its ARN) and its private address. ECS
 * passes the document as a string member, so it is parsed here rather than by the binding.
 *
 * @param instanceId null when the document has none
 * @param privateIp null when the document has none
 */
record IdentityDocument(String instanceId, String privateIp) {
  private static final IdentityDocument NONE = new IdentityDocument(null, null);

  /** The members of {@code document}, or none when there is no document. */
  static IdentityDocument parse(String document) {
    if (document == null) {
      return NONE;
    }
    JsonNode doc;
    try {
      doc = Wire.JSON.readTree(document);
    } catch (IOException e) {
      throw WharfException.invalidParameter("instanceIdentityDocument is not valid JSON.");
    }
    return new IdentityDocument(member(doc, "instanceId"), member(doc, "privateIp"));
  }

  // A member is taken as its text whatever its JSON type, and a document that is not an object has
  // no members: registration has always read documents that way.
  private static String member(JsonNode doc, String name) {
    return doc != null && doc.hasNonNull(name) ? doc.get(name).asText() : null;
  }
}
