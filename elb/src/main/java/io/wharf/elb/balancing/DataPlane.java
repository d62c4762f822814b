package io.wharf.elb.balancing;

import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.elb.targets.TargetHealthView;
import io.wharf.elb.targets.TargetRegistrations;
import io.wharf.haproxy.Haproxy;
import io.wharf.haproxy.ProxyConfig;
import io.wharf.haproxy.ProxyException;
import io.wharf.haproxy.ServerStatus;
import io.wharf.model.WharfException;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetHealth;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.elb.TargetType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load balancers' data plane: a level-triggered loop that keeps HAProxy in line with the
 * load-balancing state, and the view of target health it observes.
 *
 * <pre>
 *  every tick (or at once when {@link #changed} is called):
 *    state ── deregistration delay passed? ──▶ StateMachine: remove those registrations
 *      │
 *      ▼ ProxyConfigs.of(state)
 *    desired ── differs from what was applied (or 2 s passed) ──▶ Haproxy.apply
 *      │                                     (reload if the structure changed; servers at runtime)
 *      ▼
 *    HAProxy show stat / show servers state ──▶ observation ──▶ health(), isDrained()
 * </pre>
 *
 * <p>Nothing here depends on seeing every change: each tick compares the whole desired state with
 * what HAProxy has, so a restart of Wharf or of HAProxy is just another tick. HAProxy is started
 * when the first listener exists; without an HAProxy binary the API still works and keeps state,
 * listeners are not served, load balancers report {@code failed} with the reason, and targets
 * {@code unavailable} ({@link #problem}); the binary is looked for again every 30 s.
 *
 * <p>Time: whether a deregistration delay has passed is judged by the injected clock (as the state
 * machine's commands are); only the pacing of HAProxy polls uses the monotonic timer.
 *
 * <p>Threading: one loop thread changes HAProxy; {@link #health}, {@link #isDrained}, {@link
 * #problem} and {@link #changed} are safe from any thread and never block.
 */
public final class DataPlane implements TargetHealthView, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

  /** How often the loop looks at the state when not woken. */
  private static final Duration TICK = Duration.ofMillis(100);

  /** A full comparison with HAProxy at least this often, even without a change of state. */
  private static final Duration RESYNC = Duration.ofSeconds(2);

  /** Server health is read at least this often. */
  private static final Duration OBSERVE = Duration.ofMillis(500);

  /** Server states are saved this often, for a warm start after a crash of HAProxy. */
  private static final Duration SAVE_STATES = Duration.ofSeconds(5);

  /** A missing HAProxy binary is looked for again this often. */
  private static final Duration RETRY_MISSING = Duration.ofSeconds(30);

  /** The longest wait before a failed apply is tried again. */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * How to run the data plane.
   *
   * @param haproxy the haproxy binary, or null to look for it on the PATH and in /usr/sbin
   * @param workDir HAProxy's configuration, state file, pid file and log
   */
  public record Settings(Path haproxy, Path workDir) {}

  /** What HAProxy had, observed right after applying {@code state}. */
  private record Observation(State state, Map<String, ServerStatus> servers) {}

  /** Instance id → address for one version of the container instances (a scan of them all). */
  private record Addresses(Object instances, Map<String, String> byInstanceId) {}

  private final StateMachine states;
  private final Clock clock;
  private final Settings settings;
  private final Thread loop;
  private final Object wake = new Object();
  private final Set<String> everUp = ConcurrentHashMap.newKeySet();

  private volatile Observation observation;
  private volatile Addresses addresses = new Addresses(null, Map.of());
  private volatile String problem;
  private volatile boolean poked;
  private volatile boolean closed;

  // Loop thread only.
  private Haproxy proxy;
  private ProxyConfig applied;
  private long lastApply;
  private long lastObserve;
  private long lastSave;
  private long lastLookForBinary;
  private boolean lookedForBinary;
  private long retryAt;
  private Duration backoff = Duration.ofSeconds(1);
  private boolean warnedMissing;
  private Object lastBalancing;
  private Object lastInstances;
  private ProxyConfig lastDesired;

  public DataPlane(StateMachine states, Clock clock, Settings settings) {
    this.states = states;
    this.clock = clock;
    this.settings = settings;
    this.observation = new Observation(states.current(), Map.of());
    this.loop = Thread.ofPlatform().daemon(true).name("wharf-data-plane").start(this::run);
  }

  /** The load-balancing state changed: reconcile now rather than at the next tick. */
  public void changed() {
    poked = true;
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  /**
   * Why listeners are not being served, or empty when they are (or when there is nothing to serve).
   */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  // ---- TargetHealthView -----------------------------------------------------------------------

  @Override
  public TargetHealth health(String targetGroupArn, Target target) {
    State state = states.current();
    TargetGroup group = state.balancing().targetGroups().get(targetGroupArn);
    TargetRegistration registration = state.balancing().registration(targetGroupArn, target);
    if (group == null || registration == null) {
      return TargetHealth.NOT_REGISTERED;
    }
    String address = addressOf(state, group.targetType(), target);
    String key = serverKey(group, target, address);
    return TargetHealths.of(
        group,
        registration,
        state.balancing().isInUse(targetGroupArn),
        address,
        problem,
        address == null ? null : observation.servers().get(key),
        everUp.contains(key));
  }

  @Override
  public boolean isDrained(String targetGroupArn, Target target) {
    State state = states.current();
    TargetGroup group = state.balancing().targetGroups().get(targetGroupArn);
    TargetRegistration registration = state.balancing().registration(targetGroupArn, target);
    if (group == null || registration == null) {
      return true;
    }
    if (!registration.isDraining()) {
      return false;
    }
    if (!registration.drainingSince().plus(group.deregistrationDelay()).isAfter(clock.instant())
        || !state.balancing().isInUse(targetGroupArn)
        || problem != null) {
      return true;
    }
    // Only an observation taken after HAProxy was told to drain this target counts.
    Observation seen = observation;
    TargetRegistration then = seen.state().balancing().registration(targetGroupArn, target);
    if (then == null || !registration.drainingSince().equals(then.drainingSince())) {
      return false;
    }
    String address = addressOf(seen.state(), group.targetType(), target);
    ServerStatus server =
        address == null ? null : seen.servers().get(serverKey(group, target, address));
    // A slot that no longer holds it (freed) is not observed at all.
    return server == null
        || ((server.draining() || server.maintenance()) && server.currentSessions() == 0);
  }

  private String addressOf(State state, TargetType type, Target target) {
    if (type == TargetType.IP) {
      return target.id();
    }
    return instanceAddresses(state).get(target.id());
  }

  /** The instance addresses of a state, computed once per version of its container instances. */
  private Map<String, String> instanceAddresses(State state) {
    Addresses known = addresses;
    if (known.instances() != state.containerInstances()) {
      known = new Addresses(state.containerInstances(), ProxyConfigs.instanceAddresses(state));
      addresses = known;
    }
    return known.byInstanceId();
  }

  /** {@code backend/address:port}: how observations are keyed. */
  private static String serverKey(TargetGroup group, Target target, String address) {
    return ProxyConfigs.backendName(group.arn()) + "/" + address + ":" + target.port();
  }

  // ---- the loop
  // ----------------------------------------------------------------------------------

  private void run() {
    adoptLeftoverProxy();
    while (!closed) {
      try {
        tick();
      } catch (RuntimeException e) {
        log.error("The data plane's reconcile failed; trying again", e);
      }
      synchronized (wake) {
        if (!poked && !closed) {
          try {
            wake.wait(TICK.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        poked = false;
      }
    }
  }

  private void tick() {
    State state = states.current();
    if (TargetRegistrations.anyDeregistrationDue(state, clock.instant())) {
      try {
        int removed = states.execute(TargetRegistrations::finishDeregistrations);
        log.debug("{} drained targets removed after their deregistration delay", removed);
      } catch (WharfException e) {
        log.warn("Could not remove drained targets: {}", e.getMessage());
      }
      state = states.current();
    }
    if (proxy == null && state.balancing().listeners().isEmpty()) {
      // Nothing to serve and no HAProxy: nothing to compute either.
      problem = null;
      observation = new Observation(state, Map.of());
      return;
    }
    ProxyConfig desired = desiredFor(state);
    long now = System.nanoTime();
    if (proxy == null) {
      if (!openProxy(now)) {
        observation = new Observation(state, Map.of());
        return;
      }
    }
    boolean apply = !desired.equals(applied) || now - lastApply > RESYNC.toNanos();
    if (apply && now >= retryAt) {
      try {
        proxy.apply(desired);
        applied = desired;
        lastApply = now;
        problem = null;
        backoff = Duration.ofSeconds(1);
      } catch (ProxyException | java.io.UncheckedIOException e) {
        applied = null;
        problem = "HAProxy could not apply the load balancers' configuration: " + e.getMessage();
        retryAt = now + backoff.toNanos();
        log.error("{} (next attempt in {} s)", problem, backoff.toSeconds());
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
        return;
      }
    }
    if (apply || now - lastObserve > OBSERVE.toNanos()) {
      observe(state);
      lastObserve = now;
    }
    if (now - lastSave > SAVE_STATES.toNanos()) {
      try {
        proxy.saveServerStates();
      } catch (RuntimeException e) {
        log.debug("Could not save HAProxy's server states: {}", e.getMessage());
      }
      lastSave = now;
    }
  }

  /** The configuration of a state, computed again only when its inputs changed. */
  private ProxyConfig desiredFor(State state) {
    if (state.balancing() != lastBalancing || state.containerInstances() != lastInstances) {
      lastDesired = ProxyConfigs.of(state);
      lastBalancing = state.balancing();
      lastInstances = state.containerInstances();
    }
    return lastDesired;
  }

  private void observe(State appliedState) {
    Map<String, ServerStatus> servers = new HashMap<>();
    try {
      for (ServerStatus s : proxy.servers()) {
        String key = s.backend() + "/" + s.key();
        servers.put(key, s);
        if (s.isUp() && !s.maintenance()) {
          everUp.add(key);
        }
      }
    } catch (ProxyException e) {
      log.debug("Could not read HAProxy's servers: {}", e.getMessage());
      return;
    }
    everUp.retainAll(servers.keySet());
    // The state is the one applied just before, so the observation reflects it.
    observation = new Observation(appliedState, servers);
  }

  /**
   * Opens HAProxy (adopting one left running); false, with {@link #problem} set, when it cannot.
   */
  private boolean openProxy(long now) {
    if (lookedForBinary && problem != null && now - lastLookForBinary < RETRY_MISSING.toNanos()) {
      return false;
    }
    lookedForBinary = true;
    lastLookForBinary = now;
    Optional<Path> binary = Haproxy.findBinary(settings.haproxy());
    if (binary.isEmpty()) {
      problem =
          "HAProxy is not installed, so load balancers' listeners are not served; "
              + Haproxy.installHint();
      if (!warnedMissing) {
        log.warn(
            "{}. The ELB API keeps working; Wharf looks for HAProxy again every 30 s.", problem);
        warnedMissing = true;
      }
      return false;
    }
    try {
      proxy = Haproxy.open(new Haproxy.Settings(binary.get(), settings.workDir()));
      problem = null;
      log.info("Load balancers are served by {} (files in {})", binary.get(), settings.workDir());
      return true;
    } catch (ProxyException e) {
      problem = e.getMessage();
      log.warn("Load balancers' listeners are not served: {}", problem);
      return false;
    }
  }

  /** An HAProxy left running by a Wharf that was killed is adopted at once, listeners or not. */
  private void adoptLeftoverProxy() {
    if (Files.exists(settings.workDir().resolve("haproxy.pid"))) {
      openProxy(System.nanoTime());
    }
  }

  /** Stops the loop and HAProxy. */
  @Override
  public void close() {
    closed = true;
    changed();
    try {
      loop.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (proxy != null) {
      proxy.close();
    }
  }
}
