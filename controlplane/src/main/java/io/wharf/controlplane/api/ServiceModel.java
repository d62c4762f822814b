package io.wharf.controlplane.api;

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
 * The ECS service model (the same JSON the AWS CLI and SDKs are generated from), read from the
 * classpath. It is the contract: which operations exist and what shape each request has.
 */
public final class ServiceModel {
  private static final String RESOURCE = "ecs-2014-11-13.json.gz";

  private final JsonNode operations;
  private final JsonNode shapes;
  private final String targetPrefix;
  private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

  private ServiceModel(JsonNode model) {
    this.operations = model.path("operations");
    this.shapes = model.path("shapes");
    this.targetPrefix = model.path("metadata").path("targetPrefix").asText();
  }

  /** Loads the model bundled with Wharf. */
  public static ServiceModel ecs() {
    try (InputStream in = ServiceModel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "The ECS service model " + RESOURCE + " is missing from the classpath");
      }
      return new ServiceModel(new ObjectMapper().readTree(new GZIPInputStream(in)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the ECS service model", e);
    }
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
      throw new IllegalArgumentException("No shape " + name + " in the ECS model");
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
