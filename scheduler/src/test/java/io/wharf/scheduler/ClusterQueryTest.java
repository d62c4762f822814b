package io.wharf.scheduler;

import static io.wharf.scheduler.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterQueryTest {
  /** A g2 instance in us-east-1a running two production tasks, the subject of most cases below. */
  static final InstanceView WEB =
      instance("web")
          .ec2InstanceId("i-abcd1234")
          .agentVersion("1.14.5")
          .registeredAt("2018-06-18T22:28:28Z")
          .attribute("ecs.instance-type", "g2.2xlarge")
          .az("us-east-1a")
          .attribute("stack", "prod")
          .attribute("slots", "9")
          .attribute("ecs.capability.task-eni", null)
          .tasks("service:production", 2)
          .build();

  /** A t2 instance in us-east-1d, disconnected, with nothing running and no stack attribute. */
  static final InstanceView IDLE =
      instance("idle")
          .ec2InstanceId("i-wxyx7890")
          .agentVersion("1.9.0")
          .registeredAt("2018-02-12T08:00:00Z")
          .attribute("ecs.instance-type", "t2.small")
          .az("us-east-1d")
          .disconnected()
          .build();

  static boolean matches(String expression, InstanceView instance) {
    return ClusterQuery.parse(expression).matches(instance);
  }

  @Nested
  class Operators {
    @ParameterizedTest(name = "{0} -> web {1}, idle {2}")
    @CsvSource(
        delimiter = ';',
        quoteCharacter = '`',
        textBlock =
            """
            attribute:ecs.instance-type == g2.2xlarge ; true ; false
            attribute:ecs.instance-type equals g2.2xlarge ; true ; false
            attribute:ecs.instance-type == G2.2XLARGE ; false ; false
            attribute:ecs.availability-zone != us-east-1d ; true ; false
            attribute:ecs.availability-zone not_equals us-east-1d ; true ; false
            attribute:stack != prod ; false ; false
            attribute:stack != dev ; true ; false
            attribute:stack exists ; true ; false
            attribute:stack !exists ; false ; true
            attribute:stack not_exists ; false ; true
            attribute:ecs.capability.task-eni exists ; true ; false
            attribute:ecs.capability.task-eni == '' ; true ; false
            attribute:ecs.availability-zone in [us-east-1a, us-east-1b] ; true ; false
            attribute:ecs.availability-zone in [us-east-1a,us-east-1d] ; true ; true
            attribute:ecs.availability-zone !in [us-east-1a, us-east-1b] ; false ; true
            attribute:ecs.availability-zone not_in [us-east-1b] ; true ; true
            attribute:stack !in [dev] ; true ; false
            attribute:ecs.instance-type =~ g2.* ; true ; false
            attribute:ecs.instance-type matches g2.* ; true ; false
            attribute:ecs.instance-type =~ 2.* ; false ; false
            attribute:ecs.instance-type =~ (g2|t2)\\..* ; true ; true
            attribute:ecs.instance-type =~ '[gt]2\\.(small|2xlarge)' ; true ; true
            attribute:ecs.instance-type !~ g2.* ; false ; true
            attribute:ecs.instance-type not_matches g2.* ; false ; true
            attribute:slots > 10 ; false ; false
            attribute:slots < 10 ; true ; false
            attribute:slots >= 9 ; true ; false
            attribute:slots greater_than_equal 9.0 ; true ; false
            attribute:stack > pr ; true ; false
            attribute:stack less_than_equal prod ; true ; false
            agentConnected == true ; true ; false
            agentConnected != true ; false ; true
            agentConnected in [false] ; false ; true
            agentConnected !in [false] ; true ; false
            agentConnected =~ f.* ; false ; true
            agentConnected !~ f.* ; true ; false
            agentVersion == 1.14.5 ; true ; false
            agentVersion != 1.14.5 ; false ; true
            agentVersion < 1.14.5 ; false ; true
            agentVersion less_than 1.10 ; false ; true
            agentVersion >= 1.14 ; true ; false
            agentVersion greater_than 1.9.0 ; true ; false
            agentVersion <= 1.9.0 ; false ; true
            ec2InstanceId == i-abcd1234 ; true ; false
            ec2InstanceId != i-abcd1234 ; false ; true
            ec2InstanceId in ['i-abcd1234', 'i-wxyx7890'] ; true ; true
            ec2InstanceId in ["i-abcd1234"] ; true ; false
            ec2InstanceId !in [i-abcd1234] ; false ; true
            ec2InstanceId =~ i-abcd.* ; true ; false
            ec2InstanceId !~ i-abcd.* ; false ; true
            registeredAt < 2018-02-13 ; false ; true
            registeredAt less_than 2018-02-12 ; false ; false
            registeredAt == 2018-06-18 ; true ; false
            registeredAt != 2018-06-18 ; false ; true
            registeredAt > 2018-06-17 ; true ; false
            registeredAt >= 2018-06-18 ; true ; false
            registeredAt <= 2018-02-12 ; false ; true
            registeredAt == 2018-06-18T22:28:28Z ; true ; false
            registeredAt == 2018-06-18T22:28:28+00:00 ; true ; false
            registeredAt == 2018-06-18T23:28:28+01:00 ; true ; false
            registeredAt == 2018-06-18T22:28:28 ; true ; false
            registeredAt > 2018-06-18T22:28:27Z ; true ; false
            registeredAt > 2018-06-18T22:28:28Z ; false ; false
            runningTasksCount == 2 ; true ; false
            runningTasksCount == 0 ; false ; true
            runningTasksCount != 0 ; true ; false
            runningTasksCount > 1 ; true ; false
            runningTasksCount >= 3 ; false ; false
            runningTasksCount < 1 ; false ; true
            runningTasksCount <= 2 ; true ; true
            task:group == service:production ; true ; false
            task:group == service:database ; false ; false
            task:group != service:database ; true ; false
            task:group != service:production ; false ; false
            task:group in [service:database, service:production] ; true ; false
            task:group !in [service:database] ; true ; false
            task:group =~ service:prod.* ; true ; false
            task:group !~ service:prod.* ; false ; false
            task:group exists ; true ; false
            task:group !exists ; false ; true
            """)
    void eachOperatorOnEachSubject(String expression, boolean onWeb, boolean onIdle) {
      assertThat(matches(expression, WEB)).as("%s on web", expression).isEqualTo(onWeb);
      assertThat(matches(expression, IDLE)).as("%s on idle", expression).isEqualTo(onIdle);
    }

    @Test
    void aValuelessAttributeExistsButEqualsNothingNamed() {
      assertThat(matches("attribute:ecs.capability.task-eni == true", WEB)).isFalse();
      assertThat(matches("attribute:ecs.capability.task-eni != true", WEB)).isTrue();
    }

    @Test
    void attributeValuesOrderAsNumbersOnlyWhenBothAreNumbers() {
      InstanceView nine = instance("a").attribute("v", "9").attribute("name", "b10").build();
      assertThat(matches("attribute:v < 10", nine)).isTrue(); // as text "9" > "10"
      assertThat(matches("attribute:name < b9", nine)).isTrue(); // text: "b10" < "b9"
    }

    @Test
    void missingAgentVersionAndInstanceIdSatisfyNothingButNegatedExistence() {
      InstanceView bare = instance("bare").agentVersion(null).ec2InstanceId(null).build();
      assertThat(matches("agentVersion < 9", bare)).isFalse();
      assertThat(matches("agentVersion != 1.0.0", bare)).isFalse();
      assertThat(matches("ec2InstanceId !in [i-1]", bare)).isFalse();
      assertThat(matches("not(ec2InstanceId == i-1)", bare)).isTrue();
    }

    @Test
    void agentVersionsOrderBySegmentsNotText() {
      assertThat(Term.compareVersions("1.9.0", "1.14.5")).isNegative();
      assertThat(Term.compareVersions("1.14", "1.14.0")).isZero();
      assertThat(Term.compareVersions("2.0", "1.99.99")).isPositive();
      assertThat(Term.compareVersions("1.010", "1.9")).isPositive();
      assertThat(Term.compareVersions("1.0.0-beta", "1.0.0")).isPositive();
    }

    @Test
    void taskGroupSeesTasksPlacedEarlierInTheSameCall() {
      ClusterQuery affinity = ClusterQuery.parse("task:group == service:web");
      ClusterQuery antiAffinity = ClusterQuery.parse("not(task:group == service:web)");
      ClusterQuery others = ClusterQuery.parse("task:group != service:web");
      InstanceView empty = instance("empty").build();
      assertThat(affinity.matches(empty)).isFalse();
      assertThat(affinity.matches(empty, "service:web", 1)).isTrue();
      assertThat(affinity.matches(empty, "service:api", 1)).isFalse();
      assertThat(antiAffinity.matches(empty)).isTrue();
      assertThat(antiAffinity.matches(empty, "service:web", 1)).isFalse();
      assertThat(others.matches(empty)).isFalse(); // != needs some task, as an attribute must exist
      assertThat(others.matches(empty, "service:api", 1)).isTrue();
      assertThat(ClusterQuery.parse("task:group =~ service:w.*").matches(empty, "service:web", 2))
          .isTrue();
      assertThat(ClusterQuery.parse("task:group exists").matches(empty, "service:web", 1)).isTrue();
    }

    @Test
    void runningTasksCountIgnoresTasksPlacedInTheCall() {
      // Placed tasks are PENDING; runningTasksCount counts RUNNING ones, as in
      // DescribeContainerInstances.
      assertThat(ClusterQuery.parse("runningTasksCount == 0").matches(IDLE, "family:x", 3))
          .isTrue();
    }

    @Test
    void aGroupWithZeroTasksDoesNotCount() {
      InstanceView stale = instance("stale").tasks("service:web", 0).build();
      assertThat(matches("task:group == service:web", stale)).isFalse();
      assertThat(matches("task:group exists", stale)).isFalse();
    }
  }

  @Nested
  class Combinators {
    @ParameterizedTest(name = "{0} -> web {1}, idle {2}")
    @CsvSource(
        delimiter = ';',
        quoteCharacter = '`',
        textBlock =
            """
            attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d ; true ; false
            attribute:stack exists && agentConnected == true ; true ; false
            attribute:stack exists and agentConnected == false ; false ; false
            attribute:stack exists or agentConnected == false ; true ; true
            attribute:stack exists || runningTasksCount > 5 ; true ; false
            not(task:group == database) ; true ; true
            not (attribute:stack exists) ; false ; true
            !(attribute:stack exists) ; false ; true
            !attribute:stack exists ; false ; true
            not not attribute:stack exists ; true ; false
            not attribute:stack exists and agentConnected == false ; false ; true
            agentConnected == false or attribute:stack exists and runningTasksCount == 0 ; false ; true
            (agentConnected == false or attribute:stack exists) and runningTasksCount == 0 ; false ; true
            (agentConnected == false or attribute:stack exists) and runningTasksCount == 2 ; true ; false
            ((attribute:stack == prod)) ; true ; false
            attribute:stack==prod&&runningTasksCount>1 ; true ; false
            (attribute:stack==prod)||(ec2InstanceId=~i-wx.*) ; true ; true
            not(attribute:ecs.instance-type =~ (g2|x1).*) ; false ; true
            attribute:ordering == x or attribute:andy == y ; false ; false
            """)
    void combine(String expression, boolean onWeb, boolean onIdle) {
      assertThat(matches(expression, WEB)).as("%s on web", expression).isEqualTo(onWeb);
      assertThat(matches(expression, IDLE)).as("%s on idle", expression).isEqualTo(onIdle);
    }

    @Test
    void andBindsTighterThanOr() {
      // true or (false and false) is true; (true or false) and false would be false.
      assertThat(
              matches(
                  "runningTasksCount == 2 or agentConnected == false and attribute:x exists", WEB))
          .isTrue();
    }

    @Test
    void longChainsParse() {
      String chain = "runningTasksCount == 2" + " and runningTasksCount >= 0".repeat(70);
      assertThat(chain.length()).isLessThan(Constraint.MAX_EXPRESSION_LENGTH);
      assertThat(matches(chain, WEB)).isTrue();
    }
  }

  @Nested
  class SyntaxErrors {
    @ParameterizedTest(name = "{0} -> character {1}")
    @CsvSource(
        delimiter = ';',
        quoteCharacter = '`',
        textBlock =
            """
            `` ; 1 ; the expression is empty
            `   ` ; 4 ; the expression is empty
            == prod ; 1 ; expected a subject
            attribute:stack ; 16 ; expected an operator after 'attribute:stack' but found the end
            attribute:stack prod ; 17 ; expected an operator
            attribute:stack = prod ; 17 ; expected an operator
            attribute:stack equalz prod ; 17 ; found 'equalz'
            attribute:stack == ; 19 ; expected a value after '==' but found the end
            attribute:stack == ] ; 20 ; expected a value after '==' but found ']'
            attribute: == x ; 11 ; expected an attribute name after 'attribute:'
            attribute:a:b == x ; 11 ; 'a:b' is not an attribute name
            instanceType == t2.small ; 1 ; unknown subject 'instanceType'
            Attribute:stack == prod ; 1 ; unknown subject 'Attribute:stack'
            attribute:stack == prod and ; 28 ; expected a condition but found the end
            attribute:stack == prod or or x == y ; 28 ; unknown subject 'or'
            attribute:stack == prod attribute:x exists ; 25 ; expected 'and', 'or' or the end of the expression but found 'attribute:x'
            attribute:stack == prod AND x == y ; 25 ; expected 'and', 'or'
            (attribute:stack == prod ; 25 ; expected ')' to close the '(' at character 1
            attribute:stack == prod) ; 24 ; expected 'and', 'or' or the end of the expression but found ')'
            not ; 4 ; expected a condition but found the end
            attribute:stack == 'prod ; 20 ; the quoted value starting here has no closing '
            attribute:stack in prod ; 20 ; 'in' takes a list such as [a, b] but found 'prod'
            attribute:stack in [] ; 21 ; the list is empty
            attribute:stack in [a b] ; 23 ; expected ',' or ']' in the list but found 'b]'
            attribute:stack in [a,] ; 23 ; expected a value but found ']'
            attribute:stack in [a ; 22 ; expected ',' or ']' in the list but found the end
            attribute:stack =~ g2.(* ; 20 ; 'g2.(*' is not a Java regular expression
            attribute:stack =~ '[a' ; 20 ; is not a Java regular expression
            runningTasksCount == many ; 22 ; runningTasksCount takes a whole number, not 'many'
            runningTasksCount == -1 ; 22 ; runningTasksCount takes a whole number
            runningTasksCount =~ 1.* ; 19 ; operator '=~' is not valid for runningTasksCount; use one of ==, !=, >, >=, <, <=
            runningTasksCount exists ; 19 ; operator 'exists' is not valid for runningTasksCount
            registeredAt == yesterday ; 17 ; registeredAt takes a date such as 2018-06-18
            registeredAt == 2018-13-01 ; 17 ; registeredAt takes a date
            registeredAt in [2018-06-18] ; 14 ; operator 'in' is not valid for registeredAt
            agentConnected == yes ; 19 ; agentConnected is true or false, not 'yes'
            agentConnected in [true, maybe] ; 26 ; agentConnected is true or false, not 'maybe'
            agentConnected > false ; 16 ; operator '>' is not valid for agentConnected
            agentVersion =~ 1.* ; 14 ; operator '=~' is not valid for agentVersion
            ec2InstanceId < i-1 ; 15 ; operator '<' is not valid for ec2InstanceId
            task:group > a ; 12 ; operator '>' is not valid for task:group
            """)
    void sayWhereAndWhat(String expression, int position, String problem) {
      String text = expression == null ? "" : expression;
      assertThatThrownBy(() -> ClusterQuery.parse(text))
          .isInstanceOfSatisfying(
              QuerySyntaxException.class, e -> assertThat(e.position()).isEqualTo(position))
          .isInstanceOf(PlacementException.class)
          .hasMessageContaining("at character " + position + ":")
          .hasMessageContaining(problem);
    }
  }

  @Test
  void refusesNestingDeeperThanAnyRealQuery() {
    assertThat(
            ClusterQuery.parse("(".repeat(99) + "runningTasksCount == 0" + ")".repeat(99))
                .matches(IDLE))
        .isTrue();
    assertThatThrownBy(() -> ClusterQuery.parse("not ".repeat(5000) + "runningTasksCount == 0"))
        .isInstanceOf(QuerySyntaxException.class)
        .hasMessageContaining("at character 401:")
        .hasMessageContaining("more than 100 deep");
  }

  @Test
  void keepsTheExpressionAsGiven() {
    ClusterQuery query = ClusterQuery.parse(" attribute:stack == prod ");
    assertThat(query.expression()).isEqualTo(" attribute:stack == prod ");
    assertThat(query).hasToString(" attribute:stack == prod ");
  }
}
