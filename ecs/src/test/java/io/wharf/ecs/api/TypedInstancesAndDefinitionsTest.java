package io.wharf.ecs.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.ecs.taskdef.TaskDefinitionRules;
import io.wharf.model.Document;
import io.wharf.model.Tag;
import io.wharf.model.TaskDefinition;
import io.wharf.model.TaskDefinitionStatus;
import io.wharf.protocol.ServiceModel;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The typed task definition and container instance operations: their records are the model's
 * shapes, a registration keeps every member the user sent, and a task definition renders as the
 * hand-built answer did.
 */
class TypedInstancesAndDefinitionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ServiceModel MODEL = EcsApi.loadModel();

  /** A registration that gives every member of RegisterTaskDefinitionRequest. */
  private static final String EVERY_MEMBER =
      """
      {'family':'web','taskRoleArn':'arn:aws:iam::123456789012:role/task',
       'executionRoleArn':'arn:aws:iam::123456789012:role/exec','networkMode':'bridge',
       'containerDefinitions':[{'name':'web','image':'nginx:latest','memory':128,'essential':true,
         'portMappings':[{'containerPort':80}],'environment':[{'name':'A','value':'1'}],
         'dockerLabels':{'team':'x'},'healthCheck':{'command':['CMD','true'],'interval':10}}],
       'volumes':[{'name':'data','host':{'sourcePath':'/tmp/data'}}],
       'placementConstraints':[{'type':'memberOf','expression':'attribute:ecs.os-type == linux'}],
       'requiresCompatibilities':['EC2'],'cpu':'256','memory':'512',
       'tags':[{'key':'team','value':'x'}],'pidMode':'task','ipcMode':'none',
       'proxyConfiguration':{'type':'APPMESH','containerName':'web',
         'properties':[{'name':'IgnoredUID','value':'1337'}]},
       'inferenceAccelerators':[],'ephemeralStorage':{'sizeInGiB':30},
       'runtimePlatform':{'operatingSystemFamily':'LINUX','cpuArchitecture':'X86_64'},
       'enableFaultInjection':false}
      """;

  private static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }

  @Test
  void theRegistrationRecordCarriesEveryMemberOfTheRequestShape() {
    // A member missing from the record would be dropped from the stored definition silently.
    assertThat(components(TaskDefinitionOperations.RegisterTaskDefinitionRequest.class))
        .containsExactlyInAnyOrderElementsOf(members("RegisterTaskDefinitionRequest"));
  }

  @Test
  void aTypedRegistrationStoresWhatTheRequestAsSentNormalizesTo() {
    ObjectNode request = json(EVERY_MEMBER);
    JsonNode asSent = TaskDefinitionRules.normalize(request);
    Document typed =
        TaskDefinitionDocument.normalize(
            bind(request, TaskDefinitionOperations.RegisterTaskDefinitionRequest.class));

    assertThat(Wire.parse(typed)).isEqualTo(asSent);
  }

  @Test
  void aTaskDefinitionRendersAsTheHandBuiltAnswerDid() {
    TaskDefinition registered = definition(TaskDefinitionStatus.ACTIVE, null, null);
    TaskDefinition deleted =
        definition(
            TaskDefinitionStatus.DELETE_IN_PROGRESS,
            Instant.parse("2026-12-02T08:00:00.250Z"),
            Instant.parse("2026-12-03T09:30:00Z"));

    for (TaskDefinition d : List.of(registered, deleted)) {
      assertThat(Typed.render(TaskDefinitionView.of(d))).isEqualTo(handBuilt(d));
    }
  }

  @Test
  void everyRecordOfTheseOperationsIsMadeOfItsShapesMembers() {
    List<Class<?>> records = new ArrayList<>();
    records.addAll(Arrays.asList(TaskDefinitionOperations.class.getDeclaredClasses()));
    records.addAll(Arrays.asList(ContainerInstanceOperations.class.getDeclaredClasses()));
    records.add(TaskDefinitionView.class);
    List<String> checked = new ArrayList<>();
    for (Class<?> type : records) {
      if (!type.isRecord() || type.isLocalClass()) {
        continue;
      }
      String name = type.getSimpleName();
      String shape = name.endsWith("View") ? name.substring(0, name.length() - 4) : name;
      assertThat(members(shape)).as(name).containsAll(components(type));
      checked.add(name);
    }
    // 14 operations, a request and a response each, and the five views.
    assertThat(checked)
        .hasSize(14 * 2 + 5)
        .contains(
            "ContainerInstanceView",
            "ResourceView",
            "AttributeView",
            "AttachmentView",
            "TaskDefinitionView");
  }

  /** The TaskDefinition the operations built by hand before they were typed. */
  private static JsonNode handBuilt(TaskDefinition d) {
    ObjectNode out = JSON.createObjectNode();
    out.put("taskDefinitionArn", d.arn());
    out.setAll((ObjectNode) Wire.parse(d.definition()));
    out.put("family", d.family());
    out.put("revision", d.revision());
    out.put("status", d.status().name());
    out.set("registeredAt", timestamp(d.registeredAt()));
    if (d.deregisteredAt() != null) {
      out.set("deregisteredAt", timestamp(d.deregisteredAt()));
    }
    if (d.deleteRequestedAt() != null) {
      out.set("deleteRequestedAt", timestamp(d.deleteRequestedAt()));
    }
    if (d.registeredBy() != null) {
      out.put("registeredBy", d.registeredBy());
    }
    return out;
  }

  private static JsonNode timestamp(Instant instant) {
    return JSON.getNodeFactory().numberNode(BigDecimal.valueOf(instant.toEpochMilli(), 3));
  }

  private static TaskDefinition definition(
      TaskDefinitionStatus status, Instant deregisteredAt, Instant deleteRequestedAt) {
    ObjectNode request = json(EVERY_MEMBER);
    request.remove("tags");
    return new TaskDefinition(
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
        "web",
        3,
        status,
        Instant.parse("2026-12-01T07:00:00.125Z"),
        deregisteredAt,
        deleteRequestedAt,
        "arn:aws:iam::123456789012:root",
        List.of(new Tag("team", "x")),
        new Document(TaskDefinitionRules.normalize(request).toString()),
        7);
  }

  /** The record Typed binds {@code request} to. */
  private static <T> T bind(JsonNode request, Class<T> type) {
    Object[] holder = new Object[1];
    Typed.of(
            type,
            (c, r) -> {
              holder[0] = r;
              return null;
            })
        .invoke(null, request);
    return type.cast(holder[0]);
  }

  private static Set<String> components(Class<?> record) {
    Set<String> names = new TreeSet<>();
    for (var c : record.getRecordComponents()) {
      names.add(c.getName());
    }
    return names;
  }

  private static Set<String> members(String shape) {
    Set<String> names = new TreeSet<>();
    MODEL.shape(shape).path("members").fieldNames().forEachRemaining(names::add);
    return names;
  }
}
