package io.wharf.scheduler;

/**
 * A placement constraint, as ECS's {@code PlacementConstraint}: binding, an instance that does not
 * satisfy it never gets the task.
 *
 * <ul>
 *   <li>{@code distinctInstance} (no expression): no two tasks of the task's group on one instance,
 *       counting the tasks already there and those placed earlier in the same call.
 *   <li>{@code memberOf} with a {@linkplain ClusterQuery cluster query language} expression of at
 *       most 2000 characters: the instance must match it.
 * </ul>
 *
 * <p>Construction checks the shape (type, expression present or absent, length) and throws {@link
 * PlacementException} with a message for the API caller; {@link Placement#validate} checks the
 * expression's syntax and the count.
 */
public record Constraint(String type, String expression) {
  public static final String DISTINCT_INSTANCE = "distinctInstance";
  public static final String MEMBER_OF = "memberOf";

  /** ECS's limit on a memberOf expression. */
  public static final int MAX_EXPRESSION_LENGTH = 2000;

  public Constraint {
    if (type == null) {
      throw new PlacementException("A placement constraint type is required.");
    }
    switch (type) {
      case DISTINCT_INSTANCE -> {
        // ECS refuses even an empty expression here (Terraform users met this when it sent "").
        if (expression != null) {
          throw new PlacementException("distinctInstance expression should not be specified.");
        }
      }
      case MEMBER_OF -> {
        if (expression == null || expression.isBlank()) {
          throw new PlacementException("memberOf placement constraint requires an expression.");
        }
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
          throw new PlacementException(
              "memberOf expression must be at most "
                  + MAX_EXPRESSION_LENGTH
                  + " characters long; it has "
                  + expression.length()
                  + ".");
        }
      }
      default ->
          throw new PlacementException(
              "Unknown placement constraint type '"
                  + type
                  + "'; valid types are distinctInstance and memberOf.");
    }
  }

  public static Constraint distinctInstance() {
    return new Constraint(DISTINCT_INSTANCE, null);
  }

  public static Constraint memberOf(String expression) {
    return new Constraint(MEMBER_OF, expression);
  }
}
