package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.WharfException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
    JsonNode shape = model.shape(shapeName);
    String type = shape.path("type").asText();
    switch (type) {
      case "structure" -> {
        // A document is free-form JSON: any value, nothing to check.
        if (!model.isDocument(shape)) {
          checkStructure(shape, value, path);
        }
      }
      case "list" -> {
        requireType(value.isArray(), path, "a list");
        checkSize(shape, value.size(), path, "items");
        String member = shape.path("member").path("shape").asText();
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
        String keyShape = shape.path("key").path("shape").asText();
        String valueShape = shape.path("value").path("shape").asText();
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
        JsonNode allowed = shape.get("enum");
        if (allowed != null && !contains(allowed, text)) {
          throw invalid(
              path, "has the invalid value '" + text + "'; valid values are " + join(allowed));
        }
        checkSize(shape, text.codePointCount(0, text.length()), path, "characters");
        JsonNode regex = shape.get("pattern");
        if (regex != null && !model.pattern(shapeName, regex.asText()).matcher(text).matches()) {
          throw invalid(path, "does not match the pattern " + regex.asText());
        }
      }
      case "integer", "long" -> {
        boolean integral =
            value.isIntegralNumber()
                && (type.equals("long") ? value.canConvertToLong() : value.canConvertToInt());
        requireType(integral, path, type.equals("long") ? "a long integer" : "an integer");
        long n = value.asLong();
        if (shape.has("min") && n < shape.get("min").asLong()) {
          throw invalid(path, "is " + n + "; the minimum is " + shape.get("min").asLong());
        }
        if (shape.has("max") && n > shape.get("max").asLong()) {
          throw invalid(path, "is " + n + "; the maximum is " + shape.get("max").asLong());
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

  private void checkStructure(JsonNode shape, JsonNode value, String path) {
    requireType(value.isObject(), path, "a structure (JSON object)");
    for (JsonNode required : shape.path("required")) {
      JsonNode member = value.get(required.asText());
      if (member == null || member.isNull()) {
        throw WharfException.invalidParameter(
            "Missing required parameter " + join(path, required.asText()) + ".");
      }
    }
    JsonNode members = shape.path("members");
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode member = members.get(e.getKey());
      if (member != null && !e.getValue().isNull()) {
        check(member.path("shape").asText(), e.getValue(), join(path, e.getKey()));
      }
    }
  }

  private static void checkSize(JsonNode shape, int size, String path, String unit) {
    if (shape.has("min") && size < shape.get("min").asLong()) {
      throw invalid(
          path, "has " + size + " " + unit + "; the minimum is " + shape.get("min").asLong());
    }
    if (shape.has("max") && size > shape.get("max").asLong()) {
      throw invalid(
          path, "has " + size + " " + unit + "; the maximum is " + shape.get("max").asLong());
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

  private static boolean contains(JsonNode values, String text) {
    for (JsonNode v : values) {
      if (v.asText().equals(text)) {
        return true;
      }
    }
    return false;
  }

  private static String join(JsonNode values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asText()));
    return String.join(", ", out);
  }
}
