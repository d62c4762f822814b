package io.wharf.scheduler;

import java.util.Objects;

/**
 * An expression of the ECS cluster query language, parsed once and then matched against any number
 * of instances. Used by memberOf constraints (and, by the control plane, for
 * ListContainerInstances' {@code filter}).
 *
 * <pre>
 *  attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d
 *  not(task:group == service:database)
 *  ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']   registeredAt &lt; 2018-02-13
 * </pre>
 *
 * <p>Subjects: {@code agentConnected}, {@code agentVersion}, {@code attribute:<name>}, {@code
 * ec2InstanceId}, {@code registeredAt}, {@code runningTasksCount}, {@code task:group}. Operators:
 * {@code ==}/{@code equals}, {@code !=}/{@code not_equals}, {@code >}/{@code greater_than}, {@code
 * >=}/{@code greater_than_equal}, {@code <}/{@code less_than}, {@code <=}/{@code less_than_equal},
 * {@code exists}, {@code !exists}/{@code not_exists}, {@code in}, {@code !in}/{@code not_in},
 * {@code =~}/{@code matches}, {@code !~}/{@code not_matches}, each only with the subjects ECS
 * documents it for. Combinators: {@code and}/{@code &&}, {@code or}/{@code ||}, {@code not}/{@code
 * !}, parentheses; {@code not} binds tightest, then {@code and}, then {@code or}.
 *
 * <p>Meaning, where ECS's documentation leaves room:
 *
 * <ul>
 *   <li>A regex must match the whole value ({@code g2.*} matches {@code g2.2xlarge}, not {@code
 *       xg2}), as the documented examples assume.
 *   <li>A subject the instance lacks (an attribute it does not have) satisfies only {@code
 *       !exists}; in particular {@code attribute:stack != prod} needs the attribute, as ECS
 *       documents.
 *   <li>{@code registeredAt} compares at the precision of the argument: a date is a whole UTC day.
 *   <li>{@code agentVersion} orders by version segments; attribute values order as numbers when
 *       both are numbers, else as text.
 *   <li>{@code task:group} is true for {@code ==}, {@code in}, {@code =~} when some task on the
 *       instance is of such a group; {@code !=}, {@code !in}, {@code !~} need the instance to run
 *       tasks and none of them of such a group (use {@code not(...)} to include empty instances).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class ClusterQuery {
  private final String expression;
  private final Term term;

  private ClusterQuery(String expression, Term term) {
    this.expression = expression;
    this.term = term;
  }

  /**
   * Parses an expression.
   *
   * @throws QuerySyntaxException naming the character where the expression goes wrong and what was
   *     expected there
   */
  public static ClusterQuery parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    return new ClusterQuery(expression, QueryParser.parse(expression));
  }

  /** Whether the instance, as it is, satisfies the expression. */
  public boolean matches(InstanceView instance) {
    return term.test(instance, null, 0);
  }

  /**
   * Whether the instance satisfies the expression once {@code placedCount} more tasks of {@code
   * placedGroup} are on it (placed earlier in the same call, not yet in its snapshot).
   */
  boolean matches(InstanceView instance, String placedGroup, int placedCount) {
    return term.test(instance, placedGroup, placedCount);
  }

  /** The expression as given. */
  public String expression() {
    return expression;
  }

  @Override
  public String toString() {
    return expression;
  }

  /**
   * Whether {@code name} is a valid attribute name for ECS: 1 to 128 letters, digits, hyphens,
   * underscores, periods, forward or back slashes.
   */
  static boolean isAttributeName(String name) {
    if (name.isEmpty() || name.length() > 128) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == ':' || !QueryParser.isSubjectChar(c)) {
        return false;
      }
    }
    return true;
  }
}
