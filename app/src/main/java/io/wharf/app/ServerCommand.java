package io.wharf.app;

import io.wharf.controlplane.ControlPlane;
import io.wharf.controlplane.auth.AdminCredentials;
import io.wharf.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf server}: the control plane alone. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Run the Wharf control plane.")
final class ServerCommand implements Callable<Integer> {
  /** 9427 spells "WHAR" on a phone keypad and is not a well-known service port. */
  static final int DEFAULT_PORT = 9427;

  @Option(
      names = "--port",
      description = "Port to listen on (0: any free port). Default: ${DEFAULT-VALUE}.")
  int port = DEFAULT_PORT;

  @Option(names = "--bind", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  String bind = "127.0.0.1";

  @Option(
      names = "--data-dir",
      description = "Where state and credentials live. Default: ~/.wharf.")
  Path dataDir = Path.of(System.getProperty("user.home"), ".wharf");

  @Option(names = "--region", description = "Region in ARNs. Default: ${DEFAULT-VALUE}.")
  String region = "us-east-1";

  @Option(
      names = "--account-id",
      description = "12-digit account id in ARNs. Default: ${DEFAULT-VALUE}.")
  String accountId = "000000000000";

  @Option(
      names = "--max-clock-skew",
      description =
          "Largest accepted request clock skew (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
  Duration maxClockSkew = Duration.ofMinutes(15);

  @Override
  public Integer call() throws Exception {
    ControlPlane plane;
    AdminCredentials admin;
    try {
      admin = AdminCredentials.resolve(dataDir, System.getenv(), region);
      plane =
          ControlPlane.start(
              new ControlPlane.Config(
                  bind,
                  port,
                  dataDir,
                  region,
                  accountId,
                  maxClockSkew,
                  admin,
                  Clock.systemUTC(),
                  RandomGenerator.of("L64X128MixRandom")));
    } catch (StoreException | IllegalArgumentException e) {
      System.err.println("wharf: " + e.getMessage());
      return 2;
    }
    printWelcome(plane, admin);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    plane.close();
                  } catch (Exception e) {
                    System.err.println("wharf: error while stopping: " + e.getMessage());
                  }
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }

  private void printWelcome(ControlPlane plane, AdminCredentials admin) {
    String endpoint = plane.endpoint();
    StringBuilder out = new StringBuilder();
    out.append("Wharf control plane is running at ").append(endpoint).append('\n');
    out.append("Admin key from ").append(admin.source()).append('\n');
    if (admin.source().endsWith(AdminCredentials.FILE)) {
      out.append("Use it with the aws CLI:\n")
          .append("  export AWS_SHARED_CREDENTIALS_FILE=")
          .append(dataDir.toAbsolutePath().resolve(AdminCredentials.FILE))
          .append(" AWS_CONFIG_FILE=")
          .append(dataDir.toAbsolutePath().resolve(AdminCredentials.CONFIG_FILE))
          .append(" AWS_PROFILE=")
          .append(AdminCredentials.PROFILE)
          .append('\n');
    } else {
      out.append("Use it with the aws CLI:\n")
          .append(
              "  export AWS_ACCESS_KEY_ID=$WHARF_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$WHARF_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=")
          .append(region)
          .append('\n');
    }
    out.append("  aws --endpoint-url ")
        .append(endpoint)
        .append(" ecs create-cluster --cluster-name demo\n");
    System.out.print(out);
    System.out.flush();
  }
}
