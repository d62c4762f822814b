package io.wharf.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random requests in every protocol to every operation of the Widgets, CloudWatch and Logs
 * models: members of the wrong type, out-of-range values, junk bytes. The endpoint never throws and
 * never answers a request's own fault as a server fault (5xx). The seed is printed for replay.
 */
class EndpointFuzzTest {
  private static final int REPETITIONS = 500;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private record Service(ServiceModel model, Operations<String> operations)
      implements AwsService<String> {}

  /** Every operation of the model, as a JsonNode handler that answers an empty output. */
  private static Service everything(ServiceModel model) {
    Operations.Builder<String> ops = Operations.builder(model);
    for (String op : model.operationNames()) {
      ops.add(op, JsonNode.class, (caller, in) -> null);
    }
    return new Service(model, ops.build());
  }

  @Test
  void badRequestsAreNeverServerFaults() {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println(
        "EndpointFuzzTest seed: " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
    Random random = new Random(seed);
    WidgetsService widgets = new WidgetsService();
    List<AwsService<String>> services =
        List.of(widgets, everything(MetricsService.MODEL), everything(LogsService.MODEL));
    Endpoint<String> endpoint = new Endpoint<>(services);
    for (int i = 0; i < REPETITIONS; i++) {
      AwsService<String> service = services.get(random.nextInt(services.size()));
      ServiceModel model = service.model();
      List<String> names = new ArrayList<>(model.operationNames());
      String op = names.get(random.nextInt(names.size()));
      ObjectNode input = randomInput(model, op, random);
      List<WireProtocol> speaks = model.protocols();
      WireProtocol protocol = speaks.get(random.nextInt(speaks.size()));
      ProtocolRequest request = request(model, protocol, op, input, random);
      ProtocolResponse response = endpoint.handle(service, request, "admin", "fuzz-" + i);
      assertThat(response.status())
          .as("seed %d, #%d: %s %s %s -> %s", seed, i, protocol, op, input, response.text())
          .isLessThan(500);
    }
  }

  private static ProtocolRequest request(
      ServiceModel model, WireProtocol protocol, String op, ObjectNode input, Random random) {
    byte[] junk = new byte[random.nextInt(8)];
    random.nextBytes(junk);
    boolean garbage = random.nextInt(10) == 0;
    try {
      return switch (protocol) {
        case AWS_JSON_1_0, AWS_JSON_1_1 ->
            Requests.json(
                protocol == WireProtocol.AWS_JSON_1_0 ? "1.0" : "1.1",
                model.targetPrefix() + "." + op,
                garbage ? new String(junk, StandardCharsets.ISO_8859_1) : input.toString());
        case RPC_V2_CBOR ->
            Requests.cbor(
                model.targetPrefix(), op, garbage ? junk : Requests.CBOR.writeValueAsBytes(input));
        case AWS_QUERY -> Requests.form(form(op, model.apiVersion(), input));
        case REST_JSON_1 -> {
          ServiceModel.HttpTraits http = model.http(op);
          String path =
              http.requestUri()
                  .replaceAll("\\?.*", "")
                  .replaceAll("\\{[^}]+}", random.nextBoolean() ? "w-1" : "Bad%2Fname");
          String query =
              http.requestUri().contains("?") ? http.requestUri().replaceAll(".*\\?", "") : null;
          yield new ProtocolRequest(
              http.method(),
              path,
              query,
              Map.of(),
              input.toString().getBytes(StandardCharsets.UTF_8));
        }
      };
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Flattens a tree into query parameters the way the CLI does (lists as .member.N). */
  private static String form(String op, String version, JsonNode input) {
    StringBuilder out = new StringBuilder("Action=" + op + "&Version=" + version);
    flatten("", input, out);
    return out.toString();
  }

  private static void flatten(String prefix, JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + ".member." + (i + 1), node.get(i), out);
      }
    } else {
      out.append('&')
          .append(URLEncoder.encode(prefix, StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(node.asText(), StandardCharsets.UTF_8));
    }
  }

  private static ObjectNode randomInput(ServiceModel model, String op, Random random) {
    String shape = model.inputShape(op);
    ObjectNode out = NODES.objectNode();
    if (shape == null) {
      return out;
    }
    JsonNode members = model.shape(shape).path("members");
    for (Iterator<Map.Entry<String, JsonNode>> it = members.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      if (random.nextInt(3) > 0) {
        out.set(m.getKey(), randomValue(model, m.getValue().path("shape").asText(), random, 0));
      }
    }
    return out;
  }

  private static JsonNode randomValue(
      ServiceModel model, String shapeName, Random random, int depth) {
    JsonNode shape = model.shape(shapeName);
    // One time in five, a value of some other type altogether.
    if (random.nextInt(5) == 0 || depth > 4) {
      return switch (random.nextInt(6)) {
        case 0 -> NODES.textNode("x".repeat(random.nextInt(3)));
        case 1 -> NODES.numberNode(random.nextLong());
        case 2 -> NODES.numberNode(random.nextDouble() * 1e12);
        case 3 -> NODES.booleanNode(random.nextBoolean());
        case 4 -> NODES.arrayNode().add(NODES.nullNode());
        default -> NODES.objectNode().put("x", 1);
      };
    }
    return switch (shape.path("type").asText()) {
      case "structure" -> {
        ObjectNode out = NODES.objectNode();
        shape
            .path("members")
            .fields()
            .forEachRemaining(
                m -> {
                  if (random.nextBoolean()) {
                    out.set(
                        m.getKey(),
                        randomValue(model, m.getValue().path("shape").asText(), random, depth + 1));
                  }
                });
        yield out;
      }
      case "list" -> {
        var out = NODES.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          out.add(
              randomValue(model, shape.path("member").path("shape").asText(), random, depth + 1));
        }
        yield out;
      }
      case "map" -> {
        ObjectNode out = NODES.objectNode();
        for (int i = random.nextInt(3); i > 0; i--) {
          out.set(
              "k" + i,
              randomValue(model, shape.path("value").path("shape").asText(), random, depth + 1));
        }
        yield out;
      }
      case "string" -> {
        JsonNode values = shape.get("enum");
        yield values != null && random.nextBoolean()
            ? values.get(random.nextInt(values.size()))
            : NODES.textNode(random.nextBoolean() ? "w-1" : "Bad name " + random.nextInt());
      }
      case "integer", "long" -> NODES.numberNode(random.nextInt(200) - 50);
      case "double", "float" -> NODES.numberNode(random.nextDouble());
      case "boolean" -> NODES.booleanNode(random.nextBoolean());
      case "timestamp" ->
          random.nextBoolean()
              ? NODES.numberNode(random.nextInt(2_000_000_000))
              : NODES.textNode("2026-12-07T10:00:00Z");
      case "blob" -> NODES.textNode(random.nextBoolean() ? "aGVsbG8=" : "not base64");
      default -> NODES.nullNode();
    };
  }
}
