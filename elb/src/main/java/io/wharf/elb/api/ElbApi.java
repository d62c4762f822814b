package io.wharf.elb.api;

import io.wharf.core.auth.AccessDenied;
import io.wharf.core.auth.Caller;
import io.wharf.core.state.StateMachine;
import io.wharf.elb.balancing.AddressPool;
import io.wharf.elb.balancing.DataPlane;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.model.elb.ElbArn;
import io.wharf.protocol.AwsService;
import io.wharf.protocol.ErrorAnswer;
import io.wharf.protocol.Operations;
import io.wharf.protocol.ServiceModel;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The ELBv2 API (Elastic Load Balancing, version 2015-12-01) as an AWS service on Wharf's endpoint:
 * the protocol layer reads its query requests by the model, checks them against the model and binds
 * them to each operation's request record; the operation (ELB's rules) returns a response record,
 * which the protocol layer writes as XML under the model's names.
 *
 * <pre>
 *  Endpoint (query) ─▶ guard (admin only) ─▶ Action, Version ─▶ model check ─▶ request record
 *      ─▶ operation (ELB's rules, StateMachine) ─▶ response record (ElbShapes' views)
 *      ─▶ Endpoint (XML in the model's names)
 * </pre>
 *
 * <p>Errors are {@link WharfException}s; {@link #errorOf} gives each code its query-protocol code
 * and HTTP status (generic codes such as InvalidParameterException become ELB's ValidationError).
 *
 * <p>Threading: operations are called concurrently from request threads; they read immutable
 * snapshots and write through the single-writer {@link StateMachine}.
 */
public final class ElbApi implements AwsService<Caller> {
  private final ServiceModel model = loadModel();
  private final Operations<Caller> operations;

  /**
   * @param random drawn from only on the state machine's thread (ids are made inside commands); it
   *     must not be shared with code that uses it on other threads
   */
  public ElbApi(
      StateMachine states,
      String region,
      String account,
      DataPlane dataPlane,
      AddressPool addresses,
      RandomGenerator random) {
    ElbContext elb =
        new ElbContext(states, new ElbArn.Builder(region, account), dataPlane, addresses, random);
    Operations.Builder<Caller> builder =
        Operations.<Caller>builder(model).guard(AccessDenied.adminOnly("elasticloadbalancing"));
    new LoadBalancerOperations(elb, region).register(builder);
    new TargetGroupOperations(elb).register(builder);
    new ListenerOperations(elb).register(builder);
    new TargetOperations(elb).register(builder);
    new ElbTagOperations(elb).register(builder);
    this.operations = builder.build();
  }

  /** The ELBv2 service model (botocore's), shipped with this module. */
  public static ServiceModel loadModel() {
    return ServiceModel.load(ElbApi.class, "elbv2-2015-12-01.json.gz");
  }

  @Override
  public ServiceModel model() {
    return model;
  }

  @Override
  public Operations<Caller> operations() {
    return operations;
  }

  /** The operations Wharf implements, sorted. */
  public Set<String> implemented() {
    return operations.implemented();
  }

  @Override
  public ErrorAnswer answer(ErrorCode code) {
    return errorOf(code);
  }

  /** ELB's clients read an operation Wharf lacks as an action the service does not know. */
  @Override
  public WharfException notImplemented(String operation) {
    return new WharfException(
        ErrorCode.UNKNOWN_OPERATION,
        "Wharf does not implement the Elastic Load Balancing operation " + operation + " yet.");
  }

  @Override
  public String versionMismatchMessage(String requested) {
    return "Wharf serves Elastic Load Balancing version "
        + model.apiVersion()
        + " (ELBv2) on its query API; the request asks for version "
        + (requested == null ? "none" : "'" + requested + "'")
        + ".";
  }

  /**
   * The query-protocol answer to an error code: ELB's own codes as they are; the generic ones the
   * way AWS query services name them.
   */
  public static ErrorAnswer errorOf(ErrorCode code) {
    return switch (code) {
      case INVALID_PARAMETER, SERIALIZATION, CLIENT, UNSUPPORTED_FEATURE ->
          new ErrorAnswer("ValidationError", 400, true);
      case UNKNOWN_OPERATION -> new ErrorAnswer("InvalidAction", 400, true);
      case MISSING_AUTHENTICATION_TOKEN -> new ErrorAnswer("MissingAuthenticationToken", 403, true);
      case UNRECOGNIZED_CLIENT -> new ErrorAnswer("InvalidClientTokenId", 403, true);
      case INVALID_SIGNATURE -> new ErrorAnswer("SignatureDoesNotMatch", 403, true);
      case INCOMPLETE_SIGNATURE -> new ErrorAnswer("IncompleteSignature", 400, true);
      case ACCESS_DENIED -> new ErrorAnswer("AccessDenied", 403, true);
      case THROTTLING -> new ErrorAnswer("Throttling", 400, true);
      case RESOURCE_IN_USE -> new ErrorAnswer("ResourceInUse", 400, true);
      case SERVER -> new ErrorAnswer("InternalFailure", 500, false);
      default ->
          code.httpStatus() >= 500
              ? new ErrorAnswer("InternalFailure", 500, false)
              : new ErrorAnswer(code.wireCode(), code.httpStatus(), true);
    };
  }
}
