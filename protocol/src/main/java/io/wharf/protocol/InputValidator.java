package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.WharfException;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks a request body against its input shape in the service model: JSON types, required members,
 * enum values, lengths, numeric ranges and patterns. Every problem names the member by its path
 * ({@code containerDefinitions[0].portMappings[1].containerPort}).
 *
 * <p>It works on the request as every protocol normalises it (JSON as sent; query parameters typed
 * by the model; CBOR with blobs as byte strings and timestamps as numbers), so the messages are the
 * same whatever the client spoke.
 *
 * <p>Members the model does not know are ignored, as AWS services do. JSON {@code null} counts as
 * absent. Semantic rules (ECS's own checks) are the operations' job; this is only the contract.
 */
final class InputValidator {
  private final ServiceModel model;

  InputValidator(ServiceModel model) {
    this.model = model;
  }

  /** Validates {@code body} against the input shape of {@code operation}. */
  void validate(String operation, JsonNode body) {
    String shape = model.inputShape(operation);
    if (shape != null) {
      check(shape, body, "");
    }
  }

  private void check(String shapeName, JsonNode value, String path) {
    ShapePlan shape = model.plan(shapeName);
    String type = shape.type();
    switch (type) {
      case "structure" -> {
        // A document is free-form JSON: any value, nothing to check.
        if (!shape.document()) {
          checkStructure(shape, value, path);
        }
      }
      case "list" -> {
        requireType(value.isArray(), path, "a list");
        checkSize(shape, value.size(), path, "items");
        String member = shape.itemShape();
        for (int i = 0; i < value.size(); i++) {
          JsonNode item = value.get(i);
          if (item.isNull()) {
            throw invalid(path + "[" + i + "]", "must not be null");
          }
          check(member, item, path + "[" + i + "]");
        }
      }
      case "map" -> {
        requireType(value.isObject(), path, "a map");
        checkSize(shape, value.size(), path, "entries");
        String keyShape = shape.keyShape();
        String valueShape = shape.valueShape();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          check(
              keyShape,
              com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey()),
              path + "." + e.getKey());
          if (!e.getValue().isNull()) {
            check(valueShape, e.getValue(), path + "." + e.getKey());
          }
        }
      }
      case "string" -> {
        requireType(value.isTextual(), path, "a string");
        String text = value.asText();
        if (shape.hasEnum() && !shape.enumSet().contains(text)) {
          throw invalid(
              path,
              "has the invalid value '"
                  + text
                  + "'; valid values are "
                  + String.join(", ", shape.enumValues()));
        }
        checkSize(shape, text.codePointCount(0, text.length()), path, "characters");
        if (shape.pattern() != null && !shape.pattern().matcher(text).matches()) {
          throw invalid(path, "does not match the pattern " + shape.regex());
        }
      }
      case "integer", "long" -> {
        boolean integral =
            value.isIntegralNumber()
                && (type.equals("long") ? value.canConvertToLong() : value.canConvertToInt());
        requireType(integral, path, type.equals("long") ? "a long integer" : "an integer");
        long n = value.asLong();
        if (shape.min() != null && n < shape.min()) {
          throw invalid(path, "is " + n + "; the minimum is " + shape.min());
        }
        if (shape.max() != null && n > shape.max()) {
          throw invalid(path, "is " + n + "; the maximum is " + shape.max());
        }
      }
      case "boolean" -> requireType(value.isBoolean(), path, "a boolean");
      case "double", "float" -> requireType(value.isNumber(), path, "a number");
      case "timestamp" -> Timestamps.parse(value, path);
      case "blob" -> requireType(value.isTextual() || value.isBinary(), path, "a base64 string");
      default -> {
        // Unknown shape types carry no constraint we can check.
      }
    }
  }

  private void checkStructure(ShapePlan shape, JsonNode value, String path) {
    requireType(value.isObject(), path, "a structure (JSON object)");
    for (String required : shape.required()) {
      JsonNode member = value.get(required);
      if (member == null || member.isNull()) {
        throw WharfException.invalidParameter(
            "Missing required parameter " + join(path, required) + ".");
      }
    }
    Map<String, String> members = shape.memberShapes();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String memberShape = members.get(e.getKey());
      if (memberShape != null && !e.getValue().isNull()) {
        check(memberShape, e.getValue(), join(path, e.getKey()));
      }
    }
  }

  private static void checkSize(ShapePlan shape, int size, String path, String unit) {
    if (shape.min() != null && size < shape.min()) {
      throw invalid(path, "has " + size + " " + unit + "; the minimum is " + shape.min());
    }
    if (shape.max() != null && size > shape.max()) {
      throw invalid(path, "has " + size + " " + unit + "; the maximum is " + shape.max());
    }
  }

  private static void requireType(boolean ok, String path, String expected) {
    if (!ok) {
      throw invalid(path, "must be " + expected);
    }
  }

  private static WharfException invalid(String path, String problem) {
    String name = path.isEmpty() ? "The request body" : "Parameter " + path;
    return WharfException.invalidParameter(name + " " + problem + ".");
  }

  private static String join(String path, String member) {
    return path.isEmpty() ? member : path + "." + member;
  }
}
