package io.wharf.app;

/**
 * Runs the aws CLI (the first one found) against a test server, for tests beyond {@link
 * AwsCliTest}.
 */
final class AwsCliTestAccess {
  private AwsCliTestAccess() {}

  static AwsCliTest.Run aws(TestServer server, String... args) throws Exception {
    return AwsCliTest.awsAt(AwsCliTest.clis().findFirst().orElseThrow(), server.endpoint(), args);
  }
}
