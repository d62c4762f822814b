package io.wharf.scheduler;

/**
 * A placement strategy, as ECS's {@code PlacementStrategy}: a preference (best effort), never a
 * reason to leave a task unplaced. Strategies apply in order; each later one only breaks the ties
 * the earlier ones leave.
 *
 * <ul>
 *   <li>{@code binpack} on {@code cpu} or {@code memory}: the instance with the least of it left.
 *   <li>{@code spread} on {@code instanceId} (or its alias {@code host}): the instance with the
 *       fewest tasks of the group; on {@code attribute:<name>}: the attribute value whose instances
 *       hold the fewest tasks of the group.
 *   <li>{@code random}: any; the field is not used (and ignored when given, as ECS does).
 * </ul>
 *
 * <p>Construction checks type and field and throws {@link PlacementException} with a message for
 * the API caller.
 */
public record Strategy(String type, String field) {
  public static final String BINPACK = "binpack";
  public static final String SPREAD = "spread";
  public static final String RANDOM = "random";

  /**
   * The prefix of a spread field naming an attribute, as in {@code attribute:ecs.instance-type}.
   */
  public static final String ATTRIBUTE_PREFIX = "attribute:";

  public Strategy {
    if (type == null) {
      throw new PlacementException("A placement strategy type is required.");
    }
    switch (type) {
      case BINPACK -> {
        if (!"cpu".equals(field) && !"memory".equals(field)) {
          throw new PlacementException(
              "binpack placement strategy field must be cpu or memory, not " + quoted(field) + ".");
        }
      }
      case SPREAD -> {
        boolean valid =
            "instanceId".equals(field)
                || "host".equals(field)
                || (field != null
                    && field.startsWith(ATTRIBUTE_PREFIX)
                    && ClusterQuery.isAttributeName(field.substring(ATTRIBUTE_PREFIX.length())));
        if (!valid) {
          throw new PlacementException(
              "spread placement strategy field must be instanceId, host or attribute:<name>, not "
                  + quoted(field)
                  + ".");
        }
      }
      case RANDOM -> {}
      default ->
          throw new PlacementException(
              "Unknown placement strategy type '"
                  + type
                  + "'; valid types are binpack, random and spread.");
    }
  }

  public static Strategy binpack(String field) {
    return new Strategy(BINPACK, field);
  }

  public static Strategy spread(String field) {
    return new Strategy(SPREAD, field);
  }

  public static Strategy random() {
    return new Strategy(RANDOM, null);
  }

  private static String quoted(String field) {
    return field == null ? "nothing" : "'" + field + "'";
  }
}
