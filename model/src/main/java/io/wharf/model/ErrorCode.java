package io.wharf.model;

/**
 * Every error Wharf can answer, with the wire code ECS clients match on and the HTTP status.
 *
 * <p>This is the one error vocabulary of the project: each code is either a client error (the
 * caller's fault, HTTP 400 with a clear message) or a fault (HTTP 500, logged with context). Codes
 * and statuses follow the ECS service model and the AWS JSON protocol: the model marks only {@code
 * ServerException} as a fault; real ECS answers 400 for every client error.
 */
public enum ErrorCode {
  CLIENT("ClientException", 400),
  INVALID_PARAMETER("InvalidParameterException", 400),
  ACCESS_DENIED("AccessDeniedException", 400),
  LIMIT_EXCEEDED("LimitExceededException", 400),
  RESOURCE_NOT_FOUND("ResourceNotFoundException", 400),
  RESOURCE_IN_USE("ResourceInUseException", 400),
  CONFLICT("ConflictException", 400),
  UNSUPPORTED_FEATURE("UnsupportedFeatureException", 400),
  CLUSTER_NOT_FOUND("ClusterNotFoundException", 400),
  CLUSTER_CONTAINS_CONTAINER_INSTANCES("ClusterContainsContainerInstancesException", 400),
  CLUSTER_CONTAINS_SERVICES("ClusterContainsServicesException", 400),
  CLUSTER_CONTAINS_TASKS("ClusterContainsTasksException", 400),
  CLUSTER_CONTAINS_CAPACITY_PROVIDER("ClusterContainsCapacityProviderException", 400),
  SERVICE_NOT_FOUND("ServiceNotFoundException", 400),
  SERVICE_NOT_ACTIVE("ServiceNotActiveException", 400),
  TARGET_NOT_FOUND("TargetNotFoundException", 400),
  ATTRIBUTE_LIMIT_EXCEEDED("AttributeLimitExceededException", 400),
  // Generic AWS JSON-protocol codes that are not in the ECS model but that every SDK understands.
  UNKNOWN_OPERATION("UnknownOperationException", 400),
  SERIALIZATION("SerializationException", 400),
  MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException", 403),
  UNRECOGNIZED_CLIENT("UnrecognizedClientException", 400),
  INVALID_SIGNATURE("InvalidSignatureException", 400),
  INCOMPLETE_SIGNATURE("IncompleteSignatureException", 400),
  THROTTLING("ThrottlingException", 400),
  // ELBv2 (AWS query protocol): the <Code> of an ELB error, as in the ELBv2 service model. Generic
  // codes above are translated for query clients where they are raised (ValidationError, ...).
  VALIDATION("ValidationError", 400),
  LOAD_BALANCER_NOT_FOUND("LoadBalancerNotFound", 400),
  TARGET_GROUP_NOT_FOUND("TargetGroupNotFound", 400),
  LISTENER_NOT_FOUND("ListenerNotFound", 400),
  RULE_NOT_FOUND("RuleNotFound", 400),
  DUPLICATE_LOAD_BALANCER_NAME("DuplicateLoadBalancerName", 400),
  DUPLICATE_TARGET_GROUP_NAME("DuplicateTargetGroupName", 400),
  DUPLICATE_LISTENER("DuplicateListener", 400),
  DUPLICATE_TAG_KEYS("DuplicateTagKeys", 400),
  PRIORITY_IN_USE("PriorityInUse", 400),
  ELB_RESOURCE_IN_USE("ResourceInUse", 400),
  INVALID_TARGET("InvalidTarget", 400),
  INVALID_CONFIGURATION_REQUEST("InvalidConfigurationRequest", 400),
  INVALID_LOAD_BALANCER_ACTION("InvalidLoadBalancerAction", 400),
  INCOMPATIBLE_PROTOCOLS("IncompatibleProtocols", 400),
  UNSUPPORTED_PROTOCOL("UnsupportedProtocol", 400),
  OPERATION_NOT_PERMITTED("OperationNotPermitted", 400),
  TARGET_GROUP_ASSOCIATION_LIMIT("TargetGroupAssociationLimit", 400),
  TOO_MANY_LOAD_BALANCERS("TooManyLoadBalancers", 400),
  TOO_MANY_TARGET_GROUPS("TooManyTargetGroups", 400),
  TOO_MANY_LISTENERS("TooManyListeners", 400),
  TOO_MANY_RULES("TooManyRules", 400),
  TOO_MANY_TARGETS("TooManyTargets", 400),
  TOO_MANY_TAGS("TooManyTags", 400),
  TOO_MANY_REGISTRATIONS_FOR_TARGET_ID("TooManyRegistrationsForTargetId", 400),
  SERVER("ServerException", 500);

  private final String wireCode;
  private final int httpStatus;

  ErrorCode(String wireCode, int httpStatus) {
    this.wireCode = wireCode;
    this.httpStatus = httpStatus;
  }

  /** The code clients match on: {@code __type} in JSON APIs, {@code <Code>} in query APIs. */
  public String wireCode() {
    return wireCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** True for faults: Wharf's own failures, logged and counted rather than blamed on the caller. */
  public boolean isFault() {
    return httpStatus >= 500;
  }
}
