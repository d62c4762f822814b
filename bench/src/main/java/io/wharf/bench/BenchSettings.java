package io.wharf.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How big and how long a benchmark run is, read from {@code wharf.bench.*} system properties.
 *
 * @param revisions task definition revisions stored before anything is measured
 * @param families how many families those revisions are spread over (round-robin)
 * @param clients the concurrency levels measured, each a number of concurrent SDK clients
 * @param seedClients concurrent clients that store the revisions
 * @param warmup requests sent before each measured phase and not recorded
 * @param duration how long each operation is measured at each client count, in all
 * @param rounds how many short runs that time is split into, alternating the operations, so that
 *     the machine's drifting load falls on the baseline and the measured operations alike
 * @param registrations the most RegisterTaskDefinition requests measured at one client count, so
 *     that the stored count stays near {@code revisions} (each registration stores one more)
 * @param startups start-ups timed per data directory kind (the median is reported)
 * @param seed the seed of everything random (definition contents, which revision to describe)
 * @param serverJar the launcher jar to run the server from ({@code app/target/wharf.jar})
 */
record BenchSettings(
    int revisions,
    int families,
    List<Integer> clients,
    int seedClients,
    int warmup,
    Duration duration,
    int rounds,
    int registrations,
    int startups,
    long seed,
    Path serverJar) {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

  BenchSettings {
    clients = List.copyOf(clients);
    if (revisions < families || families < 1) {
      throw new IllegalArgumentException(
          "wharf.bench.revisions must be at least wharf.bench.families (and that at least 1)");
    }
    if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1) || seedClients < 1) {
      throw new IllegalArgumentException("client counts must be positive");
    }
    if (warmup < 0
        || startups < 1
        || registrations < 1
        || rounds < 1
        || duration.isNegative()
        || duration.isZero()) {
      throw new IllegalArgumentException(
          "wharf.bench.warmup must be >= 0, startups, rounds and registrations >= 1, duration positive");
    }
  }

  static BenchSettings fromSystemProperties() {
    return new BenchSettings(
        Integer.getInteger("wharf.bench.revisions", 10_000),
        Integer.getInteger("wharf.bench.families", 100),
        Arrays.stream(System.getProperty("wharf.bench.clients", "1,4,8").split(","))
            .map(String::strip)
            .map(Integer::valueOf)
            .toList(),
        Integer.getInteger("wharf.bench.seedClients", 8),
        Integer.getInteger("wharf.bench.warmup", 500),
        parseDuration(System.getProperty("wharf.bench.duration", "10s")),
        Integer.getInteger("wharf.bench.rounds", 5),
        Integer.getInteger("wharf.bench.registrations", 2_000),
        Integer.getInteger("wharf.bench.startups", 5),
        Long.getLong("wharf.bench.seed", 42L),
        serverJarFromProperty());
  }

  static Path serverJarFromProperty() {
    Path jar = Path.of(System.getProperty("wharf.bench.serverJar", "app/target/wharf.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(
          "No server jar at "
              + jar.toAbsolutePath().normalize()
              + ": build it first (./mvnw -q -B package -DskipTests), or set wharf.bench.serverJar");
    }
    return jar.toAbsolutePath().normalize();
  }

  /** Accepts {@code 10}, {@code 10s}, {@code 500ms}, {@code 2m} or an ISO-8601 {@code PT10S}. */
  static Duration parseDuration(String text) {
    Matcher m = SHORT_DURATION.matcher(text.strip());
    if (!m.matches()) {
      return Duration.parse(text.strip());
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  /** Revisions of every family after seeding: the revisions that surely exist in each. */
  int revisionsPerFamily() {
    return revisions / families;
  }
}
