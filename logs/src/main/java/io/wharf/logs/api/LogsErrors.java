package io.wharf.logs.api;

import io.wharf.protocol.AwsServiceException;

/** CloudWatch Logs' errors, in its shapes and its words. */
final class LogsErrors {
  private LogsErrors() {}

  static AwsServiceException groupNotFound() {
    return new AwsServiceException(
        "ResourceNotFoundException", "The specified log group does not exist.");
  }

  static AwsServiceException streamNotFound() {
    return new AwsServiceException(
        "ResourceNotFoundException", "The specified log stream does not exist.");
  }

  static AwsServiceException resourceNotFound(String arn) {
    return new AwsServiceException(
        "ResourceNotFoundException", "The specified resource does not exist: " + arn);
  }

  static AwsServiceException groupExists() {
    return new AwsServiceException(
        "ResourceAlreadyExistsException", "The specified log group already exists");
  }

  static AwsServiceException streamExists() {
    return new AwsServiceException(
        "ResourceAlreadyExistsException", "The specified log stream already exists");
  }

  static AwsServiceException invalidParameter(String message) {
    return new AwsServiceException("InvalidParameterException", message);
  }
}
