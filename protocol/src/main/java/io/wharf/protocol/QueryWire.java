package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The AWS query protocol (ELBv2, IAM, STS, CloudWatch for older clients): form-encoded requests
 * ({@code Action=CreateRule&Conditions.member.1.Field=path-pattern&...}) in, XML out, both read and
 * written by the service model's shapes, so that lists, structures, numbers and booleans come out
 * as the SDKs send and expect them.
 *
 * <pre>
 *  "Tags.member.2.Key=team"  ──split on '.'──▶ Tags ─ member ─ 2 ─ Key = team
 *                            ──by the input shape──▶ {"Tags":[…, {"Key":"team"}]}   (JSON, typed)
 *  {"LoadBalancers":[{…}]}   ──by the output shape──▶ &lt;LoadBalancers>&lt;member>…&lt;/member>…
 * </pre>
 *
 * <p>Pure: no I/O, no state.
 */
final class QueryWire {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  /**
   * The most dot-separated parts a parameter name may have (as JSON's nesting limit, x2 for
   * .member.N).
   */
  private static final int MAX_NAME_PARTS = 2 * JsonWire.MAX_NESTING_DEPTH;

  private QueryWire() {}

  /** Decodes {@code application/x-www-form-urlencoded} text; a name given twice keeps the last. */
  static Map<String, String> decodeForm(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.put(name, value);
      } catch (IllegalArgumentException e) {
        throw new WharfException(
            ErrorCode.VALIDATION, "The request is not valid form-encoded text: " + e.getMessage());
      }
    }
    return out;
  }

  /** A parameter name split on dots, as a tree. */
  private static final class Node {
    String value;
    final Map<String, Node> children = new LinkedHashMap<>();
  }

  /**
   * The typed input of an operation from its flat parameters. Parameters the shape does not know
   * (Action, Version, anything else) are ignored, as AWS services do.
   */
  static ObjectNode input(ServiceModel model, String operation, Map<String, String> params) {
    Node root = new Node();
    for (Map.Entry<String, String> p : params.entrySet()) {
      Node at = root;
      String[] parts = p.getKey().split("\\.", -1);
      // Each part is a level of the shape walk below: bound it as JSON's nesting is bounded.
      if (parts.length > MAX_NAME_PARTS) {
        throw new WharfException(
            ErrorCode.VALIDATION,
            "The parameter name "
                + p.getKey().substring(0, 64)
                + "... has more than "
                + MAX_NAME_PARTS
                + " parts.");
      }
      for (String part : parts) {
        at = at.children.computeIfAbsent(part, k -> new Node());
      }
      at.value = p.getValue();
    }
    String shape = model.inputShape(operation);
    if (shape == null) {
      return NODES.objectNode();
    }
    return (ObjectNode) convert(model, shape, root, "");
  }

  private static JsonNode convert(ServiceModel model, String shapeName, Node node, String path) {
    JsonNode shape = model.shape(shapeName);
    String type = shape.path("type").asText();
    switch (type) {
      case "structure" -> {
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = shape.path("members").fields();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> m = it.next();
          String wireName = m.getValue().path("locationName").asText(m.getKey());
          Node child = node.children.get(wireName);
          if (child != null) {
            out.set(
                m.getKey(),
                convert(model, m.getValue().path("shape").asText(), child, join(path, m.getKey())));
          }
        }
        return out;
      }
      case "list" -> {
        ArrayNode out = NODES.arrayNode();
        JsonNode member = shape.path("member");
        Node items =
            shape.path("flattened").asBoolean(false)
                ? node
                : node.children.get(member.path("locationName").asText("member"));
        if (items == null) {
          return out; // "Names=" is how the query protocol sends an empty list
        }
        for (Map.Entry<Integer, Node> item : indexed(items, path).entrySet()) {
          out.add(
              convert(
                  model,
                  member.path("shape").asText(),
                  item.getValue(),
                  path + "[" + (item.getKey() - 1) + "]"));
        }
        return out;
      }
      case "map" -> {
        ObjectNode out = NODES.objectNode();
        Node entries = shape.path("flattened").asBoolean(false) ? node : node.children.get("entry");
        if (entries == null) {
          return out;
        }
        String keyName = shape.path("key").path("locationName").asText("key");
        String valueName = shape.path("value").path("locationName").asText("value");
        for (Node entry : indexed(entries, path).values()) {
          Node k = entry.children.get(keyName);
          Node v = entry.children.get(valueName);
          if (k != null && k.value != null && v != null) {
            out.set(k.value, convert(model, shape.path("value").path("shape").asText(), v, path));
          }
        }
        return out;
      }
      default -> {
        return scalar(type, node.value == null ? "" : node.value, path);
      }
    }
  }

  /** The numbered children (1, 2, ...) of a list or map node, in order. */
  private static TreeMap<Integer, Node> indexed(Node node, String path) {
    TreeMap<Integer, Node> out = new TreeMap<>();
    for (Map.Entry<String, Node> c : node.children.entrySet()) {
      try {
        int index = Integer.parseInt(c.getKey());
        if (index < 1) {
          throw new NumberFormatException();
        }
        out.put(index, c.getValue());
      } catch (NumberFormatException e) {
        throw new WharfException(
            ErrorCode.VALIDATION,
            "The list "
                + path
                + " has a member numbered '"
                + c.getKey()
                + "'; members count from 1.");
      }
    }
    return out;
  }

  private static JsonNode scalar(String type, String text, String path) {
    try {
      return switch (type) {
        case "integer", "long" -> NODES.numberNode(Long.parseLong(text.trim()));
        case "double", "float" -> NODES.numberNode(new java.math.BigDecimal(text.trim()));
        case "boolean" -> {
          if (!text.equals("true") && !text.equals("false")) {
            throw new NumberFormatException();
          }
          yield NODES.booleanNode(Boolean.parseBoolean(text));
        }
        default -> NODES.textNode(text);
      };
    } catch (NumberFormatException e) {
      throw new WharfException(
          ErrorCode.VALIDATION,
          "1 validation error detected: Value '"
              + text
              + "' at '"
              + path
              + "' failed to satisfy constraint: Member must be "
              + (type.equals("boolean") ? "true or false" : "a number"));
    }
  }

  private static String join(String path, String member) {
    return path.isEmpty() ? member : path + "." + member;
  }

  // ---- responses --------------------------------------------------------------------------------

  /**
   * The XML answer to an operation: {@code <OpResponse><OpResult>…</OpResult><ResponseMetadata>}.
   */
  static String response(ServiceModel model, String operation, JsonNode result, String requestId) {
    StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.append('<')
        .append(operation)
        .append("Response xmlns=\"")
        .append(escape(namespace(model)))
        .append("\">");
    String shape = model.outputShape(operation);
    out.append('<').append(operation).append("Result>");
    if (shape != null) {
      writeMembers(model, model.shape(shape), result, out);
    }
    out.append("</").append(operation).append("Result>");
    out.append("<ResponseMetadata><RequestId>")
        .append(escape(requestId))
        .append("</RequestId></ResponseMetadata>");
    out.append("</").append(operation).append("Response>\n");
    return out.toString();
  }

  /** The XML of an error, in ELB's format. */
  static String error(
      ServiceModel model, String code, boolean senderFault, String message, String requestId) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\""
        + escape(namespace(model))
        + "\"><Error><Type>"
        + (senderFault ? "Sender" : "Receiver")
        + "</Type><Code>"
        + escape(code)
        + "</Code><Message>"
        + escape(message)
        + "</Message></Error><RequestId>"
        + escape(requestId)
        + "</RequestId></ErrorResponse>\n";
  }

  private static String namespace(ServiceModel model) {
    return model.xmlNamespace() == null ? "" : model.xmlNamespace();
  }

  private static void writeMembers(
      ServiceModel model, JsonNode shape, JsonNode value, StringBuilder out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = shape.path("members").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      JsonNode v = value.get(m.getKey());
      if (v != null && !v.isNull()) {
        write(
            model,
            m.getValue().path("shape").asText(),
            m.getValue().path("locationName").asText(m.getKey()),
            v,
            out);
      }
    }
  }

  private static void write(
      ServiceModel model, String shapeName, String element, JsonNode value, StringBuilder out) {
    JsonNode shape = model.shape(shapeName);
    switch (shape.path("type").asText()) {
      case "structure" -> {
        out.append('<').append(element).append('>');
        writeMembers(model, shape, value, out);
        out.append("</").append(element).append('>');
      }
      case "list" -> {
        JsonNode member = shape.path("member");
        boolean flattened = shape.path("flattened").asBoolean(false);
        String itemName = flattened ? element : member.path("locationName").asText("member");
        if (!flattened) {
          out.append('<').append(element).append('>');
        }
        for (JsonNode item : value) {
          write(model, member.path("shape").asText(), itemName, item, out);
        }
        if (!flattened) {
          out.append("</").append(element).append('>');
        }
      }
      case "map" -> {
        out.append('<').append(element).append('>');
        List<String> keys = new ArrayList<>();
        value.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
          out.append("<entry><key>").append(escape(k)).append("</key>");
          write(model, shape.path("value").path("shape").asText(), "value", value.get(k), out);
          out.append("</entry>");
        }
        out.append("</").append(element).append('>');
      }
      default ->
          out.append('<')
              .append(element)
              .append('>')
              .append(escape(scalarText(shape, value)))
              .append("</")
              .append(element)
              .append('>');
    }
  }

  /**
   * A scalar's text: timestamps in ISO-8601, blobs in base64 (a BinaryNode's text), the rest as is.
   */
  private static String scalarText(JsonNode shape, JsonNode value) {
    if (shape.path("type").asText().equals("timestamp") && value.isPojo()) {
      return Timestamps.iso(Timestamps.parse(value, "timestamp"));
    }
    return value.asText();
  }

  /** Escapes text for XML content; characters XML 1.0 cannot carry become U+FFFD. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> {
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
