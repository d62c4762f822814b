package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Attribute;
import software.amazon.awssdk.services.ecs.model.AttributeLimitExceededException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;
import software.amazon.awssdk.services.ecs.model.ContainerInstanceField;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.Resource;
import software.amazon.awssdk.services.ecs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TargetNotFoundException;
import software.amazon.awssdk.services.ecs.model.TargetType;

/** Container instances, their attributes, and tags on every taggable resource, end to end. */
class ContainerInstanceApiTest {
  static TestServer server;
  static EcsClient ecs;
  static String instanceArn;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    ecs = server.client();
    ecs.createCluster(b -> b.clusterName("attrs"));
    instanceArn = register("i-00000000000000001");
  }

  static String register(String instanceId) {
    return ecs.registerContainerInstance(
            b ->
                b.cluster("attrs")
                    .instanceIdentityDocument("{\"instanceId\":\"" + instanceId + "\"}")
                    .totalResources(
                        Resource.builder().name("CPU").type("INTEGER").integerValue(2048).build(),
                        Resource.builder()
                            .name("MEMORY")
                            .type("INTEGER")
                            .integerValue(4096)
                            .build(),
                        Resource.builder()
                            .name("PORTS")
                            .type("STRINGSET")
                            .stringSetValue("22", "2375")
                            .build())
                    .attributes(Attribute.builder().name("ecs.os-type").value("linux").build())
                    .versionInfo(v -> v.agentVersion("0.1.0").dockerVersion("20.10.24")))
        .containerInstance()
        .containerInstanceArn();
  }

  @AfterAll
  static void stop() throws Exception {
    ecs.close();
    server.close();
  }

  @Test
  void registersDescribesAndReRegistersWithTheSameArn() {
    ContainerInstance i =
        ecs.describeContainerInstances(
                b -> b.cluster("attrs").containerInstances(instanceArn, "nope"))
            .containerInstances()
            .get(0);
    assertThat(i.ec2InstanceId()).isEqualTo("i-00000000000000001");
    assertThat(i.status()).isEqualTo("ACTIVE");
    // Registered through the API alone: no agent has opened its channel, so it is not connected.
    assertThat(i.agentConnected()).isFalse();
    assertThat(i.registeredResources())
        .extracting(Resource::name)
        .containsExactly("CPU", "MEMORY", "PORTS");
    assertThat(i.versionInfo().agentVersion()).isEqualTo("0.1.0");
    assertThat(i.attributes())
        .contains(Attribute.builder().name("ecs.os-type").value("linux").build());
    assertThat(
            ecs.describeContainerInstances(b -> b.cluster("attrs").containerInstances("nope"))
                .failures())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).isEqualTo("MISSING"));
    assertThat(register("i-00000000000000001")).isEqualTo(instanceArn);
    assertThat(ecs.listContainerInstances(b -> b.cluster("attrs")).containerInstanceArns())
        .contains(instanceArn);
    assertThatThrownBy(() -> ecs.listContainerInstances(b -> b.cluster("nowhere")))
        .isInstanceOf(ClusterNotFoundException.class);
  }

  @Test
  void putsListsAndDeletesAttributes() {
    ecs.putAttributes(
        b ->
            b.cluster("attrs")
                .attributes(
                    Attribute.builder().name("stack").value("prod").targetId(instanceArn).build(),
                    Attribute.builder().name("gpu").targetId(instanceArn).build()));
    List<Attribute> stack =
        ecs.listAttributes(
                b ->
                    b.cluster("attrs")
                        .targetType(TargetType.CONTAINER_INSTANCE)
                        .attributeName("stack"))
            .attributes();
    assertThat(stack)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.value()).isEqualTo("prod");
              assertThat(a.targetId()).isEqualTo(instanceArn);
              assertThat(a.targetTypeAsString()).isEqualTo("container-instance");
            });
    assertThat(
            ecs.listAttributes(
                    b ->
                        b.cluster("attrs")
                            .targetType(TargetType.CONTAINER_INSTANCE)
                            .attributeName("stack")
                            .attributeValue("dev"))
                .attributes())
        .isEmpty();
    List<Attribute> paged = new ArrayList<>();
    ecs.listAttributesPaginator(
            b -> b.cluster("attrs").targetType(TargetType.CONTAINER_INSTANCE).maxResults(1))
        .attributes()
        .forEach(paged::add);
    assertThat(paged).extracting(Attribute::name).contains("stack", "gpu", "ecs.os-type");

    ecs.deleteAttributes(
        b ->
            b.cluster("attrs")
                .attributes(Attribute.builder().name("gpu").targetId(instanceArn).build()));
    assertThat(
            ecs.listAttributes(
                    b ->
                        b.cluster("attrs")
                            .targetType(TargetType.CONTAINER_INSTANCE)
                            .attributeName("gpu"))
                .attributes())
        .isEmpty();
  }

  @Test
  void refusesMissingTargetsAndTooManyAttributes() {
    String other = register("i-00000000000000002");
    assertThatThrownBy(
            () ->
                ecs.putAttributes(
                    b ->
                        b.cluster("attrs")
                            .attributes(Attribute.builder().name("x").targetId("missing").build())))
        .isInstanceOf(TargetNotFoundException.class);
    List<Attribute> eleven = new ArrayList<>();
    for (int n = 0; n < 11; n++) {
      eleven.add(Attribute.builder().name("a" + n).value("v").targetId(other).build());
    }
    assertThatThrownBy(() -> ecs.putAttributes(b -> b.cluster("attrs").attributes(eleven)))
        .isInstanceOf(AttributeLimitExceededException.class);
    // The refused request left nothing behind.
    assertThat(
            ecs.listAttributes(
                    b ->
                        b.cluster("attrs")
                            .targetType(TargetType.CONTAINER_INSTANCE)
                            .attributeName("a0"))
                .attributes())
        .isEmpty();
    assertThatThrownBy(
            () ->
                ecs.putAttributes(
                    b ->
                        b.cluster("attrs")
                            .attributes(
                                Attribute.builder().name("ecs.mine").targetId(other).build())))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void tagsClustersTaskDefinitionsAndInstances() {
    String cluster = server.clusterArn("attrs");
    String taskDef =
        ecs.registerTaskDefinition(TaskDefinitionApiTest.web("tagged"))
            .taskDefinition()
            .taskDefinitionArn();
    for (String arn : List.of(cluster, taskDef, instanceArn)) {
      ecs.tagResource(b -> b.resourceArn(arn).tags(tag("env", "test"), tag("owner", "me")));
      ecs.tagResource(b -> b.resourceArn(arn).tags(tag("env", "prod")));
      assertThat(ecs.listTagsForResource(b -> b.resourceArn(arn)).tags())
          .containsExactly(tag("env", "prod"), tag("owner", "me"));
      ecs.untagResource(b -> b.resourceArn(arn).tagKeys("owner", "absent"));
      assertThat(ecs.listTagsForResource(b -> b.resourceArn(arn)).tags())
          .containsExactly(tag("env", "prod"));
    }
    assertThat(
            ecs.describeContainerInstances(
                    b ->
                        b.cluster("attrs")
                            .containerInstances(instanceArn)
                            .include(ContainerInstanceField.TAGS))
                .containerInstances()
                .get(0)
                .tags())
        .containsExactly(tag("env", "prod"));
    assertThatThrownBy(
            () ->
                ecs.tagResource(b -> b.resourceArn(server.clusterArn("ghost")).tags(tag("a", "b"))))
        .isInstanceOf(ClusterNotFoundException.class);
    assertThatThrownBy(
            () ->
                ecs.listTagsForResource(
                    b ->
                        b.resourceArn(
                            "arn:aws:ecs:us-east-1:"
                                + TestServer.ACCOUNT
                                + ":task-definition/none:1")))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> ecs.tagResource(b -> b.resourceArn("not-an-arn").tags(tag("a", "b"))))
        .isInstanceOf(InvalidParameterException.class);
    List<Tag> tooMany = new ArrayList<>();
    for (int n = 0; n < 50; n++) {
      tooMany.add(tag("k" + n, "v"));
    }
    assertThatThrownBy(() -> ecs.tagResource(b -> b.resourceArn(cluster).tags(tooMany)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("50");
  }

  static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }
}
