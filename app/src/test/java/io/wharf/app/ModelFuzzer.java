package io.wharf.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Invalid requests made from an AWS service model (the botocore JSON that Wharf bundles): values of
 * every shape, and one mutation at a time of a request (a wrong type, a number out of range, a bad
 * enum, a missing required member, an unknown one, deep nesting, a huge list, a malformed
 * timestamp, a reference to nothing...), each drawn from a seeded generator so that a case is
 * replayable.
 *
 * <p>Read with plain Jackson, apart from Wharf's own model classes, so that the test does not trust
 * the code it tests to read the contract.
 */
final class ModelFuzzer {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private final JsonNode operations;
  private final JsonNode shapes;
  final String targetPrefix;
  final String apiVersion;

  private ModelFuzzer(JsonNode model) {
    this.operations = model.path("operations");
    this.shapes = model.path("shapes");
    this.targetPrefix = model.path("metadata").path("targetPrefix").asText();
    this.apiVersion = model.path("metadata").path("apiVersion").asText();
  }

  static ModelFuzzer load(String resource) {
    String path = "/io/wharf/" + resource;
    try (InputStream in = ModelFuzzer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("No service model " + path + " on the classpath");
      }
      return new ModelFuzzer(JSON.readTree(new GZIPInputStream(in)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Set<String> operationNames() {
    Set<String> names = new TreeSet<>();
    operations.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The name of an operation's input shape, or null when it takes none. */
  String inputShape(String operation) {
    JsonNode s = operations.path(operation).path("input").path("shape");
    return s.isMissingNode() ? null : s.asText();
  }

  JsonNode shape(String name) {
    return shapes.path(name);
  }

  /**
   * The error codes a client of this service can be answered with: every exception shape of the
   * model (its query {@code error.code} when it has one, else its name), without the fault.
   */
  Set<String> errorCodes() {
    Set<String> codes = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = shapes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().path("exception").asBoolean(false)
          && !e.getValue().path("fault").asBoolean(false)) {
        codes.add(e.getValue().path("error").path("code").asText(e.getKey()));
      }
    }
    return codes;
  }

  // ---- values of a shape ------------------------------------------------------------------------

  /** A value of the shape that its type, enum and size constraints allow. */
  JsonNode value(String shapeName, SplittableRandom r, int depth) {
    JsonNode shape = shape(shapeName);
    long min = shape.path("min").asLong(0);
    long max = shape.path("max").asLong(Long.MAX_VALUE);
    switch (shape.path("type").asText()) {
      case "structure" -> {
        ObjectNode out = NODES.objectNode();
        Set<String> required = new TreeSet<>();
        shape.path("required").forEach(n -> required.add(n.asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it = shape.path("members").fields();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> m = it.next();
          if (required.contains(m.getKey()) || (depth < 4 && r.nextInt(4) == 0)) {
            out.set(m.getKey(), value(m.getValue().path("shape").asText(), r, depth + 1));
          }
        }
        return out;
      }
      case "list" -> {
        ArrayNode out = NODES.arrayNode();
        int n = (int) Math.min(Math.max(min, depth < 4 ? r.nextInt(3) : 0), Math.min(max, 3));
        for (int i = 0; i < n; i++) {
          out.add(value(shape.path("member").path("shape").asText(), r, depth + 1));
        }
        return out;
      }
      case "map" -> {
        ObjectNode out = NODES.objectNode();
        int n = depth < 4 ? r.nextInt(3) : 0;
        for (int i = 0; i < n; i++) {
          out.set(
              value(shape.path("key").path("shape").asText(), r, depth + 1).asText(),
              value(shape.path("value").path("shape").asText(), r, depth + 1));
        }
        return out;
      }
      case "string" -> {
        JsonNode allowed = shape.get("enum");
        if (allowed != null && !allowed.isEmpty()) {
          return allowed.get(r.nextInt(allowed.size()));
        }
        int length = (int) Math.min(Math.max(min, 1 + r.nextInt(12)), Math.min(max, 12));
        return NODES.textNode(word(r, length));
      }
      case "integer", "long" -> {
        long low = shape.has("min") ? min : 0;
        long high = shape.has("max") ? max : low + 10;
        return NODES.numberNode(low + r.nextLong(Math.max(1, Math.min(high - low + 1, 1000))));
      }
      case "double", "float" -> {
        return NODES.numberNode(r.nextDouble() * 100);
      }
      case "boolean" -> {
        return NODES.booleanNode(r.nextBoolean());
      }
      case "timestamp" -> {
        return NODES.numberNode(1_700_000_000L + r.nextInt(100_000_000));
      }
      case "blob" -> {
        return NODES.textNode("d2hhcmY=");
      }
      default -> {
        return NODES.nullNode();
      }
    }
  }

  static String word(SplittableRandom r, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append((char) ('a' + r.nextInt(26)));
    }
    return out.toString();
  }

  // ---- mutations of a JSON request --------------------------------------------------------------

  /** A place in a request: a member of an object or an item of a list, with its shape. */
  private record Site(
      JsonNode container, String member, int index, String shape, boolean required, String path) {
    JsonNode value() {
      return container == null
          ? null
          : member != null ? container.get(member) : container.get(index);
    }
  }

  /** A mutation applied: what it did, for the failure report. */
  record Mutation(String description) {}

  /**
   * Changes one thing in {@code request} (in place) and says what. {@code references} are strings
   * that name real or plausible resources of another kind, used to point a member at nothing or at
   * the wrong thing.
   */
  Mutation mutate(
      ObjectNode request, String inputShape, SplittableRandom r, List<String> references) {
    List<Site> sites = new ArrayList<>();
    sites.add(new Site(null, null, -1, inputShape, true, ""));
    collect(request, inputShape, "", sites);
    Site site = sites.get(r.nextInt(sites.size()));
    JsonNode target = site.container == null ? request : site.value();
    JsonNode shape = shape(site.shape);
    String type = shape.path("type").asText();
    String at = site.path.isEmpty() ? "(request)" : site.path;
    int kind = r.nextInt(10);
    // About a third of the mutations fit any shape; the rest are made for the member's type.
    if (kind < 3 && site.container != null) {
      JsonNode replacement = anyWrong(type, r);
      put(site, replacement);
      return new Mutation("wrong value at " + at + ": " + abbreviate(replacement.toString()));
    }
    switch (type) {
      case "structure" -> {
        ObjectNode object = target instanceof ObjectNode o ? o : null;
        if (object == null) {
          return new Mutation("nothing (" + at + " is not an object)");
        }
        List<String> required = new ArrayList<>();
        shape.path("required").forEach(n -> required.add(n.asText()));
        List<String> present = new ArrayList<>();
        object.fieldNames().forEachRemaining(present::add);
        List<String> absent = new ArrayList<>();
        shape.path("members").fieldNames().forEachRemaining(absent::add);
        absent.removeAll(present);
        int choice = r.nextInt(5);
        if (choice == 2 && !absent.isEmpty()) {
          // A member the valid request leaves out, with a value its shape allows: the fuzz then
          // reaches options (nextToken, overrides, ...) that the fixture's requests do not use.
          String added = absent.get(r.nextInt(absent.size()));
          JsonNode value = value(shape.path("members").path(added).path("shape").asText(), r, 2);
          object.set(added, value);
          return new Mutation(
              "member " + join(at, added) + " added: " + abbreviate(value.toString()));
        }
        if (choice == 0 && !required.isEmpty()) {
          String gone = required.get(r.nextInt(required.size()));
          object.remove(gone);
          return new Mutation("required member " + join(at, gone) + " removed");
        }
        if (choice == 1 && !present.isEmpty()) {
          String gone = present.get(r.nextInt(present.size()));
          object.putNull(gone);
          return new Mutation("member " + join(at, gone) + " set to null");
        }
        String unknown = r.nextBoolean() ? "fuzzUnknown" : "Type";
        JsonNode value = r.nextBoolean() ? NODES.textNode("x") : deep(r.nextInt(3, 40), r);
        object.set(unknown, value);
        return new Mutation(
            "unknown member " + join(at, unknown) + " = " + abbreviate(value.toString()));
      }
      case "list" -> {
        if (!(target instanceof ArrayNode array)) {
          return new Mutation("nothing (" + at + " is not a list)");
        }
        int choice = r.nextInt(3);
        if (choice == 0) {
          int n =
              r.nextBoolean() ? (int) shape.path("max").asLong(100) + 1 : r.nextInt(1000, 20000);
          n = Math.min(n, 20000);
          JsonNode item =
              array.isEmpty()
                  ? value(shape.path("member").path("shape").asText(), r, 3)
                  : array.get(0);
          array.removeAll();
          for (int i = 0; i < n; i++) {
            array.add(item.deepCopy());
          }
          return new Mutation("list " + at + " of " + n + " items");
        }
        if (choice == 1) {
          array.removeAll();
          return new Mutation("list " + at + " emptied");
        }
        array.add(NODES.nullNode());
        return new Mutation("null item appended to " + at);
      }
      case "map" -> {
        if (!(target instanceof ObjectNode object)) {
          return new Mutation("nothing (" + at + " is not a map)");
        }
        String key = r.nextBoolean() ? "" : "k".repeat(r.nextInt(200, 2000));
        object.set(key, value(shape.path("value").path("shape").asText(), r, 3));
        return new Mutation("map " + at + " key of " + key.length() + " characters");
      }
      case "string" -> {
        JsonNode replacement = wrongString(shape, r, references);
        put(site, replacement);
        return new Mutation("string " + at + " = " + abbreviate(replacement.toString()));
      }
      case "integer", "long" -> {
        JsonNode replacement = wrongNumber(shape, r);
        put(site, replacement);
        return new Mutation("number " + at + " = " + abbreviate(replacement.toString()));
      }
      case "timestamp" -> {
        JsonNode replacement = wrongTimestamp(r);
        put(site, replacement);
        return new Mutation("timestamp " + at + " = " + abbreviate(replacement.toString()));
      }
      default -> {
        JsonNode replacement = anyWrong(type, r);
        put(site, replacement);
        return new Mutation(type + " " + at + " = " + abbreviate(replacement.toString()));
      }
    }
  }

  private void collect(JsonNode value, String shapeName, String path, List<Site> out) {
    JsonNode shape = shape(shapeName);
    switch (shape.path("type").asText()) {
      case "structure" -> {
        if (!value.isObject()) {
          return;
        }
        Set<String> required = new TreeSet<>();
        shape.path("required").forEach(n -> required.add(n.asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          JsonNode member = shape.path("members").get(e.getKey());
          if (member == null) {
            continue;
          }
          String memberShape = member.path("shape").asText();
          String memberPath = join(path, e.getKey());
          out.add(
              new Site(
                  value, e.getKey(), -1, memberShape, required.contains(e.getKey()), memberPath));
          collect(e.getValue(), memberShape, memberPath, out);
        }
      }
      case "list" -> {
        if (!value.isArray()) {
          return;
        }
        String member = shape.path("member").path("shape").asText();
        for (int i = 0; i < value.size(); i++) {
          out.add(new Site(value, null, i, member, false, path + "[" + i + "]"));
          collect(value.get(i), member, path + "[" + i + "]", out);
        }
      }
      case "map" -> {
        if (!value.isObject()) {
          return;
        }
        String member = shape.path("value").path("shape").asText();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          out.add(new Site(value, e.getKey(), -1, member, false, join(path, e.getKey())));
        }
      }
      default -> {}
    }
  }

  private static void put(Site site, JsonNode replacement) {
    if (site.member != null) {
      ((ObjectNode) site.container).set(site.member, replacement);
    } else {
      ((ArrayNode) site.container).set(site.index, replacement);
    }
  }

  /** A value of another JSON type than the shape's, or one nested too deep, or null. */
  private static JsonNode anyWrong(String type, SplittableRandom r) {
    return switch (r.nextInt(8)) {
      case 0 -> type.equals("string") ? NODES.numberNode(42) : NODES.textNode("fuzz");
      case 1 -> type.equals("boolean") ? NODES.textNode("true") : NODES.booleanNode(true);
      case 2 -> type.equals("list") ? NODES.objectNode().put("a", 1) : NODES.arrayNode().add("a");
      case 3 ->
          type.equals("structure") || type.equals("map")
              ? NODES.arrayNode().add(NODES.objectNode())
              : NODES.objectNode().put("value", "x");
      case 4 -> deep(r.nextInt(20, 70), r);
      case 5 -> NODES.numberNode(new BigDecimal("1e400"));
      case 6 -> NODES.numberNode(-1.5);
      default -> NODES.nullNode();
    };
  }

  /** Arrays or objects nested {@code depth} levels. */
  static JsonNode deep(int depth, SplittableRandom r) {
    JsonNode inner = NODES.textNode("bottom");
    for (int i = 0; i < depth; i++) {
      inner =
          r.nextBoolean()
              ? NODES.arrayNode().add(inner)
              : NODES.objectNode().set(r.nextBoolean() ? "a" : "type", inner);
    }
    return inner;
  }

  private static JsonNode wrongString(JsonNode shape, SplittableRandom r, List<String> references) {
    long max = shape.path("max").asLong(-1);
    JsonNode allowed = shape.get("enum");
    int choice = r.nextInt(allowed != null ? 9 : 7);
    return switch (choice) {
      case 0 -> NODES.textNode("");
      case 1 ->
          NODES.textNode(
              "x".repeat(max > 0 ? (int) Math.min(max + 1, 400_000) : r.nextInt(256, 70_000)));
      case 2 -> NODES.textNode(ODD_STRINGS.get(r.nextInt(ODD_STRINGS.size())));
      case 3, 4 ->
          NODES.textNode(
              references.isEmpty() ? "nowhere" : references.get(r.nextInt(references.size())));
      case 5 -> NODES.textNode(DANGLING.get(r.nextInt(DANGLING.size())));
      case 6 -> NODES.textNode(" ");
      case 7 -> allowed.get(r.nextInt(allowed.size())); // another value the model allows
      default -> {
        String valid = allowed.get(r.nextInt(allowed.size())).asText();
        yield NODES.textNode(
            r.nextBoolean()
                ? valid.toLowerCase(Locale.ROOT) + "_"
                : valid.isEmpty() ? "BOGUS" : valid + " ");
      }
    };
  }

  /** Strings that break naive code: control characters, surrogates, format strings, paths. */
  private static final List<String> ODD_STRINGS =
      List.of(
          "\u0000",
          "line\nbreak\r\n",
          "\ud800",
          "\ud83d\udc33 wharf",
          "%s%n%d",
          "${jndi:ldap://127.0.0.1/x}",
          "../../../../etc/passwd",
          "' OR '1'='1",
          "<xml>&amp;</xml>",
          "a:b:c:d:e:f:g",
          "\t",
          "-1",
          "999999999999999999999",
          "1e400",
          "NaN",
          "null",
          "attribute:",
          "attribute:ecs.os-type ==",
          "spread",
          ":",
          "/",
          "a/b/c");

  /** Names and ARNs that refer to nothing, or to something of another kind, region or account. */
  private static final List<String> DANGLING =
      List.of(
          "nowhere",
          "arn:",
          "arn:aws:ecs",
          "arn:aws:ecs:us-east-1:123456789012:",
          "arn:aws:ecs:us-east-1:123456789012:cluster/",
          "arn:aws:ecs:us-east-1:123456789012:cluster/nowhere",
          "arn:aws:ecs:eu-west-1:123456789012:cluster/default",
          "arn:aws:ecs:us-east-1:999999999999:cluster/default",
          "arn:aws:ecs:us-east-1:123456789012:service/nowhere/none",
          "arn:aws:ecs:us-east-1:123456789012:service/none",
          "arn:aws:ecs:us-east-1:123456789012:task/nowhere/0123456789abcdef0123456789abcdef",
          "arn:aws:ecs:us-east-1:123456789012:task-definition/none:1",
          "arn:aws:ecs:us-east-1:123456789012:task-definition/none:0",
          "arn:aws:ecs:us-east-1:123456789012:task-definition/none:99999999999",
          "arn:aws:ecs:us-east-1:123456789012:task-definition/none:x",
          "none:",
          "none:-1",
          "none:2147483648",
          "arn:aws:ecs:us-east-1:123456789012:container-instance/nowhere/abc",
          "arn:aws:ecs:us-east-1:123456789012:service-deployment/a/b/c",
          "arn:aws:ecs:us-east-1:123456789012:service-revision/a/b/1",
          "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/none/0123456789abcdef",
          "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/none/0123456789abcdef",
          "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/none/0123/4567",
          "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/none/0/1/2",
          "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/",
          "arn:aws:iam::123456789012:role/none",
          "i-00000000000000000",
          "i-",
          "127.0.0.1",
          "10.0.0.999");

  private static JsonNode wrongNumber(JsonNode shape, SplittableRandom r) {
    long min = shape.path("min").asLong(0);
    long max = shape.path("max").asLong(Integer.MAX_VALUE);
    return switch (r.nextInt(9)) {
      case 0 -> NODES.numberNode(min - 1);
      case 1 -> NODES.numberNode(max + 1);
      case 2 -> NODES.numberNode(-1);
      case 3 -> NODES.numberNode(0);
      case 4 -> NODES.numberNode(Integer.MAX_VALUE + 1L);
      case 5 -> NODES.numberNode(Long.MAX_VALUE);
      case 6 -> NODES.numberNode(BigInteger.TWO.pow(80));
      case 7 -> NODES.numberNode(new BigDecimal("1.5"));
      default -> NODES.textNode("5");
    };
  }

  private static JsonNode wrongTimestamp(SplittableRandom r) {
    return switch (r.nextInt(11)) {
      case 0 -> NODES.textNode("yesterday");
      case 1 -> NODES.textNode("2026-13-45T25:61:00Z");
      case 2 -> NODES.textNode("");
      case 3 -> NODES.numberNode(new BigDecimal("1e20"));
      case 4 -> NODES.numberNode(new BigDecimal("-1e20"));
      case 5 -> NODES.numberNode(new BigDecimal("1e400"));
      case 6 -> NODES.textNode("2026-11-22 12:00:00.000000");
      case 7 -> NODES.textNode("1763812800.5");
      case 8 -> NODES.textNode("2026-11-22T12:00:00+01:00");
      case 9 -> NODES.booleanNode(false);
      default -> NODES.objectNode().put("epoch", 1);
    };
  }

  private static String join(String path, String member) {
    return path.isEmpty() || path.equals("(request)") ? member : path + "." + member;
  }

  static String abbreviate(String text) {
    return text.length() <= 160
        ? text
        : text.substring(0, 120)
            + "...("
            + text.length()
            + " chars)..."
            + text.substring(text.length() - 20);
  }

  // ---- the AWS query protocol ------------------------------------------------------------------

  /**
   * The form parameters of a JSON request as the SDKs would write it for the query protocol ({@code
   * Tags.member.1.Key=...}), by the model's shapes where the value has the shape's type, and by the
   * value's own form where it does not (a mutation may have put an object where a string goes).
   */
  Map<String, String> form(String shapeName, JsonNode value) {
    Map<String, String> out = new LinkedHashMap<>();
    writeForm(shapeName, value, "", out);
    return out;
  }

  private void writeForm(String shapeName, JsonNode value, String prefix, Map<String, String> out) {
    JsonNode shape = shapeName == null ? NODES.missingNode() : shape(shapeName);
    if (value == null || value.isNull()) {
      out.put(prefix, "");
      return;
    }
    if (value.isObject()) {
      boolean map = shape.path("type").asText().equals("map");
      int i = 1;
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); i++) {
        Map.Entry<String, JsonNode> e = it.next();
        if (map) {
          out.put(joinForm(prefix, "entry." + i + ".key"), e.getKey());
          writeForm(
              shape.path("value").path("shape").asText(),
              e.getValue(),
              joinForm(prefix, "entry." + i + ".value"),
              out);
        } else {
          JsonNode member = shape.path("members").get(e.getKey());
          String name =
              member == null ? e.getKey() : member.path("locationName").asText(e.getKey());
          writeForm(
              member == null ? null : member.path("shape").asText(),
              e.getValue(),
              joinForm(prefix, name),
              out);
        }
      }
      return;
    }
    if (value.isArray()) {
      if (value.isEmpty()) {
        out.put(prefix, "");
        return;
      }
      String member = shape.path("member").path("shape").asText(null);
      for (int i = 0; i < value.size(); i++) {
        writeForm(member, value.get(i), joinForm(prefix, "member." + (i + 1)), out);
      }
      return;
    }
    out.put(prefix, value.asText());
  }

  private static String joinForm(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  /** Form-encodes parameters. */
  static String encode(Map<String, String> params) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  /** One change to the query parameters themselves, beyond what the JSON mutations do. */
  static String mutateForm(Map<String, String> params, SplittableRandom r) {
    List<String> names = new ArrayList<>(params.keySet());
    names.removeIf(n -> n.equals("Action") || n.equals("Version"));
    String some = names.isEmpty() ? "Names" : names.get(r.nextInt(names.size()));
    String base = some.contains(".") ? some.substring(0, some.indexOf('.')) : some;
    switch (r.nextInt(9)) {
      case 0 -> {
        params.put(base + ".member.0", "x");
        return "list member numbered 0 in " + base;
      }
      case 1 -> {
        params.put(base + ".member.99999999999", "x");
        return "list member numbered 99999999999 in " + base;
      }
      case 2 -> {
        params.put(base + ".member.first", "x");
        return "list member numbered 'first' in " + base;
      }
      case 3 -> {
        StringBuilder deep = new StringBuilder(base);
        int depth = r.nextInt(30, 300);
        for (int i = 0; i < depth; i++) {
          deep.append(".member.1");
        }
        params.put(deep.toString(), "x");
        return base + " nested " + depth + " levels";
      }
      case 4 -> {
        int n = r.nextInt(500, 5000);
        for (int i = 1; i <= n; i++) {
          params.put(base + ".member." + i, "x" + i);
        }
        return base + " with " + n + " members";
      }
      case 5 -> {
        params.remove("Version");
        return "no Version";
      }
      case 6 -> {
        params.put("Version", "2012-06-01");
        return "Version 2012-06-01";
      }
      case 7 -> {
        params.put(some, "");
        return some + " empty";
      }
      default -> {
        params.put(some + ".Unknown.member.1", "x");
        return "unknown parameter under " + some;
      }
    }
  }
}
