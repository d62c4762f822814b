package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.runtime.ContainerEvent;
import io.wharf.runtime.ContainerRuntime;
import io.wharf.runtime.ContainerState;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: makes this machine a container instance of a cluster and runs its tasks on Docker.
 *
 * <pre>
 *  RegisterContainerInstance ─▶ DiscoverPollEndpoint ─▶ WebSocket (signed upgrade)
 *        manifest ─▶ one TaskManager per task ─▶ Docker          heartbeat every N s
 *        Docker events ─▶ TaskManager ─▶ Reporter ─▶ SubmitTaskStateChange / SubmitContainerStateChange
 * </pre>
 *
 * <p>Agents own their machine; the control plane owns intent. Containers keep running while the
 * agent or the control plane is down. A restarted agent keeps its identity (state file), finds its
 * containers by their labels, and hands them to the task managers of the first manifest, so no task
 * is started twice and none is left behind. A lost channel is retried with a short, jittered
 * back-off ({@link Backoff}), so the agent is back within {@link #MAX_RECONNECT_WAIT} or so of the
 * control plane answering again.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /**
   * The longest the agent waits between two attempts to reach the control plane (registration, poll
   * endpoint, channel): after an outage it is back within about this long of the control plane
   * answering again. The control plane's {@code --instance-lost-after} must allow for it.
   */
  public static final Duration MAX_RECONNECT_WAIT = Backoff.RECONNECT_CAP;

  private static final Duration QUIET_LOG = Duration.ofSeconds(30);

  /** A channel open this long counted as a success (see {@link #connectAndServe}). */
  private static final Duration STABLE_CHANNEL = Duration.ofSeconds(10);

  private final AgentConfig config;
  private final ContainerRuntime runtime;
  private final StateFile state;
  private final ControlPlaneClient client;
  private final Reporter reporter;
  private final PortAllocator ports;
  private final AwslogsDeliveries awslogs;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("wharf-agent-timer").daemon(true).factory());
  private final Map<String, TaskManager> tasks = new ConcurrentHashMap<>();

  /** Images seen present in the engine, shared by the task managers. */
  private final Set<String> knownImages = ConcurrentHashMap.newKeySet();

  private final CountDownLatch registered = new CountDownLatch(1);

  /** Completed when the agent stops: with why it gave up, or with null when it was closed. */
  private final CompletableFuture<String> stopped = new CompletableFuture<>();

  /** The instance's own key; null until the join token is exchanged for it. */
  private volatile AgentKey key;

  private volatile boolean closed;
  private volatile WebSocket socket;
  private final Object sendLock = new Object();
  private CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);
  private volatile ContainerRuntime.Subscription events;
  private volatile boolean firstManifestSeen;
  private Thread main;
  private final Clock clock;

  public Agent(AgentConfig config, ContainerRuntime runtime, Clock clock) {
    this.clock = clock;
    this.config = config;
    this.runtime = runtime;
    this.state = StateFile.open(config.dataDir());
    this.client = ControlPlaneClient.of(config, clock);
    this.key = AgentKey.load(config.dataDir()).orElse(null);
    if (key != null) {
      client.use(key);
    } else if (config.joinToken() == null) {
      throw new IllegalArgumentException(
          "This machine has not joined a cluster yet: give it a join token (wharf join-token"
              + " create, where the admin key is).");
    }
    this.reporter = new Reporter(client, state, refusal -> giveUp(staleReason(refusal)));
    this.awslogs = new AwslogsDeliveries(client, runtime, config.dataDir());
    this.ports =
        new PortAllocator(
            config.instanceAddress(), config.dynamicPortFirst(), config.dynamicPortLast());
  }

  /** Whether an agent with this data dir has its own key already (it needs no join token). */
  public static boolean hasJoined(java.nio.file.Path dataDir) {
    return AgentKey.load(dataDir).isPresent();
  }

  /**
   * The container instance an agent with this data dir registered as, if any: read from its state
   * file, which is left as it is.
   */
  public static java.util.Optional<String> registeredInstance(java.nio.file.Path dataDir) {
    return StateFile.registeredInstance(dataDir);
  }

  /**
   * Keeps a key the admin issued for this data dir's instance, as a join would have: {@code wharf
   * up} does this for its local agent when that agent registered before join tokens existed.
   */
  public static void keepKey(
      java.nio.file.Path dataDir,
      String accessKeyId,
      String secretAccessKey,
      String containerInstanceArn,
      String clusterArn) {
    new AgentKey(accessKeyId, secretAccessKey, containerInstanceArn, clusterArn).save(dataDir);
  }

  /**
   * Completes when the agent stops: with the reason when it gave up (its join token or its key was
   * refused, which no retry can mend), with null when it was closed.
   */
  public CompletableFuture<String> stopped() {
    return stopped;
  }

  /** Starts the agent's loop in the background. */
  public Agent start() {
    main = Thread.ofPlatform().name("wharf-agent").daemon(true).start(this::loop);
    return this;
  }

  /** Waits until the instance is registered; false on timeout. */
  public boolean awaitRegistered(Duration timeout) throws InterruptedException {
    return registered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Whether the agent has taken its first manifest: matched the engine's containers to the tasks
   * the control plane lists. Until then it needs the engine to answer (a manifest that arrives
   * while the engine is unreachable goes unacknowledged, and the control plane sends it again).
   */
  public boolean hasTakenDesiredState() {
    return firstManifestSeen;
  }

  public String containerInstanceArn() {
    return state.containerInstanceArn();
  }

  public String instanceId() {
    return state.instanceId();
  }

  private void loop() {
    Backoff backoff = Backoff.reconnect();
    // Attempts come about every second during an outage: one warning per QUIET_LOG, the rest debug.
    long lastWarned = System.nanoTime() - QUIET_LOG.toNanos();
    while (!closed) {
      Duration wait = Duration.ZERO;
      String failure = null;
      try {
        if (key == null) {
          join();
        }
        if (state.containerInstanceArn() == null || registered.getCount() > 0) {
          register();
        }
        subscribeToDocker();
        connectAndServe(backoff);
        // The channel was open and ended (the control plane went away): try again at once-ish,
        // and say so if that fails.
        wait = backoff.next();
        lastWarned = System.nanoTime() - QUIET_LOG.toNanos();
      } catch (ControlPlaneClient.CallFailed e) {
        if (ControlPlaneClient.isStaleEpoch(e)) {
          giveUp(staleReason(e));
          return;
        }
        if (isRefusal(e)) {
          giveUp(
              key == null
                  ? "the join token was refused: " + e.getMessage()
                  : "the control plane refused this instance's key ("
                      + e.getMessage()
                      + "); if the instance was deregistered, remove "
                      + config.dataDir().resolve(AgentKey.FILE)
                      + " and join again with a new token");
          return;
        }
        wait = backoff.next();
        failure = "Control plane call failed (" + e.getMessage() + ")";
      } catch (RuntimeException e) {
        wait = backoff.next();
        failure = "Agent loop failed (" + e + ")";
      } catch (InterruptedException e) {
        return;
      }
      if (failure != null) {
        if (System.nanoTime() - lastWarned >= QUIET_LOG.toNanos()) {
          lastWarned = System.nanoTime();
          log.warn("{}; retrying in {} (and about every second until it answers)", failure, wait);
        } else {
          log.debug("{}; retrying in {}", failure, wait);
        }
      }
      if (closed) {
        return;
      }
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A refusal of who the agent is: retrying with the same token or key cannot help. */
  private boolean isRefusal(ControlPlaneClient.CallFailed e) {
    return e.code.equals("UnrecognizedClientException")
        || e.code.equals("AccessDeniedException")
        || (key == null && !e.retryable);
  }

  private String staleReason(ControlPlaneClient.CallFailed e) {
    return "another agent process of this instance registered after this one ("
        + e.getMessage()
        + "); this one makes way rather than fight it. If that was a copy of "
        + config.dataDir()
        + ", only one of them can be this instance";
  }

  private void giveUp(String reason) {
    log.error("The agent stops: {}", reason);
    stopped.complete(reason);
    close();
  }

  // ---- joining and registration ---------------------------------------------------------------

  /**
   * Exchanges the join token for this instance's own key. The request is signed with the token (its
   * id as access key id, its secret as secret key), so the secret never crosses the wire. The key
   * is written (owner-only, fsync'd) before it is used; an agent that dies between the answer and
   * that write has spent a single-use token for nothing and needs a new one.
   */
  private void join() throws ControlPlaneClient.CallFailed {
    String token = config.joinToken();
    int dot = token.indexOf('.');
    ObjectNode body = client.json().createObjectNode().put("cluster", config.cluster());
    JsonNode answer =
        client.callWharf(
            "JoinCluster",
            body,
            client.signerFor(token.substring(0, dot), token.substring(dot + 1)));
    AgentKey joined =
        new AgentKey(
            answer.path("accessKeyId").asText(),
            answer.path("secretAccessKey").asText(),
            answer.path("containerInstanceArn").asText(),
            answer.path("clusterArn").asText());
    joined.save(config.dataDir());
    client.use(joined);
    key = joined;
    log.info(
        "Joined cluster {} as {} (key {})",
        config.cluster(),
        joined.containerInstanceArn(),
        joined.accessKeyId());
  }

  private void register() throws ControlPlaneClient.CallFailed {
    ObjectNode body = client.json().createObjectNode();
    body.put("cluster", config.cluster());
    ObjectNode identity = client.json().createObjectNode();
    identity.put("instanceId", state.instanceId());
    identity.put("availabilityZone", config.availabilityZone());
    identity.put("region", config.region());
    identity.put("privateIp", config.instanceAddress());
    body.put("instanceIdentityDocument", identity.toString());
    // The instance this machine's key was issued for: the key registers no other.
    body.put("containerInstanceArn", key.containerInstanceArn());
    ArrayNode resources = body.putArray("totalResources");
    resources
        .addObject()
        .put("name", "CPU")
        .put("type", "INTEGER")
        .put("integerValue", config.cpu());
    resources
        .addObject()
        .put("name", "MEMORY")
        .put("type", "INTEGER")
        .put("integerValue", config.memory());
    ArrayNode tcp =
        resources
            .addObject()
            .put("name", "PORTS")
            .put("type", "STRINGSET")
            .putArray("stringSetValue");
    config.reservedPorts().forEach(p -> tcp.add(String.valueOf(p)));
    resources
        .addObject()
        .put("name", "PORTS_UDP")
        .put("type", "STRINGSET")
        .putArray("stringSetValue");
    body.putObject("versionInfo")
        .put("agentVersion", "wharf-0.1.0")
        .put("agentHash", "wharf")
        .put(
            "dockerVersion",
            "DockerVersion: " + (runtime.isAvailable() ? "available" : "unreachable"));
    ArrayNode attributes = body.putArray("attributes");
    Map<String, String> all = new java.util.LinkedHashMap<>();
    all.put("ecs.os-type", "linux");
    all.put("ecs.os-family", "LINUX");
    all.put(
        "ecs.cpu-architecture",
        System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"));
    all.put("ecs.instance-type", "wharf.local");
    all.put("ecs.availability-zone", config.availabilityZone());
    all.put("ecs.capability.docker-remote-api.1.41", null);
    all.putAll(config.attributes());
    all.forEach(
        (k, v) -> {
          ObjectNode a = attributes.addObject().put("name", k);
          if (v != null) {
            a.put("value", v);
          }
        });
    JsonNode answer = client.call("RegisterContainerInstance", body);
    String arn = answer.path("containerInstance").path("containerInstanceArn").asText();
    for (JsonNode attribute : answer.path("containerInstance").path("attributes")) {
      if (ControlPlaneClient.EPOCH_ATTRIBUTE.equals(attribute.path("name").asText())) {
        // A control plane that predates epochs sends none: the calls then go without it.
        client.registeredAt(attribute.path("value").asLong(0));
      }
    }
    state.containerInstanceArn(arn);
    registered.countDown();
    log.info("Registered as {} ({}) in cluster {}", arn, state.instanceId(), config.cluster());
  }

  // ---- Docker events ----------------------------------------------------------------------------

  private void subscribeToDocker() {
    if (events != null) {
      return;
    }
    events =
        runtime.events(
            Map.of(Labels.INSTANCE, state.instanceId()),
            this::onContainerEvent,
            cause -> {
              log.warn(
                  "Lost the Docker event stream ({}); re-subscribing",
                  cause == null ? "closed" : cause.toString());
              events = null;
              // The re-subscription reports its own failures (and schedules the next try).
              var unused = scheduler.schedule(this::resubscribe, 1, TimeUnit.SECONDS);
            });
  }

  private void resubscribe() {
    if (closed) {
      return;
    }
    try {
      subscribeToDocker();
      // Events in the gap are lost: tell every manager to look again (level-triggered).
      for (ContainerState c : runtime.list(Map.of(Labels.INSTANCE, state.instanceId()))) {
        if (c.status() != ContainerState.Status.RUNNING) {
          TaskManager m = tasks.get(c.labels().getOrDefault(Labels.TASK_ARN, ""));
          if (m != null) {
            m.event(new ContainerEvent(c.id(), ContainerEvent.Kind.DIED, c.labels(), c.exitCode()));
          }
        }
      }
    } catch (RuntimeException e) {
      events = null;
      var unused = scheduler.schedule(this::resubscribe, 2, TimeUnit.SECONDS);
    }
  }

  private void onContainerEvent(ContainerEvent event) {
    TaskManager manager = tasks.get(event.labels().getOrDefault(Labels.TASK_ARN, ""));
    if (manager != null) {
      manager.event(event);
    }
  }

  // ---- the channel ------------------------------------------------------------------------------

  /** Opens the channel and serves it until it ends; {@code backoff} starts over if it lasted. */
  private void connectAndServe(Backoff backoff)
      throws ControlPlaneClient.CallFailed, InterruptedException {
    ObjectNode discover = client.json().createObjectNode();
    discover.put("cluster", config.cluster());
    discover.put("containerInstance", state.containerInstanceArn());
    String endpoint = client.call("DiscoverPollEndpoint", discover).path("endpoint").asText();
    URI uri =
        URI.create(
            endpoint.replaceAll("/$", "")
                + "/ws/acs?containerInstanceArn="
                + URLEncoder.encode(state.containerInstanceArn(), StandardCharsets.UTF_8)
                + "&cluster="
                + URLEncoder.encode(config.cluster(), StandardCharsets.UTF_8));
    Map<String, String> signed =
        client.signer().sign("GET", uri, client.epochHeaders(), new byte[0]);
    WebSocket.Builder builder =
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    signed.forEach(
        (k, v) -> {
          if (!k.equals("host")) {
            builder.header(k, v);
          }
        });
    CompletableFuture<Void> ended = new CompletableFuture<>();
    try {
      // The listener's onOpen makes it the channel (and starts a fresh chain of sends) at once.
      builder.buildAsync(uri, new Listener(ended)).get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "cannot open the agent channel " + uri + ": " + e.getMessage(), e);
    }
    log.info("Agent channel open to {}", endpoint);
    long openedAt = System.nanoTime();
    // Heartbeats until the channel ends.
    while (!closed && !ended.isDone()) {
      try {
        send("{\"type\":\"heartbeat\"}").get(10, TimeUnit.SECONDS);
        ended.get(config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // Time for the next heartbeat.
      } catch (java.util.concurrent.ExecutionException e) {
        break;
      }
    }
    socket.abort();
    log.info("Agent channel closed");
    // A channel that served a while was a success: the next failure starts from a short wait. One
    // that ends at once (refused after the upgrade) keeps backing off, so it cannot spin.
    if (System.nanoTime() - openedAt >= STABLE_CHANNEL.toNanos()) {
      backoff.reset();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final CompletableFuture<Void> ended;
    private final StringBuilder partial = new StringBuilder();

    Listener(CompletableFuture<Void> ended) {
      this.ended = ended;
    }

    @Override
    public void onOpen(WebSocket ws) {
      // The channel is ours from its first message on (the manifest can arrive, and be acked,
      // before buildAsync's future completes).
      synchronized (sendLock) {
        lastSend = CompletableFuture.completedFuture(null);
        socket = ws;
      }
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          onMessage(client.json().readTree(text));
        } catch (Exception e) {
          log.warn("Bad message on the agent channel: {}", e.toString());
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      ended.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      ended.complete(null);
    }
  }

  // ---- desired state
  // ------------------------------------------------------------------------------

  /**
   * A message from the control plane: a manifest (every task this instance should know about) or an
   * update (the tasks that changed since, and the ARNs of tasks it no longer lists). Each is
   * acknowledged by its sequence number.
   */
  private synchronized void onMessage(JsonNode message) {
    String type = message.path("type").asText();
    boolean manifest = "manifest".equals(type);
    if (!manifest && !("update".equals(type) && firstManifestSeen)) {
      // Not desired state, or an update before any manifest (the control plane sends a manifest
      // first on every channel; without an ack it sends a manifest again).
      return;
    }
    Set<String> wanted = new HashSet<>();
    Map<String, List<ContainerState>> existing = firstManifestSeen ? Map.of() : containersByTask();
    // Each task definition comes once per message, in "taskDefinitions" by ARN.
    JsonNode definitions = message.path("taskDefinitions");
    // A task that arrives after the first manifest was never run by this agent: nothing to adopt.
    for (JsonNode task : message.path("tasks")) {
      if (!task.has("taskDefinition") && task instanceof ObjectNode t) {
        t.set("taskDefinition", definitions.path(task.path("taskDefinitionArn").asText()));
      }
      String arn = task.path("taskArn").asText();
      wanted.add(arn);
      TaskManager manager = tasks.get(arn);
      if (manager == null) {
        // After the first manifest every container of this agent has been matched to its task, so
        // a task first seen later has none: no need to ask Docker.
        List<ContainerState> adopted = existing.getOrDefault(arn, List.of());
        manager = new TaskManager(context(), task, adopted);
        tasks.put(arn, manager);
        manager.start();
      } else if (!manager.isDone()) {
        manager.desired(task.path("desiredStatus").asText("RUNNING"));
      }
    }
    if (manifest) {
      // Tasks the control plane no longer lists: stop what still runs.
      for (TaskManager m : tasks.values()) {
        if (!wanted.contains(m.taskArn())) {
          m.desired("STOPPED");
        }
      }
      tasks.values().removeIf(m -> m.isDone() && !wanted.contains(m.taskArn()));
    } else {
      // An update names the tasks it no longer lists (they stopped): the same, for those.
      for (JsonNode removed : message.path("removed")) {
        TaskManager m = tasks.get(removed.asText());
        if (m != null) {
          m.desired("STOPPED");
          if (m.isDone()) {
            tasks.remove(m.taskArn());
          }
        }
      }
    }
    if (!firstManifestSeen) {
      firstManifestSeen = true;
      // Containers of tasks the control plane does not know: stop them, nothing may run unowned.
      existing.forEach(
          (arn, containers) -> {
            if (!wanted.contains(arn)) {
              containers.stream()
                  .filter(c -> c.status() == ContainerState.Status.RUNNING)
                  .forEach(
                      c -> {
                        log.info(
                            "Stopping container {} of task {}, unknown to the control plane",
                            c.id(),
                            arn);
                        runtime.stop(c.id(), config.stopTimeout());
                      });
            }
          });
    }
    ObjectNode ack =
        client
            .json()
            .createObjectNode()
            .put("type", "ack")
            .put("seq", message.path("seq").asLong());
    // A failed send closes the channel, and the control plane resends what was not acknowledged.
    var unused = send(ack.toString());
  }

  /**
   * Sends a text message on the channel after any still in flight: the JDK's WebSocket refuses a
   * send while another is pending, and acks and heartbeats go out from different threads.
   */
  private CompletableFuture<WebSocket> send(String text) {
    synchronized (sendLock) {
      WebSocket ws = socket;
      if (ws == null) {
        return CompletableFuture.completedFuture(null);
      }
      lastSend = lastSend.handle((r, e) -> null).thenCompose(x -> ws.sendText(text, true));
      return lastSend;
    }
  }

  private Map<String, List<ContainerState>> containersByTask() {
    Map<String, List<ContainerState>> out = new HashMap<>();
    for (ContainerState c : runtime.list(Map.of(Labels.INSTANCE, state.instanceId()))) {
      out.computeIfAbsent(c.labels().getOrDefault(Labels.TASK_ARN, ""), k -> new ArrayList<>())
          .add(c);
    }
    return out;
  }

  private TaskManager.Context context() {
    return new TaskManager.Context(
        runtime,
        reporter,
        ports,
        config,
        state.instanceId(),
        config.cluster(),
        scheduler,
        knownImages,
        clock,
        awslogs);
  }

  /**
   * What the non-blocking awslogs buffers dropped, by container id (also in the agent's log, and in
   * each container's cursor file under {@code <data-dir>/awslogs/}).
   */
  public Map<String, Long> awslogsDroppedEvents() {
    return awslogs.droppedEvents();
  }

  /** Stops the agent, leaving every container running. */
  @Override
  public void close() {
    closed = true;
    WebSocket ws = socket;
    if (ws != null) {
      ws.abort();
    }
    if (main != null) {
      main.interrupt();
    }
    ContainerRuntime.Subscription s = events;
    if (s != null) {
      s.close();
    }
    reporter.close();
    awslogs.close();
    scheduler.shutdownNow();
    stopped.complete(null);
  }
}
