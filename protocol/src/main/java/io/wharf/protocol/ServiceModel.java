package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * A botocore {@code service-2.json} model (the JSON the AWS CLI and SDKs are generated from), read
 * from a classpath resource, plain or gzipped. It is the contract of one service: its operations,
 * the shapes of their input and output, its error shapes, and the wire protocols it speaks.
 *
 * <p>Immutable once loaded; safe to share between threads.
 */
public final class ServiceModel {
  private final JsonNode metadata;
  private final JsonNode operations;
  private final JsonNode shapes;
  private final List<WireProtocol> protocols;
  private final Set<String> operationNames;

  /** Every shape's plan, made at load: the request path reads these, not the model's JSON. */
  private final Map<String, ShapePlan> plans;

  /** An error shape's traits: the query {@code <Code>}, the HTTP status, and who is at fault. */
  public record ErrorTraits(String shape, String queryCode, int status, boolean senderFault) {}

  /** An operation's HTTP binding (REST protocols): method, URI template, success status. */
  public record HttpTraits(String method, String requestUri, int responseCode) {}

  private ServiceModel(JsonNode model) {
    this.metadata = model.path("metadata");
    this.operations = model.path("operations");
    this.shapes = model.path("shapes");
    List<WireProtocol> speaks = new ArrayList<>();
    String jsonVersion = jsonVersion();
    JsonNode listed = metadata.path("protocols");
    if (listed.isArray() && !listed.isEmpty()) {
      listed.forEach(p -> WireProtocol.ofModelName(p.asText(), jsonVersion).ifPresent(speaks::add));
    } else {
      WireProtocol.ofModelName(metadata.path("protocol").asText(), jsonVersion)
          .ifPresent(speaks::add);
    }
    this.protocols = List.copyOf(speaks);
    Set<String> names = new TreeSet<>();
    operations.fieldNames().forEachRemaining(names::add);
    this.operationNames = Collections.unmodifiableSet(names);
    Map<String, ShapePlan> byName = new HashMap<>();
    shapes
        .fields()
        .forEachRemaining(e -> byName.put(e.getKey(), ShapePlan.of(e.getKey(), e.getValue())));
    this.plans = Map.copyOf(byName);
  }

  /**
   * Loads a model that is a resource of {@code owner}'s package ({@code owner.getResourceAsStream};
   * a name ending in {@code .gz} is gunzipped).
   *
   * @throws IllegalStateException when the resource is missing
   */
  public static ServiceModel load(Class<?> owner, String resource) {
    try (InputStream raw = owner.getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalStateException(
            "The service model " + resource + " is missing from the classpath of " + owner);
      }
      InputStream in =
          resource.endsWith(".gz") ? new GZIPInputStream(raw) : new BufferedInputStream(raw);
      return new ServiceModel(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the service model " + resource, e);
    }
  }

  public String serviceId() {
    return metadata.path("serviceId").asText();
  }

  /** {@code metadata.serviceFullName}, else the service id. */
  public String serviceFullName() {
    return metadata.path("serviceFullName").asText(serviceId());
  }

  /** The SigV4 service name: {@code metadata.signingName}, else {@code endpointPrefix}. */
  public String signingName() {
    JsonNode signing = metadata.get("signingName");
    return signing != null ? signing.asText() : metadata.path("endpointPrefix").asText();
  }

  /** The {@code X-Amz-Target} prefix (and RPCv2's service name in the path); null for query. */
  public String targetPrefix() {
    return text(metadata, "targetPrefix");
  }

  /** {@code 1.0} or {@code 1.1} for JSON services, else null. */
  public String jsonVersion() {
    return text(metadata, "jsonVersion");
  }

  public String apiVersion() {
    return metadata.path("apiVersion").asText();
  }

  /** The query protocol's XML namespace; null when the model has none. */
  public String xmlNamespace() {
    return text(metadata, "xmlNamespace");
  }

  /**
   * True when the service moved from the query protocol and keeps its query error codes ({@code
   * awsQueryCompatible}): JSON and CBOR errors then carry them in {@code x-amzn-query-error}.
   */
  public boolean isQueryCompatible() {
    return metadata.has("awsQueryCompatible");
  }

  /** The wire protocols the model speaks, preferred first; only those Wharf knows. */
  public List<WireProtocol> protocols() {
    return protocols;
  }

  public Set<String> operationNames() {
    return operationNames;
  }

  public boolean hasOperation(String op) {
    return op != null && operations.has(op);
  }

  /** The name of an operation's input shape, or null when it takes none. */
  public String inputShape(String op) {
    JsonNode input = operations.path(op).path("input").path("shape");
    return input.isMissingNode() ? null : input.asText();
  }

  /** The name of an operation's output shape, or null when it returns nothing. */
  public String outputShape(String op) {
    JsonNode output = operations.path(op).path("output").path("shape");
    return output.isMissingNode() ? null : output.asText();
  }

  /** The definition of a shape (type, members, min, max, enum, pattern, ...). */
  public JsonNode shape(String name) {
    JsonNode shape = shapes.get(name);
    if (shape == null) {
      throw new IllegalArgumentException("No shape " + name + " in the service model");
    }
    return shape;
  }

  /** An operation's HTTP traits; method POST, URI {@code /} and status 200 when absent. */
  public HttpTraits http(String op) {
    JsonNode http = operations.path(op).path("http");
    return new HttpTraits(
        http.path("method").asText("POST"),
        http.path("requestUri").asText("/"),
        http.path("responseCode").asInt(200));
  }

  /**
   * The traits of the error shape named {@code code} (an exception shape of this model), or empty
   * when there is no such error shape.
   */
  public Optional<ErrorTraits> error(String code) {
    JsonNode shape = shapes.get(code);
    if (shape == null || !shape.path("exception").asBoolean(false)) {
      return Optional.empty();
    }
    JsonNode error = shape.path("error");
    return Optional.of(
        new ErrorTraits(
            code,
            error.path("code").asText(code),
            error.path("httpStatusCode").asInt(400),
            error.path("senderFault").asBoolean(true)));
  }

  /** The plan of a shape, made when the model loaded. */
  ShapePlan plan(String name) {
    ShapePlan plan = name == null ? null : plans.get(name);
    if (plan == null) {
      throw new IllegalArgumentException("No shape " + name + " in the service model");
    }
    return plan;
  }

  /**
   * A structure's member whose name matches {@code name} ignoring case ({@code dnsName} finds
   * {@code DNSName}), or null.
   */
  String memberIgnoringCase(String structure, String name) {
    return plan(structure).memberIgnoringCase(name);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
