package io.wharf.elb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.InputValidator;
import io.wharf.core.api.ServiceModel;
import io.wharf.core.state.StateMachine;
import io.wharf.elb.balancing.AddressPool;
import io.wharf.elb.balancing.DataPlane;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.model.elb.ElbArn;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The ELBv2 API (Elastic Load Balancing, version 2015-12-01) over the AWS query protocol.
 *
 * <pre>
 *  form parameters ─▶ Action, Version ─▶ QueryProtocol.input (typed JSON by the model)
 *      ─▶ InputValidator (model: required, enums, ranges, patterns) ─▶ operation (ELB's rules,
 *      StateMachine) ─▶ result JSON ─▶ QueryProtocol.response (XML by the model)
 * </pre>
 *
 * <p>Errors are {@link WharfException}s; {@link #errorOf} gives each code its query-protocol code
 * and HTTP status (generic codes such as InvalidParameterException become ELB's ValidationError).
 *
 * <p>Threading: {@link #invoke} is called concurrently from request threads; operations read
 * immutable snapshots and write through the single-writer {@link StateMachine}.
 */
public final class ElbApi {
  /** One ELB operation: a request already checked against the model, to its result members. */
  @FunctionalInterface
  interface Operation {
    JsonNode invoke(JsonNode request);
  }

  /** How an error is answered to a query client. */
  public record QueryError(String code, int status, boolean senderFault) {}

  private final ServiceModel model = loadModel();
  private final InputValidator validator = new InputValidator(model);
  private final Map<String, Operation> operations = new HashMap<>();

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
    new LoadBalancerOperations(elb, region).register(operations);
    new TargetGroupOperations(elb).register(operations);
    new ListenerOperations(elb).register(operations);
    new TargetOperations(elb).register(operations);
    new ElbTagOperations(elb).register(operations);
    for (String name : operations.keySet()) {
      if (!model.hasOperation(name)) {
        throw new IllegalStateException("Operation " + name + " is not in the ELBv2 model");
      }
    }
  }

  /** The ELBv2 service model (botocore's), shipped with this module. */
  public static ServiceModel loadModel() {
    return ServiceModel.load(ElbApi.class, "elbv2-2015-12-01.json.gz");
  }

  public ServiceModel model() {
    return model;
  }

  /** The operations Wharf implements, sorted. */
  public Set<String> implemented() {
    return new TreeSet<>(operations.keySet());
  }

  /**
   * Runs one query request.
   *
   * @param params the decoded form (and query-string) parameters
   * @return the XML response
   * @throws WharfException the error to answer
   */
  public String invoke(Map<String, String> params, String requestId) {
    String action = params.get("Action");
    if (action == null || action.isEmpty()) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION, "The request must contain the parameter Action.");
    }
    String version = params.get("Version");
    if (!model.apiVersion().equals(version)) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION,
          "Wharf serves Elastic Load Balancing version "
              + model.apiVersion()
              + " (ELBv2) on its query API; the request asks for version "
              + (version == null ? "none" : "'" + version + "'")
              + ".");
    }
    Operation op = operations.get(action);
    if (op == null) {
      throw new WharfException(
          ErrorCode.UNKNOWN_OPERATION,
          model.hasOperation(action)
              ? "Wharf does not implement the Elastic Load Balancing operation " + action + " yet."
              : "The action " + action + " is not valid for this web service.");
    }
    ObjectNode input = QueryProtocol.input(model, action, params);
    validator.validate(action, input);
    JsonNode result = op.invoke(input);
    return QueryProtocol.response(model, action, result, requestId);
  }

  /** Decodes a form-encoded body or query string into parameters. */
  public static Map<String, String> decodeForm(String text) {
    return QueryProtocol.decodeForm(text);
  }

  /** The XML of an error answer. */
  public String errorXml(ErrorCode code, String message, String requestId) {
    QueryError e = errorOf(code);
    return QueryProtocol.error(model, e.code(), e.senderFault(), message, requestId);
  }

  /**
   * The query-protocol answer to an error code: ELB's own codes as they are; the generic ones the
   * way AWS query services name them.
   */
  public static QueryError errorOf(ErrorCode code) {
    return switch (code) {
      case INVALID_PARAMETER, SERIALIZATION, CLIENT, UNSUPPORTED_FEATURE ->
          new QueryError("ValidationError", 400, true);
      case UNKNOWN_OPERATION -> new QueryError("InvalidAction", 400, true);
      case MISSING_AUTHENTICATION_TOKEN -> new QueryError("MissingAuthenticationToken", 403, true);
      case UNRECOGNIZED_CLIENT -> new QueryError("InvalidClientTokenId", 403, true);
      case INVALID_SIGNATURE -> new QueryError("SignatureDoesNotMatch", 403, true);
      case INCOMPLETE_SIGNATURE -> new QueryError("IncompleteSignature", 400, true);
      case ACCESS_DENIED -> new QueryError("AccessDenied", 403, true);
      case THROTTLING -> new QueryError("Throttling", 400, true);
      case RESOURCE_IN_USE -> new QueryError("ResourceInUse", 400, true);
      case SERVER -> new QueryError("InternalFailure", 500, false);
      default ->
          code.httpStatus() >= 500
              ? new QueryError("InternalFailure", 500, false)
              : new QueryError(code.wireCode(), code.httpStatus(), true);
    };
  }
}
