package io.wharf.ecs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.ecs.api.ServiceOperations.CreateServiceRequest;
import io.wharf.ecs.api.ServiceOperations.ListServiceDeploymentsRequest;
import io.wharf.ecs.api.ServiceOperations.LoadBalancerView;
import io.wharf.ecs.api.ServiceOperations.PlacementConstraintView;
import io.wharf.ecs.api.ServiceOperations.PlacementStrategyView;
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Service requests as the CLI sends them, bound to their records; and what a service keeps of the
 * members it echoes back.
 */
class ServiceRequestBindingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static <I> I bind(Class<I> type, String singleQuoted) throws Exception {
    AtomicReference<I> bound = new AtomicReference<>();
    Typed.<I, Object>of(
            type,
            (caller, request) -> {
              bound.set(request);
              return null;
            })
        .invoke(null, JSON.readTree(singleQuoted.replace('\'', '"')));
    return bound.get();
  }

  @Test
  void aCreateServiceRequestBindsEveryMemberWharfReads() throws Exception {
    CreateServiceRequest r =
        bind(
            CreateServiceRequest.class,
            "{'cluster':'demo','serviceName':'web','taskDefinition':'web:2','desiredCount':3,"
                + "'loadBalancers':[{'targetGroupArn':'tg','containerName':'web',"
                + "'containerPort':80}],"
                + "'placementConstraints':[{'type':'memberOf','expression':'attribute:a == b'}],"
                + "'deploymentConfiguration':{'maximumPercent':150,"
                + "'deploymentCircuitBreaker':{'enable':true,'rollback':false}},"
                + "'tags':[{'key':'team','value':'blue'}],'enableECSManagedTags':true,"
                + "'capacityProviderStrategy':[],"
                + "'networkConfiguration':{'awsvpcConfiguration':{}}}");
    assertThat(r.cluster()).isEqualTo("demo");
    assertThat(r.desiredCount()).isEqualTo(3);
    assertThat(r.loadBalancers())
        .containsExactly(new LoadBalancerView("tg", null, "web", 80, null));
    assertThat(r.placementConstraints())
        .containsExactly(new PlacementConstraintView("memberOf", "attribute:a == b"));
    assertThat(r.deploymentConfiguration().maximumPercent()).isEqualTo(150);
    assertThat(r.deploymentConfiguration().minimumHealthyPercent()).isNull();
    assertThat(r.deploymentConfiguration().deploymentCircuitBreaker().enable()).isTrue();
    assertThat(r.tags()).containsExactly(new Tag("team", "blue"));
    assertThat(r.enableECSManagedTags()).isTrue();
    // Empty lists pass the unsupported-member check; an object given is refused.
    assertThat(r.capacityProviderStrategy()).isEmpty();
    assertThat(r.networkConfiguration()).isEqualTo(new Document("{\"awsvpcConfiguration\":{}}"));
    // Absent members are null, so that UpdateService can tell "not given" from "given".
    assertThat(r.placementStrategy()).isNull();
    assertThat(r.healthCheckGracePeriodSeconds()).isNull();
    assertThat(r.enableExecuteCommand()).isNull();
  }

  @Test
  void aTagWithoutAKeyIsTheCallersErrorNamingTheMember() {
    assertThatThrownBy(
            () ->
                bind(
                    CreateServiceRequest.class,
                    "{'serviceName':'web','tags':[{'key':'a','value':'1'},{'value':'x'}]}"))
        .isInstanceOfSatisfying(
            WharfException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER))
        .hasMessage("Parameter tags[1].key must be given.");
  }

  @Test
  void anUnknownMemberThatDiffersFromAKnownOneOnlyInCaseIsIgnored() throws Exception {
    CreateServiceRequest r =
        bind(
            CreateServiceRequest.class,
            "{'serviceName':'web','placementStrategy':[{'type':'binpack','field':'memory',"
                + "'Type':{'a':[1]}}],'ServiceName':'other'}");
    assertThat(r.serviceName()).isEqualTo("web");
    assertThat(r.placementStrategy())
        .containsExactly(new PlacementStrategyView("binpack", "memory"));
  }

  @Test
  void creationWindowsBindAsTheSdksSendThem() throws Exception {
    ListServiceDeploymentsRequest r =
        bind(
            ListServiceDeploymentsRequest.class,
            "{'service':'web','createdAt':{'after':1795348800.125,"
                + "'before':'2026-11-22T13:00:00+01:00'},'status':['SUCCESSFUL']}");
    assertThat(r.createdAt().after()).isEqualTo(Instant.parse("2026-11-22T12:00:00.125Z"));
    assertThat(r.createdAt().before()).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
    assertThat(r.status()).containsExactly("SUCCESSFUL");
  }

  @Test
  void loadBalancersAreKeptAsGivenLessTheMembersNotGiven() throws Exception {
    List<LoadBalancerView> given =
        List.of(
            new LoadBalancerView(
                "tg",
                null,
                "web",
                80,
                new Document("{\"roleArn\":\"r\",\"testListenerRule\":\"t\"}")));
    JsonNode kept = JSON.readTree(TypedDocuments.of(given).json());
    assertThat(kept)
        .isEqualTo(
            JSON.readTree(
                "[{\"targetGroupArn\":\"tg\",\"containerName\":\"web\",\"containerPort\":80,"
                    + "\"advancedConfiguration\":"
                    + "{\"roleArn\":\"r\",\"testListenerRule\":\"t\"}}]"));
  }
}
