package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.api.InputValidator;
import io.wharf.core.api.ServiceModel;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.ecs.launch.InstanceViews;
import io.wharf.ecs.launch.Launcher;
import io.wharf.ecs.service.ServiceController;
import io.wharf.elb.targets.TargetHealthView;
import io.wharf.model.ErrorCode;
import io.wharf.model.ResourceArn;
import io.wharf.model.WharfException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The ECS API: routes an operation name to its implementation after checking the request against
 * the service model.
 *
 * <p>Threading: {@link #invoke} is called concurrently from request threads; operations read
 * immutable snapshots and send writes through the single-writer {@link StateMachine}.
 */
public final class EcsApi {
  private final ServiceModel model;
  private final InputValidator validator;
  private final Map<String, Operation> operations = new HashMap<>();
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
    this.validator = new InputValidator(model);
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
    for (String name : operations.keySet()) {
      if (!model.hasOperation(name)) {
        throw new IllegalStateException("Operation " + name + " is not in the ECS model");
      }
    }
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

  /** The ECS service model (botocore's, see this package's README), shipped with this module. */
  public static ServiceModel loadModel() {
    return ServiceModel.load(EcsApi.class, "ecs-2014-11-13.json.gz");
  }

  /** The service controller these operations nudge. */
  public ServiceController services() {
    return services;
  }

  public ServiceModel model() {
    return model;
  }

  /** The operations Wharf implements, sorted. */
  public Set<String> implemented() {
    return new TreeSet<>(operations.keySet());
  }

  /**
   * Runs one operation.
   *
   * @param operation the part of {@code X-Amz-Target} after the service prefix
   * @throws WharfException the ECS error to answer
   */
  public JsonNode invoke(String operation, String accessKeyId, String principalArn, JsonNode body) {
    return invoke(operation, new Principal.Admin(accessKeyId, principalArn), body);
  }

  /**
   * Runs one operation for a verified principal: an instance key reaches only {@link
   * #AGENT_OPERATIONS}, and a join token none of ECS's.
   */
  public JsonNode invoke(String operation, Principal principal, JsonNode body) {
    return invoke(operation, principal, 0, body);
  }

  /**
   * As {@link #invoke(String, Principal, JsonNode)}, for a call that carried a registration epoch
   * ({@link RegistrationEpochs}; 0 for none): an instance key's call with an epoch older than its
   * instance's is refused.
   */
  public JsonNode invoke(
      String operation, Principal principal, long registrationEpoch, JsonNode body) {
    if (!(principal instanceof Principal.Admin)
        && !(principal instanceof Principal.Instance && AGENT_OPERATIONS.contains(operation))) {
      String cluster = body.path("cluster").isTextual() ? body.get("cluster").asText() : null;
      throw accessDenied(principal, "ecs:" + operation, cluster == null ? "*" : cluster);
    }
    Operation op = operations.get(operation);
    if (op == null) {
      if (model.hasOperation(operation)) {
        throw new WharfException(
            ErrorCode.UNSUPPORTED_FEATURE,
            "Wharf does not implement the ECS operation " + operation + " yet.");
      }
      throw new WharfException(ErrorCode.UNKNOWN_OPERATION, "Unknown operation " + operation + ".");
    }
    validator.validate(operation, body);
    if (principal instanceof Principal.Instance self && FENCED_OPERATIONS.contains(operation)) {
      RegistrationEpochs.check(
          registrationEpoch,
          states.current().containerInstances().get(self.containerInstanceArn()));
    }
    String keyId =
        switch (principal) {
          case Principal.Admin a -> a.accessKeyId();
          case Principal.Instance i -> i.key().accessKeyId();
          case Principal.Joiner j -> j.token().id();
        };
    return op.invoke(new Operation.Caller(keyId, principal.arn(), principal), body);
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

  /** AWS's refusal of an action the caller's identity is not allowed, in its wording. */
  static WharfException accessDenied(Principal principal, String action, String resource) {
    return new WharfException(
        ErrorCode.ACCESS_DENIED,
        "User: "
            + principal.arn()
            + " is not authorized to perform: "
            + action
            + " on resource: "
            + resource
            + " because no identity-based policy allows the "
            + action
            + " action");
  }
}
