package io.wharf.ecs.api;

import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.io.IOException;

/**
 * Stored {@link Document}s and typed values, both ways: a typed request member kept as a document
 * in a domain record (a service's {@code loadBalancers}), and the parts of a stored document an
 * operation reads (the container definitions of a task definition), without walking JSON trees.
 */
final class TypedDocuments {
  private TypedDocuments() {}

  /** {@code value} as a document, written as the response binding writes it (nulls left out). */
  static Document of(Object value) {
    return new Document(Typed.render(value).toString());
  }

  /**
   * The members of a stored document that {@code type}'s components name, read as the request
   * binding reads them (stored documents carry every member ECS knows; a record names only those it
   * reads).
   */
  static <T> T read(Document document, Class<T> type) {
    try {
      return Typed.BINDING.readValue(document.json(), type);
    } catch (IOException e) {
      throw new WharfException(ErrorCode.SERVER, "A stored document is unreadable.", e);
    }
  }
}
