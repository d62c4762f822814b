package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * REST-JSON 1: a request routed to its operation by the operations' {@code http.method} and {@code
 * http.requestUri} ({@code /repos/{name}/tags/{tag+}?list}: labels match one path segment, greedy
 * labels the rest, literal query parts must be present), its input assembled from the members'
 * {@code location} (uri, querystring, header) and the JSON body; the output's {@code header}
 * members become headers, a {@code statusCode} member the status, the rest the JSON body.
 *
 * <p>Not covered: {@code payload} members (a body that is one member, or raw bytes), {@code
 * headers} prefix maps, query-string maps, {@code jsonName}/{@code locationName} of body members,
 * and host labels.
 */
final class RestJsonRoutes {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private RestJsonRoutes() {}

  /** A routed request: the operation and its input tree in the model's member names. */
  record Routed(String operation, ObjectNode input) {}

  static Routed route(ServiceModel model, ProtocolRequest request) {
    Map<String, List<String>> query = decodeQuery(request.rawQuery());
    String bestOperation = null;
    Map<String, String> bestLabels = null;
    int bestScore = -1;
    for (String op : model.operationNames()) {
      ServiceModel.HttpTraits http = model.http(op);
      if (!http.method().equals(request.method())) {
        continue;
      }
      String uri = http.requestUri();
      int q = uri.indexOf('?');
      String template = q < 0 ? uri : uri.substring(0, q);
      if (q >= 0 && !literalQueryPresent(uri.substring(q + 1), query)) {
        continue;
      }
      Map<String, String> labels = match(template, request.path());
      // The most specific template wins: the most literal characters.
      int score = template.replaceAll("\\{[^}]*}", "").length() + (q < 0 ? 0 : 1000);
      if (labels != null && score > bestScore) {
        bestOperation = op;
        bestLabels = labels;
        bestScore = score;
      }
    }
    if (bestOperation == null) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION,
          "No "
              + model.serviceId()
              + " operation is "
              + request.method()
              + " "
              + request.path()
              + ".");
    }
    return new Routed(bestOperation, input(model, bestOperation, bestLabels, query, request));
  }

  private static boolean literalQueryPresent(String literal, Map<String, List<String>> query) {
    for (String part : literal.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      List<String> values = query.get(name);
      if (values == null || (eq >= 0 && !values.contains(part.substring(eq + 1)))) {
        return false;
      }
    }
    return true;
  }

  /** The labels of a path that matches the template, or null when it does not match. */
  static Map<String, String> match(String template, String path) {
    String[] want = template.split("/", -1);
    String[] have = path.split("/", -1);
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < want.length; i++) {
      String w = want[i];
      if (w.startsWith("{") && w.endsWith("+}")) {
        if (i >= have.length) {
          return null;
        }
        List<String> rest = new ArrayList<>();
        for (int j = i; j < have.length; j++) {
          rest.add(decodePath(have[j]));
        }
        String value = String.join("/", rest);
        if (value.isEmpty()) {
          return null;
        }
        labels.put(w.substring(1, w.length() - 2), value);
        return labels;
      }
      if (i >= have.length) {
        return null;
      }
      if (w.startsWith("{") && w.endsWith("}")) {
        if (have[i].isEmpty()) {
          return null;
        }
        labels.put(w.substring(1, w.length() - 1), decodePath(have[i]));
      } else if (!w.equals(have[i])) {
        return null;
      }
    }
    return want.length == have.length ? labels : null;
  }

  private static ObjectNode input(
      ServiceModel model,
      String operation,
      Map<String, String> labels,
      Map<String, List<String>> query,
      ProtocolRequest request) {
    String shapeName = model.inputShape(operation);
    if (shapeName == null) {
      return NODES.objectNode();
    }
    JsonNode body = JsonWire.parse(request.body());
    ObjectNode input = NODES.objectNode();
    JsonNode members = model.shape(shapeName).path("members");
    for (Iterator<Map.Entry<String, JsonNode>> it = members.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      String name = m.getKey();
      JsonNode member = m.getValue();
      String wire = member.path("locationName").asText(name);
      String memberShape = member.path("shape").asText();
      switch (member.path("location").asText("")) {
        case "uri" -> {
          String value = labels.get(wire);
          if (value != null) {
            input.set(name, scalar(model, memberShape, value, name));
          }
        }
        case "querystring" -> {
          List<String> values = query.get(wire);
          if (values != null) {
            JsonNode shape = model.shape(memberShape);
            if (shape.path("type").asText().equals("list")) {
              ArrayNode list = NODES.arrayNode();
              String item = shape.path("member").path("shape").asText();
              values.forEach(v -> list.add(scalar(model, item, v, name)));
              input.set(name, list);
            } else {
              input.set(name, scalar(model, memberShape, values.get(values.size() - 1), name));
            }
          }
        }
        case "header" -> {
          String value = request.header(wire.toLowerCase(java.util.Locale.ROOT));
          if (value != null) {
            input.set(name, scalar(model, memberShape, value, name));
          }
        }
        default -> {
          JsonNode value = body.get(name);
          if (value != null) {
            input.set(name, value);
          }
        }
      }
    }
    return input;
  }

  /** A text value (from the path, the query string or a header) typed by its shape. */
  private static JsonNode scalar(ServiceModel model, String shapeName, String text, String path) {
    String type = model.shape(shapeName).path("type").asText();
    try {
      return switch (type) {
        case "integer", "long" -> NODES.numberNode(Long.parseLong(text.trim()));
        case "double", "float" -> NODES.numberNode(new BigDecimal(text.trim()));
        case "boolean" -> {
          if (!text.equals("true") && !text.equals("false")) {
            throw new NumberFormatException();
          }
          yield NODES.booleanNode(Boolean.parseBoolean(text));
        }
        default -> NODES.textNode(text);
      };
    } catch (NumberFormatException e) {
      throw WharfException.invalidParameter(
          "Parameter "
              + path
              + " must be "
              + (type.equals("boolean") ? "true or false" : "a number")
              + "; it is '"
              + text
              + "'.");
    }
  }

  static ProtocolResponse response(
      ServiceModel model, String operation, ObjectNode output, Map<String, String> headers) {
    int status = model.http(operation).responseCode();
    String shapeName = model.outputShape(operation);
    ObjectNode body = output.deepCopy();
    if (shapeName != null) {
      JsonNode members = model.shape(shapeName).path("members");
      for (Iterator<Map.Entry<String, JsonNode>> it = members.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> m = it.next();
        JsonNode value = body.get(m.getKey());
        if (value == null) {
          continue;
        }
        switch (m.getValue().path("location").asText("")) {
          case "header" -> {
            headers.put(m.getValue().path("locationName").asText(m.getKey()), headerText(value));
            body.remove(m.getKey());
          }
          case "statusCode" -> {
            status = value.asInt(status);
            body.remove(m.getKey());
          }
          default -> {}
        }
      }
    }
    Map<String, String> out = new HashMap<>(headers);
    out.put("Content-Type", "application/json");
    return new ProtocolResponse(status, out, JsonWire.write(body));
  }

  private static String headerText(JsonNode value) {
    if (value.isPojo()) {
      return Timestamps.iso(Timestamps.parse(value, "header"));
    }
    return value.asText();
  }

  private static Map<String, List<String>> decodeQuery(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        throw new WharfException(
            ErrorCode.SERIALIZATION, "The query string is not valid: " + e.getMessage());
      }
    }
    return out;
  }

  /** Percent-decoding of a path segment, where '+' is itself (not a space as in forms). */
  private static String decodePath(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new WharfException(
          ErrorCode.SERIALIZATION, "The path segment " + segment + " is not valid.");
    }
  }
}
