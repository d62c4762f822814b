package io.wharf.ecs.api;

import io.wharf.core.api.Page;
import io.wharf.core.auth.AccessDenied;
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
import io.wharf.model.Document;
import io.wharf.model.ErrorCode;
import io.wharf.model.Resource;
import io.wharf.model.Tag;
import io.wharf.model.WharfException;
import io.wharf.scheduler.ClusterQuery;
import io.wharf.scheduler.PlacementException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
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

  /** The one target type of attributes (the model's TargetType), and the default. */
  private static final String CONTAINER_INSTANCE_TARGET = "container-instance";

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
    ops.put(
        "RegisterContainerInstance",
        Typed.of(RegisterContainerInstanceRequest.class, this::registerInstance));
    ops.put(
        "DescribeContainerInstances",
        Typed.of(DescribeContainerInstancesRequest.class, this::describe));
    ops.put("ListContainerInstances", Typed.of(ListContainerInstancesRequest.class, this::list));
    ops.put(
        "DeregisterContainerInstance",
        Typed.of(DeregisterContainerInstanceRequest.class, this::deregister));
    ops.put(
        "UpdateContainerInstancesState",
        Typed.of(UpdateContainerInstancesStateRequest.class, this::updateState));
    ops.put("PutAttributes", Typed.of(PutAttributesRequest.class, this::putAttributes));
    ops.put("DeleteAttributes", Typed.of(DeleteAttributesRequest.class, this::deleteAttributes));
    ops.put("ListAttributes", Typed.of(ListAttributesRequest.class, this::listAttributes));
  }

  /** ECS's {@code ContainerInstance}. */
  record ContainerInstanceView(
      String containerInstanceArn,
      String ec2InstanceId,
      Long version,
      Document versionInfo,
      List<ResourceView> remainingResources,
      List<ResourceView> registeredResources,
      ContainerInstanceStatus status,
      Boolean agentConnected,
      Integer runningTasksCount,
      Integer pendingTasksCount,
      List<AttributeView> attributes,
      Instant registeredAt,
      List<AttachmentView> attachments,
      List<Tag> tags) {
    ContainerInstanceView withAttributes(List<AttributeView> newAttributes) {
      return new ContainerInstanceView(
          containerInstanceArn,
          ec2InstanceId,
          version,
          versionInfo,
          remainingResources,
          registeredResources,
          status,
          agentConnected,
          runningTasksCount,
          pendingTasksCount,
          newAttributes,
          registeredAt,
          attachments,
          tags);
    }
  }

  /**
   * ECS's {@code Resource}, as registered by an agent and as reported: integer resources carry
   * their value in {@code integerValue}, string sets in {@code stringSetValue}.
   */
  record ResourceView(
      String name,
      String type,
      Double doubleValue,
      Long longValue,
      Integer integerValue,
      List<String> stringSetValue) {}

  /**
   * ECS's {@code Attribute}: on a container instance only {@code name} and {@code value}; in the
   * attribute operations also what it targets.
   */
  record AttributeView(String name, String value, String targetType, String targetId) {
    static AttributeView of(Attribute a) {
      return new AttributeView(a.name(), a.value(), null, null);
    }
  }

  /** ECS's {@code Attachment}; Wharf's container instances have none (no trunk ENIs). */
  record AttachmentView(String id, String type, String status) {}

  record RegisterContainerInstanceRequest(
      String cluster,
      String instanceIdentityDocument,
      List<ResourceView> totalResources,
      Document versionInfo,
      String containerInstanceArn,
      List<AttributeView> attributes,
      List<Tag> tags) {}

  record RegisterContainerInstanceResponse(ContainerInstanceView containerInstance) {}

  record DescribeContainerInstancesRequest(
      String cluster, List<String> containerInstances, List<String> include) {}

  record DescribeContainerInstancesResponse(
      List<ContainerInstanceView> containerInstances, List<Failure> failures) {}

  record ListContainerInstancesRequest(
      String cluster,
      String filter,
      String nextToken,
      Integer maxResults,
      ContainerInstanceStatus status) {}

  record ListContainerInstancesResponse(List<String> containerInstanceArns, String nextToken) {}

  record DeregisterContainerInstanceRequest(
      String cluster, String containerInstance, Boolean force) {}

  record DeregisterContainerInstanceResponse(ContainerInstanceView containerInstance) {}

  record UpdateContainerInstancesStateRequest(
      String cluster, List<String> containerInstances, ContainerInstanceStatus status) {}

  record UpdateContainerInstancesStateResponse(
      List<ContainerInstanceView> containerInstances, List<Failure> failures) {}

  record PutAttributesRequest(String cluster, List<AttributeView> attributes) {}

  record PutAttributesResponse(List<AttributeView> attributes) {}

  record DeleteAttributesRequest(String cluster, List<AttributeView> attributes) {}

  record DeleteAttributesResponse(List<AttributeView> attributes) {}

  record ListAttributesRequest(
      String cluster,
      String attributeName,
      String attributeValue,
      String nextToken,
      Integer maxResults) {}

  record ListAttributesResponse(List<AttributeView> attributes, String nextToken) {}

  private RegisterContainerInstanceResponse registerInstance(
      Operation.Caller caller, RegisterContainerInstanceRequest request) {
    String clusterRef = request.cluster();
    IdentityDocument identity = IdentityDocument.parse(request.instanceIdentityDocument());
    String givenInstanceId = identity.instanceId();
    String privateIp = identity.privateIp();
    List<Resource> resources = readResources(request.totalResources());
    List<Attribute> attributes = readAttributes(request.attributes());
    List<Tag> tags = Wire.readTags(request.tags());
    Wire.mergeTags(List.of(), tags);
    String requestedArn = request.containerInstanceArn();
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
                      request.versionInfo(),
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
    ContainerInstanceView view = view(states.current(), registered, false);
    // The epoch rides in the answer's attributes, which every AWS client already parses as a
    // list of name/value pairs and passes through: a field or header of Wharf's own would need an
    // operation that can set headers, and the agent reads the attributes anyway. It is not stored
    // among the instance's attributes, so it counts against no limit and DescribeContainerInstances
    // shows what ECS shows.
    List<AttributeView> withEpoch = new ArrayList<>(view.attributes());
    withEpoch.add(
        new AttributeView(
            EPOCH_ATTRIBUTE, Long.toString(registered.registrationEpoch()), null, null));
    return new RegisterContainerInstanceResponse(view.withAttributes(withEpoch));
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
      throw AccessDenied.of(self, "ecs:RegisterContainerInstance", cluster.arn());
    }
    if (requestedArn != null) {
      String named =
          requestedArn.startsWith("arn:")
              ? requestedArn
              : lookup.arns().containerInstance(cluster.name(), requestedArn);
      if (!named.equals(own)) {
        throw AccessDenied.of(self, "ecs:RegisterContainerInstance", named);
      }
    }
    ContainerInstance current = state.containerInstances().get(own);
    if (current != null && current.status().isTerminal()) {
      throw AccessDenied.of(self, "ecs:RegisterContainerInstance", own);
    }
    if (givenInstanceId != null) {
      Optional<ContainerInstance> carrier = identities.find(state, cluster, givenInstanceId);
      if (carrier.isPresent() && !carrier.get().arn().equals(own)) {
        throw AccessDenied.of(self, "ecs:RegisterContainerInstance", carrier.get().arn());
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

  private DescribeContainerInstancesResponse describe(
      Operation.Caller caller, DescribeContainerInstancesRequest request) {
    List<String> refs =
        request.containerInstances() == null ? List.of() : request.containerInstances();
    if (refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "containerInstances can name at most "
              + MAX_DESCRIBE
              + "; it named "
              + refs.size()
              + ".");
    }
    boolean tags = request.include() != null && request.include().contains("TAGS");
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    List<ContainerInstanceView> found = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    for (String ref : refs) {
      lookup
          .containerInstance(state, cluster, ref)
          .ifPresentOrElse(
              i -> found.add(view(state, i, tags)),
              () ->
                  failures.add(
                      new Failure(
                          ref.startsWith("arn:")
                              ? ref
                              : lookup.arns().containerInstance(cluster.name(), ref),
                          "MISSING",
                          null)));
    }
    return new DescribeContainerInstancesResponse(found, failures);
  }

  private ListContainerInstancesResponse list(
      Operation.Caller caller, ListContainerInstancesRequest request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    ClusterQuery filter = null;
    if (request.filter() != null) {
      try {
        filter = ClusterQuery.parse(request.filter());
      } catch (PlacementException e) {
        throw WharfException.invalidParameter(e.getMessage());
      }
    }
    ContainerInstanceStatus status = request.status();
    List<String> arns = new ArrayList<>();
    for (ContainerInstance i : state.containerInstances().values()) {
      boolean statusMatches =
          status == null ? i.status() != ContainerInstanceStatus.INACTIVE : i.status() == status;
      if (i.clusterArn().equals(cluster.arn())
          && statusMatches
          && (filter == null || filter.matches(views.of(state, i)))) {
        arns.add(i.arn());
      }
    }
    Page page =
        Page.of(arns, Comparator.naturalOrder(), request.nextToken(), request.maxResults(), 100);
    return new ListContainerInstancesResponse(page.items(), page.nextToken());
  }

  private DeregisterContainerInstanceResponse deregister(
      Operation.Caller caller, DeregisterContainerInstanceRequest request) {
    String clusterRef = request.cluster();
    String ref = request.containerInstance();
    boolean force = Boolean.TRUE.equals(request.force());
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
    return new DeregisterContainerInstanceResponse(view(states.current(), gone, false));
  }

  private UpdateContainerInstancesStateResponse updateState(
      Operation.Caller caller, UpdateContainerInstancesStateRequest request) {
    String clusterRef = request.cluster();
    List<String> refs =
        request.containerInstances() == null ? List.of() : request.containerInstances();
    if (refs.size() > MAX_DESCRIBE) {
      throw WharfException.invalidParameter(
          "containerInstances can name at most "
              + MAX_DESCRIBE
              + "; it named "
              + refs.size()
              + ".");
    }
    // The model allows REGISTERING and others too, which only ECS itself sets.
    ContainerInstanceStatus status = request.status();
    if (status != ContainerInstanceStatus.DRAINING && status != ContainerInstanceStatus.ACTIVE) {
      throw WharfException.invalidParameter(
          "status must be ACTIVE or DRAINING; it was '"
              + (status == null ? "" : status.toString())
              + "'.");
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
    return new UpdateContainerInstancesStateResponse(
        outcome.updated().stream().map(i -> view(state, i, false)).toList(),
        outcome.missing().stream().map(arn -> new Failure(arn, "MISSING", null)).toList());
  }

  private PutAttributesResponse putAttributes(
      Operation.Caller caller, PutAttributesRequest request) {
    editAttributes(
        request.cluster(),
        request.attributes(),
        (target, a) -> {
          Attribute attribute = new Attribute(a.name(), a.value());
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
    return new PutAttributesResponse(request.attributes());
  }

  private DeleteAttributesResponse deleteAttributes(
      Operation.Caller caller, DeleteAttributesRequest request) {
    editAttributes(
        request.cluster(),
        request.attributes(),
        (target, a) ->
            target.attributes().stream().filter(x -> !x.name().equals(a.name())).toList());
    return new DeleteAttributesResponse(request.attributes());
  }

  /**
   * Applies {@code edit} for each attribute given to its target instance, all in one command: a
   * refused attribute leaves every instance as it was. The operations answer the attributes as
   * given.
   */
  private void editAttributes(
      String clusterRef,
      List<AttributeView> given,
      BiFunction<ContainerInstance, AttributeView, List<Attribute>> edit) {
    List<AttributeView> attributes = given == null ? List.of() : given;
    states.execute(
        tx -> {
          Cluster cluster = lookup.activeCluster(tx.state(), clusterRef);
          Map<String, ContainerInstance> changed = new LinkedHashMap<>();
          for (AttributeView a : attributes) {
            ContainerInstance target = target(tx.state(), cluster, a, changed);
            changed.put(
                target.arn(),
                target.withAttributes(edit.apply(target, a)).withRevision(tx.revision()));
          }
          changed.values().forEach(i -> tx.apply(new Change.ContainerInstancePut(i)));
          return null;
        });
  }

  private ListAttributesResponse listAttributes(
      Operation.Caller caller, ListAttributesRequest request) {
    State state = states.current();
    Cluster cluster = lookup.activeCluster(state, request.cluster());
    String name = request.attributeName();
    String value = request.attributeValue();
    if (value != null && name == null) {
      throw WharfException.invalidParameter(
          "attributeValue can only be given together with attributeName.");
    }
    // Keys: instance ARN, then attribute name; the token resumes after the last pair returned.
    Map<String, AttributeView> byKey = new TreeMap<>();
    for (ContainerInstance i : state.containerInstances().values()) {
      if (!i.clusterArn().equals(cluster.arn()) || i.status().isTerminal()) {
        continue;
      }
      for (Attribute a : i.attributes()) {
        if ((name == null || name.equals(a.name())) && (value == null || value.equals(a.value()))) {
          byKey.put(
              i.arn() + "\u0000" + a.name(),
              new AttributeView(a.name(), a.value(), CONTAINER_INSTANCE_TARGET, i.arn()));
        }
      }
    }
    Page page =
        Page.of(
            List.copyOf(byKey.keySet()),
            Comparator.naturalOrder(),
            request.nextToken(),
            request.maxResults(),
            100);
    return new ListAttributesResponse(
        page.items().stream().map(byKey::get).toList(), page.nextToken());
  }

  /** The container instance an attribute targets (as changed earlier in the same request). */
  private ContainerInstance target(
      State state,
      Cluster cluster,
      AttributeView attribute,
      Map<String, ContainerInstance> changed) {
    String type =
        attribute.targetType() == null ? CONTAINER_INSTANCE_TARGET : attribute.targetType();
    String id = attribute.targetId();
    if (id == null) {
      throw WharfException.invalidParameter(
          "Attribute '"
              + attribute.name()
              + "' needs a targetId (a container instance ID or ARN).");
    }
    if (!type.equals(CONTAINER_INSTANCE_TARGET)) {
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

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static List<Resource> readResources(List<ResourceView> resources) {
    List<Resource> out = new ArrayList<>();
    if (resources == null) {
      return out;
    }
    for (ResourceView r : resources) {
      String name = r.name() == null ? "" : r.name();
      String type =
          r.type() != null ? r.type() : r.stringSetValue() != null ? "STRINGSET" : "INTEGER";
      if (type.equals("STRINGSET")) {
        out.add(
            Resource.stringSet(name, r.stringSetValue() == null ? List.of() : r.stringSetValue()));
      } else {
        long value =
            r.integerValue() != null ? r.integerValue() : r.longValue() != null ? r.longValue() : 0;
        out.add(new Resource(name, type, value, List.of()));
      }
    }
    return out;
  }

  private static List<Attribute> readAttributes(List<AttributeView> attributes) {
    List<Attribute> out = new ArrayList<>();
    if (attributes != null) {
      attributes.forEach(a -> out.add(new Attribute(a.name(), a.value())));
    }
    return mergeAttributes(List.of(), out);
  }

  private static final Set<String> INTEGER_TYPES = Set.of("INTEGER", "LONG", "DOUBLE");

  ContainerInstanceView view(State state, ContainerInstance i, boolean includeTags) {
    Remaining left = Remaining.of(state, i);
    List<ResourceView> registered = new ArrayList<>();
    List<ResourceView> remaining = new ArrayList<>();
    for (Resource r : i.registeredResources()) {
      registered.add(resourceView(r));
      remaining.add(resourceView(remainingOf(r, left)));
    }
    return new ContainerInstanceView(
        i.arn(),
        i.ec2InstanceId(),
        i.revision(),
        i.versionInfo(),
        remaining,
        registered,
        i.status(),
        !i.status().isTerminal() && gateway.isConnected(i.arn()),
        left.running(),
        left.pending(),
        i.attributes().stream().map(AttributeView::of).toList(),
        i.registeredAt(),
        List.of(),
        includeTags ? i.tags() : null);
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

  private static ResourceView resourceView(Resource r) {
    if (INTEGER_TYPES.contains(r.type())) {
      // ECS fills in all three numbers of an integer resource; the value is in integerValue, an
      // Integer in the model (a value beyond its range, which no real machine registers, is
      // clamped rather than failing every answer that shows the instance).
      return new ResourceView(
          r.name(),
          r.type(),
          0.0,
          0L,
          Math.clamp(r.integerValue(), Integer.MIN_VALUE, Integer.MAX_VALUE),
          null);
    }
    return new ResourceView(r.name(), r.type(), null, null, null, r.stringSetValue());
  }
}
