package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.auth.AccessDenied;
import io.wharf.core.auth.Caller;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.ecs.launch.InstanceViews;
import io.wharf.ecs.launch.Launcher;
import io.wharf.ecs.service.ServiceController;
import io.wharf.elb.targets.TargetHealthView;
import io.wharf.model.ResourceArn;
import io.wharf.model.WharfException;
import io.wharf.protocol.AwsService;
import io.wharf.protocol.Endpoint;
import io.wharf.protocol.Operations;
import io.wharf.protocol.ServiceModel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The ECS API as an AWS service on Wharf's endpoint: its model, its operations (typed, bound by the
 * protocol layer), and who may call what. The protocol layer ({@link Endpoint}) parses, checks the
 * request against the model and renders the answer; the operations hold ECS's rules.
 *
 * <pre>
 *  Endpoint ─▶ guard (admin, or an instance key on the agent-facing operations) ─▶ model check
 *      ─▶ fencing (a stale registration epoch) ─▶ the operation (StateMachine) ─▶ Endpoint
 * </pre>
 *
 * <p>Threading: {@link #invoke} is called concurrently from request threads; operations read
 * immutable snapshots and send writes through the single-writer {@link StateMachine}.
 */
public final class EcsApi implements AwsService<Caller> {
  private final ServiceModel model;
  private final Operations<Caller> operations;
  private final Endpoint<Caller> inProcess;
  private final ServiceController services;
  private final JoinOperations joins;
  private final StateMachine states;

  /**
   * What a container instance's key may call (each only for its own instance); everything else is
   * the admin's.
   */
  static final Set<String> AGENT_OPERATIONS =
      Set.of(
          "RegisterContainerInstance",
          "DiscoverPollEndpoint",
          "SubmitTaskStateChange",
          "SubmitContainerStateChange");

  /**
   * The agent-facing operations a stale registration epoch may not call (registering again is how a
   * process gets the newest epoch, so RegisterContainerInstance is not among them).
   */
  static final Set<String> FENCED_OPERATIONS =
      Set.of("DiscoverPollEndpoint", "SubmitTaskStateChange", "SubmitContainerStateChange");

  public EcsApi(
      StateMachine states,
      ResourceArn.Builder arns,
      ServiceModel model,
      RandomGenerator random,
      AgentGateway gateway,
      String endpoint,
      TargetHealthView targetHealth,
      Runnable balancingChanged,
      ServiceController.Settings serviceSettings) {
    this.model = model;
    this.states = states;
    Map<String, Operation> operations = new HashMap<>();
    Lookup lookup = new Lookup(arns);
    new ClusterOperations(states, lookup).register(operations);
    new TaskDefinitionOperations(states, lookup).register(operations);
    new TagOperations(states, lookup).register(operations);
    new AccountSettingOperations(states, lookup).register(operations);
    InstanceViews views = new InstanceViews(gateway);
    // Placement draws from it on request threads, ids on the writer's: share it safely.
    random = new SynchronizedRandom(random);
    new ContainerInstanceOperations(states, lookup, random, gateway, views).register(operations);
    Launcher launcher = new Launcher(arns, views, random);
    this.services =
        new ServiceController(
            states, gateway, launcher, targetHealth, balancingChanged, serviceSettings);
    new TaskOperations(states, lookup, gateway, launcher, endpoint, services).register(operations);
    new ServiceOperations(states, lookup, random, services).register(operations);
    this.joins = new JoinOperations(states, lookup);
    Operations.Builder<Caller> builder = Operations.<Caller>builder(model).guard(EcsApi::authorize);
    operations.forEach((name, op) -> register(builder, name, op));
    this.operations = builder.build();
    this.inProcess = new Endpoint<>(List.of(this));
  }

  /**
   * Registers an operation with the protocol layer on the checked request tree: ECS's typed
   * operations ({@link Typed}) bind it to their records with ECS's binding, whose rules for ECS's
   * members (tags, documents, case) their tests pin; moving them onto the protocol layer's own
   * binding is the next step.
   */
  private void register(Operations.Builder<Caller> builder, String name, Operation op) {
    if (op instanceof Typed.Op<?, ?> typed) {
      registerTyped(builder, name, typed);
    } else {
      builder.add(name, JsonNode.class, (caller, input) -> op.invoke(fenced(name, caller), input));
    }
  }

  private <I, O> void registerTyped(
      Operations.Builder<Caller> builder, String name, Typed.Op<I, O> typed) {
    builder.add(
        name,
        typed.input(),
        (caller, input) -> typed.handler().handle(fenced(name, caller), input));
  }

  /**
   * Only the admin calls ECS, except that a container instance's key reaches the agent-facing
   * operations (each acts only for that instance); a join token reaches none of them.
   */
  private static void authorize(Caller caller, String operation, Operations.RequestView request) {
    Principal principal = caller.principal();
    if (!(principal instanceof Principal.Admin)
        && !(principal instanceof Principal.Instance && AGENT_OPERATIONS.contains(operation))) {
      throw AccessDenied.of(principal, "ecs:" + operation, request.text("cluster").orElse("*"));
    }
  }

  /**
   * The caller as ECS's operations take it, once an instance key's call with a registration epoch
   * older than its instance's has been refused.
   */
  private Operation.Caller fenced(String operation, Caller caller) {
    if (caller.principal() instanceof Principal.Instance self
        && FENCED_OPERATIONS.contains(operation)) {
      RegistrationEpochs.check(
          caller.registrationEpoch(),
          states.current().containerInstances().get(self.containerInstanceArn()));
    }
    return new Operation.Caller(caller.accessKeyId(), caller.principal().arn(), caller.principal());
  }

  /** A generator safe to share between threads; the wrapped one need not be. */
  private static final class SynchronizedRandom implements RandomGenerator {
    private final RandomGenerator delegate;

    SynchronizedRandom(RandomGenerator delegate) {
      this.delegate = delegate;
    }

    @Override
    public synchronized long nextLong() {
      return delegate.nextLong();
    }

    @Override
    public synchronized int nextInt(int bound) {
      return delegate.nextInt(bound);
    }

    @Override
    public synchronized double nextDouble() {
      return delegate.nextDouble();
    }
  }

  @Override
  public ServiceModel model() {
    return model;
  }

  /** The ECS service model (botocore's, see this package's README), shipped with this module. */
  public static ServiceModel loadModel() {
    return ServiceModel.load(EcsApi.class, "ecs-2014-11-13.json.gz");
  }

  /** The service controller these operations nudge. */
  public ServiceController services() {
    return services;
  }

  @Override
  public Operations<Caller> operations() {
    return operations;
  }

  /** The operations Wharf implements, sorted. */
  public Set<String> implemented() {
    return operations.implemented();
  }

  /** Creates the cluster unless it exists (as CreateCluster does), for {@code admin}. */
  public void createCluster(String name, Principal.Admin admin) {
    invoke("CreateCluster", admin, Wire.object().put("clusterName", name));
  }

  /**
   * Creates a join token for {@code admin} (as {@code wharf join-token create} does over HTTP):
   * durable before it is returned.
   *
   * @return the token's text, {@code <id>.<secret>}
   */
  public String createJoinToken(
      String cluster, Duration expiresIn, int maxUses, Principal.Admin admin) {
    return invokeWharf(
            "CreateJoinToken",
            admin,
            Wire.object()
                .put("cluster", cluster)
                .put("expiresInSeconds", expiresIn.toSeconds())
                .put("maxUses", maxUses))
        .path("joinToken")
        .asText();
  }

  /**
   * Runs one operation in-process (the simulation's agents and the composition root call ECS this
   * way), exactly as the endpoint does for a JSON request: guard, model check, binding, operation.
   *
   * @param operation the part of {@code X-Amz-Target} after the service prefix
   * @throws WharfException the ECS error to answer
   */
  public JsonNode invoke(String operation, String accessKeyId, String principalArn, JsonNode body) {
    return invoke(operation, new Principal.Admin(accessKeyId, principalArn), body);
  }

  /** As {@link #invoke(String, String, String, JsonNode)}, for a verified principal. */
  public JsonNode invoke(String operation, Principal principal, JsonNode body) {
    return invoke(operation, principal, 0, body);
  }

  /**
   * As {@link #invoke(String, Principal, JsonNode)}, for a call that carried a registration epoch
   * ({@link RegistrationEpochs}; 0 for none).
   */
  public JsonNode invoke(
      String operation, Principal principal, long registrationEpoch, JsonNode body) {
    return inProcess.invoke(this, new Caller(principal, registrationEpoch), operation, body);
  }

  /** One of Wharf's own operations ({@code WharfV1.<operation>}: join tokens). */
  public JsonNode invokeWharf(String operation, Principal principal, JsonNode body) {
    return joins.invoke(operation, principal, body);
  }

  /**
   * A key of its own for a registered instance, on the admin's behalf (see {@link
   * JoinOperations#issueKeyFor}); empty when the instance is not registered.
   */
  public java.util.Optional<io.wharf.model.identity.InstanceKey> issueInstanceKey(
      String instanceArn) {
    return joins.issueKeyFor(instanceArn);
  }

  /** The target prefix of Wharf's own operations. */
  public static String wharfTargetPrefix() {
    return JoinOperations.TARGET_PREFIX;
  }
}
