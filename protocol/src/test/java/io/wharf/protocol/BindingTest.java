package io.wharf.protocol;

import static io.wharf.protocol.Requests.json;
import static io.wharf.protocol.Requests.readCbor;
import static io.wharf.protocol.Requests.readJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.model.Document;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Typed binding both ways, on the test Widgets model (one member of each shape type): names matched
 * ignoring case, timestamps, blobs, documents, enums by their wire text, nested lists, maps and
 * structures; the same input in JSON, CBOR and query binds to the same record.
 */
class BindingTest {
  private static final String WIDGET =
      """
      {"Name": "w-1", "DNSName": "w1.example", "Size": 7, "Weight": 12345678901,
       "Enabled": true, "Ratio": 0.25, "Color": "dark-blue", "MadeAt": 1796637630.25,
       "Payload": "aGVsbG8=", "Settings": {"deep": [1, {"x": null}], "ok": true},
       "Parts": [{"PartId": "p1", "Count": 2, "Tags": ["a", "b"]}],
       "Labels": {"front": [{"PartId": "p2"}]},
       "Owner": {"UserName": "ann", "Since": "2026-01-02T03:04:05Z"}}
      """;

  private final WidgetsService widgets = new WidgetsService();
  private final Endpoint<String> endpoint = new Endpoint<>(List.of(widgets));

  private ProtocolResponse putJson(String body) {
    return endpoint.handle(widgets, json("1.0", "WidgetsV1.PutWidget", body), "ann", "req-1");
  }

  @Test
  void jsonBindsEveryShapeTypeToTheRecord() {
    ProtocolResponse r = putJson(WIDGET);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    WidgetsService.Widget w = widgets.widgets.get("w-1");
    assertThat(w.dnsName()).isEqualTo("w1.example");
    assertThat(w.size()).isEqualTo(7);
    assertThat(w.weight()).isEqualTo(12_345_678_901L);
    assertThat(w.enabled()).isTrue();
    assertThat(w.ratio()).isEqualTo(0.25);
    assertThat(w.color()).isEqualTo(WidgetsService.Color.DARK_BLUE);
    assertThat(w.madeAt()).isEqualTo(Instant.parse("2026-12-07T10:00:30.250Z"));
    assertThat(new String(w.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(w.settings()).isEqualTo(new Document("{\"deep\":[1,{\"x\":null}],\"ok\":true}"));
    assertThat(w.parts()).containsExactly(new WidgetsService.Part("p1", 2, List.of("a", "b")));
    assertThat(w.labels())
        .containsExactly(Map.entry("front", List.of(new WidgetsService.Part("p2", null, null))));
    assertThat(w.owner())
        .isEqualTo(new WidgetsService.Owner("ann", Instant.parse("2026-01-02T03:04:05Z")));
  }

  @Test
  void outputIsNamedAsTheModelNamesItAndTypedForJson() {
    ProtocolResponse r = putJson(WIDGET);
    JsonNode out = readJson(r).path("Widget");
    assertThat(out.path("DNSName").asText()).isEqualTo("w1.example");
    assertThat(out.has("dnsName")).isFalse();
    assertThat(out.path("MadeAt").decimalValue()).isEqualByComparingTo("1796637630.250");
    assertThat(out.path("Payload").asText()).isEqualTo("aGVsbG8=");
    assertThat(out.path("Color").asText()).isEqualTo("dark-blue");
    assertThat(out.path("Settings").toString())
        .isEqualTo("{\"deep\":[1,{\"x\":null}],\"ok\":true}");
    assertThat(out.at("/Labels/front/0/PartId").asText()).isEqualTo("p2");
    // Null components are dropped, not written as null.
    assertThat(out.at("/Labels/front/0").has("Count")).isFalse();
    assertThat(out.at("/Owner/Since").decimalValue()).isEqualByComparingTo("1767323045");
    assertThat(readJson(r).path("RequestedBy").asText()).isEqualTo("ann");
  }

  @Test
  void theSameInputInCborAndQueryBindsTheSameRecord() throws Exception {
    putJson(WIDGET);
    WidgetsService.Widget fromJson = widgets.widgets.remove("w-1");

    JsonNode tree = Requests.JSON.readTree(WIDGET);
    com.fasterxml.jackson.databind.node.ObjectNode cborTree =
        (com.fasterxml.jackson.databind.node.ObjectNode) tree.deepCopy();
    cborTree.put("Payload", "hello".getBytes(StandardCharsets.UTF_8));
    ProtocolResponse cbor =
        endpoint.handle(
            widgets,
            Requests.cbor("WidgetsV1", "PutWidget", Requests.CBOR.writeValueAsBytes(cborTree)),
            "ann",
            "req-2");
    assertThat(cbor.status()).as(readCbor(cbor).toString()).isEqualTo(200);
    WidgetsService.Widget fromCbor = widgets.widgets.remove("w-1");
    assertThat(fromCbor).usingRecursiveComparison().isEqualTo(fromJson);
    JsonNode cborOut = readCbor(cbor).path("Widget");
    assertThat(cborOut.path("Payload").isBinary()).isTrue();
    assertThat(cborOut.path("Payload").binaryValue())
        .isEqualTo("hello".getBytes(StandardCharsets.UTF_8));

    String form =
        "Action=PutWidget&Version=2026-01-01&Name=w-1&DNSName=w1.example&Size=7"
            + "&Weight=12345678901&Enabled=true&Ratio=0.25&Color=dark-blue"
            + "&MadeAt=2026-12-07T10%3A00%3A30.250Z&Payload=aGVsbG8%3D"
            + "&Parts.member.1.PartId=p1&Parts.member.1.Count=2"
            + "&Parts.member.1.Tags.member.1=a&Parts.member.1.Tags.member.2=b"
            + "&Labels.entry.1.key=front&Labels.entry.1.value.member.1.PartId=p2"
            + "&Owner.UserName=ann&Owner.Since=2026-01-02T03%3A04%3A05Z";
    ProtocolResponse query = endpoint.handle(widgets, Requests.form(form), "ann", "req-3");
    assertThat(query.status()).as(query.text()).isEqualTo(200);
    WidgetsService.Widget fromQuery = widgets.widgets.get("w-1");
    assertThat(fromQuery).usingRecursiveComparison().ignoringFields("settings").isEqualTo(fromJson);
    assertThat(query.text())
        .contains("<DNSName>w1.example</DNSName>")
        .contains("<MadeAt>2026-12-07T10:00:30.250Z</MadeAt>")
        .contains("<Payload>aGVsbG8=</Payload>")
        .contains("<Labels><entry><key>front</key><value><member><PartId>p2</PartId>")
        .contains("<Owner><UserName>ann</UserName><Since>2026-01-02T03:04:05.000Z</Since></Owner>");
  }

  @Test
  void badBlobsAndTimestampsAreTheCallersError() {
    ProtocolResponse blob = putJson("{\"Name\": \"w\", \"Payload\": \"not base64!\"}");
    assertThat(readJson(blob).path("message").asText())
        .isEqualTo("Parameter Payload must be a base64 string.");
    ProtocolResponse time = putJson("{\"Name\": \"w\", \"MadeAt\": \"yesterday\"}");
    assertThat(readJson(time).path("message").asText())
        .isEqualTo(
            "Parameter MadeAt must be a timestamp, epoch seconds (a number) or ISO-8601 text such"
                + " as 2026-11-22T12:00:00Z, between the years 1 and 9999; it is \"yesterday\".");
    ProtocolResponse list =
        putJson(
            "{\"Name\": \"w\", \"Parts\": [{\"PartId\":\"1\"},{\"PartId\":\"2\"},"
                + "{\"PartId\":\"3\"},{\"PartId\":\"4\"}]}");
    assertThat(readJson(list).path("message").asText())
        .isEqualTo("Parameter Parts has 4 items; the maximum is 3.");
    ProtocolResponse nested = putJson("{\"Name\": \"w\", \"Parts\": [{\"Count\": 1}]}");
    assertThat(readJson(nested).path("message").asText())
        .isEqualTo("Missing required parameter Parts[0].PartId.");
    assertThat(widgets.widgets).isEmpty();
  }

  record OptionalGet(String name, Optional<String> requestedBy) {}

  record OptionalOut(Optional<String> requestedBy) {}

  @Test
  void optionalComponentsAreReadAndWritten() {
    Service optional =
        new Service(
            WidgetsService.MODEL,
            Operations.<String>builder(WidgetsService.MODEL)
                .add(
                    "GetWidget",
                    OptionalGet.class,
                    (caller, in) -> new OptionalOut(in.requestedBy().map(p -> p + "!")))
                .build());
    Endpoint<String> e = new Endpoint<>(List.of(optional));
    ProtocolResponse present =
        e.handle(
            optional,
            json("1.0", "WidgetsV1.GetWidget", "{\"Name\":\"w\",\"RequestedBy\":\"a\"}"),
            "ann",
            "r");
    assertThat(present.text()).isEqualTo("{\"RequestedBy\":\"a!\"}");
    ProtocolResponse nulled =
        e.handle(
            optional,
            json("1.0", "WidgetsV1.GetWidget", "{\"Name\":\"w\",\"RequestedBy\":null}"),
            "ann",
            "r");
    assertThat(nulled.text()).isEqualTo("{}");
    ProtocolResponse absent =
        e.handle(optional, json("1.0", "WidgetsV1.GetWidget", "{\"Name\":\"w\"}"), "ann", "r");
    assertThat(absent.text()).isEqualTo("{}");
  }

  record Extra(String name, String nickname) {}

  record Misnamed(String name, String colour) {}

  private record Service(ServiceModel model, Operations<String> operations)
      implements AwsService<String> {}

  @Test
  void anOutputComponentTheShapeLacksIsAFaultNotSilentlyDropped() {
    Service broken =
        new Service(
            WidgetsService.MODEL,
            Operations.<String>builder(WidgetsService.MODEL)
                .add(
                    "GetWidgetFile",
                    WidgetsService.GetWidgetFileInput.class,
                    (caller, in) -> new Extra(in.name(), "nick"))
                .build());
    ProtocolResponse r =
        new Endpoint<>(List.of(broken))
            .handle(
                broken,
                json("1.0", "WidgetsV1.GetWidgetFile", "{\"Name\":\"w\",\"Path\":\"a\"}"),
                "ann",
                "req-7");
    assertThat(r.status()).isEqualTo(500);
    assertThat(readJson(r).path("message").asText())
        .isEqualTo("An internal error occurred. Request ID: req-7");
    assertThatThrownBy(
            () -> new Binding(WidgetsService.MODEL).output("GetWidgetFile", new Extra("w", "n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "The output of GetWidgetFile has a member nickname that the shape GetWidgetFileOutput"
                + " does not have");
  }

  record WidgetAsDocument(Document widget) {}

  @Test
  void aDocumentComponentOfAStructureShapeIsWrittenAsItsJsonNamedByTheShape() {
    // As ECS answers a task's overrides: kept as the JSON the user sent, walked as its shape.
    JsonNode out =
        new Binding(WidgetsService.MODEL)
            .output(
                "PutWidget",
                new WidgetAsDocument(
                    new Document("{\"name\":\"w-2\",\"Size\":3,\"Owner\":{\"UserName\":\"bo\"}}")));
    assertThat(out.path("Widget").path("Name").asText()).isEqualTo("w-2");
    assertThat(out.path("Widget").path("Size").asInt()).isEqualTo(3);
    assertThat(out.at("/Widget/Owner/UserName").asText()).isEqualTo("bo");
    assertThat(out.path("Widget").has("name")).isFalse();
  }

  @Test
  void buildingFailsFastOnWhatCanNeverWork() {
    assertThatThrownBy(
            () ->
                Operations.<String>builder(WidgetsService.MODEL)
                    .add("PutGadget", Void.class, (c, in) -> null)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("The operation PutGadget is not in the Widgets model");
    assertThatThrownBy(
            () ->
                Operations.<String>builder(WidgetsService.MODEL)
                    .add("PutWidget", Misnamed.class, (c, in) -> null)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has a component colour that matches no member of the shape");
    record BadPart(String partId, Integer amount) {}
    record Nested(String name, List<BadPart> parts) {}
    assertThatThrownBy(
            () ->
                Operations.<String>builder(WidgetsService.MODEL)
                    .add("PutWidget", Nested.class, (c, in) -> null)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has a component amount that matches no member of the shape Part");
  }

  @Test
  void jsonNodeHandlersSeeTheTreeAndMayReturnOne() {
    Service legacy =
        new Service(
            WidgetsService.MODEL,
            Operations.<String>builder(WidgetsService.MODEL)
                .add(
                    "GetWidgetFile",
                    JsonNode.class,
                    (caller, in) ->
                        Requests.JSON
                            .createObjectNode()
                            .put("Name", in.path("Name").asText())
                            .put("Path", Base64.getEncoder().encodeToString(new byte[] {1}))
                            .put("Legacy", "kept"))
                .build());
    ProtocolResponse r =
        new Endpoint<>(List.of(legacy))
            .handle(
                legacy,
                json("1.0", "WidgetsV1.GetWidgetFile", "{\"Name\":\"w\",\"Path\":\"a\"}"),
                "ann",
                "req-8");
    assertThat(r.text()).isEqualTo("{\"Name\":\"w\",\"Path\":\"AQ==\",\"Legacy\":\"kept\"}");
  }
}
