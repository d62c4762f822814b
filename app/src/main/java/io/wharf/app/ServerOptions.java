package io.wharf.app;

import io.wharf.agent.Agent;
import io.wharf.controlplane.ControlPlane;
import io.wharf.core.auth.AdminCredentials;
import io.wharf.ecs.service.ServiceController;
import io.wharf.elb.balancing.AddressPool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Option;

/** The control plane's options, shared by {@code wharf server} and {@code wharf up}. */
final class ServerOptions {
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

  @Option(
      names = "--agent-disconnect-after",
      description =
          "How long an agent may be silent before its instance is agentConnected=false and gets no new tasks (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
  Duration agentDisconnectAfter = Duration.ofSeconds(20);

  @Option(
      names = "--task-healthy-after",
      description =
          "A service task without container health checks counts as healthy after running this"
              + " long (ECS: 40s). Default: ${DEFAULT-VALUE}.")
  Duration taskHealthyAfter = Duration.ofSeconds(40);

  @Option(
      names = "--instance-lost-after",
      description =
          "Tasks of an instance whose agent has been silent this long are marked STOPPED and"
              + " services replace them elsewhere; at least 30 s and --agent-disconnect-after"
              + " + 10 s. Default: ${DEFAULT-VALUE}.")
  Duration instanceLostAfter = Duration.ofSeconds(60);

  /**
   * The shortest {@code --instance-lost-after} accepted whatever the other options say: below it, a
   * control-plane restart, a slow start with a large state or a short network blip would already
   * stop tasks, and every stopped task is a real container killed and started again elsewhere.
   */
  static final Duration LOST_AFTER_FLOOR = Duration.ofSeconds(30);

  /**
   * How much longer than {@code --agent-disconnect-after} an agent may be silent in a normal
   * reconnect. An agent whose channel drops was heard at most a disconnect time before (else it
   * counted as disconnected already); it then tries again within {@link Agent#MAX_RECONNECT_WAIT}
   * (1.5 s) and needs a DiscoverPollEndpoint and the channel's upgrade, which a busy or just
   * restarted control plane may take seconds to answer. 10 s covers that several times over.
   */
  static final Duration RECONNECT_ALLOWANCE = Duration.ofSeconds(10);

  /**
   * The shortest {@code --instance-lost-after} a normal reconnect can meet with this {@code
   * --agent-disconnect-after}. (A restarted control plane counts every agent's silence from its own
   * start, so an outage of the control plane itself never needs more than the reconnect.)
   */
  static Duration minimumInstanceLostAfter(Duration agentDisconnectAfter) {
    Duration needed = agentDisconnectAfter.plus(RECONNECT_ALLOWANCE);
    return needed.compareTo(LOST_AFTER_FLOOR) > 0 ? needed : LOST_AFTER_FLOOR;
  }

  /** Refuses durations no agent could meet, naming the option and the bound. */
  void checkDurations() {
    if (agentDisconnectAfter.isNegative() || agentDisconnectAfter.isZero()) {
      throw new IllegalArgumentException(
          "--agent-disconnect-after must be positive, not " + agentDisconnectAfter);
    }
    Duration minimum = minimumInstanceLostAfter(agentDisconnectAfter);
    if (instanceLostAfter.compareTo(minimum) < 0) {
      throw new IllegalArgumentException(
          "--instance-lost-after "
              + instanceLostAfter
              + " is too short: an agent that reconnects normally can be silent for up to"
              + " --agent-disconnect-after ("
              + agentDisconnectAfter
              + ") + "
              + RECONNECT_ALLOWANCE.toSeconds()
              + " s, and its tasks would be stopped and started again elsewhere. The minimum is "
              + minimum
              + " (and never below "
              + LOST_AFTER_FLOOR
              + ").");
    }
  }

  @Option(
      names = "--haproxy",
      description =
          "The HAProxy binary that serves load balancers (2.6 or newer). Default: haproxy on the PATH or in /usr/sbin.")
  Path haproxy;

  @Option(
      names = "--load-balancer-addresses",
      description =
          "Addresses load balancers listen on: a range (each load balancer gets its own address) or one address (shared). Default: ${DEFAULT-VALUE}.")
  String loadBalancerAddresses = AddressPool.DEFAULT.toString();

  /** A started control plane and the admin key it accepts. */
  record Started(ControlPlane plane, AdminCredentials admin) {}

  /**
   * Starts the control plane. When the data directory or an option is refused, says why on stderr
   * and returns null (the command then exits with 2).
   */
  Started startOrExplain() throws Exception {
    try {
      checkDurations();
      AdminCredentials admin = admin();
      return new Started(start(admin), admin);
    } catch (io.wharf.store.StoreException | IllegalArgumentException e) {
      System.err.println("wharf: " + e.getMessage());
      return null;
    }
  }

  AdminCredentials admin() throws java.io.IOException {
    return AdminCredentials.resolve(dataDir, System.getenv(), region);
  }

  ControlPlane start(AdminCredentials admin) throws Exception {
    return ControlPlane.start(
        new ControlPlane.Config(
            bind,
            port,
            dataDir,
            region,
            accountId,
            maxClockSkew,
            agentDisconnectAfter,
            admin,
            Clock.systemUTC(),
            RandomGenerator.of("L64X128MixRandom"),
            new ServiceController.Settings(
                Duration.ofSeconds(1), taskHealthyAfter, instanceLostAfter),
            new ControlPlane.ElbSettings(haproxy, AddressPool.parse(loadBalancerAddresses))));
  }

  /** How to use the admin key with the aws CLI, for the start-up message. */
  String howToUse(AdminCredentials admin, String endpoint) {
    StringBuilder out = new StringBuilder();
    out.append("Admin key from ").append(admin.source()).append('\n');
    out.append("Use it with the aws CLI:\n");
    if (admin.source().endsWith(AdminCredentials.FILE)) {
      out.append("  export AWS_SHARED_CREDENTIALS_FILE=")
          .append(dataDir.toAbsolutePath().resolve(AdminCredentials.FILE))
          .append(" AWS_CONFIG_FILE=")
          .append(dataDir.toAbsolutePath().resolve(AdminCredentials.CONFIG_FILE))
          .append(" AWS_PROFILE=")
          .append(AdminCredentials.PROFILE)
          .append('\n');
    } else {
      out.append(
              "  export AWS_ACCESS_KEY_ID=$WHARF_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$WHARF_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=")
          .append(region)
          .append('\n');
    }
    return out.toString();
  }
}
