package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.Page;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.ecs.launch.InstanceViews;
import io.wharf.ecs.launch.Remaining;
import io.wharf.model.Attribute;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.ContainerInstanceStatus;
import io.wharf.model.ErrorCode;
import io.wharf.model.Resource;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.scheduler.ClusterQuery;
import io.wharf.scheduler.PlacementException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * RegisterContainerInstance (called by agents), DescribeContainerInstances, ListContainerInstances,
 * DeregisterContainerInstance, and the attribute operations PutAttributes, DeleteAttributes,
 * ListAttributes (attributes live on container instances).
 */
final class ContainerInstanceOperations {
  private static final int MAX_DESCRIBE = 100;

  /** ECS allows at most 10 custom attributes per resource. */
  static final int MAX_CUSTOM_ATTRIBUTES = 10;

  /** The attribute of RegisterContainerInstance's answer that carries the registration epoch. */
  static final String EPOCH_ATTRIBUTE = "ecs.wharf.registration-epoch";

  private final StateMachine states;
  private final Lookup lookup;
  private final RandomGenerator random;
  private final AgentGateway gateway;
  private final InstanceViews views;
  private final InstanceIdentities identities;

  ContainerInstanceOperations(
      StateMachine states,
      Lookup lookup,
      RandomGenerator random,
      AgentGateway gateway,
      InstanceViews views) {
    this.states = states;
    this.lookup = lookup;
    this.random = random;
    this.views = views;
    this.gateway = gateway;
    this.identities = new InstanceIdentities(states.current());
  }

  void register(Map<String, Operation> ops) {
    ops.put("RegisterContainerInstance", this::registerInstance);
    ops.put("DescribeContainerInstances", this::describe);
    ops.put("ListContainerInstances", this::list);
    ops.put("DeregisterContainerInstance", this::deregister);
    ops.put("UpdateContainerInstancesState", this::updateState);
    ops.put("PutAttributes", this::putAttributes);
    ops.put("DeleteAttributes", this::deleteAttributes);
    ops.put("ListAttributes", this::listAttributes);
  }

  private JsonNode registerInstance(Operation.Caller caller, JsonNode request) {
    String clusterRef = Wire.text(request, "cluster", null);
    String identity = Wire.text(request, "instanceIdentityDocument", null);
    String givenInstanceId = identityField(identity, "instanceId");
    String privateIp = identityField(identity, "privateIp");
    List<Resource> resources = readResources(request.get("totalResources"));
    List<Attribute> attributes = readAttributes(request.get("attributes"));
    List<Tag> tags = Wire.readTags(request.get("tags"));
    Wire.mergeTags(List.of(), tags);
    String requestedArn = Wire.text(request, "containerInstanceArn", null);
    Principal.Instance self = caller.instance();
    ContainerInstance registered =
        states.execute(
            tx -> {
              Cluster cluster = lookup.activeCluster(tx.state(), clusterRef);
              if (self != null) {
                checkOwnRegistration(tx.state(), self, cluster, requestedArn, givenInstanceId);
              }
              // Random ids come from the state machine's thread only: the generator is not
              // thread-safe.
              String ec2InstanceId =
                  givenInstanceId != null
                      ? givenInstanceId
                      : "i-" + HexFormat.of().formatHex(randomBytes(9)).substring(0, 17);
              String newId = HexFormat.of().formatHex(randomBytes(16));
              // Re-registration (same ARN given, or same machine identity) keeps the instance's
              // ARN.
              // An instance key registers its own instance, under the ARN it was issued for.
              ContainerInstance previous =
                  self != null
                      ? tx.state().containerInstances().get(self.containerInstanceArn())
                      : requestedArn != null
                          ? lookup.containerInstance(tx.state(), cluster, requestedArn).orElse(null)
                          : identities.find(tx.state(), cluster, ec2InstanceId).orElse(null);
              String arn =
                  previous != null
                      ? previous.arn()
                      : self != null
                          ? self.containerInstanceArn()
                          : lookup.arns().containerInstance(cluster.name(), newId);
              ContainerInstance instance =
                  new ContainerInstance(
                      arn,
                      cluster.arn(),
                      ec2InstanceId,
                      ContainerInstanceStatus.ACTIVE,
                      true,
                      resources,
                      previous == null
                          ? attributes
                          : mergeAttributes(previous.attributes(), attributes),
                      previous == null || !tags.isEmpty() ? tags : previous.tags(),
                      Wire.document(request.get("versionInfo")),
                      previous == null ? tx.now() : previous.registeredAt(),
                      tx.revision(),
                      privateIp != null || previous == null
                          ? privateIp
                          : previous.privateIpAddress(),
                      previous == null
                          ? ContainerInstance.FIRST_EPOCH
                          : previous.nextRegistrationEpoch());
              tx.apply(new Change.ContainerInstancePut(instance));
              identities.registered(instance);
              return instance;
            });
    // The agent process that registered earlier is now stale: its channel goes (it cannot open
    // another, nor report, with its older epoch).
    gateway.supersede(registered.arn(), registered.registrationEpoch());
    ObjectNode wire = toWire(states.current(), registered, false);
    // The epoch rides in the answer's attributes, which every AWS client already parses as a
    // list of name/value pairs and passes through: a field or header of Wharf's own would need an
    // operation that can set headers, and the agent reads the attributes anyway. It is not stored
    // among the instance's attributes, so it counts against no limit and DescribeContainerInstances
    // shows what ECS shows.
    if (wire.get("attributes") instanceof ArrayNode attrs) {
      attrs
          .addObject()
          .put("name", EPOCH_ATTRIBUTE)
          .put("value", Long.toString(registered.registrationEpoch()));
    }
    return Wire.object().set("containerInstance", wire);
  }

  /**
   * Refuses a registration by an instance key that would act for anything but its own instance:
   * another cluster, another instance's ARN, or a machine identity another instance carries (which
   * would let it take that instance over by re-registering).
   */
  private void checkOwnRegistration(
      State state,
      Principal.Instance self,
      Cluster cluster,
      String requestedArn,
      String givenInstanceId) {
    String own = self.containerInstanceArn();
    if (!cluster.arn().equals(self.key().clusterArn())) {
      throw EcsApi.accessDenied(self, "ecs:RegisterContainerInstance", cluster.arn());
    }
    if (requestedArn != null) {
      String named =
          requestedArn.startsWith("arn:")
              ? requestedArn
              : lookup.arns().containerInstance(cluster.name(), requestedArn);
      if (!named.equals(own)) {
        throw EcsApi.accessDenied(self, "ecs:RegisterContainerInstance", named);
      }
    }
    ContainerInstance current = state.containerInstances().get(own);
    if (current != null && current.status().isTerminal()) {
      throw EcsApi.accessDenied(self, "ecs:RegisterContainerInstance", own);
    }
    if (givenInstanceId != null) {
      Optional<ContainerInstance> carrier = identities.find(state, cluster, givenInstanceId);
      if (carrier.isPresent() && !carrier.get().arn().equals(own)) {
        throw EcsApi.accessDenied(self, "ecs:RegisterContainerInstance", carrier.get().arn());
      }
      if (current != null && !givenInstanceId.equals(current.ec2InstanceId())) {
        throw WharfException.invalidParameter(
            "The container instance "
                + own
                + " registered as "
                + current.ec2InstanceId()
                + "; it cannot register again as "
                + givenInstanceId
                + ".");
      }
    }
  }

  private JsonNode describe(Operation.Caller caller, JsonNode request) {
    List<String> refs = Wire.stringList(request, "containerInstances");
    if (refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "containerInstances can name at most "
              + MAX_DESCRIBE
              + "; it named "
              + refs.size()
              + ".");
    }
    boolean tags = Wire.stringList(request, "include").contains("TAGS");
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    ArrayNode found = Wire.array();
    ArrayNode failures = Wire.array();
    for (String ref : refs) {
      lookup
          .containerInstance(state, cluster, ref)
          .ifPresentOrElse(
              i -> found.add(toWire(state, i, tags)),
              () ->
                  failures.add(
                      Wire.failure(
                          ref.startsWith("arn:")
                              ? ref
                              : lookup.arns().containerInstance(cluster.name(), ref),
                          "MISSING",
                          null)));
    }
    ObjectNode out = Wire.object();
    out.set("containerInstances", found);
    out.set("failures", failures);
    return out;
  }

  private JsonNode list(Operation.Caller caller, JsonNode request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    ClusterQuery filter = null;
    if (request.hasNonNull("filter")) {
      try {
        filter = ClusterQuery.parse(request.get("filter").asText());
      } catch (PlacementException e) {
        throw WharfException.invalidParameter(e.getMessage());
      }
    }
    String status = Wire.text(request, "status", null);
    List<String> arns = new ArrayList<>();
    for (ContainerInstance i : state.containerInstances().values()) {
      boolean statusMatches =
          status == null
              ? i.status() != ContainerInstanceStatus.INACTIVE
              : i.status().name().equals(status);
      if (i.clusterArn().equals(cluster.arn())
          && statusMatches
          && (filter == null || filter.matches(views.of(state, i)))) {
        arns.add(i.arn());
      }
    }
    Page page = Page.of(arns, request, 100);
    ObjectNode out = Wire.object();
    out.set("containerInstanceArns", Wire.strings(page.items()));
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    return out;
  }

  private JsonNode deregister(Operation.Caller caller, JsonNode request) {
    String clusterRef = Wire.text(request, "cluster", null);
    String ref = request.path("containerInstance").asText();
    boolean force = Wire.bool(request, "force", false);
    ContainerInstance gone =
        states.execute(
            tx -> {
              Cluster cluster = lookup.activeCluster(tx.state(), clusterRef);
              ContainerInstance i =
                  lookup
                      .containerInstance(tx.state(), cluster, ref)
                      .filter(ci -> !ci.status().isTerminal())
                      .orElseThrow(
                          () ->
                              WharfException.invalidParameter(
                                  "The referenced container instance "
                                      + ref
                                      + " is not registered in the cluster."));
              Remaining held = Remaining.of(tx.state(), i);
              if (!force && held.running() + held.pending() > 0) {
                throw WharfException.invalidParameter(
                    "The container instance "
                        + i.arn()
                        + " has tasks running; deregister it with force to"
                        + " leave them running unmanaged, or stop them first.");
              }
              ContainerInstance next =
                  i.withStatus(ContainerInstanceStatus.INACTIVE).withRevision(tx.revision());
              tx.apply(new Change.ContainerInstancePut(next));
              // Its key goes with it: the agent can no longer act for the instance.
              tx.state()
                  .identities()
                  .keyOf(i.arn())
                  .ifPresent(k -> tx.apply(new Change.InstanceKeyRemoved(k.accessKeyId())));
              return next;
            });
    // The key is gone from the committed state, so a reconnect is refused; close what is open.
    gateway.revoke(gone.arn());
    return Wire.object().set("containerInstance", toWire(states.current(), gone, false));
  }

  private JsonNode updateState(Operation.Caller caller, JsonNode request) {
    String clusterRef = Wire.text(request, "cluster", null);
    List<String> refs = Wire.stringList(request, "containerInstances");
    if (refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "containerInstances can name at most "
              + MAX_DESCRIBE
              + "; it named "
              + refs.size()
              + ".");
    }
    // The model allows REGISTERING and others too, which only ECS itself sets.
    String statusName = Wire.text(request, "status", "");
    ContainerInstanceStatus status =
        statusName.equals("DRAINING")
            ? ContainerInstanceStatus.DRAINING
            : statusName.equals("ACTIVE") ? ContainerInstanceStatus.ACTIVE : null;
    if (status == null) {
      throw WharfException.invalidParameter(
          "status must be ACTIVE or DRAINING; it was '" + statusName + "'.");
    }
    record Outcome(List<ContainerInstance> updated, List<String> missing) {}
    Outcome outcome =
        states.execute(
            tx -> {
              Cluster cluster = lookup.activeCluster(tx.state(), clusterRef);
              List<ContainerInstance> updated = new ArrayList<>();
              List<String> missing = new ArrayList<>();
              for (String ref : refs) {
                Optional<ContainerInstance> found =
                    lookup
                        .containerInstance(tx.state(), cluster, ref)
                        .filter(i -> !i.status().isTerminal());
                if (found.isEmpty()) {
                  missing.add(
                      ref.startsWith("arn:")
                          ? ref
                          : lookup.arns().containerInstance(cluster.name(), ref));
                  continue;
                }
                ContainerInstance next = found.get();
                if (next.status() != status) {
                  next = next.withStatus(status).withRevision(tx.revision());
                  tx.apply(new Change.ContainerInstancePut(next));
                }
                updated.add(next);
              }
              return new Outcome(updated, missing);
            });
    State state = states.current();
    ObjectNode out = Wire.object();
    ArrayNode instances = out.putArray("containerInstances");
    outcome.updated().forEach(i -> instances.add(toWire(state, i, false)));
    ArrayNode failures = out.putArray("failures");
    outcome.missing().forEach(arn -> failures.add(Wire.failure(arn, "MISSING", null)));
    return out;
  }

  private JsonNode putAttributes(Operation.Caller caller, JsonNode request) {
    return editAttributes(
        request,
        (target, a) -> {
          Attribute attribute = new Attribute(a.path("name").asText(), Wire.text(a, "value", null));
          checkCustomAttribute(attribute);
          List<Attribute> merged = mergeAttributes(target.attributes(), List.of(attribute));
          long custom = merged.stream().filter(x -> !isBuiltIn(x.name())).count();
          if (custom > MAX_CUSTOM_ATTRIBUTES) {
            throw new WharfException(
                ErrorCode.ATTRIBUTE_LIMIT_EXCEEDED,
                "You can have at most "
                    + MAX_CUSTOM_ATTRIBUTES
                    + " custom attributes per resource; "
                    + target.arn()
                    + " would have "
                    + custom
                    + ".");
          }
          return merged;
        });
  }

  private JsonNode deleteAttributes(Operation.Caller caller, JsonNode request) {
    return editAttributes(
        request,
        (target, a) -> {
          String name = a.path("name").asText();
          return target.attributes().stream().filter(x -> !x.name().equals(name)).toList();
        });
  }

  /**
   * Applies {@code edit} for each attribute of the request to its target instance, all in one
   * command: a refused attribute leaves every instance as it was. Answers the attributes as given.
   */
  private JsonNode editAttributes(
      JsonNode request,
      java.util.function.BiFunction<ContainerInstance, JsonNode, List<Attribute>> edit) {
    String clusterRef = Wire.text(request, "cluster", null);
    List<JsonNode> given = new ArrayList<>();
    request.path("attributes").forEach(given::add);
    states.execute(
        tx -> {
          Cluster cluster = lookup.activeCluster(tx.state(), clusterRef);
          Map<String, ContainerInstance> changed = new LinkedHashMap<>();
          for (JsonNode a : given) {
            ContainerInstance target = target(tx.state(), cluster, a, changed);
            changed.put(
                target.arn(),
                target.withAttributes(edit.apply(target, a)).withRevision(tx.revision()));
          }
          changed.values().forEach(i -> tx.apply(new Change.ContainerInstancePut(i)));
          return null;
        });
    return Wire.object().set("attributes", request.path("attributes"));
  }

  private JsonNode listAttributes(Operation.Caller caller, JsonNode request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, Wire.text(request, "cluster", null));
    String name = Wire.text(request, "attributeName", null);
    String value = Wire.text(request, "attributeValue", null);
    if (value != null && name == null) {
      throw WharfException.invalidParameter(
          "attributeValue can only be given together with attributeName.");
    }
    // Keys: instance ARN, then attribute name; the token resumes after the last pair returned.
    Map<String, ObjectNode> byKey = new java.util.TreeMap<>();
    for (ContainerInstance i : state.containerInstances().values()) {
      if (!i.clusterArn().equals(cluster.arn()) || i.status().isTerminal()) {
        continue;
      }
      for (Attribute a : i.attributes()) {
        if ((name == null || name.equals(a.name())) && (value == null || value.equals(a.value()))) {
          ObjectNode out = Wire.object().put("name", a.name());
          if (a.value() != null) {
            out.put("value", a.value());
          }
          out.put("targetType", "container-instance").put("targetId", i.arn());
          byKey.put(i.arn() + "\u0000" + a.name(), out);
        }
      }
    }
    Page page = Page.of(List.copyOf(byKey.keySet()), request, 100);
    ArrayNode attributes = Wire.array();
    page.items().forEach(k -> attributes.add(byKey.get(k)));
    ObjectNode out = Wire.object();
    out.set("attributes", attributes);
    if (page.nextToken() != null) {
      out.put("nextToken", page.nextToken());
    }
    return out;
  }

  /** The container instance an attribute targets (as changed earlier in the same request). */
  private ContainerInstance target(
      State state, Cluster cluster, JsonNode attribute, Map<String, ContainerInstance> changed) {
    String type = Wire.text(attribute, "targetType", "container-instance");
    String id = Wire.text(attribute, "targetId", null);
    if (id == null) {
      throw WharfException.invalidParameter(
          "Attribute '"
              + attribute.path("name").asText()
              + "' needs a targetId (a container instance ID or ARN).");
    }
    if (!type.equals("container-instance")) {
      throw WharfException.invalidParameter("targetType must be container-instance.");
    }
    ContainerInstance found =
        lookup
            .containerInstance(state, cluster, id)
            .filter(i -> !i.status().isTerminal())
            .orElseThrow(
                () -> new WharfException(ErrorCode.TARGET_NOT_FOUND, "Could not find " + id + "."));
    return changed.getOrDefault(found.arn(), found);
  }

  private static final java.util.regex.Pattern ATTRIBUTE_NAME =
      java.util.regex.Pattern.compile("[a-zA-Z0-9_./-]{1,128}");
  private static final java.util.regex.Pattern ATTRIBUTE_VALUE =
      java.util.regex.Pattern.compile("[a-zA-Z0-9_.@/\\\\: -]{1,128}");

  private static void checkCustomAttribute(Attribute a) {
    if (!ATTRIBUTE_NAME.matcher(a.name()).matches()) {
      throw WharfException.invalidParameter(
          "Attribute names have 1-128 letters, numbers, hyphens, underscores, periods and slashes: '"
              + a.name()
              + "'.");
    }
    if (isBuiltIn(a.name())) {
      throw WharfException.invalidParameter(
          "Attribute names beginning with 'ecs.' are reserved: '" + a.name() + "'.");
    }
    if (a.value() != null && !ATTRIBUTE_VALUE.matcher(a.value()).matches()) {
      throw WharfException.invalidParameter(
          "Attribute values have 1-128 letters, numbers, hyphens, underscores, periods, at signs, slashes,"
              + " backslashes, colons and spaces: '"
              + a.value()
              + "'.");
    }
  }

  private static boolean isBuiltIn(String name) {
    return name.startsWith("ecs.") || name.startsWith("com.amazonaws.ecs.");
  }

  private static List<Attribute> mergeAttributes(List<Attribute> existing, List<Attribute> added) {
    Map<String, Attribute> byName = new LinkedHashMap<>();
    existing.forEach(a -> byName.put(a.name(), a));
    added.forEach(a -> byName.put(a.name(), a));
    return new ArrayList<>(byName.values());
  }

  /** A member of the instance identity document (instanceId, privateIp), or null. */
  private String identityField(String identityDocument, String member) {
    if (identityDocument != null) {
      try {
        JsonNode doc = Wire.JSON.readTree(identityDocument);
        if (doc.hasNonNull(member)) {
          return doc.get(member).asText();
        }
      } catch (IOException e) {
        throw WharfException.invalidParameter("instanceIdentityDocument is not valid JSON.");
      }
    }
    return null;
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static List<Resource> readResources(JsonNode resources) {
    List<Resource> out = new ArrayList<>();
    if (resources == null) {
      return out;
    }
    for (JsonNode r : resources) {
      String name = r.path("name").asText();
      String type = Wire.text(r, "type", r.has("stringSetValue") ? "STRINGSET" : "INTEGER");
      if (type.equals("STRINGSET")) {
        out.add(Resource.stringSet(name, Wire.stringList(r, "stringSetValue")));
      } else {
        long value =
            r.has("integerValue") ? r.get("integerValue").asLong() : r.path("longValue").asLong(0);
        out.add(new Resource(name, type, value, List.of()));
      }
    }
    return out;
  }

  private static List<Attribute> readAttributes(JsonNode attributes) {
    List<Attribute> out = new ArrayList<>();
    if (attributes != null) {
      attributes.forEach(
          a -> out.add(new Attribute(a.path("name").asText(), Wire.text(a, "value", null))));
    }
    return mergeAttributes(List.of(), out);
  }

  private static final Set<String> INTEGER_TYPES = Set.of("INTEGER", "LONG", "DOUBLE");

  ObjectNode toWire(State state, ContainerInstance i, boolean includeTags) {
    Remaining left = Remaining.of(state, i);
    ObjectNode out = Wire.object();
    out.put("containerInstanceArn", i.arn());
    out.put("ec2InstanceId", i.ec2InstanceId());
    out.put("version", i.revision());
    if (i.versionInfo() != null) {
      out.set("versionInfo", Wire.parse(i.versionInfo()));
    }
    ArrayNode registered = out.putArray("registeredResources");
    ArrayNode remaining = out.putArray("remainingResources");
    for (Resource r : i.registeredResources()) {
      registered.add(resourceToWire(r));
      remaining.add(resourceToWire(remainingOf(r, left)));
    }
    out.put("status", i.status().name());
    out.put("agentConnected", !i.status().isTerminal() && gateway.isConnected(i.arn()));
    out.put("runningTasksCount", left.running());
    out.put("pendingTasksCount", left.pending());
    ArrayNode attributes = out.putArray("attributes");
    for (Attribute a : i.attributes()) {
      ObjectNode node = attributes.addObject().put("name", a.name());
      if (a.value() != null) {
        node.put("value", a.value());
      }
    }
    out.set("registeredAt", Wire.timestamp(i.registeredAt()));
    out.putArray("attachments");
    if (includeTags) {
      out.set("tags", Wire.tags(i.tags()));
    }
    return out;
  }

  /**
   * A registered resource less what tasks hold: CPU and MEMORY decrease, PORTS gain the tasks'
   * ports.
   */
  private static Resource remainingOf(Resource r, Remaining left) {
    return switch (r.name()) {
      case "CPU" -> new Resource(r.name(), r.type(), left.cpu(), List.of());
      case "MEMORY" -> new Resource(r.name(), r.type(), left.memory(), List.of());
      case "PORTS", "PORTS_UDP" -> {
        String protocol = r.name().equals("PORTS") ? "tcp:" : "udp:";
        List<String> ports = new ArrayList<>();
        left.ports().stream()
            .filter(p -> p.startsWith(protocol))
            .map(p -> p.substring(4))
            .sorted()
            .forEach(ports::add);
        yield Resource.stringSet(r.name(), ports);
      }
      default -> r;
    };
  }

  private static ObjectNode resourceToWire(Resource r) {
    ObjectNode out = Wire.object().put("name", r.name()).put("type", r.type());
    if (INTEGER_TYPES.contains(r.type())) {
      out.put("doubleValue", 0.0).put("longValue", 0).put("integerValue", r.integerValue());
    } else {
      out.set("stringSetValue", Wire.strings(r.stringSetValue()));
    }
    return out;
  }
}
