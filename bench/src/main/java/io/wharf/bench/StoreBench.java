package io.wharf.bench;

import io.wharf.store.SqliteStore;
import io.wharf.store.Store;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The store's two performance-sensitive paths, timed without JMH: commits of new task rows (the
 * placement path: 10 tasks a commit) and the reload of every row at start. Uses only {@link
 * SqliteStore#open(Path)}, {@code load} and {@code commit}, which every release has, so the same
 * class runs against an older store jar for a before/after figure (bench/README.md says how).
 *
 * <p>Settings: {@code wharf.bench.store.rows} (100000, rows stored before the reload), {@code
 * wharf.bench.store.commits} (2000 timed commits of 10 rows), {@code wharf.bench.store.rounds} (3).
 */
public final class StoreBench {
  private static final int ROWS_PER_COMMIT = 10;

  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("wharf.bench.store.rows", 100_000);
    int commits = Integer.getInteger("wharf.bench.store.commits", 2_000);
    int rounds = Integer.getInteger("wharf.bench.store.rounds", 3);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Samples commitWall = new Samples("commit of 10 tasks, wall (per commit)");
    Samples commitCpu = new Samples("commit of 10 tasks, CPU of the writer (per commit)");
    Samples reload = new Samples("open + load of every row");
    Samples cipher = new Samples("AES-256-GCM seal + open of as many rows, alone (JDK cipher)");
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 1; round <= rounds; round++) {
      Path dir = Files.createTempDirectory("wharf-bench-store");
      try {
        long revision = 0;
        int next = 0;
        try (SqliteStore store = SqliteStore.open(dir)) {
          store.load();
          // Warm-up and the rows the reload reads, untimed.
          while (next < rows) {
            store.commit(++revision, batch(random, next));
            next += ROWS_PER_COMMIT;
          }
          long wall = System.nanoTime();
          long thread = cpu.getCurrentThreadCpuTime();
          for (int i = 0; i < commits; i++) {
            store.commit(++revision, batch(random, next));
            next += ROWS_PER_COMMIT;
          }
          commitWall.addNanos((System.nanoTime() - wall) / commits);
          commitCpu.addNanos((cpu.getCurrentThreadCpuTime() - thread) / commits);
        }
        long start = System.nanoTime();
        int loaded;
        try (SqliteStore store = SqliteStore.open(dir)) {
          loaded = store.load().rows().size();
        }
        reload.addNanos(System.nanoTime() - start);
        cipher.addNanos(sealAndOpen(random, loaded));
        System.err.printf(
            Locale.ROOT,
            "[store] round %d/%d: commit %.3f ms wall, %.3f ms CPU; reload of %d rows %.0f ms;"
                + " cipher alone %.0f ms%n",
            round,
            rounds,
            commitWall.last(),
            commitCpu.last(),
            loaded,
            reload.last(),
            cipher.last());
      } finally {
        TempDirs.delete(dir);
      }
    }
    MarkdownTable table = new MarkdownTable("Measured", "Rounds", "median (ms)", "min (ms)");
    for (Samples s : List.of(commitWall, commitCpu, reload, cipher)) {
      table.row(
          s.label(),
          Integer.toString(s.count()),
          String.format(Locale.ROOT, "%.3f", s.median()),
          String.format(Locale.ROOT, "%.3f", s.min()));
    }
    System.out.printf(
        Locale.ROOT,
        "# Store: commits and reload (%d rows, %d timed commits of %d)%n%n- Machine: %s%n%n%s",
        rows,
        commits,
        ROWS_PER_COMMIT,
        Machine.describe(),
        table.render());
  }

  /**
   * Nanoseconds to seal and open {@code rows} task rows with AES-256-GCM in this JVM, one init each
   * with a fresh nonce, as the store does: the most encryption can add to a reload (opening) and to
   * a write of as many rows (sealing), measured apart from SQLite and the disk.
   */
  private static long sealAndOpen(SplittableRandom random, int rows)
      throws java.security.GeneralSecurityException {
    byte[] keyBytes = new byte[32];
    new java.security.SecureRandom().nextBytes(keyBytes);
    javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(keyBytes, "AES");
    javax.crypto.Cipher seal = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    javax.crypto.Cipher open = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    byte[] plain =
        task(HexFormat.of().toHexDigits(random.nextLong()))
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long start = System.nanoTime();
    long check = 0;
    for (long n = 0; n < rows; n++) {
      byte[] nonce = new byte[12];
      java.nio.ByteBuffer.wrap(nonce, 4, 8).putLong(n);
      javax.crypto.spec.GCMParameterSpec spec = new javax.crypto.spec.GCMParameterSpec(128, nonce);
      seal.init(javax.crypto.Cipher.ENCRYPT_MODE, key, spec);
      byte[] sealed = seal.doFinal(plain);
      open.init(javax.crypto.Cipher.DECRYPT_MODE, key, spec);
      check += open.doFinal(sealed).length;
    }
    long took = System.nanoTime() - start;
    if (check != (long) rows * plain.length) {
      throw new IllegalStateException("AES-GCM round trip lost bytes");
    }
    return took;
  }

  /** Ten new task rows of about 1.5 KiB each, as a placement commit writes them. */
  private static List<Store.Mutation> batch(SplittableRandom random, int first) {
    List<Store.Mutation> out = new ArrayList<>(ROWS_PER_COMMIT);
    for (int i = 0; i < ROWS_PER_COMMIT; i++) {
      String id = HexFormat.of().toHexDigits(random.nextLong());
      out.add(
          new Store.Mutation.Put(
              "task",
              "arn:aws:ecs:us-east-1:123456789012:task/bench/" + id + (first + i),
              task(id)));
    }
    return out;
  }

  private static String task(String id) {
    StringBuilder env = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      env.append(i == 0 ? "" : ",")
          .append("{\"name\":\"VAR_")
          .append(i)
          .append("\",\"value\":\"")
          .append(id)
          .append(id)
          .append("\"}");
    }
    return "{\"taskArn\":\"arn:aws:ecs:us-east-1:123456789012:task/bench/"
        + id
        + "\",\"clusterArn\":\"arn:aws:ecs:us-east-1:123456789012:cluster/bench\","
        + "\"taskDefinitionArn\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/web:1\","
        + "\"containerInstanceArn\":\"arn:aws:ecs:us-east-1:123456789012:container-instance/bench/"
        + id
        + "\",\"lastStatus\":\"PENDING\",\"desiredStatus\":\"RUNNING\",\"cpu\":\"256\","
        + "\"memory\":\"512\",\"launchType\":\"EC2\",\"version\":1,\"group\":\"family:web\","
        + "\"createdAt\":1765000000.123,\"overrides\":{\"containerOverrides\":[{\"name\":\"web\","
        + "\"environment\":["
        + env
        + "]}]},\"containers\":[{\"name\":\"web\",\"lastStatus\":\"PENDING\","
        + "\"networkBindings\":[{\"bindIP\":\"127.0.0.1\",\"containerPort\":80,\"hostPort\":49153,"
        + "\"protocol\":\"tcp\"}]}],\"attributes\":[{\"name\":\"ecs.cpu-architecture\","
        + "\"value\":\"x86_64\"}]}";
  }
}
