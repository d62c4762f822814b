package io.wharf.controlplane;

import io.wharf.controlplane.front.AgentSocket;
import io.wharf.controlplane.front.ApiHandler;
import io.wharf.core.api.ServiceContext;
import io.wharf.core.api.ServiceModule;
import io.wharf.core.auth.AccessKeys;
import io.wharf.core.auth.AdminCredentials;
import io.wharf.core.auth.Caller;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.ecs.api.EcsApi;
import io.wharf.ecs.service.ServiceController;
import io.wharf.elb.api.ElbApi;
import io.wharf.elb.balancing.AddressPool;
import io.wharf.elb.balancing.DataPlane;
import io.wharf.files.PrivateFiles;
import io.wharf.logs.api.LogsApi;
import io.wharf.model.ResourceArn;
import io.wharf.model.identity.InstanceKey;
import io.wharf.protocol.AwsService;
import io.wharf.sigv4.SigV4Verifier;
import io.wharf.store.SqliteStore;
import io.wharf.store.Store;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control plane: the store, the state machine, the HTTP API on one port, and the load
 * balancers' data plane.
 *
 * <pre>
 *  Jetty ─▶ ApiHandler ─┬─ EcsApi ─┬─▶ StateMachine ─▶ SqliteStore (data dir)
 *                       └─ ElbApi ─┘        │
 *                                           ▼ (level-triggered)
 *                                        DataPlane ─▶ HAProxy (data dir/haproxy)
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
   * @param elb how load balancers are served
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
      ServiceController.Settings services,
      ElbSettings elb) {
    public Config {
      Objects.requireNonNull(elb, "elb");
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

    /** A configuration with the default load-balancing settings. */
    public Config(
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
      this(
          bindAddress,
          port,
          dataDir,
          region,
          accountId,
          maxClockSkew,
          agentDisconnectAfter,
          admin,
          clock,
          random,
          services,
          ElbSettings.DEFAULT);
    }
  }

  /**
   * How load balancers are served.
   *
   * @param haproxy the haproxy binary, or null to look for it on the PATH and in /usr/sbin
   * @param addresses the addresses load balancers get (each its own, or one shared)
   */
  public record ElbSettings(Path haproxy, AddressPool addresses) {
    public static final ElbSettings DEFAULT = new ElbSettings(null, AddressPool.DEFAULT);

    public ElbSettings {
      Objects.requireNonNull(addresses, "addresses");
    }
  }

  private final Config config;
  private final StateMachine states;
  private final AgentGateway gateway;
  private final EcsApi ecs;
  private final DataPlane dataPlane;
  private final Server server;
  private final List<AutoCloseable> closeables;

  private ControlPlane(
      Config config,
      StateMachine states,
      AgentGateway gateway,
      EcsApi ecs,
      DataPlane dataPlane,
      Server server,
      List<AutoCloseable> closeables) {
    this.config = config;
    this.states = states;
    this.gateway = gateway;
    this.ecs = ecs;
    this.dataPlane = dataPlane;
    this.server = server;
    this.closeables = List.copyOf(closeables);
  }

  /** Opens the store, loads the state and starts serving. */
  public static ControlPlane start(Config config) throws Exception {
    return start(config, List.of());
  }

  /**
   * Starts the control plane with more AWS services on its endpoint than ECS and ELBv2: each module
   * is started once, with what the control plane shares (README: "How to add an AWS service").
   */
  public static ControlPlane start(Config config, List<ServiceModule> modules) throws Exception {
    // Owner-only, all of it (a data directory an older Wharf or a permissive umask left readable).
    PrivateFiles.tightenTree(config.dataDir());
    Store store = SqliteStore.open(config.dataDir());
    StateMachine states;
    try {
      states = new StateMachine(store, config.clock());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    ResourceArn.Builder arns = new ResourceArn.Builder(config.region(), config.accountId());
    // The admin key, and the instance keys and join tokens in the state.
    AccessKeys keys = new AccessKeys(config.admin(), states, config.accountId());
    SigV4Verifier verifier =
        new SigV4Verifier(keys::secretOf, config.clock(), config.maxClockSkew());

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
    // ELB ids are drawn on the state machine's thread from a generator of their own, seeded from
    // the configured one (so that ECS's shared generator is not used on two threads at once).
    RandomGenerator elbRandom = new SplittableRandom(config.random().nextLong());
    DataPlane dataPlane =
        new DataPlane(
            states,
            config.clock(),
            new DataPlane.Settings(config.elb().haproxy(), config.dataDir().resolve("haproxy")));
    EcsApi ecs;
    // Services that hold resources of their own (the log event store's files and sweeper).
    List<AutoCloseable> closeables = new ArrayList<>();
    try {
      // The port is known only once the connector is open: bind first, then wire the API.
      connector.open();
      String endpoint = endpoint(config.bindAddress(), connector.getLocalPort());
      ecs =
          new EcsApi(
              states,
              arns,
              EcsApi.loadModel(),
              config.random(),
              gateway,
              endpoint,
              dataPlane,
              dataPlane::changed,
              config.services());
      WebSocketUpgradeHandler websockets =
          WebSocketUpgradeHandler.from(
              server,
              container ->
                  AgentSocket.install(container, gateway, verifier, keys, states, config.region()));
      ElbApi elb =
          new ElbApi(
              states,
              config.region(),
              config.accountId(),
              dataPlane,
              config.elb().addresses(),
              elbRandom);
      ServiceContext shared =
          new ServiceContext(
              states, arns, config.region(), config.accountId(), config.clock(), config.dataDir());
      List<AwsService<Caller>> services = new ArrayList<>(List.of(ecs, elb));
      for (ServiceModule module : withBuiltIns(modules)) {
        AwsService<Caller> service = module.start(shared);
        services.add(service);
        if (service instanceof AutoCloseable closeable) {
          closeables.add(closeable);
        }
      }
      ApiHandler api =
          new ApiHandler(ecs, elb, services, verifier, config.region(), keys::principalOf);
      websockets.setHandler(api);
      ApiHandler.installLimits(server, connector, api);
      server.setHandler(websockets);
      server.start();
    } catch (Exception e) {
      closeAll(closeables);
      gateway.close();
      server.stop();
      dataPlane.close();
      states.close();
      throw e;
    }
    ControlPlane plane =
        new ControlPlane(config, states, gateway, ecs, dataPlane, server, closeables);
    log.info(
        "Wharf control plane listening on {} (state revision {}, data dir {})",
        plane.endpoint(),
        states.current().revision(),
        config.dataDir());
    return plane;
  }

  /**
   * The AWS services every control plane serves beside ECS and ELBv2 (then the caller's own): each
   * is a {@link ServiceModule}, so the front knows none of them.
   */
  static final List<ServiceModule> BUILT_IN_MODULES = List.of(LogsApi::start);

  private static List<ServiceModule> withBuiltIns(List<ServiceModule> modules) {
    List<ServiceModule> all = new ArrayList<>(BUILT_IN_MODULES);
    all.addAll(modules);
    return all;
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (AutoCloseable c : closeables.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("Closing {} failed", c.getClass().getSimpleName(), e);
      }
    }
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
    ecs.createCluster(name, admin());
  }

  /**
   * Creates a join token on behalf of the admin (as {@code wharf join-token create} does over
   * HTTP): durable before it is returned.
   *
   * @return the token's text, {@code <id>.<secret>}
   */
  public String createJoinToken(String cluster, Duration expiresIn, int maxUses) {
    return ecs.createJoinToken(cluster, expiresIn, maxUses, admin());
  }

  private Principal.Admin admin() {
    return new Principal.Admin(
        config.admin().accessKeyId(),
        new ResourceArn.Builder(config.region(), config.accountId()).accountRoot());
  }

  /**
   * Gives a registered instance a key of its own, on the admin's behalf: {@code wharf up} upgrades
   * its local agent's data dir with it when that agent registered before join tokens existed.
   *
   * @return the key, or empty when the instance is not registered
   */
  public Optional<InstanceKey> issueInstanceKey(String instanceArn) {
    return ecs.issueInstanceKey(instanceArn);
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

  /**
   * The load balancers' data plane: target health for the service controller ({@link
   * io.wharf.elb.targets.TargetHealthView}), and {@link DataPlane#changed} to apply a registration
   * at once.
   */
  public DataPlane dataPlane() {
    return dataPlane;
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

  /**
   * Stops serving and stops HAProxy (so listeners close), then closes the state machine and the
   * store (releasing the data dir's lock).
   */
  @Override
  public void close() throws Exception {
    try {
      ecs.services().close();
      gateway.close();
      server.stop();
    } finally {
      try {
        dataPlane.close();
      } finally {
        // After the server stopped (no request appends any more), before the state goes.
        closeAll(closeables);
        states.close();
      }
    }
  }
}
