package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DeleteTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionFamilyStatus;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/** Task definition operations end to end: a real server, the AWS SDK for Java v2. */
class TaskDefinitionApiTest {
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

  static RegisterTaskDefinitionRequest web(String family) {
    return RegisterTaskDefinitionRequest.builder()
        .family(family)
        .containerDefinitions(
            ContainerDefinition.builder()
                .name("web")
                .image("busybox:local")
                .memory(64)
                .command("httpd", "-f", "-p", "8080")
                .environment(KeyValuePair.builder().name("MODE").value("test").build())
                .portMappings(PortMapping.builder().containerPort(8080).build())
                .dockerLabels(java.util.Map.of("owner", "wharf"))
                .build())
        .build();
  }

  @Test
  void registersRevisionsAndReturnsEveryFieldAsGiven() {
    TaskDefinition first = ecs.registerTaskDefinition(web("web")).taskDefinition();
    TaskDefinition second =
        ecs.registerTaskDefinition(
                web("web").toBuilder().tags(Tag.builder().key("v").value("2").build()).build())
            .taskDefinition();
    assertThat(first.revision()).isEqualTo(1);
    assertThat(second.revision()).isEqualTo(2);
    assertThat(second.taskDefinitionArn())
        .isEqualTo("arn:aws:ecs:us-east-1:" + TestServer.ACCOUNT + ":task-definition/web:2");
    assertThat(second.status()).isEqualTo(TaskDefinitionStatus.ACTIVE);
    assertThat(second.registeredAt()).isNotNull();
    assertThat(second.registeredBy()).isEqualTo("arn:aws:iam::" + TestServer.ACCOUNT + ":root");
    assertThat(second.compatibilities()).contains(Compatibility.EC2);
    ContainerDefinition c = second.containerDefinitions().get(0);
    assertThat(c.command()).containsExactly("httpd", "-f", "-p", "8080");
    assertThat(c.environment())
        .containsExactly(KeyValuePair.builder().name("MODE").value("test").build());
    assertThat(c.dockerLabels()).containsEntry("owner", "wharf");
    assertThat(c.essential()).isTrue();
    assertThat(c.portMappings())
        .singleElement()
        .satisfies(p -> assertThat(p.protocolAsString()).isEqualTo("tcp"));

    // family → newest ACTIVE revision; family:revision and ARN name one revision.
    assertThat(ecs.describeTaskDefinition(b -> b.taskDefinition("web")).taskDefinition().revision())
        .isEqualTo(2);
    assertThat(
            ecs.describeTaskDefinition(b -> b.taskDefinition("web:1")).taskDefinition().revision())
        .isEqualTo(1);
    DescribeTaskDefinitionResponse byArn =
        ecs.describeTaskDefinition(
            b -> b.taskDefinition(second.taskDefinitionArn()).include(TaskDefinitionField.TAGS));
    assertThat(byArn.taskDefinition()).isEqualTo(second);
    assertThat(byArn.tags()).containsExactly(Tag.builder().key("v").value("2").build());
  }

  @Test
  void deregistersAndDeletes() {
    ecs.registerTaskDefinition(web("gone"));
    ecs.registerTaskDefinition(web("gone"));
    TaskDefinition inactive =
        ecs.deregisterTaskDefinition(b -> b.taskDefinition("gone:2")).taskDefinition();
    assertThat(inactive.status()).isEqualTo(TaskDefinitionStatus.INACTIVE);
    assertThat(inactive.deregisteredAt()).isNotNull();
    // The family now resolves to its newest ACTIVE revision.
    assertThat(
            ecs.describeTaskDefinition(b -> b.taskDefinition("gone")).taskDefinition().revision())
        .isEqualTo(1);

    DeleteTaskDefinitionsResponse deleted =
        ecs.deleteTaskDefinitions(b -> b.taskDefinitions("gone:2", "gone:1", "gone:99"));
    assertThat(deleted.taskDefinitions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.revision()).isEqualTo(2);
              assertThat(d.status()).isEqualTo(TaskDefinitionStatus.DELETE_IN_PROGRESS);
            });
    assertThat(deleted.failures()).hasSize(2);
    assertThat(deleted.failures().get(0).reason()).contains("ACTIVE");

    // Revision numbers are never reused.
    assertThat(ecs.registerTaskDefinition(web("gone")).taskDefinition().revision()).isEqualTo(3);
    assertThatThrownBy(() -> ecs.describeTaskDefinition(b -> b.taskDefinition("never-registered")))
        .isInstanceOf(ClientException.class)
        .hasMessageContaining("Unable to describe task definition");
    assertThatThrownBy(() -> ecs.deregisterTaskDefinition(b -> b.taskDefinition("gone")))
        .isInstanceOf(ClientException.class);
  }

  @Test
  void listsWithFiltersSortAndPages() {
    for (int i = 0; i < 3; i++) {
      ecs.registerTaskDefinition(web("list-a"));
    }
    ecs.registerTaskDefinition(web("list-b"));
    ecs.deregisterTaskDefinition(b -> b.taskDefinition("list-b:1"));

    List<String> asc = ecs.listTaskDefinitions(b -> b.familyPrefix("list-a")).taskDefinitionArns();
    assertThat(asc)
        .extracting(a -> a.substring(a.lastIndexOf('/') + 1))
        .containsExactly("list-a:1", "list-a:2", "list-a:3");
    List<String> desc =
        ecs.listTaskDefinitions(b -> b.familyPrefix("list-a").sort(SortOrder.DESC))
            .taskDefinitionArns();
    assertThat(desc).containsExactlyElementsOf(asc.reversed());
    assertThat(ecs.listTaskDefinitions(b -> b.familyPrefix("list-b")).taskDefinitionArns())
        .isEmpty();
    assertThat(
            ecs.listTaskDefinitions(
                    b -> b.familyPrefix("list-b").status(TaskDefinitionStatus.INACTIVE))
                .taskDefinitionArns())
        .hasSize(1);

    List<String> paged = new ArrayList<>();
    ecs.listTaskDefinitionsPaginator(
            b -> b.familyPrefix("list-a").sort(SortOrder.DESC).maxResults(1))
        .taskDefinitionArns()
        .forEach(paged::add);
    assertThat(paged).containsExactlyElementsOf(desc);

    assertThat(ecs.listTaskDefinitionFamilies(b -> b.familyPrefix("list-")).families())
        .containsExactly("list-a", "list-b");
    assertThat(
            ecs.listTaskDefinitionFamilies(
                    b -> b.familyPrefix("list-").status(TaskDefinitionFamilyStatus.ACTIVE))
                .families())
        .containsExactly("list-a");
    assertThat(
            ecs.listTaskDefinitionFamilies(
                    b -> b.familyPrefix("list-").status(TaskDefinitionFamilyStatus.INACTIVE))
                .families())
        .containsExactly("list-b");
  }

  @Test
  void refusesInvalidDefinitionsWithoutChangingState() {
    int before = ecs.listTaskDefinitions(b -> b.familyPrefix("bad")).taskDefinitionArns().size();
    ContainerDefinition sidecar =
        ContainerDefinition.builder()
            .name("side")
            .image("busybox:local")
            .memory(32)
            .essential(false)
            .build();
    assertThatThrownBy(
            () -> ecs.registerTaskDefinition(b -> b.family("bad").containerDefinitions(sidecar)))
        .isInstanceOf(ClientException.class)
        .hasMessageContaining("essential");
    assertThatThrownBy(
            () ->
                ecs.registerTaskDefinition(
                    b ->
                        b.family("bad")
                            .containerDefinitions(
                                sidecar.toBuilder().essential(true).build(),
                                sidecar.toBuilder().essential(true).build())))
        .isInstanceOf(ClientException.class)
        .hasMessageContaining("unique");
    assertThatThrownBy(
            () ->
                ecs.registerTaskDefinition(
                    b ->
                        b.family("bad")
                            .requiresCompatibilitiesWithStrings("FARGATE")
                            .networkMode(NetworkMode.AWSVPC)
                            .cpu("256")
                            .memory("4096")
                            .containerDefinitions(sidecar.toBuilder().essential(true).build())))
        .isInstanceOf(ClientException.class)
        .hasMessageContaining("Fargate");
    assertThatThrownBy(
            () ->
                ecs.registerTaskDefinition(
                    b ->
                        b.family("bad")
                            .networkMode(NetworkMode.AWSVPC)
                            .containerDefinitions(
                                sidecar.toBuilder()
                                    .essential(true)
                                    .portMappings(
                                        PortMapping.builder()
                                            .containerPort(80)
                                            .hostPort(8080)
                                            .build())
                                    .build())))
        .isInstanceOfAny(ClientException.class, InvalidParameterException.class)
        .hasMessageContaining("port");
    assertThat(ecs.listTaskDefinitions(b -> b.familyPrefix("bad")).taskDefinitionArns())
        .hasSize(before);
  }

  @Test
  void acceptsAValidFargateDefinition() {
    TaskDefinition d =
        ecs.registerTaskDefinition(
                b ->
                    b.family("fargate")
                        .requiresCompatibilitiesWithStrings("FARGATE")
                        .networkMode(NetworkMode.AWSVPC)
                        .cpu("256")
                        .memory("512")
                        .containerDefinitions(
                            ContainerDefinition.builder()
                                .name("app")
                                .image("busybox:local")
                                .portMappings(PortMapping.builder().containerPort(80).build())
                                .build()))
            .taskDefinition();
    assertThat(d.compatibilities()).contains(Compatibility.FARGATE);
    assertThat(d.cpu()).isEqualTo("256");
    assertThat(d.containerDefinitions().get(0).portMappings().get(0).hostPort()).isEqualTo(80);
  }
}
