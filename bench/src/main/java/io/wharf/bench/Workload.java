package io.wharf.bench;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.HealthCheck;
import software.amazon.awssdk.services.ecs.model.HostVolumeProperties;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TransportProtocol;
import software.amazon.awssdk.services.ecs.model.Ulimit;
import software.amazon.awssdk.services.ecs.model.UlimitName;
import software.amazon.awssdk.services.ecs.model.Volume;

/**
 * What the benchmark stores and looks up: task definitions shaped like a production service's (an
 * application container and a proxy sidecar, environment, port mappings, health checks, logging, a
 * volume, tags), about 3 KiB of JSON each.
 *
 * <p>Registration number {@code n} always yields the same request, whichever client sends it and in
 * whatever order: its contents come from a random generator seeded with the run's seed and {@code
 * n}. Families are filled round-robin, so after {@code families * k} registrations every family has
 * revisions 1 to {@code k}.
 */
final class Workload {
  private static final HexFormat HEX = HexFormat.of();

  private final long seed;
  private final int families;

  Workload(long seed, int families) {
    this.seed = seed;
    this.families = families;
  }

  static String family(int index) {
    return "svc-%03d".formatted(index);
  }

  static String arn(String family, int revision) {
    return "arn:aws:ecs:us-east-1:"
        + WharfServer.ACCOUNT
        + ":task-definition/"
        + family
        + ":"
        + revision;
  }

  /** The {@code n}-th registration (from 0). */
  RegisterTaskDefinitionRequest registration(long n) {
    int familyIndex = (int) (n % families);
    long release = n / families;
    SplittableRandom random = new SplittableRandom(seed ^ (n * 0x9E3779B97F4A7C15L));
    String family = family(familyIndex);
    String team = "team-%02d".formatted(familyIndex % 12);
    String version = "1.%d.%d".formatted(release / 10, release % 10);
    String commit = HEX.formatHex(bytes(random, 20));
    int appMemory = 256 << random.nextInt(3);

    ContainerDefinition app =
        ContainerDefinition.builder()
            .name("app")
            .image("registry.example.com/" + team + "/" + family + ":" + version)
            .cpu(256)
            .memory(appMemory)
            .memoryReservation(appMemory / 2)
            .essential(true)
            .command("/app/bin/server", "--config", "/etc/app/config.yaml")
            .portMappings(
                PortMapping.builder()
                    .containerPort(8080)
                    .hostPort(0)
                    .protocol(TransportProtocol.TCP)
                    .name("http")
                    .build(),
                PortMapping.builder().containerPort(9090).hostPort(0).name("metrics").build())
            .environment(
                env("SERVICE_NAME", family),
                env("SERVICE_VERSION", version),
                env("GIT_COMMIT", commit),
                env("DEPLOY_ENV", "production"),
                env("LOG_LEVEL", random.nextBoolean() ? "info" : "debug"),
                env("DB_HOST", family + ".db.internal.example.com"),
                env("DB_POOL_SIZE", Integer.toString(8 + random.nextInt(24))),
                env("CACHE_URL", "redis://cache-" + (familyIndex % 4) + ".internal:6379/0"),
                env("FEATURE_FLAGS", "checkout-v2,search-beta,rate-limit=" + random.nextInt(1000)),
                env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"),
                env("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+UseG1GC"))
            .healthCheck(
                HealthCheck.builder()
                    .command("CMD-SHELL", "curl -fsS http://localhost:8080/health || exit 1")
                    .interval(15)
                    .timeout(5)
                    .retries(3)
                    .startPeriod(30)
                    .build())
            .dependsOn(
                ContainerDependency.builder()
                    .containerName("proxy")
                    .condition(ContainerCondition.HEALTHY)
                    .build())
            .mountPoints(
                MountPoint.builder()
                    .sourceVolume("scratch")
                    .containerPath("/var/tmp/app")
                    .readOnly(false)
                    .build())
            .ulimits(
                Ulimit.builder().name(UlimitName.NOFILE).softLimit(65536).hardLimit(65536).build())
            .logConfiguration(
                LogConfiguration.builder()
                    .logDriver(LogDriver.JSON_FILE)
                    .options(Map.of("max-size", "10m", "max-file", "3"))
                    .build())
            .dockerLabels(labels(team, family, version))
            .build();

    ContainerDefinition proxy =
        ContainerDefinition.builder()
            .name("proxy")
            .image("envoyproxy/envoy:v1.31." + random.nextInt(8))
            .cpu(128)
            .memory(128)
            .essential(true)
            .portMappings(
                PortMapping.builder().containerPort(15000).hostPort(0).build(),
                PortMapping.builder().containerPort(15001).hostPort(0).build())
            .environment(env("ENVOY_UID", "0"), env("APP_PORT", "8080"))
            .healthCheck(
                HealthCheck.builder()
                    .command("CMD-SHELL", "curl -fsS http://localhost:15000/ready || exit 1")
                    .interval(10)
                    .retries(5)
                    .build())
            .logConfiguration(LogConfiguration.builder().logDriver(LogDriver.JSON_FILE).build())
            .build();

    return RegisterTaskDefinitionRequest.builder()
        .family(family)
        .networkMode(NetworkMode.BRIDGE)
        .requiresCompatibilities(Compatibility.EC2)
        .taskRoleArn("arn:aws:iam::" + WharfServer.ACCOUNT + ":role/" + family + "-task")
        .executionRoleArn("arn:aws:iam::" + WharfServer.ACCOUNT + ":role/ecsTaskExecutionRole")
        .containerDefinitions(app, proxy)
        .volumes(
            Volume.builder().name("scratch").host(HostVolumeProperties.builder().build()).build())
        .tags(
            Tag.builder().key("team").value(team).build(),
            Tag.builder().key("git-commit").value(commit).build())
        .build();
  }

  private static KeyValuePair env(String name, String value) {
    return KeyValuePair.builder().name(name).value(value).build();
  }

  private static Map<String, String> labels(String team, String family, String version) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("com.example.team", team);
    labels.put("com.example.service", family);
    labels.put("com.example.version", version);
    return labels;
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** The three ways a caller names a task definition in DescribeTaskDefinition. */
  enum LookupKind {
    /** {@code family}: the latest ACTIVE revision. */
    FAMILY,
    /** {@code family:revision}. */
    FAMILY_REVISION,
    /** The full ARN. */
    ARN;

    static final List<LookupKind> ALL = List.of(values());
  }

  /**
   * A random lookup of a stored definition: any family, a revision that every family has, and each
   * of the three naming forms equally often.
   */
  String lookup(SplittableRandom random, int revisionsPerFamily) {
    String family = family(random.nextInt(families));
    int revision = 1 + random.nextInt(revisionsPerFamily);
    return switch (LookupKind.ALL.get(random.nextInt(LookupKind.ALL.size()))) {
      case FAMILY -> family;
      case FAMILY_REVISION -> family + ":" + revision;
      case ARN -> arn(family, revision);
    };
  }
}
