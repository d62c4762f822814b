package io.wharf.protocol;

import java.util.Optional;

/** The AWS wire protocols Wharf speaks, as a service model names them in {@code metadata}. */
public enum WireProtocol {
  AWS_JSON_1_0,
  AWS_JSON_1_1,
  AWS_QUERY,
  RPC_V2_CBOR,
  REST_JSON_1;

  /**
   * The protocol a model's {@code metadata.protocol(s)} entry names; {@code json} is 1.0 or 1.1 by
   * the model's {@code jsonVersion}. Empty for protocols Wharf does not speak (rest-xml, ec2).
   */
  static Optional<WireProtocol> ofModelName(String name, String jsonVersion) {
    return switch (name) {
      case "json" -> Optional.of("1.0".equals(jsonVersion) ? AWS_JSON_1_0 : AWS_JSON_1_1);
      case "query" -> Optional.of(AWS_QUERY);
      case "smithy-rpc-v2-cbor" -> Optional.of(RPC_V2_CBOR);
      case "rest-json" -> Optional.of(REST_JSON_1);
      default -> Optional.empty();
    };
  }

  public boolean isJson() {
    return this == AWS_JSON_1_0 || this == AWS_JSON_1_1;
  }

  /** The content type of a JSON protocol's requests and answers. */
  String jsonContentType() {
    return this == AWS_JSON_1_0 ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
  }
}
