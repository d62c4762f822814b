package io.wharf.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.zip.GZIPInputStream;

/**
 * An AWS service model (the same JSON the AWS CLI and SDKs are generated from), read from the
 * classpath of the module that implements the service. It is the contract: which operations exist
 * and what shape each request and response has.
 */
public final class ServiceModel {
  private final JsonNode operations;
  private final JsonNode shapes;
  private final String targetPrefix;
  private final String xmlNamespace;
  private final String apiVersion;
  private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

  private ServiceModel(JsonNode model) {
    this.operations = model.path("operations");
    this.shapes = model.path("shapes");
    this.targetPrefix = model.path("metadata").path("targetPrefix").asText();
    this.xmlNamespace = model.path("metadata").path("xmlNamespace").asText();
    this.apiVersion = model.path("metadata").path("apiVersion").asText();
  }

  /**
   * Loads a model shipped as a resource of the module that implements the service, next to {@code
   * owner}.
   */
  public static ServiceModel load(Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "The service model " + resource + " is missing from the classpath");
      }
      return new ServiceModel(new ObjectMapper().readTree(new GZIPInputStream(in)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the service model " + resource, e);
    }
  }

  /** The query protocol's response namespace, e.g. {@code http://elasticloadbalancing...}. */
  public String xmlNamespace() {
    return xmlNamespace;
  }

  /** The API version, {@code 2015-12-01} for ELBv2; query requests must name it. */
  public String apiVersion() {
    return apiVersion;
  }

  /** The name of an operation's output shape, or null when it returns nothing. */
  public String outputShape(String operation) {
    JsonNode output = operations.path(operation).path("output").path("shape");
    return output.isMissingNode() ? null : output.asText();
  }

  /** The {@code X-Amz-Target} prefix, {@code AmazonEC2ContainerServiceV20141113}. */
  public String targetPrefix() {
    return targetPrefix;
  }

  public boolean hasOperation(String name) {
    return operations.has(name);
  }

  public Set<String> operationNames() {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = operations.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  /** The name of an operation's input shape, or null when it takes none. */
  public String inputShape(String operation) {
    JsonNode input = operations.path(operation).path("input").path("shape");
    return input.isMissingNode() ? null : input.asText();
  }

  /** The definition of a shape (type, members, min, max, enum, pattern, ...). */
  public JsonNode shape(String name) {
    JsonNode shape = shapes.get(name);
    if (shape == null) {
      throw new IllegalArgumentException("No shape " + name + " in the service model");
    }
    return shape;
  }

  /** A shape's pattern, compiled once; null when absent or not valid as a Java regex. */
  Pattern pattern(String shapeName, String regex) {
    Pattern p =
        patterns.computeIfAbsent(
            shapeName,
            k -> {
              try {
                return Pattern.compile(regex);
              } catch (PatternSyntaxException e) {
                return Pattern.compile(".*", Pattern.DOTALL);
              }
            });
    return p;
  }
}
