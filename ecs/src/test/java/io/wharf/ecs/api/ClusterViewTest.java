package io.wharf.ecs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.model.Cluster;
import io.wharf.model.ClusterStatus;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Setting;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clusters, tags and account settings as the typed records write them: the JSON the hand-built
 * replies had for the same domain records, and requests bound with ECS's refusals.
 */
class ClusterViewTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/alpha";
  private static final Operation.Caller ADMIN =
      new Operation.Caller(
          "AKIDEXAMPLE",
          "arn:aws:iam::123456789012:root",
          new Principal.Admin("AKIDEXAMPLE", "arn:aws:iam::123456789012:root"));

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static final Cluster ALPHA =
      new Cluster(
          ARN,
          "alpha",
          ClusterStatus.ACTIVE,
          List.of(new Tag("team", "a"), new Tag("empty", "")),
          List.of(new Setting("containerInsights", "enhanced")),
          new Document("{\"executeCommandConfiguration\":{\"logging\":\"DEFAULT\"}}"),
          null,
          7);

  private static final State STATE = State.empty().apply(new Change.ClusterPut(ALPHA));

  @Test
  void everythingIncludedIsWhatTheOldReplyWrote() {
    JsonNode written =
        Typed.render(
            ClusterOperations.view(
                STATE, ALPHA, EnumSet.allOf(ClusterOperations.ClusterField.class)));
    assertThat(written)
        .isEqualTo(
            json(
                """
                {"clusterArn":"%s","clusterName":"alpha","status":"ACTIVE",
                 "registeredContainerInstancesCount":0,"runningTasksCount":0,
                 "pendingTasksCount":0,"activeServicesCount":0,
                 "statistics":[
                   {"name":"runningEC2TasksCount","value":"0"},
                   {"name":"runningFargateTasksCount","value":"0"},
                   {"name":"pendingEC2TasksCount","value":"0"},
                   {"name":"pendingFargateTasksCount","value":"0"},
                   {"name":"runningExternalTasksCount","value":"0"},
                   {"name":"pendingExternalTasksCount","value":"0"},
                   {"name":"activeEC2ServiceCount","value":"0"},
                   {"name":"activeFargateServiceCount","value":"0"},
                   {"name":"drainingEC2ServiceCount","value":"0"},
                   {"name":"drainingFargateServiceCount","value":"0"}],
                 "tags":[{"key":"team","value":"a"},{"key":"empty","value":""}],
                 "settings":[{"name":"containerInsights","value":"enhanced"}],
                 "configuration":{"executeCommandConfiguration":{"logging":"DEFAULT"}},
                 "capacityProviders":[],"defaultCapacityProviderStrategy":[],
                 "attachments":[]}
                """
                    .formatted(ARN)));
  }

  @Test
  void nothingIncludedLeavesOutSettingsConfigurationAndAttachments() {
    JsonNode written =
        Typed.render(
            ClusterOperations.view(
                STATE, ALPHA, EnumSet.noneOf(ClusterOperations.ClusterField.class)));
    assertThat(written)
        .isEqualTo(
            json(
                """
                {"clusterArn":"%s","clusterName":"alpha","status":"ACTIVE",
                 "registeredContainerInstancesCount":0,"runningTasksCount":0,
                 "pendingTasksCount":0,"activeServicesCount":0,
                 "statistics":[],"tags":[],
                 "capacityProviders":[],"defaultCapacityProviderStrategy":[]}
                """
                    .formatted(ARN)));
  }

  @Test
  void aMissingFailureDetailIsLeftOut() {
    assertThat(Typed.render(new Failure(ARN, "MISSING", null)))
        .isEqualTo(json("{\"arn\":\"%s\",\"reason\":\"MISSING\"}".formatted(ARN)));
  }

  @Test
  void settingTypesAreWrittenAsEcsSpellsThem() {
    assertThat(
            Typed.render(
                new AccountSettingOperations.SettingView(
                    "awsvpcTrunking",
                    "disabled",
                    "arn:aws:iam::123456789012:root",
                    AccountSettingOperations.SettingType.AWS_MANAGED)))
        .isEqualTo(
            json(
                """
                {"name":"awsvpcTrunking","value":"disabled",
                 "principalArn":"arn:aws:iam::123456789012:root","type":"aws_managed"}
                """));
  }

  @Test
  void aTagWithoutAKeyIsRefusedAsInvalidBeforeTheOperationRuns() {
    Operation bound =
        Typed.of(
            ClusterOperations.CreateClusterRequest.class,
            (caller, request) -> {
              throw new AssertionError("the operation ran: " + request);
            });
    assertThatThrownBy(
            () -> bound.invoke(ADMIN, json("{\"clusterName\":\"x\",\"tags\":[{\"value\":\"v\"}]}")))
        .isInstanceOfSatisfying(
            WharfException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER))
        .hasMessage("Parameter tags[0].key must be given.");
  }

  @Test
  void aTagWithoutAValueHasAnEmptyOne() {
    List<List<Tag>> seen = new java.util.ArrayList<>();
    Operation bound =
        Typed.of(
            TagOperations.TagResourceRequest.class,
            (caller, request) -> {
              seen.add(request.tags());
              return null;
            });
    bound.invoke(ADMIN, json("{\"resourceArn\":\"%s\",\"tags\":[{\"key\":\"k\"}]}".formatted(ARN)));
    assertThat(seen).containsExactly(List.of(new Tag("k", "")));
  }

  @Test
  void describeIncludesBindAsClusterFields() {
    List<ClusterOperations.DescribeClustersRequest> seen = new java.util.ArrayList<>();
    Operation bound =
        Typed.of(
            ClusterOperations.DescribeClustersRequest.class,
            (caller, request) -> {
              seen.add(request);
              return null;
            });
    bound.invoke(ADMIN, json("{\"include\":[\"TAGS\",\"STATISTICS\"]}"));
    assertThat(seen)
        .containsExactly(
            new ClusterOperations.DescribeClustersRequest(
                null,
                List.of(
                    ClusterOperations.ClusterField.TAGS,
                    ClusterOperations.ClusterField.STATISTICS)));
  }
}
