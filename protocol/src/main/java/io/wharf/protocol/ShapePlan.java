package io.wharf.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One shape of a service model as the request path reads it, made once when the model loads.
 *
 * <p>Why: validation, binding and the output walk visit a shape for every value of every request.
 * Reading the model's JSON there ({@code path("members").path(m).path("shape").asText()}, a
 * lower-cased copy of every member name, a pattern looked up in a cache) cost RunTask a measurable
 * share of its time (PlacementBench); a plan holds the answers those walks need.
 *
 * @param name the shape's name in the model
 * @param type the model's type name ({@code structure}, {@code list}, {@code string}, ...)
 * @param document a structure marked {@code document} (free-form JSON, nothing to check)
 * @param memberShapes a structure's members (model order) to their shape names; empty otherwise
 * @param membersIgnoringCase each member's name and its lower case to the member (see {@link
 *     #memberIgnoringCase})
 * @param required a structure's required members, in the model's order
 * @param min the model's {@code min}, null when it has none
 * @param max the model's {@code max}, null when it has none
 * @param enumValues a string's allowed values in the model's order, for messages; empty when any
 * @param enumSet {@code enumValues} to look up; null when the shape has no {@code enum}
 * @param regex a string's {@code pattern} as the model writes it (for messages), or null
 * @param pattern {@code regex} compiled; one Java cannot compile matches anything
 * @param itemShape a list's member shape, else null
 * @param keyShape a map's key shape, else null
 * @param valueShape a map's value shape, else null
 */
record ShapePlan(
    String name,
    String type,
    boolean document,
    Map<String, String> memberShapes,
    Map<String, String> membersIgnoringCase,
    List<String> required,
    Long min,
    Long max,
    List<String> enumValues,
    Set<String> enumSet,
    String regex,
    Pattern pattern,
    String itemShape,
    String keyShape,
    String valueShape) {

  static ShapePlan of(String name, JsonNode shape) {
    Map<String, String> members = new LinkedHashMap<>();
    Map<String, String> byLower = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = shape.path("members").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      members.put(e.getKey(), e.getValue().path("shape").asText());
      byLower.put(e.getKey().toLowerCase(Locale.ROOT), e.getKey());
    }
    // Keyed by each member's own name as well as its lower case, each to what the lower case
    // finds: a record component spelled as the member is found without lower-casing it, and the
    // answer is the same as the lower-cased look-up's (even for two members that differ in case).
    Map<String, String> ignoringCase = new HashMap<>(byLower);
    for (String member : members.keySet()) {
      ignoringCase.put(member, byLower.get(member.toLowerCase(Locale.ROOT)));
    }
    List<String> required = new ArrayList<>();
    shape.path("required").forEach(r -> required.add(r.asText()));
    List<String> enumValues = new ArrayList<>();
    JsonNode allowed = shape.get("enum");
    if (allowed != null) {
      allowed.forEach(v -> enumValues.add(v.asText()));
    }
    JsonNode regex = shape.get("pattern");
    return new ShapePlan(
        name,
        shape.path("type").asText(),
        shape.path("document").asBoolean(false),
        Collections.unmodifiableMap(members),
        Map.copyOf(ignoringCase),
        List.copyOf(required),
        shape.has("min") ? shape.get("min").asLong() : null,
        shape.has("max") ? shape.get("max").asLong() : null,
        List.copyOf(enumValues),
        allowed == null ? null : Set.copyOf(enumValues),
        regex == null ? null : regex.asText(),
        regex == null ? null : compile(regex.asText()),
        text(shape.path("member").path("shape")),
        text(shape.path("key").path("shape")),
        text(shape.path("value").path("shape")));
  }

  /** The member whose name matches {@code name} ignoring case, or null. */
  String memberIgnoringCase(String name) {
    String member = membersIgnoringCase.get(name);
    return member != null ? member : membersIgnoringCase.get(name.toLowerCase(Locale.ROOT));
  }

  /** True when the shape is a string with an {@code enum} (enumSet is null when it has none). */
  boolean hasEnum() {
    return enumSet != null;
  }

  private static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      // The models' patterns are ECMAScript; the few Java rejects are not enforced.
      return Pattern.compile(".*", Pattern.DOTALL);
    }
  }

  private static String text(JsonNode node) {
    return node.isMissingNode() ? null : node.asText();
  }
}
