package io.wharf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.NetworkBinding;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;

/**
 * Requests per second and latency through a Wharf load balancer's listener (HAProxy) to a two-task
 * ECS service's containers, next to the same load sent straight to the containers' published ports
 * in the same run; and the time from a new task reaching RUNNING to its first request through the
 * listener.
 *
 * <pre>
 *  wrk ──keep-alive──▶ listener (HAProxy, run by wharf server) ─┬─▶ 127.0.0.12:p1 ─▶ container 1 (nginx)
 *                                                               └─▶ 127.0.0.12:p2 ─▶ container 2 (nginx)
 *  wrk ──keep-alive──▶ 127.0.0.12:p1      wrk ──keep-alive──▶ 127.0.0.12:p2    (the baseline, at once)
 *
 *  1. wharf server and wharf agent (child JVMs, as ./wharf runs them); a load balancer, an instance
 *     target group (checks every 5 s, healthy after 2), a listener; a service of 2 tasks with
 *     loadBalancers: Wharf registers the tasks' host ports as targets itself
 *  2. warm-up: both paths, not recorded
 *  3. rounds, alternating which path goes first:
 *       saturated: wrk -t2 -cN through the listener | two wrk -t1 -c(N/2), one per container
 *       fixed rates: the same at R requests/s in all (latency below saturation)
 *  4. scale the service from 2 to 3 while a client sends requests through the listener back to
 *     back: time from the new task's RUNNING to the first response from its container; back to 2
 * </pre>
 *
 * <p>The containers run nginx (image built locally by bench/lb-target-image.sh) answering their
 * host name (the container id's first 12 characters) on every path, with HTTP/1.1 keep-alive. The
 * targets are what Wharf registered (instance address and host port), so both paths go through
 * Docker's port publishing. Everything runs on this machine, so HAProxy, wrk, Docker's proxies and
 * the containers share its cores. It prints figures and never fails on time. Settings: {@code
 * wharf.bench.lb.*} (see bench/README.md).
 */
public final class LoadBalancerBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  // Load balancers of this run get an address range of their own, away from a wharf up's default.
  private static final String ADDRESSES = "127.0.44.1-127.0.44.254";

  // The agent's instance address, where the tasks' ports are published (other benchmarks use
  // 127.0.0.9 and .10, the ITs .4 to .8).
  private static final String INSTANCE_ADDRESS = "127.0.0.12";
  private static final String CLUSTER = "lbbench";
  private static final String SERVICE = "web";
  private static final String CONTAINER = "web";
  private static final int CONTAINER_PORT = 8080;
  private static final String INSTANCE_LABEL = "io.wharf.instance-id";
  private static final Duration TIMEOUT = Duration.ofSeconds(180);

  private record Settings(
      Duration duration,
      Duration warmup,
      int rounds,
      int connections,
      List<Integer> rates,
      int rateConnections,
      int scaleUps,
      int defaultScaleUps,
      String image,
      Path imageScript,
      Path serverJar) {
    static Settings fromSystemProperties() {
      Settings s =
          new Settings(
              BenchSettings.parseDuration(System.getProperty("wharf.bench.lb.duration", "10s")),
              BenchSettings.parseDuration(System.getProperty("wharf.bench.lb.warmup", "5s")),
              Integer.getInteger("wharf.bench.lb.rounds", 5),
              Integer.getInteger("wharf.bench.lb.connections", 32),
              Arrays.stream(System.getProperty("wharf.bench.lb.rates", "1000,3000").split(","))
                  .map(String::strip)
                  .filter(x -> !x.isEmpty())
                  .map(Integer::parseInt)
                  .toList(),
              Integer.getInteger("wharf.bench.lb.rateConnections", 16),
              Integer.getInteger("wharf.bench.lb.scaleUps", 5),
              Integer.getInteger("wharf.bench.lb.defaultScaleUps", 0),
              System.getProperty("wharf.bench.lb.image", "wharf-bench/nginx:latest"),
              Path.of(System.getProperty("wharf.bench.lb.imageScript", "bench/lb-target-image.sh")),
              BenchSettings.serverJarFromProperty());
      if (s.connections < 2
          || s.connections % 2 != 0
          || s.rateConnections < 2
          || s.rateConnections % 2 != 0) {
        throw new IllegalArgumentException(
            "connections must be even and at least 2 (half per target)");
      }
      return s;
    }
  }

  /**
   * One wrk run's figures.
   *
   * @param cpuMicros CPU time per request (user + system) of each group of processes, by name
   * @param connects new connections HAProxy opened to the targets during the run (-1: not read)
   * @param reuses requests HAProxy sent on a connection it already had (-1: not read)
   * @param targetConnections connections to the targets' ports open mid-run, seen by {@code ss}
   */
  record Figures(
      double requestsPerSecond,
      double p50Micros,
      double p99Micros,
      long errors,
      Map<String, Double> cpuMicros,
      long connects,
      long reuses,
      int targetConnections) {}

  /** The processes whose CPU time is read around each run. */
  static final class Processes {
    Path haproxyPidFile;
    List<Long> dockerProxies = List.of();
    List<Long> containers = List.of();

    Map<String, Long> cpuMicros() {
      return Map.of(
          "HAProxy", tree(haproxyPid()),
          "docker-proxy", sum(dockerProxies),
          "nginx (containers)", trees(containers));
    }

    private long haproxyPid() {
      try {
        return Long.parseLong(Files.readString(haproxyPidFile).trim());
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    private static long trees(List<Long> pids) {
      return pids.stream().mapToLong(Processes::tree).sum();
    }

    private static long tree(long pid) {
      if (pid <= 0) {
        return 0;
      }
      long total = micros(pid);
      for (ProcessHandle child :
          ProcessHandle.of(pid).map(h -> h.children().toList()).orElse(List.of())) {
        total += micros(child.pid());
      }
      return total;
    }

    private static long sum(List<Long> pids) {
      return pids.stream().mapToLong(Processes::micros).sum();
    }

    /** utime + stime of a process from /proc (clock ticks of 10 ms on Linux), in microseconds. */
    private static long micros(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000L;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /** A registered target as the listener reaches it, and the task behind it. */
  record Target(String address, int port, String taskArn, String containerId) {
    String url() {
      return "http://" + address + ":" + port + "/";
    }
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.fromSystemProperties();
    Path wrk = findOnPath("wrk", "wrk is not installed: sudo apt-get install wrk");
    Path script = Files.createTempFile("wharf-bench-wrk", ".lua");
    Files.writeString(script, WRK_SCRIPT);
    Path dataDir = Files.createTempDirectory("wharf-bench-lb");
    Processes processes = new Processes();
    processes.haproxyPidFile = dataDir.resolve("server").resolve("haproxy").resolve("haproxy.pid");
    Path adminSocket = adminSocket(dataDir.resolve("server").resolve("haproxy"));
    progress("target image " + settings.image() + " (" + settings.imageScript() + ")");
    buildImage(settings);
    String docker = DockerCli.describe();
    progress("wharf server (data dir " + dataDir + ")");
    String instanceId = null;
    try (WharfServer server =
            WharfServer.start(
                dataDir.resolve("server"),
                settings.serverJar(),
                List.of("--load-balancer-addresses", ADDRESSES));
        EcsClient ecs = Clients.ecs(server.endpoint());
        ElasticLoadBalancingV2Client elb = client(server.endpoint())) {
      ecs.createCluster(b -> b.clusterName(CLUSTER));
      progress("wharf agent, instance address " + INSTANCE_ADDRESS);
      try (WharfAgent agent =
          WharfAgent.start(
              settings.serverJar(),
              server.endpoint(),
              CLUSTER,
              dataDir.resolve("agent"),
              INSTANCE_ADDRESS,
              4096,
              4096)) {
        instanceId = agent.awaitConnected(ecs, CLUSTER, TIMEOUT).ec2InstanceId();
        LoadBalancer lb = elb.createLoadBalancer(r -> r.name("bench")).loadBalancers().get(0);
        TargetGroup tg =
            elb.createTargetGroup(
                    r ->
                        r.name("bench-targets")
                            .protocol(ProtocolEnum.HTTP)
                            .port(80)
                            .healthCheckPath("/health")
                            .healthCheckIntervalSeconds(5)
                            .healthCheckTimeoutSeconds(2)
                            .healthyThresholdCount(2)
                            .unhealthyThresholdCount(2))
                .targetGroups()
                .get(0);
        elb.modifyTargetGroupAttributes(
            r ->
                r.targetGroupArn(tg.targetGroupArn())
                    .attributes(x -> x.key("deregistration_delay.timeout_seconds").value("0")));
        int port = freePort(lb.dnsName());
        elb.createListener(
            r ->
                r.loadBalancerArn(lb.loadBalancerArn())
                    .protocol(ProtocolEnum.HTTP)
                    .port(port)
                    .defaultActions(
                        x -> x.type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn())));
        String listener = "http://" + lb.dnsName() + ":" + port + "/";
        ecs.registerTaskDefinition(
            b ->
                b.family("bench-web")
                    .containerDefinitions(
                        ContainerDefinition.builder()
                            .name(CONTAINER)
                            .image(settings.image())
                            .memory(64)
                            .essential(true)
                            .stopTimeout(2)
                            .portMappings(
                                PortMapping.builder().containerPort(CONTAINER_PORT).build())
                            .build()));
        ecs.createService(
            b ->
                b.cluster(CLUSTER)
                    .serviceName(SERVICE)
                    .taskDefinition("bench-web")
                    .desiredCount(2)
                    .loadBalancers(
                        l ->
                            l.targetGroupArn(tg.targetGroupArn())
                                .containerName(CONTAINER)
                                .containerPort(CONTAINER_PORT)));
        progress("service of 2 tasks; waiting until both targets are healthy");
        List<Target> targets = awaitHealthyTargets(ecs, elb, tg, 2);
        for (Target t : targets) {
          progress("  target " + t.address() + ":" + t.port() + " = container " + t.containerId());
        }
        processes.containers =
            targets.stream()
                .map(
                    t ->
                        Long.parseLong(
                            DockerCli.check("inspect", "-f", "{{.State.Pid}}", t.containerId())))
                .toList();
        processes.dockerProxies = dockerProxies(targets);

        List<String> directUrls = targets.stream().map(Target::url).toList();
        Run through = new Run(wrk, script, List.of(listener), settings.connections(), 0);
        Run direct = new Run(wrk, script, directUrls, settings.connections(), 0);
        through.inspector = new Inspector(adminSocket, targets);
        direct.inspector = new Inspector(null, targets);
        progress("warm-up");
        through.measure(settings.warmup(), processes);
        direct.measure(settings.warmup(), processes);

        List<Figures> saturatedLb = new ArrayList<>();
        List<Figures> saturatedDirect = new ArrayList<>();
        List<List<Figures>> ratedLb = new ArrayList<>();
        List<List<Figures>> ratedDirect = new ArrayList<>();
        List<Run[]> rated = new ArrayList<>();
        for (int rate : settings.rates()) {
          ratedLb.add(new ArrayList<>());
          ratedDirect.add(new ArrayList<>());
          Run r1 = new Run(wrk, script, List.of(listener), settings.rateConnections(), rate);
          Run r2 = new Run(wrk, script, directUrls, settings.rateConnections(), rate);
          r1.inspector = through.inspector;
          r2.inspector = direct.inspector;
          rated.add(new Run[] {r1, r2});
        }
        List<Double> loads = new ArrayList<>();
        for (int round = 1; round <= settings.rounds(); round++) {
          progress("round " + round + " of " + settings.rounds());
          boolean lbFirst = round % 2 == 1;
          for (int i = 0; i < 2; i++) {
            if ((i == 0) == lbFirst) {
              saturatedLb.add(through.measure(settings.duration(), processes));
            } else {
              saturatedDirect.add(direct.measure(settings.duration(), processes));
            }
          }
          for (int k = 0; k < rated.size(); k++) {
            for (int i = 0; i < 2; i++) {
              if ((i == 0) == lbFirst) {
                ratedLb.get(k).add(rated.get(k)[0].measure(settings.duration(), processes));
              } else {
                ratedDirect.get(k).add(rated.get(k)[1].measure(settings.duration(), processes));
              }
            }
          }
          loads.add(Machine.loadAverage());
        }

        progress("RUNNING to traffic, health checks every 5 s, healthy after 2");
        List<double[]> fast = runningToTraffic(ecs, elb, tg, listener, settings.scaleUps());
        List<double[]> defaults = List.of();
        if (settings.defaultScaleUps() > 0) {
          progress(
              "RUNNING to traffic, the group's defaults (every 30 s, timeout 5 s, healthy after 5)");
          elb.modifyTargetGroup(
              r ->
                  r.targetGroupArn(tg.targetGroupArn())
                      .healthCheckIntervalSeconds(30)
                      .healthCheckTimeoutSeconds(5)
                      .healthyThresholdCount(5));
          defaults = runningToTraffic(ecs, elb, tg, listener, settings.defaultScaleUps());
        }
        loads.add(Machine.loadAverage());

        report(
            settings,
            docker,
            targets,
            loads,
            saturatedLb,
            saturatedDirect,
            ratedLb,
            ratedDirect,
            fast,
            defaults);
        ecs.updateService(b -> b.cluster(CLUSTER).service(SERVICE).desiredCount(0));
        ecs.deleteService(b -> b.cluster(CLUSTER).service(SERVICE).force(true));
      }
    } finally {
      if (instanceId != null) {
        try {
          DockerCli.removeForcibly(DockerCli.containersLabelled(INSTANCE_LABEL, instanceId));
        } catch (RuntimeException e) {
          progress("removing the containers failed: " + e.getMessage());
        }
      }
      Files.deleteIfExists(script);
      TempDirs.delete(dataDir);
    }
  }

  // ---- the service and its targets ----

  private static List<Task> runningTasks(EcsClient ecs) {
    List<String> arns =
        ecs.listTasks(
                b -> b.cluster(CLUSTER).serviceName(SERVICE).desiredStatus(DesiredStatus.RUNNING))
            .taskArns();
    return arns.isEmpty()
        ? List.of()
        : ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(arns)).tasks();
  }

  /**
   * Waits until the group has exactly {@code count} targets, all healthy, and as many RUNNING
   * tasks; returns the targets with the tasks publishing them.
   */
  private static List<Target> awaitHealthyTargets(
      EcsClient ecs, ElasticLoadBalancingV2Client elb, TargetGroup tg, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      List<TargetHealthDescription> health =
          elb.describeTargetHealth(r -> r.targetGroupArn(tg.targetGroupArn()))
              .targetHealthDescriptions();
      List<Task> tasks = runningTasks(ecs);
      if (health.size() == count
          && health.stream().allMatch(h -> h.targetHealth().stateAsString().equals("healthy"))
          && tasks.size() == count
          && tasks.stream().allMatch(t -> "RUNNING".equals(t.lastStatus()))) {
        List<Target> out = new ArrayList<>();
        for (TargetHealthDescription h : health) {
          int port = h.target().port();
          Task task =
              tasks.stream()
                  .filter(t -> hostPort(t) == port)
                  .findFirst()
                  .orElseThrow(() -> new IllegalStateException("no task publishes port " + port));
          NetworkBinding b = task.containers().get(0).networkBindings().get(0);
          out.add(
              new Target(
                  b.bindIP().equals("0.0.0.0") ? INSTANCE_ADDRESS : b.bindIP(),
                  port,
                  task.taskArn(),
                  task.containers().get(0).runtimeId()));
        }
        return out;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "targets not healthy within " + TIMEOUT + ": " + health + ", " + tasks.size());
      }
      Thread.sleep(200);
    }
  }

  private static int hostPort(Task t) {
    List<NetworkBinding> b = t.containers().get(0).networkBindings();
    return b.isEmpty() ? -1 : b.get(0).hostPort();
  }

  /** Docker's userland proxies of the targets' published ports (the loopback path goes there). */
  private static List<Long> dockerProxies(List<Target> targets) {
    List<Long> out = new ArrayList<>();
    ProcessHandle.allProcesses()
        .forEach(
            p -> {
              String line =
                  p.info().command().orElse("")
                      + " "
                      + String.join(" ", p.info().arguments().orElse(new String[0]));
              for (Target t : targets) {
                if (line.contains("docker-proxy")
                    && line.contains("-host-ip " + t.address())
                    && line.contains("-host-port " + t.port() + " ")) {
                  out.add(p.pid());
                }
              }
            });
    return out;
  }

  /**
   * Scales the service from 2 to 3 tasks {@code times} times while a client sends requests through
   * the listener back to back (one keep-alive connection), and times from the new task's RUNNING to
   * the first response its container sent (each container answers its host name). Four figures per
   * scale-up, in milliseconds: from the task's {@code startedAt} (the control plane's clock when it
   * recorded RUNNING) to the response, by the wall clock of this host; from the moment
   * DescribeTasks, asked every 20 ms, first showed the task RUNNING to the response; and from that
   * moment to the target's first appearance in DescribeTargetHealth (asked every 20 ms) and to its
   * first {@code healthy} there. Scales back to 2 in between.
   */
  private static List<double[]> runningToTraffic(
      EcsClient ecs, ElasticLoadBalancingV2Client elb, TargetGroup tg, String listener, int times)
      throws InterruptedException {
    Map<String, long[]> firstSeen = new ConcurrentHashMap<>(); // host name -> {epoch ms, nanos}
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong failures = new AtomicLong();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Thread load =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  HttpRequest get = HttpRequest.newBuilder(URI.create(listener)).build();
                  while (running.get()) {
                    try {
                      HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                      if (r.statusCode() == 200) {
                        long nanos = System.nanoTime();
                        long wall = System.currentTimeMillis();
                        firstSeen.computeIfAbsent(r.body().strip(), k -> new long[] {wall, nanos});
                      } else {
                        failures.incrementAndGet();
                      }
                    } catch (IOException e) {
                      failures.incrementAndGet();
                      sleep(Duration.ofMillis(1));
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    List<double[]> out = new ArrayList<>();
    try {
      for (int i = 0; i < times; i++) {
        Set<String> before = new HashSet<>();
        runningTasks(ecs).forEach(t -> before.add(t.taskArn()));
        ecs.updateService(b -> b.cluster(CLUSTER).service(SERVICE).desiredCount(3));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Task started = null;
        long seenRunning = 0;
        while (started == null) {
          for (Task t : runningTasks(ecs)) {
            if (!before.contains(t.taskArn()) && "RUNNING".equals(t.lastStatus())) {
              started = t;
              seenRunning = System.nanoTime();
            }
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("no third task RUNNING within " + TIMEOUT);
          }
          Thread.sleep(20);
        }
        String host = started.containers().get(0).runtimeId().substring(0, 12);
        int port = hostPort(started);
        // Where the time goes, as DescribeTargetHealth (asked every 20 ms) shows it: the target
        // registered (by the service controller), then healthy.
        // The API may show it healthy only after the first request (it reads HAProxy's state
        // when asked or on its own schedule), so this goes on for a while after that request.
        long registered = 0;
        long healthy = 0;
        long stopAt = Long.MAX_VALUE;
        while (healthy == 0 && System.nanoTime() < stopAt) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "the new task's container " + host + " got no request within " + TIMEOUT);
          }
          for (TargetHealthDescription h :
              elb.describeTargetHealth(r -> r.targetGroupArn(tg.targetGroupArn()))
                  .targetHealthDescriptions()) {
            if (h.target().port() == port) {
              long now = System.nanoTime();
              registered = registered == 0 ? now : registered;
              if (healthy == 0 && h.targetHealth().stateAsString().equals("healthy")) {
                healthy = now;
              }
            }
          }
          if (stopAt == Long.MAX_VALUE && firstSeen.containsKey(host)) {
            stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
          }
          Thread.sleep(20);
        }
        while (!firstSeen.containsKey(host)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "the new task's container " + host + " got no request within " + TIMEOUT);
          }
          Thread.sleep(1);
        }
        long[] first = firstSeen.get(host);
        double fromStartedAt = first[0] - started.startedAt().toEpochMilli();
        double fromSeen = (first[1] - seenRunning) / 1e6;
        double toRegistered = registered == 0 ? Double.NaN : (registered - seenRunning) / 1e6;
        double toHealthy = healthy == 0 ? Double.NaN : (healthy - seenRunning) / 1e6;
        out.add(new double[] {fromStartedAt, fromSeen, toRegistered, toHealthy});
        progress(
            String.format(
                Locale.ROOT,
                "  scale-up %d: first response %.0f ms after startedAt, %.0f ms after RUNNING was"
                    + " seen (target seen registered after %.0f ms, healthy after %.0f ms)",
                i + 1,
                fromStartedAt,
                fromSeen,
                toRegistered,
                toHealthy));
        ecs.updateService(b -> b.cluster(CLUSTER).service(SERVICE).desiredCount(2));
        awaitHealthyTargets(ecs, elb, tg, 2);
      }
    } finally {
      running.set(false);
      load.join(10_000);
    }
    if (failures.get() > 0) {
      progress("  (" + failures.get() + " failed requests during the scale-ups and scale-ins)");
    }
    return out;
  }

  // ---- load ----

  /** Reads HAProxy's counters and the connections to the targets around and during a run. */
  record Inspector(Path adminSocket, List<Target> targets) {
    /** Connections HAProxy opened to servers and requests it sent on reused ones, summed. */
    long[] connectsAndReuses() {
      if (adminSocket == null) {
        return new long[] {-1, -1};
      }
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(adminSocket))) {
        ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        while (ch.read(buf) >= 0) {
          if (!buf.hasRemaining()) {
            break;
          }
        }
        String[] lines =
            new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).split("\n");
        List<String> header = Arrays.asList(lines[0].substring(2).split(","));
        int svname = header.indexOf("svname");
        int connect = header.indexOf("connect");
        int reuse = header.indexOf("reuse");
        long c = 0;
        long r = 0;
        for (int i = 1; i < lines.length; i++) {
          String[] f = lines[i].split(",", -1);
          if (f.length <= Math.max(connect, reuse)
              || f[svname].equals("BACKEND")
              || f[svname].equals("FRONTEND")) {
            continue;
          }
          c += f[connect].isEmpty() ? 0 : Long.parseLong(f[connect]);
          r += f[reuse].isEmpty() ? 0 : Long.parseLong(f[reuse]);
        }
        return new long[] {c, r};
      } catch (IOException | RuntimeException e) {
        return new long[] {-1, -1};
      }
    }

    /** Established connections whose far end is a target (HAProxy's or wrk's), from ss. */
    int targetConnections() {
      try {
        Process p =
            new ProcessBuilder("ss", "-Htn", "state", "established")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        p.waitFor(10, TimeUnit.SECONDS);
        int n = 0;
        for (String line : out.lines().toList()) {
          String[] f = line.trim().split("\\s+");
          if (f.length < 4) {
            continue;
          }
          for (Target t : targets) {
            if (f[3].equals(t.address() + ":" + t.port())) {
              n++;
            }
          }
        }
        return n;
      } catch (IOException e) {
        return -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
  }

  /**
   * One wrk configuration: through one URL, or straight to several at once (connections split);
   * {@code rate} requests per second in all, or back to back when 0.
   */
  private static final class Run {
    final Path wrk;
    final Path script;
    final List<String> urls;
    final int connections;
    final int rate;
    Inspector inspector;

    Run(Path wrk, Path script, List<String> urls, int connections, int rate) {
      this.wrk = wrk;
      this.script = script;
      this.urls = urls;
      this.connections = connections;
      this.rate = rate;
    }

    Figures measure(Duration duration, Processes processes)
        throws IOException, InterruptedException {
      int each = connections / urls.size();
      // Two wrk threads in all on either path (one process with two, or two with one each).
      int threads = urls.size() == 1 ? 2 : 1;
      // Each wrk thread paces its own share of the rate.
      double intervalMillis = rate == 0 ? 0 : 1000.0 * 2 / rate;
      List<Process> started = new ArrayList<>();
      Map<String, Long> before = processes.cpuMicros();
      long[] statsBefore = inspector.connectsAndReuses();
      for (String url : urls) {
        ProcessBuilder pb =
            new ProcessBuilder(
                    wrk.toString(),
                    "-t" + threads,
                    "-c" + each,
                    "-d" + Math.max(1, duration.toSeconds()) + "s",
                    "--timeout",
                    "10s",
                    "-s",
                    script.toString(),
                    url)
                .redirectErrorStream(true);
        pb.environment().put("WRK_INTERVAL_MS", String.valueOf(intervalMillis));
        started.add(pb.start());
      }
      Thread.sleep(duration.toMillis() / 2);
      int open = inspector.targetConnections();
      List<JsonNode> results = new ArrayList<>();
      Map<String, Long> after = null;
      long[] statsAfter = null;
      for (Process p : started) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("wrk failed:\n" + out);
        }
        String line =
            out.lines()
                .filter(l -> l.startsWith("WRK "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no figures:\n" + out));
        results.add(JSON.readTree(line.substring(4)));
        if (after == null) {
          after = processes.cpuMicros();
          statsAfter = inspector.connectsAndReuses();
        }
      }
      double rps = 0;
      double p50 = 0;
      double p99 = 0;
      long errors = 0;
      long requests = 0;
      for (JsonNode r : results) {
        requests += r.path("requests").asLong();
        rps += r.path("requests").asDouble() / (r.path("duration_us").asDouble() / 1e6);
        p50 += r.path("p50_us").asDouble() / results.size();
        p99 += r.path("p99_us").asDouble() / results.size();
        errors += r.path("errors").asLong() + r.path("non2xx").asLong();
      }
      double perRequest = Math.max(1, requests);
      Map<String, Double> cpu = new java.util.TreeMap<>();
      for (var e : before.entrySet()) {
        cpu.put(e.getKey(), (after.get(e.getKey()) - e.getValue()) / perRequest);
      }
      boolean stats = statsBefore[0] >= 0 && statsAfter[0] >= 0;
      return new Figures(
          rps,
          p50,
          p99,
          errors,
          cpu,
          stats ? statsAfter[0] - statsBefore[0] : -1,
          stats ? statsAfter[1] - statsBefore[1] : -1,
          open);
    }
  }

  /**
   * Prints one JSON line after the run. With WRK_INTERVAL_MS > 0, each wrk thread sends at a fixed
   * rate: every response's delay() books the thread's next slot, one interval after the previous
   * one (monotonic clock through LuaJIT's FFI), so the rate does not depend on the latency; a
   * thread that falls behind starts again from now rather than catching up in a burst.
   */
  private static final String WRK_SCRIPT =
      """
      local interval = tonumber(os.getenv("WRK_INTERVAL_MS") or "0")
      if interval > 0 then
        local ffi = require("ffi")
        ffi.cdef[[
          typedef struct { long tv_sec; long tv_nsec; } wharf_timespec;
          int clock_gettime(int clock, wharf_timespec *ts);
        ]]
        local ts = ffi.new("wharf_timespec")
        local slot = 0
        function delay()
          ffi.C.clock_gettime(1, ts)
          local now = tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
          if slot < now then slot = now end
          local wait = slot - now
          slot = slot + interval
          return wait
        end
      end
      done = function(summary, latency, requests)
        local e = summary.errors
        io.write(string.format(
          'WRK {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d}\\n',
          summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
          latency:percentile(50), latency:percentile(99)))
      end
      """;

  // ---- the report ----

  private static void report(
      Settings s,
      String docker,
      List<Target> targets,
      List<Double> loads,
      List<Figures> saturatedLb,
      List<Figures> saturatedDirect,
      List<List<Figures>> ratedLb,
      List<List<Figures>> ratedDirect,
      List<double[]> fast,
      List<double[]> defaults) {
    StringBuilder out = new StringBuilder();
    out.append("## Wharf load balancer benchmark\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "%s; %s; HAProxy %s, wrk %s; load average %s after each round and at the end."
                + " Targets: a 2-task service's nginx containers (%s), registered by Wharf as"
                + " %s. %d rounds of %d s per path and load, medians of the rounds; the direct"
                + " path is two wrk processes at once, one per container's published port, each"
                + " with half the connections (requests/s summed, percentiles averaged).%n%n",
            Machine.describe(),
            docker,
            version("haproxy", "-v"),
            version("wrk", "-v"),
            String.join(", ", loads.stream().map(x -> fmt1(x)).toList()),
            s.image(),
            String.join(" and ", targets.stream().map(t -> t.address() + ":" + t.port()).toList()),
            s.rounds(),
            s.duration().toSeconds()));
    MarkdownTable t =
        new MarkdownTable("load", "path", "requests/s", "p50 (ms)", "p99 (ms)", "errors");
    addRows(t, "saturated, " + s.connections() + " connections", saturatedLb, saturatedDirect);
    for (int k = 0; k < s.rates().size(); k++) {
      addRows(
          t,
          s.rates().get(k) + " requests/s, " + s.rateConnections() + " connections",
          ratedLb.get(k),
          ratedDirect.get(k));
    }
    out.append(t.render()).append('\n');
    MarkdownTable ratios =
        new MarkdownTable(
            "load",
            "throughput, listener / direct",
            "added p50 (ms)",
            "added p99 (ms), median of rounds",
            "added p99 (ms), min – max of rounds");
    ratioRow(ratios, "saturated", saturatedLb, saturatedDirect);
    for (int k = 0; k < s.rates().size(); k++) {
      ratioRow(ratios, s.rates().get(k) + " requests/s", ratedLb.get(k), ratedDirect.get(k));
    }
    out.append(ratios.render()).append('\n');
    out.append(
        "Targets: at least 0.8 times direct throughput; at most 2 ms added p99. Added p99 is"
            + " per round (listener minus direct of the same round), then the median and range"
            + " over rounds.\n\n");
    List<String> groups = List.copyOf(saturatedLb.get(0).cpuMicros().keySet());
    List<String> head = new ArrayList<>(List.of("CPU per request, saturated (µs)"));
    head.addAll(groups);
    MarkdownTable cpu = new MarkdownTable(head.toArray(String[]::new));
    cpuRow(cpu, "through the listener", saturatedLb, groups);
    cpuRow(cpu, "direct", saturatedDirect, groups);
    out.append(cpu.render()).append('\n');
    MarkdownTable conns =
        new MarkdownTable(
            "keep-alive to the targets, through the listener",
            "connections opened by HAProxy (median per run)",
            "requests on reused connections (median per run)",
            "connections to the targets open mid-run");
    conns.row(
        "saturated",
        fmt0(median(saturatedLb, f -> f.connects())),
        fmt0(median(saturatedLb, f -> f.reuses())),
        fmt0(median(saturatedLb, f -> f.targetConnections())));
    for (int k = 0; k < s.rates().size(); k++) {
      conns.row(
          s.rates().get(k) + " requests/s",
          fmt0(median(ratedLb.get(k), f -> f.connects())),
          fmt0(median(ratedLb.get(k), f -> f.reuses())),
          fmt0(median(ratedLb.get(k), f -> f.targetConnections())));
    }
    out.append(conns.render()).append('\n');
    MarkdownTable reg =
        new MarkdownTable(
            "new task (scale 2 → 3), until its first response through the listener",
            "interval",
            "median (ms)",
            "min (ms)",
            "max (ms)",
            "n");
    runningRows(reg, "health checks every 5 s, healthy after 2", fast);
    if (!defaults.isEmpty()) {
      runningRows(reg, "the group's defaults: every 30 s, healthy after 5", defaults);
    }
    out.append(reg.render());
    System.out.print(out);
    System.out.flush();
  }

  private static void runningRows(MarkdownTable t, String label, List<double[]> times) {
    String[] from = {
      "task `startedAt` (RUNNING recorded) → first response",
      "RUNNING first seen by DescribeTasks → first response",
      "RUNNING seen → target seen in DescribeTargetHealth",
      "RUNNING seen → target seen `healthy`"
    };
    for (int i = 0; i < from.length; i++) {
      int k = i;
      List<Double> v = times.stream().map(x -> x[k]).toList();
      t.row(
          label,
          from[i],
          fmt0(medianOf(v)),
          fmt0(v.stream().min(Comparator.naturalOrder()).orElse(0.0)),
          fmt0(v.stream().max(Comparator.naturalOrder()).orElse(0.0)),
          String.valueOf(v.size()));
    }
  }

  private static void ratioRow(
      MarkdownTable t, String load, List<Figures> lb, List<Figures> direct) {
    List<Double> addedP99 = new ArrayList<>();
    for (int i = 0; i < Math.min(lb.size(), direct.size()); i++) {
      addedP99.add(lb.get(i).p99Micros() - direct.get(i).p99Micros());
    }
    t.row(
        load,
        fmt(median(lb, Figures::requestsPerSecond) / median(direct, Figures::requestsPerSecond)),
        ms(median(lb, Figures::p50Micros) - median(direct, Figures::p50Micros)),
        ms(medianOf(addedP99)),
        ms(addedP99.stream().min(Comparator.naturalOrder()).orElse(0.0))
            + " – "
            + ms(addedP99.stream().max(Comparator.naturalOrder()).orElse(0.0)));
  }

  private static void cpuRow(
      MarkdownTable t, String label, List<Figures> figures, List<String> groups) {
    List<String> cells = new ArrayList<>(List.of(label));
    for (String g : groups) {
      cells.add(fmt(median(figures, f -> f.cpuMicros().get(g))));
    }
    t.row(cells.toArray(String[]::new));
  }

  private static void addRows(
      MarkdownTable t, String load, List<Figures> lb, List<Figures> direct) {
    t.row(
        load,
        "listener",
        fmt0(median(lb, Figures::requestsPerSecond)),
        ms(median(lb, Figures::p50Micros)),
        ms(median(lb, Figures::p99Micros)),
        String.valueOf(lb.stream().mapToLong(Figures::errors).sum()));
    t.row(
        load,
        "direct",
        fmt0(median(direct, Figures::requestsPerSecond)),
        ms(median(direct, Figures::p50Micros)),
        ms(median(direct, Figures::p99Micros)),
        String.valueOf(direct.stream().mapToLong(Figures::errors).sum()));
  }

  private static double median(List<Figures> figures, ToDoubleFunction<Figures> f) {
    return medianOf(figures.stream().map(x -> f.applyAsDouble(x)).toList());
  }

  private static double medianOf(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }

  private static String ms(double micros) {
    return String.format(Locale.ROOT, "%.2f", micros / 1000);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fmt1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  // ---- helpers ----

  private static void buildImage(Settings s) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", s.imageScript().toString(), s.image())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(s.imageScript() + " failed: " + out);
    }
  }

  /** Where Wharf's HAProxy puts its runtime API socket (see Haproxy: short paths only). */
  private static Path adminSocket(Path work) {
    Path abs = work.toAbsolutePath();
    if (abs.resolve("master.sock").toString().length() > 100) {
      return Path.of(
          System.getProperty("java.io.tmpdir"),
          "wharf-haproxy-" + Integer.toHexString(abs.toString().hashCode()),
          "admin.sock");
    }
    return abs.resolve("admin.sock");
  }

  private static String version(String command, String flag) {
    try {
      Process p = new ProcessBuilder(command, flag).redirectErrorStream(true).start();
      String first =
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .findFirst()
              .orElse("");
      p.waitFor(10, TimeUnit.SECONDS);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d+\\.\\d+[.\\d]*)").matcher(first);
      return m.find() ? m.group(1) : "?";
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static Path findOnPath(String name, String missing) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(missing);
  }

  private static int freePort(String address) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(address, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ElasticLoadBalancingV2Client client(String endpoint) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(WharfServer.KEY_ID, WharfServer.SECRET)))
        .build();
  }

  private static void progress(String message) {
    System.err.println("[lb-bench] " + Instant.now() + " " + message);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private LoadBalancerBench() {}
}
