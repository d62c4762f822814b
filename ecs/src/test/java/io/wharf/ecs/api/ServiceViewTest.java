package io.wharf.ecs.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.model.Deployment;
import io.wharf.model.Document;
import io.wharf.model.Service;
import io.wharf.model.ServiceConfig;
import io.wharf.model.ServiceEvent;
import io.wharf.model.Tag;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A service as ECS shows it, rendered from its view record: the same JSON, member for member, as
 * the hand-built tree it replaces gave for the same service (the expected texts below are that
 * builder's output for these fixtures).
 */
class ServiceViewTest {
  // Timestamps as decimals, compared by value: 1767225600.250 is 1767225600.25.
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final String ACCOUNT = "arn:aws:ecs:us-east-1:000000000000";
  private static final String CLUSTER = ACCOUNT + ":cluster/demo";
  private static final String SERVICE = ACCOUNT + ":service/demo/web";
  private static final String OLD = "ecs-svc/1111111111111111111";
  private static final String NEW = "ecs-svc/2222222222222222222";
  private static final String DEAD = "ecs-svc/3333333333333333333";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.250Z");

  /** A rollout half done: two tasks of the new deployment (one RUNNING), one of the old one. */
  static State rollingOut(Service service) {
    State state = State.empty().apply(new Change.ServicePut(service));
    state = state.apply(new Change.TaskPut(task("t1", NEW, TaskStatus.RUNNING, "RUNNING")));
    state = state.apply(new Change.TaskPut(task("t2", NEW, TaskStatus.PENDING, "RUNNING")));
    state = state.apply(new Change.TaskPut(task("t3", OLD, TaskStatus.RUNNING, "RUNNING")));
    // Being stopped: counted by no deployment.
    return state.apply(new Change.TaskPut(task("t4", OLD, TaskStatus.RUNNING, "STOPPED")));
  }

  static Service service(String status) {
    ServiceConfig old =
        new ServiceConfig(
            ACCOUNT + ":task-definition/web:1", 200, 100, false, false, null, null, 0, null);
    ServiceConfig wanted =
        new ServiceConfig(
            ACCOUNT + ":task-definition/web:2",
            150,
            50,
            true,
            true,
            new Document("[{\"type\":\"memberOf\",\"expression\":\"attribute:zone == a\"}]"),
            new Document("[{\"type\":\"binpack\",\"field\":\"memory\"}]"),
            30,
            new Document(
                "[{\"targetGroupArn\":\"arn:aws:elasticloadbalancing:us-east-1:000000000000:"
                    + "targetgroup/web/0123456789abcdef\",\"containerName\":\"web\","
                    + "\"containerPort\":80}]"));
    return new Service(
        SERVICE,
        "web",
        CLUSTER,
        status,
        Service.REPLICA,
        3,
        List.of(
            deployment(NEW, Deployment.PRIMARY, wanted, T0.plusSeconds(60)),
            deployment(OLD, Deployment.ACTIVE, old, T0),
            deployment(DEAD, Deployment.INACTIVE, old, T0.minusSeconds(60))),
        List.of(new ServiceEvent("e1", T0.plusSeconds(61), "(service web) has started 2 tasks.")),
        List.of(new Tag("team", "blue"), new Tag("empty", "")),
        ACCOUNT.replace(":ecs:", ":iam:") + ":root",
        T0,
        "token-1",
        "SERVICE",
        true,
        "DISABLED",
        0,
        null,
        7);
  }

  static Deployment deployment(String id, String status, ServiceConfig config, Instant at) {
    return new Deployment(
        id,
        status,
        config,
        status.equals(Deployment.PRIMARY) ? 1 : 0,
        status.equals(Deployment.PRIMARY) ? "IN_PROGRESS" : "COMPLETED",
        "ECS deployment " + id + (status.equals(Deployment.PRIMARY) ? " in progress." : "."),
        status.equals(Deployment.PRIMARY) ? "IN_PROGRESS" : "SUCCESSFUL",
        null,
        List.of(),
        null,
        at,
        at.plusMillis(500),
        null);
  }

  static Task task(String id, String startedBy, TaskStatus last, String desired) {
    return new Task(
        ACCOUNT + ":task/demo/" + id,
        CLUSTER,
        ACCOUNT + ":task-definition/web:2",
        ACCOUNT + ":container-instance/demo/i1",
        "service:web",
        startedBy,
        "EC2",
        last,
        desired,
        null,
        null,
        List.of(),
        null,
        List.of(),
        T0,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        1,
        0,
        0,
        List.of(),
        null,
        1);
  }

  /** The view on the wire is {@code expected}: the same members, values and order. */
  private static void assertRendersAs(ServiceView view, String expected) throws Exception {
    assertThat(JSON.writeValueAsString(Typed.render(view)))
        .isEqualTo(JSON.writeValueAsString(JSON.readTree(expected)));
  }

  @Test
  void aServiceRollingOutShowsBothDeploymentsWithTheirTasksCounted() throws Exception {
    Service service = service("ACTIVE");
    assertRendersAs(ServiceView.of(rollingOut(service), service, true), EXPECTED_ACTIVE);
  }

  @Test
  void tagsAreShownOnlyWhenAskedFor() throws Exception {
    Service service = service("ACTIVE");
    JsonNode rendered = Typed.render(ServiceView.of(rollingOut(service), service, false));
    assertThat(rendered.get("tags")).isEqualTo(JSON.readTree("[]"));
  }

  @Test
  void aDrainingServiceHasNoCurrentDeploymentAndWhatWasNotGivenIsAnEmptyList() throws Exception {
    ServiceConfig bare =
        new ServiceConfig(
            ACCOUNT + ":task-definition/web:1", 100, 0, false, false, null, null, 0, null);
    Service drained =
        service("DRAINING").toBuilder()
            .deployments(List.of(deployment(OLD, Deployment.PRIMARY, bare, T0)))
            .build(8);
    assertRendersAs(ServiceView.of(State.empty(), drained, false), EXPECTED_DRAINING);
  }

  private static final String EXPECTED_ACTIVE =
      """
      {
        "serviceArn": "arn:aws:ecs:us-east-1:000000000000:service/demo/web",
        "serviceName": "web",
        "clusterArn": "arn:aws:ecs:us-east-1:000000000000:cluster/demo",
        "loadBalancers": [
          {
            "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef",
            "containerName": "web",
            "containerPort": 80
          }
        ],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": 3,
        "runningCount": 2,
        "pendingCount": 1,
        "launchType": "EC2",
        "taskDefinition": "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2",
        "deploymentConfiguration": {
          "deploymentCircuitBreaker": {
            "enable": true,
            "rollback": true
          },
          "maximumPercent": 150,
          "minimumHealthyPercent": 50,
          "strategy": "ROLLING"
        },
        "deployments": [
          {
            "id": "ecs-svc/2222222222222222222",
            "status": "PRIMARY",
            "taskDefinition": "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2",
            "desiredCount": 3,
            "pendingCount": 1,
            "runningCount": 1,
            "failedTasks": 1,
            "createdAt": 1767225660.250,
            "updatedAt": 1767225660.750,
            "launchType": "EC2",
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment ecs-svc/2222222222222222222 in progress."
          },
          {
            "id": "ecs-svc/1111111111111111111",
            "status": "ACTIVE",
            "taskDefinition": "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
            "desiredCount": 1,
            "pendingCount": 0,
            "runningCount": 1,
            "failedTasks": 0,
            "createdAt": 1767225600.250,
            "updatedAt": 1767225600.750,
            "launchType": "EC2",
            "rolloutState": "COMPLETED",
            "rolloutStateReason": "ECS deployment ecs-svc/1111111111111111111."
          }
        ],
        "events": [
          {
            "id": "e1",
            "createdAt": 1767225661.250,
            "message": "(service web) has started 2 tasks."
          }
        ],
        "createdAt": 1767225600.250,
        "currentServiceDeployment": "arn:aws:ecs:us-east-1:000000000000:service-deployment/demo/web/2222222222222222222",
        "currentServiceRevisions": [
          {
            "arn": "arn:aws:ecs:us-east-1:000000000000:service-revision/demo/web/2222222222222222222",
            "requestedTaskCount": 3,
            "runningTaskCount": 1,
            "pendingTaskCount": 1
          },
          {
            "arn": "arn:aws:ecs:us-east-1:000000000000:service-revision/demo/web/1111111111111111111",
            "requestedTaskCount": 1,
            "runningTaskCount": 1,
            "pendingTaskCount": 0
          }
        ],
        "placementConstraints": [
          {
            "type": "memberOf",
            "expression": "attribute:zone == a"
          }
        ],
        "placementStrategy": [
          {
            "type": "binpack",
            "field": "memory"
          }
        ],
        "healthCheckGracePeriodSeconds": 30,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {
          "type": "ECS"
        },
        "tags": [
          {
            "key": "team",
            "value": "blue"
          },
          {
            "key": "empty",
            "value": ""
          }
        ],
        "createdBy": "arn:aws:iam:us-east-1:000000000000:root",
        "enableECSManagedTags": true,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": false,
        "availabilityZoneRebalancing": "DISABLED"
      }
      """;

  private static final String EXPECTED_DRAINING =
      """
      {
        "serviceArn": "arn:aws:ecs:us-east-1:000000000000:service/demo/web",
        "serviceName": "web",
        "clusterArn": "arn:aws:ecs:us-east-1:000000000000:cluster/demo",
        "loadBalancers": [],
        "serviceRegistries": [],
        "status": "DRAINING",
        "desiredCount": 3,
        "runningCount": 0,
        "pendingCount": 0,
        "launchType": "EC2",
        "taskDefinition": "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
        "deploymentConfiguration": {
          "deploymentCircuitBreaker": {
            "enable": false,
            "rollback": false
          },
          "maximumPercent": 100,
          "minimumHealthyPercent": 0,
          "strategy": "ROLLING"
        },
        "deployments": [
          {
            "id": "ecs-svc/1111111111111111111",
            "status": "PRIMARY",
            "taskDefinition": "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
            "desiredCount": 3,
            "pendingCount": 0,
            "runningCount": 0,
            "failedTasks": 1,
            "createdAt": 1767225600.250,
            "updatedAt": 1767225600.750,
            "launchType": "EC2",
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment ecs-svc/1111111111111111111 in progress."
          }
        ],
        "events": [
          {
            "id": "e1",
            "createdAt": 1767225661.250,
            "message": "(service web) has started 2 tasks."
          }
        ],
        "createdAt": 1767225600.250,
        "currentServiceRevisions": [
          {
            "arn": "arn:aws:ecs:us-east-1:000000000000:service-revision/demo/web/1111111111111111111",
            "requestedTaskCount": 3,
            "runningTaskCount": 0,
            "pendingTaskCount": 0
          }
        ],
        "placementConstraints": [],
        "placementStrategy": [],
        "healthCheckGracePeriodSeconds": 0,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {
          "type": "ECS"
        },
        "tags": [],
        "createdBy": "arn:aws:iam:us-east-1:000000000000:root",
        "enableECSManagedTags": true,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": false,
        "availabilityZoneRebalancing": "DISABLED"
      }
      """;
}
