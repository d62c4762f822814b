package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Requests as the aws CLI and SDKs send them (captured with {@code aws --debug}), and readers. */
final class Requests {
  static final ObjectMapper JSON = new ObjectMapper();
  static final CBORMapper CBOR = new CBORMapper();

  private Requests() {}

  static ProtocolRequest json(String version, String target, String body) {
    return new ProtocolRequest(
        "POST",
        "/",
        null,
        Map.of(
            "x-amz-target", List.of(target),
            "content-type", List.of("application/x-amz-json-" + version)),
        body.getBytes(StandardCharsets.UTF_8));
  }

  static ProtocolRequest form(String body) {
    return new ProtocolRequest(
        "POST",
        "/",
        null,
        Map.of("content-type", List.of("application/x-www-form-urlencoded; charset=utf-8")),
        body.getBytes(StandardCharsets.UTF_8));
  }

  static ProtocolRequest cbor(String targetPrefix, String operation, byte[] body) {
    return new ProtocolRequest(
        "POST",
        "/service/" + targetPrefix + "/operation/" + operation,
        null,
        Map.of(
            "smithy-protocol", List.of("rpc-v2-cbor"),
            "content-type", List.of("application/cbor"),
            "accept", List.of("application/cbor")),
        body);
  }

  static JsonNode readJson(ProtocolResponse response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode readCbor(ProtocolResponse response) {
    try {
      return CBOR.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
