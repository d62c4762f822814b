package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.ClusterContainsContainerInstancesException;
import software.amazon.awssdk.services.ecs.model.ClusterField;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.ClusterSetting;
import software.amazon.awssdk.services.ecs.model.ClusterSettingName;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.ListClustersResponse;
import software.amazon.awssdk.services.ecs.model.Tag;

/** Cluster operations end to end: a real server, the AWS SDK for Java v2. */
class ClusterApiTest {
  static TestServer server;
  static EcsClient ecs;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    ecs = server.client();
  }

  @AfterAll
  static void stop() throws Exception {
    ecs.close();
    server.close();
  }

  @Test
  void createsDescribesAndListsClusters() {
    Cluster created =
        ecs.createCluster(
                b -> b.clusterName("alpha").tags(Tag.builder().key("team").value("a").build()))
            .cluster();
    assertThat(created.clusterArn()).isEqualTo(server.clusterArn("alpha"));
    assertThat(created.status()).isEqualTo("ACTIVE");
    assertThat(created.registeredContainerInstancesCount()).isZero();
    assertThat(created.settings())
        .containsExactly(
            ClusterSetting.builder()
                .name(ClusterSettingName.CONTAINER_INSIGHTS)
                .value("disabled")
                .build());

    // Creating it again answers the same cluster, as ECS does.
    assertThat(ecs.createCluster(b -> b.clusterName("alpha")).cluster().clusterArn())
        .isEqualTo(created.clusterArn());

    DescribeClustersResponse described =
        ecs.describeClusters(
            b ->
                b.clusters("alpha", server.clusterArn("alpha"), "nope")
                    .include(ClusterField.TAGS, ClusterField.SETTINGS, ClusterField.STATISTICS));
    assertThat(described.clusters()).hasSize(2).allMatch(c -> c.clusterName().equals("alpha"));
    assertThat(described.clusters().get(0).tags())
        .containsExactly(Tag.builder().key("team").value("a").build());
    assertThat(described.clusters().get(0).statistics())
        .anyMatch(s -> s.name().equals("runningEC2TasksCount") && s.value().equals("0"));
    assertThat(described.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reason()).isEqualTo("MISSING");
              assertThat(f.arn()).isEqualTo(server.clusterArn("nope"));
            });

    assertThat(ecs.listClusters().clusterArns()).contains(server.clusterArn("alpha"));
  }

  @Test
  void createsTheDefaultClusterWhenNoNameIsGiven() {
    assertThat(ecs.createCluster(b -> {}).cluster().clusterName()).isEqualTo("default");
    assertThat(ecs.describeClusters(b -> {}).clusters())
        .extracting(Cluster::clusterName)
        .containsExactly("default");
  }

  @Test
  void paginatesListClusters() {
    for (int i = 0; i < 5; i++) {
      String name = "page-" + i;
      ecs.createCluster(b -> b.clusterName(name));
    }
    List<String> all = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String t = token;
      ListClustersResponse page = ecs.listClusters(b -> b.maxResults(2).nextToken(t));
      assertThat(page.clusterArns()).hasSizeLessThanOrEqualTo(2);
      all.addAll(page.clusterArns());
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertThat(all)
        .doesNotHaveDuplicates()
        .containsAll(List.of(server.clusterArn("page-0"), server.clusterArn("page-4")));
    assertThat(pages).isGreaterThanOrEqualTo(3);
    // The SDK's paginator walks the same pages.
    assertThat(ecs.listClustersPaginator(b -> b.maxResults(1)).clusterArns())
        .containsExactlyElementsOf(all);
    assertThatThrownBy(() -> ecs.listClusters(b -> b.maxResults(101)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("maxResults");
    assertThatThrownBy(() -> ecs.listClusters(b -> b.nextToken("garbage!")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("nextToken");
  }

  @Test
  void updatesSettingsAndConfiguration() {
    ecs.createCluster(b -> b.clusterName("settings"));
    Cluster updated =
        ecs.updateClusterSettings(
                b ->
                    b.cluster("settings")
                        .settings(
                            ClusterSetting.builder()
                                .name(ClusterSettingName.CONTAINER_INSIGHTS)
                                .value("enabled")
                                .build()))
            .cluster();
    assertThat(updated.settings())
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo("enabled"));
    Cluster configured =
        ecs.updateCluster(
                b ->
                    b.cluster("settings")
                        .configuration(
                            c -> c.executeCommandConfiguration(e -> e.logging("DEFAULT"))))
            .cluster();
    assertThat(configured.configuration().executeCommandConfiguration().loggingAsString())
        .isEqualTo("DEFAULT");
    assertThat(
            ecs.describeClusters(b -> b.clusters("settings").include(ClusterField.CONFIGURATIONS))
                .clusters()
                .get(0)
                .configuration()
                .executeCommandConfiguration()
                .loggingAsString())
        .isEqualTo("DEFAULT");
    assertThatThrownBy(
            () ->
                ecs.updateClusterSettings(
                    b ->
                        b.cluster("settings")
                            .settings(
                                ClusterSetting.builder()
                                    .name(ClusterSettingName.CONTAINER_INSIGHTS)
                                    .value("maybe")
                                    .build())))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("containerInsights");
    assertThatThrownBy(() -> ecs.updateCluster(b -> b.cluster("ghost")))
        .isInstanceOf(ClusterNotFoundException.class);
  }

  @Test
  void refusesBadClusterNames() {
    assertThatThrownBy(() -> ecs.createCluster(b -> b.clusterName("bad name!")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("clusterName");
    assertThatThrownBy(
            () ->
                ecs.createCluster(
                    b ->
                        b.clusterName("tagged")
                            .tags(Tag.builder().key("aws:x").value("y").build())))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("aws:");
    assertThat(ecs.describeClusters(b -> b.clusters("tagged")).failures()).hasSize(1);
  }

  @Test
  void deletesToInactiveAndRefusesClustersWithInstances() {
    ecs.createCluster(b -> b.clusterName("doomed"));
    Cluster deleted = ecs.deleteCluster(b -> b.cluster("doomed")).cluster();
    assertThat(deleted.status()).isEqualTo("INACTIVE");
    assertThat(ecs.describeClusters(b -> b.clusters("doomed")).clusters())
        .singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo("INACTIVE"));
    assertThat(ecs.listClusters().clusterArns()).doesNotContain(server.clusterArn("doomed"));
    assertThatThrownBy(() -> ecs.deleteCluster(b -> b.cluster("doomed")))
        .isInstanceOf(ClusterNotFoundException.class);
    // Creating it again brings it back.
    assertThat(ecs.createCluster(b -> b.clusterName("doomed")).cluster().status())
        .isEqualTo("ACTIVE");

    ecs.createCluster(b -> b.clusterName("busy"));
    String instance =
        ecs.registerContainerInstance(
                b ->
                    b.cluster("busy")
                        .instanceIdentityDocument("{\"instanceId\":\"i-0123456789abcdef0\"}"))
            .containerInstance()
            .containerInstanceArn();
    assertThatThrownBy(() -> ecs.deleteCluster(b -> b.cluster("busy")))
        .isInstanceOf(ClusterContainsContainerInstancesException.class);
    ecs.deregisterContainerInstance(b -> b.cluster("busy").containerInstance(instance));
    assertThat(ecs.deleteCluster(b -> b.cluster("busy")).cluster().status()).isEqualTo("INACTIVE");
  }
}
