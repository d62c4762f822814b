package io.wharf.protocol;

import static io.wharf.protocol.Requests.json;
import static io.wharf.protocol.Requests.readJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.Document;
import io.wharf.model.WharfException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The binding's direct paths against the Jackson paths they stand in for: a request bound straight
 * from its tree makes the record Jackson makes of it, an output written straight from its record is
 * byte for byte the JSON of its canonical tree, and what is not the plain case is left to Jackson,
 * which answers as it always did.
 */
class DirectBindingTest {
  private static final ServiceModel MODEL = WidgetsService.MODEL;
  private static final String PUT_INPUT = MODEL.inputShape("PutWidget");

  private final Binding binding = new Binding(MODEL);
  private final RecordReader reader = new RecordReader(MODEL, binding);
  private final InputValidator validator = new InputValidator(MODEL);

  private static final List<String> PLAIN_WIDGETS =
      List.of(
          """
          {"Name": "w-1", "DNSName": "w1.example", "Size": 7, "Weight": 12345678901,
           "Enabled": true, "Ratio": 0.25, "Color": "dark-blue", "MadeAt": 1796637630.25,
           "Payload": "aGVsbG8=", "Settings": {"deep": [1, {"x": null}], "ok": true},
           "Parts": [{"PartId": "p1", "Count": 2, "Tags": ["a", "b"]}],
           "Labels": {"front": [{"PartId": "p2"}], "back": []},
           "Owner": {"UserName": "ann", "Since": "2026-01-02T03:04:05Z"}}
          """,
          "{\"Name\": \"w-2\"}",
          // JSON nulls are absent; members the model lacks are ignored, even one that matches a
          // component ignoring case ("size" beside the model's "Size").
          """
          {"Name": "w-3", "DNSName": null, "size": 99, "Bogus": {"a": 1}, "Ratio": 2,
           "Parts": [{"PartId": "p", "Tags": null, "Extra": true}], "Owner": {}}
          """,
          "{\"Name\": \"w-4\", \"Settings\": [1, 2.5, \"x\", null], \"Enabled\": false}",
          "{\"Name\": \"w-5\", \"Labels\": {}, \"Parts\": [], \"MadeAt\": 0}");

  private JsonNode checked(String operation, String body) {
    JsonNode tree = JsonWire.parse(body.getBytes(StandardCharsets.UTF_8));
    validator.validate(operation, tree);
    return tree;
  }

  @Test
  void aPlainRequestIsBoundStraightToTheRecordJacksonMakesOfIt() {
    for (String body : PLAIN_WIDGETS) {
      JsonNode tree = checked("PutWidget", body);
      Object direct = reader.read(WidgetsService.Widget.class, PUT_INPUT, tree);
      assertThat(direct).as(body).isNotSameAs(RecordReader.NOT_PLAIN);
      assertThat(direct)
          .as(body)
          .usingRecursiveComparison()
          .isEqualTo(binding.inputThroughJackson("PutWidget", WidgetsService.Widget.class, tree));
    }
  }

  enum OnlyRed {
    RED("red");

    private final String wire;

    OnlyRed(String wire) {
      this.wire = wire;
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  record RedWidget(String name, OnlyRed color) {}

  record RenamedWidget(String name, @JsonProperty("DNSName") String host) {}

  record RefusingWidget(String name, Integer size) {
    RefusingWidget {
      if (size != null && size > 10) {
        throw WharfException.invalidParameter("size " + size + " is too big for Wharf.");
      }
    }
  }

  @Test
  void whatIsNotThePlainCaseIsLeftToJacksonWhichAnswersAsAlways() {
    JsonNode blue = checked("PutWidget", "{\"Name\": \"w\", \"Color\": \"dark-blue\"}");
    assertThat(reader.read(RedWidget.class, PUT_INPUT, blue)).isSameAs(RecordReader.NOT_PLAIN);
    assertThat(answerTo(RedWidget.class, "{\"Name\": \"w\", \"Color\": \"dark-blue\"}"))
        .isEqualTo("Parameter color has the value 'dark-blue', which Wharf does not support.");

    JsonNode named = checked("PutWidget", "{\"Name\": \"w\", \"DNSName\": \"h.example\"}");
    assertThat(reader.read(RenamedWidget.class, PUT_INPUT, named)).isSameAs(RecordReader.NOT_PLAIN);
    assertThat(binding.input("PutWidget", RenamedWidget.class, named))
        .isEqualTo(new RenamedWidget("w", "h.example"));

    JsonNode big = checked("PutWidget", "{\"Name\": \"w\", \"Size\": 11}");
    assertThat(reader.read(RefusingWidget.class, PUT_INPUT, big)).isSameAs(RecordReader.NOT_PLAIN);
    assertThat(answerTo(RefusingWidget.class, "{\"Name\": \"w\", \"Size\": 11}"))
        .isEqualTo("size 11 is too big for Wharf.");
    assertThat(
            reader.read(RefusingWidget.class, PUT_INPUT, checked("PutWidget", "{\"Name\":\"w\"}")))
        .isEqualTo(new RefusingWidget("w", null));
  }

  private <I> String answerTo(Class<I> input, String body) {
    Service service =
        new Service(
            MODEL,
            Operations.<String>builder(MODEL)
                .add("PutWidget", input, (caller, in) -> null)
                .build());
    ProtocolResponse r =
        new Endpoint<>(List.of(service))
            .handle(service, json("1.0", "WidgetsV1.PutWidget", body), "ann", "req-1");
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    return readJson(r).path("message").asText();
  }

  private record Service(ServiceModel model, Operations<String> operations)
      implements AwsService<String> {}

  record OptionalOut(Optional<String> requestedBy, Optional<WidgetsService.Widget> widget) {}

  record DocumentOut(Document widget) {}

  record TwiceNamed(String requestedBy, String RequestedBy) {}

  @Test
  void anOutputWrittenStraightIsByteForByteTheJsonOfItsCanonicalTree() {
    Map<String, List<WidgetsService.Part>> labels = new LinkedHashMap<>();
    labels.put("front", List.of(new WidgetsService.Part("p2", null, null)));
    labels.put("none", null);
    WidgetsService.Widget full =
        new WidgetsService.Widget(
            "w-1",
            "w1.example",
            7,
            12_345_678_901L,
            true,
            0.25,
            WidgetsService.Color.DARK_BLUE,
            Instant.parse("2026-12-07T10:00:30.250Z"),
            "hello".getBytes(StandardCharsets.UTF_8),
            new Document("{\"deep\":[1,{\"x\":null}],\"ok\":1.50}"),
            List.of(new WidgetsService.Part("p1", 2, List.of("a", "b"))),
            labels,
            new WidgetsService.Owner("ann", Instant.ofEpochSecond(1_767_323_045)));
    WidgetsService.Widget sparse =
        new WidgetsService.Widget(
            "w-2", null, null, null, null, null, null, null, null, null, null, null, null);
    List<Object> outputs =
        List.of(
            new WidgetsService.PutWidgetOutput(full, "ann"),
            new WidgetsService.PutWidgetOutput(sparse, null),
            new OptionalOut(Optional.of("bo"), Optional.of(sparse)),
            new OptionalOut(Optional.empty(), Optional.empty()),
            new DocumentOut(new Document("{\"name\":\"w-3\",\"Size\":3}")),
            new TwiceNamed("first", "second"));
    for (Object output : outputs) {
      byte[] direct = binding.outputJson("PutWidget", output);
      String tree = new String(JsonWire.write(binding.output("PutWidget", output)), UTF8);
      assertThat(new String(direct, UTF8)).as(output.toString()).isEqualTo(tree);
    }
    assertThat(new String(binding.outputJson("PutWidget", null), UTF8)).isEqualTo("{}");
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
}
