package io.wharf.ecs.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.model.Document;
import io.wharf.model.NetworkBinding;
import io.wharf.model.Tag;
import io.wharf.model.Task;
import io.wharf.model.TaskContainer;
import io.wharf.model.TaskStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tasks as RunTask, StartTask, StopTask and DescribeTasks answer them: the view records render as
 * the hand-built JSON did before operations were typed (the expected texts are what that builder
 * wrote for the same tasks).
 */
class TaskViewTest {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final String TASK = "arn:aws:ecs:us-east-1:000000000000:task/c/0123abcd";

  private static JsonNode json(String text) throws Exception {
    return numbersAsDecimals(JSON.readTree(text));
  }

  /**
   * The view as a client reads it. Numbers compare by value (1795348801 and 1795348801.000 are the
   * same timestamp to every SDK), not by how the number was written.
   */
  private static JsonNode wire(Object view) throws Exception {
    return json(Typed.render(view).toString());
  }

  private static JsonNode numbersAsDecimals(JsonNode node) {
    if (node.isNumber()) {
      return DecimalNode.valueOf(node.decimalValue().stripTrailingZeros());
    }
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      node.properties().forEach(e -> out.set(e.getKey(), numbersAsDecimals(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JSON.createArrayNode();
      node.forEach(e -> out.add(numbersAsDecimals(e)));
      return out;
    }
    return node;
  }

  private static Task task(
      TaskStatus last,
      List<TaskContainer> containers,
      Document overrides,
      Instant stopped,
      String stopCode,
      String stoppedReason) {
    return new Task(
        TASK,
        "arn:aws:ecs:us-east-1:000000000000:cluster/c",
        "arn:aws:ecs:us-east-1:000000000000:task-definition/web:3",
        "arn:aws:ecs:us-east-1:000000000000:container-instance/c/i1",
        "family:web",
        "me",
        "EC2",
        last,
        stopped == null ? "RUNNING" : "STOPPED",
        "256",
        null,
        containers,
        overrides,
        List.of(new Tag("team", "blue")),
        Instant.parse("2026-11-22T12:00:00.125Z"),
        Instant.parse("2026-11-22T12:00:01Z"),
        stopped == null ? null : Instant.parse("2026-11-22T12:00:02Z"),
        Instant.parse("2026-11-22T12:00:03Z"),
        stopped,
        stopped,
        stopped,
        stopCode,
        stoppedReason,
        null,
        7,
        256,
        128,
        List.of(),
        null,
        9);
  }

  @Test
  void aRunningTaskWithTagsRendersAsTheBuilderWroteIt() throws Exception {
    TaskContainer web =
        new TaskContainer(
            "arn:aws:ecs:us-east-1:000000000000:container/c/0123abcd/web",
            "web",
            "nginx:latest",
            "RUNNING",
            null,
            null,
            "d0cker1d",
            List.of(new NetworkBinding("0.0.0.0", 80, 32768, "tcp")),
            "HEALTHY",
            true);
    Task t = task(TaskStatus.RUNNING, List.of(web), null, null, null, null);

    assertThat(wire(TaskOperations.view(t, true)))
        .isEqualTo(
            json(
                """
                {"attachments":[],
                 "attributes":[{"name":"ecs.cpu-architecture","value":"x86_64"}],
                 "clusterArn":"arn:aws:ecs:us-east-1:000000000000:cluster/c",
                 "connectivity":"CONNECTED",
                 "containerInstanceArn":"arn:aws:ecs:us-east-1:000000000000:container-instance/c/i1",
                 "containers":[{
                   "containerArn":"arn:aws:ecs:us-east-1:000000000000:container/c/0123abcd/web",
                   "taskArn":"%s","name":"web","image":"nginx:latest","runtimeId":"d0cker1d",
                   "lastStatus":"RUNNING",
                   "networkBindings":[
                     {"bindIP":"0.0.0.0","containerPort":80,"hostPort":32768,"protocol":"tcp"}],
                   "networkInterfaces":[],"healthStatus":"HEALTHY"}],
                 "cpu":"256",
                 "createdAt":1795348800.125,
                 "desiredStatus":"RUNNING",
                 "enableExecuteCommand":false,
                 "group":"family:web",
                 "healthStatus":"UNKNOWN",
                 "lastStatus":"RUNNING",
                 "launchType":"EC2",
                 "overrides":{"containerOverrides":[],"inferenceAcceleratorOverrides":[]},
                 "pullStartedAt":1795348801.000,
                 "startedAt":1795348803.000,
                 "startedBy":"me",
                 "tags":[{"key":"team","value":"blue"}],
                 "taskArn":"%s",
                 "taskDefinitionArn":"arn:aws:ecs:us-east-1:000000000000:task-definition/web:3",
                 "version":7}
                """
                    .formatted(TASK, TASK)));
  }

  @Test
  void aStoppedTaskCarriesItsStopAndTheUsersOverridesButNoTagsUnlessAsked() throws Exception {
    TaskContainer web =
        new TaskContainer(
            "arn:aws:ecs:us-east-1:000000000000:container/c/0123abcd/web",
            "web",
            "nginx:latest",
            "STOPPED",
            137,
            "OutOfMemoryError: killed",
            null,
            List.of(),
            null,
            true);
    Task t =
        task(
            TaskStatus.STOPPED,
            List.of(web),
            new Document("{\"containerOverrides\":[{\"name\":\"web\",\"memory\":64}]}"),
            Instant.parse("2026-11-22T12:00:04Z"),
            "EssentialContainerExited",
            "Essential container in task exited");

    JsonNode rendered = wire(TaskOperations.view(t, false));

    assertThat(rendered.get("overrides"))
        .isEqualTo(json("{\"containerOverrides\":[{\"name\":\"web\",\"memory\":64}]}"));
    assertThat(rendered.get("tags")).isEqualTo(json("[]"));
    assertThat(rendered.get("stopCode").asText()).isEqualTo("EssentialContainerExited");
    assertThat(rendered.get("stoppedReason").asText())
        .isEqualTo("Essential container in task exited");
    assertThat(rendered.get("pullStoppedAt")).isEqualTo(json("1795348802.000"));
    assertThat(rendered.get("stoppingAt")).isEqualTo(json("1795348804.000"));
    assertThat(rendered.get("executionStoppedAt")).isEqualTo(json("1795348804.000"));
    assertThat(rendered.get("stoppedAt")).isEqualTo(json("1795348804.000"));
    assertThat(rendered.has("memory")).isFalse();
    assertThat(rendered.get("containers").get(0))
        .isEqualTo(
            json(
                """
                {"containerArn":"arn:aws:ecs:us-east-1:000000000000:container/c/0123abcd/web",
                 "taskArn":"%s","name":"web","image":"nginx:latest","lastStatus":"STOPPED",
                 "exitCode":137,"reason":"OutOfMemoryError: killed",
                 "networkBindings":[],"networkInterfaces":[],"healthStatus":"UNKNOWN"}
                """
                    .formatted(TASK)));
  }

  @Test
  void reportedTimestampsKeepMillisecondsRoundedHalfUpAsTheRequestReaderDid() {
    assertThat(ContainerHealthReports.toMillis(Instant.parse("2026-11-22T12:00:00.0004999Z")))
        .isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
    assertThat(ContainerHealthReports.toMillis(Instant.parse("2026-11-22T12:00:00.0005Z")))
        .isEqualTo(Instant.parse("2026-11-22T12:00:00.001Z"));
    assertThat(ContainerHealthReports.toMillis(null)).isNull();
  }
}
