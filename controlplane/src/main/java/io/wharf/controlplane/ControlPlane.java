package io.wharf.controlplane;

import io.wharf.controlplane.agent.AgentGateway;
import io.wharf.controlplane.api.AgentSocket;
import io.wharf.controlplane.api.ApiHandler;
import io.wharf.controlplane.api.EcsApi;
import io.wharf.controlplane.api.ServiceModel;
import io.wharf.controlplane.auth.AdminCredentials;
import io.wharf.controlplane.service.ServiceController;
import io.wharf.controlplane.state.StateMachine;
import io.wharf.model.ResourceArn;
import io.wharf.sigv4.SigV4Verifier;
import io.wharf.store.SqliteStore;
import io.wharf.store.Store;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control plane: the store, the state machine, and the HTTP API on one port.
 *
 * <pre>
 *  Jetty ─▶ ApiHandler ─▶ EcsApi ─▶ StateMachine ─▶ SqliteStore (data dir)
 * </pre>
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /**
   * How to run.
   *
   * @param port 0 picks a free port
   * @param maxClockSkew how far a request's signing time may be from the server's clock
   * @param agentDisconnectAfter how long an agent may be silent before its instance counts as
   *     disconnected (agentConnected=false, no new tasks)
   */
  public record Config(
      String bindAddress,
      int port,
      Path dataDir,
      String region,
      String accountId,
      Duration maxClockSkew,
      Duration agentDisconnectAfter,
      AdminCredentials admin,
      Clock clock,
      RandomGenerator random,
      ServiceController.Settings services) {
    public Config {
      Objects.requireNonNull(bindAddress, "bindAddress");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(admin, "admin");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(random, "random");
      Objects.requireNonNull(services, "services");
      if (accountId == null || !accountId.matches("\\d{12}")) {
        throw new IllegalArgumentException("The account id must be 12 digits: " + accountId);
      }
    }
  }

  private final Config config;
  private final StateMachine states;
  private final AgentGateway gateway;
  private final EcsApi ecs;
  private final Server server;

  private ControlPlane(
      Config config, StateMachine states, AgentGateway gateway, EcsApi ecs, Server server) {
    this.config = config;
    this.states = states;
    this.gateway = gateway;
    this.ecs = ecs;
    this.server = server;
  }

  /** Opens the store, loads the state and starts serving. */
  public static ControlPlane start(Config config) throws Exception {
    Store store = SqliteStore.open(config.dataDir());
    StateMachine states;
    try {
      states = new StateMachine(store, config.clock());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    ResourceArn.Builder arns = new ResourceArn.Builder(config.region(), config.accountId());
    AdminCredentials admin = config.admin();
    SigV4Verifier verifier =
        new SigV4Verifier(
            key ->
                key.equals(admin.accessKeyId())
                    ? Optional.of(admin.secretAccessKey())
                    : Optional.empty(),
            config.clock(),
            config.maxClockSkew());

    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("wharf-http");
    // Request handling blocks (on the state machine's commit); virtual threads make that cheap.
    threads.setVirtualThreadsExecutor(
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(config.bindAddress());
    connector.setPort(config.port());
    server.addConnector(connector);
    // Manifests go out at a third of the disconnect time, so a healthy agent is heard in between.
    Duration manifestInterval = config.agentDisconnectAfter().dividedBy(3);
    AgentGateway gateway =
        new AgentGateway(states, config.clock(), config.agentDisconnectAfter(), manifestInterval);
    EcsApi ecs;
    try {
      // The port is known only once the connector is open: bind first, then wire the API.
      connector.open();
      String endpoint = endpoint(config.bindAddress(), connector.getLocalPort());
      ecs =
          new EcsApi(
              states,
              arns,
              ServiceModel.ecs(),
              config.random(),
              gateway,
              endpoint,
              config.services());
      WebSocketUpgradeHandler websockets =
          WebSocketUpgradeHandler.from(
              server, container -> AgentSocket.install(container, gateway, verifier));
      websockets.setHandler(new ApiHandler(ecs, verifier, key -> arns.accountRoot()));
      server.setHandler(websockets);
      server.start();
    } catch (Exception e) {
      gateway.close();
      server.stop();
      states.close();
      throw e;
    }
    ControlPlane plane = new ControlPlane(config, states, gateway, ecs, server);
    log.info(
        "Wharf control plane listening on {} (state revision {}, data dir {})",
        plane.endpoint(),
        states.current().revision(),
        config.dataDir());
    return plane;
  }

  /** The endpoint clients use, {@code http://host:port}. */
  public String endpoint() {
    return endpoint(config.bindAddress(), port());
  }

  private static String endpoint(String bindAddress, int port) {
    String host = bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
    return "http://" + host + ":" + port;
  }

  /** Creates the cluster unless it exists (as CreateCluster does), on behalf of the admin. */
  public void ensureCluster(String name) {
    ecs.invoke(
        "CreateCluster",
        config.admin().accessKeyId(),
        new ResourceArn.Builder(config.region(), config.accountId()).accountRoot(),
        new com.fasterxml.jackson.databind.ObjectMapper()
            .createObjectNode()
            .put("clusterName", name));
  }

  /**
   * The ECS API in-process, for embedding (the simulation harness); HTTP clients use {@link
   * #endpoint}.
   */
  public EcsApi api() {
    return ecs;
  }

  /** The service controller (the simulation drives it by hand). */
  public ServiceController services() {
    return ecs.services();
  }

  public AgentGateway gateway() {
    return gateway;
  }

  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(config.bindAddress(), port());
  }

  public Config config() {
    return config;
  }

  public StateMachine states() {
    return states;
  }

  /** Stops serving, then closes the state machine and the store (releasing the data dir's lock). */
  @Override
  public void close() throws Exception {
    try {
      ecs.services().close();
      gateway.close();
      server.stop();
    } finally {
      states.close();
    }
  }
}
