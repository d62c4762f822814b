package io.wharf.bench;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The AWS SDK client every simulated user holds: signed with the admin key, never retrying. */
final class Clients {
  private Clients() {}

  /**
   * A new client with its own connection pool. No retries: a recorded latency is one request, and a
   * failed request is counted as an error instead of being hidden inside a slower success.
   */
  static EcsClient ecs(String endpoint) {
    return EcsClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(WharfServer.KEY_ID, WharfServer.SECRET)))
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
