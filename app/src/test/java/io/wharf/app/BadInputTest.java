package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.ecs.agent.AgentGateway;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The causes of HTTP 500 that fuzzing found, one rule per test: each is now the caller's error,
 * answered in ECS's shape with a message naming the member, and changes nothing.
 */
class BadInputTest {
  static final String PREFIX = "AmazonEC2ContainerServiceV20141113.";
  static TestServer server;
  static RawClient raw;
  static String taskDefinitionArn;
  static String instanceArn;
  static String taskArn;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    raw = new RawClient(server.endpoint());
    ok("CreateCluster", "{'clusterName':'bad'}");
    taskDefinitionArn =
        ok(
                "RegisterTaskDefinition",
                "{'family':'web','containerDefinitions':[{'name':'web','image':'busybox','memory':64}]}")
            .path("taskDefinition")
            .path("taskDefinitionArn")
            .asText();
    instanceArn =
        ok(
                "RegisterContainerInstance",
                "{'cluster':'bad','instanceIdentityDocument':'{\\\"instanceId\\\":\\\"i-0bad\\\"}',"
                    + "'totalResources':[{'name':'CPU','type':'INTEGER','integerValue':4096},"
                    + "{'name':'MEMORY','type':'INTEGER','integerValue':4096}]}")
            .path("containerInstance")
            .path("containerInstanceArn")
            .asText();
    // The test is the instance's agent: its channel is open, so tasks can be placed on it.
    server
        .plane
        .gateway()
        .opened(
            instanceArn,
            new AgentGateway.Channel() {
              @Override
              public void send(String text) {}

              @Override
              public void close() {}
            });
    taskArn =
        ok("RunTask", "{'cluster':'bad','taskDefinition':'web'}")
            .path("tasks")
            .path(0)
            .path("taskArn")
            .asText();
    ok(
        "CreateService",
        "{'cluster':'bad','serviceName':'svc','taskDefinition':'web','desiredCount':0}");
    // The service controller finishes the new service's deployment on its own: let it, so that
    // the revision checks below see only what the refused requests did.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ok("DescribeServices", "{'cluster':'bad','services':['svc']}")
                    .path("services")
                    .path(0)
                    .path("deployments")
                    .path(0)
                    .path("rolloutState")
                    .asText()
                    .equals("COMPLETED"));
    awaitQuiet();
  }

  /** Waits until nothing has been written for two seconds (the controller runs every second). */
  static void awaitQuiet() {
    long[] last = {server.plane.states().current().revision(), System.nanoTime()};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long now = server.plane.states().current().revision();
              if (now != last[0]) {
                last[0] = now;
                last[1] = System.nanoTime();
              }
              return System.nanoTime() - last[1] > Duration.ofSeconds(2).toNanos();
            });
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static RawClient.Answer send(String operation, String singleQuoted) {
    return raw.send(PREFIX + operation, singleQuoted.replace('\'', '"'));
  }

  static JsonNode ok(String operation, String singleQuoted) {
    RawClient.Answer a = send(operation, singleQuoted);
    assertThat(a.status()).as(operation + ": " + a.body()).isEqualTo(200);
    return a.body();
  }

  /** Asserts an InvalidParameterException with exactly this message, and no state change. */
  static void assertRefused(String operation, String singleQuoted, String message) {
    long revision = server.plane.states().current().revision();
    RawClient.Answer a = send(operation, singleQuoted);
    assertThat(a.status()).as(a.body().toString()).isEqualTo(400);
    assertThat(a.type()).isEqualTo("InvalidParameterException");
    assertThat(a.message()).isEqualTo(message);
    assertThat(server.plane.states().current().revision()).isEqualTo(revision);
  }

  // ---- placement strategies and constraints ---------------------------------------------------

  @Test
  void createServiceRefusesAStrategyWithAnUnknownField() {
    assertRefused(
        "CreateService",
        "{'cluster':'bad','serviceName':'s2','taskDefinition':'web',"
            + "'placementStrategy':[{'type':'binpack','field':'disk'}]}",
        "binpack placement strategy field must be cpu or memory, not 'disk'.");
  }

  @Test
  void updateServiceRefusesAStrategyWithAnUnknownField() {
    assertRefused(
        "UpdateService",
        "{'cluster':'bad','service':'svc','placementStrategy':[{'type':'spread','field':'rack'}]}",
        "spread placement strategy field must be instanceId, host or attribute:<name>, not"
            + " 'rack'.");
  }

  @Test
  void runTaskRefusesAStrategyWithAnUnknownField() {
    assertRefused(
        "RunTask",
        "{'cluster':'bad','taskDefinition':'web','placementStrategy':[{'type':'binpack'}]}",
        "binpack placement strategy field must be cpu or memory, not nothing.");
  }

  @Test
  void aStrategyWithoutATypeIsRefusedAsSuch() {
    assertRefused(
        "UpdateService",
        "{'cluster':'bad','service':'svc','placementStrategy':[{'type':null,'field':'cpu'}]}",
        "A placement strategy type is required.");
  }

  @Test
  void runTaskRefusesAConstraintWithoutItsExpression() {
    assertRefused(
        "RunTask",
        "{'cluster':'bad','taskDefinition':'web','placementConstraints':[{'type':'memberOf'}]}",
        "memberOf placement constraint requires an expression.");
  }

  // ---- task groups and overrides --------------------------------------------------------------

  @Test
  void startTaskRefusesAnEmptyGroup() {
    assertRefused(
        "StartTask",
        "{'cluster':'bad','taskDefinition':'web','containerInstances':['"
            + instanceArn
            + "'],'group':''}",
        "group must have 1 to 255 characters and not be blank; leave it out for the default"
            + " family:<family>.");
  }

  @Test
  void runTaskRefusesAnEmptyGroup() {
    assertRefused(
        "RunTask",
        "{'cluster':'bad','taskDefinition':'web','group':''}",
        "group must have 1 to 255 characters and not be blank; leave it out for the default"
            + " family:<family>.");
  }

  @Test
  void runTaskRefusesANegativeMemoryOverride() {
    assertRefused(
        "RunTask",
        "{'cluster':'bad','taskDefinition':'web',"
            + "'overrides':{'containerOverrides':[{'name':'web','memory':-1}]}}",
        "The task's memory comes to -1 with the overrides; cpu and memory overrides must not be"
            + " negative.");
  }

  // ---- timestamps -------------------------------------------------------------------------------

  @Test
  void listServiceDeploymentsRefusesATimestampThatIsNone() {
    assertRefused(
        "ListServiceDeployments",
        "{'cluster':'bad','service':'svc','createdAt':{'after':'yesterday'}}",
        "Parameter createdAt.after must be a timestamp, epoch seconds (a number) or ISO-8601 text"
            + " such as 2026-11-22T12:00:00Z, between the years 1 and 9999; it is \"yesterday\".");
  }

  @Test
  void listServiceDeploymentsTakesEpochSecondsAndIsoText() {
    JsonNode listed =
        ok(
            "ListServiceDeployments",
            "{'cluster':'bad','service':'svc','createdAt':{'after':1500000000.5,"
                + "'before':'9999-01-01T00:00:00Z'}}");
    assertThat(listed.path("serviceDeployments")).hasSize(1);
  }

  @Test
  void submitTaskStateChangeRefusesATimestampThatIsNone() {
    assertRefused(
        "SubmitTaskStateChange",
        "{'cluster':'bad','task':'" + taskArn + "','pullStartedAt':'2026-11-22 12:00:00.000000'}",
        "Parameter pullStartedAt must be a timestamp, epoch seconds (a number) or ISO-8601 text"
            + " such as 2026-11-22T12:00:00Z, between the years 1 and 9999; it is"
            + " \"2026-11-22 12:00:00.000000\".");
  }

  // ---- statuses ---------------------------------------------------------------------------------

  @Test
  void submitTaskStateChangeRefusesAStatusThatIsNoTaskStatus() {
    assertRefused(
        "SubmitTaskStateChange",
        "{'cluster':'bad','task':'" + taskArn + "','status':'LOST'}",
        "status 'LOST' is not a task status; valid statuses are PROVISIONING, PENDING,"
            + " ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED, DELETED.");
  }

  @Test
  void updateContainerInstancesStateRefusesAStatusOnlyEcsSets() {
    assertRefused(
        "UpdateContainerInstancesState",
        "{'cluster':'bad','containerInstances':['" + instanceArn + "'],'status':'REGISTERING'}",
        "status must be ACTIVE or DRAINING; it was 'REGISTERING'.");
  }

  @Test
  void listTaskDefinitionsInDeleteInProgressListsNone() {
    // Wharf deletes definitions at once: none is ever in DELETE_IN_PROGRESS.
    JsonNode listed = ok("ListTaskDefinitions", "{'status':'DELETE_IN_PROGRESS'}");
    assertThat(listed.path("taskDefinitionArns")).isEmpty();
  }

  // ---- bodies -----------------------------------------------------------------------------------

  @Test
  void trailingGarbageAfterTheBodyIsRefusedNotHalfRead() {
    long revision = server.plane.states().current().revision();
    RawClient.Answer a = raw.send(PREFIX + "CreateCluster", "{\"clusterName\":\"half\"} x");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.type()).isEqualTo("SerializationException");
    assertThat(a.message())
        .startsWith("The request body is not valid JSON: Unrecognized token 'x'");
    assertThat(server.plane.states().current().revision()).isEqualTo(revision);
  }

  @Test
  void aSecondObjectAfterTheBodyIsRefusedNotHalfRead() {
    long revision = server.plane.states().current().revision();
    RawClient.Answer a =
        raw.send(
            PREFIX + "CreateCluster", "{\"clusterName\":\"first\"}{\"clusterName\":\"second\"}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.type()).isEqualTo("SerializationException");
    assertThat(a.message())
        .isEqualTo("The request body must be one JSON object with nothing after it.");
    assertThat(server.plane.states().current().revision()).isEqualTo(revision);
  }
}
