package io.wharf.protocol;

import static io.wharf.protocol.Requests.readJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** REST-JSON 1 routing and binding on the test Widgets model's http traits. */
class RestJsonTest {
  private final WidgetsService widgets = new WidgetsService();
  private final Endpoint<String> endpoint = new Endpoint<>(List.of(widgets));

  private ProtocolResponse call(
      String method, String path, String query, Map<String, List<String>> headers, String body) {
    ProtocolRequest request =
        new ProtocolRequest(method, path, query, headers, body.getBytes(StandardCharsets.UTF_8));
    assertThat(endpoint.protocolOf(widgets, request)).isEqualTo(WireProtocol.REST_JSON_1);
    return endpoint.handle(widgets, request, "ann", "req-1");
  }

  @Test
  void aPostWithALabelBindsThePathAndTheBodyAndAnswersItsResponseCode() {
    ProtocolResponse put =
        call(
            "POST",
            "/widgets/w-1",
            null,
            Map.of("content-type", List.of("application/json")),
            "{\"Size\": 3, \"MadeAt\": 1796637630}");
    assertThat(put.status()).as(put.text()).isEqualTo(201);
    assertThat(widgets.widgets.get("w-1").size()).isEqualTo(3);
    // RequestedBy is a header member of the output: a header, not a body member.
    assertThat(put.headers()).containsEntry("x-widget-requested-by", "ann");
    assertThat(readJson(put).has("RequestedBy")).isFalse();
    assertThat(readJson(put).at("/Widget/Name").asText()).isEqualTo("w-1");
    assertThat(readJson(put).at("/Widget/MadeAt").asLong()).isEqualTo(1796637630L);
  }

  @Test
  void aGetBindsLabelsQueryStringsAndHeaders() {
    call("POST", "/widgets/w-2", null, Map.of(), "{}");
    ProtocolResponse get =
        call(
            "GET",
            "/widgets/w-2",
            "verbose=true&field=a&field=b%20c",
            Map.of("x-widget-requested-by", List.of("bob")),
            "");
    assertThat(get.status()).as(get.text()).isEqualTo(200);
    assertThat(widgets.gets.get("w-2"))
        .isEqualTo(new WidgetsService.GetWidgetInput("w-2", true, List.of("a", "b c"), "bob"));
    assertThat(get.headers()).containsEntry("x-widget-requested-by", "bob");
  }

  @Test
  void greedyLabelsAndLiteralQueryPartsRoute() {
    ProtocolResponse file =
        call("GET", "/widgets/w-3/files/docs/read%20me.txt", "content", Map.of(), "");
    assertThat(file.status()).as(file.text()).isEqualTo(200);
    assertThat(readJson(file).path("Path").asText()).isEqualTo("docs/read me.txt");
    // Without the literal ?content the path is no operation's.
    ProtocolResponse missing = call("GET", "/widgets/w-3/files/docs/x", null, Map.of(), "");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.headers()).containsEntry("x-amzn-ErrorType", "UnknownOperationException");
    assertThat(readJson(missing).path("message").asText())
        .isEqualTo("No Widgets operation is GET /widgets/w-3/files/docs/x.");
  }

  @Test
  void errorsCarryTheirTypeAndStatus() {
    ProtocolResponse notFound = call("GET", "/widgets/nope", null, Map.of(), "");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.headers()).containsEntry("x-amzn-ErrorType", "WidgetNotFound");
    assertThat(readJson(notFound).path("message").asText())
        .isEqualTo("Widget nope does not exist.");
    ProtocolResponse badLabel = call("GET", "/widgets/Bad_Name", null, Map.of(), "");
    assertThat(readJson(badLabel).path("message").asText())
        .isEqualTo("Parameter Name does not match the pattern [a-z][a-z0-9-]*.");
    ProtocolResponse badBoolean = call("GET", "/widgets/w", "verbose=maybe", Map.of(), "");
    assertThat(readJson(badBoolean).path("message").asText())
        .isEqualTo("Parameter Verbose must be true or false; it is 'maybe'.");
    ProtocolResponse deleted = call("DELETE", "/widgets/w", null, Map.of(), "");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.text()).isEqualTo("{}");
  }
}
