package io.wharf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The {@code docker} command line, run as a child process exactly as a user types it: the
 * benchmark's baseline ({@code docker run -d}) and its housekeeping (inspect, remove). The Docker
 * engine is whatever the CLI talks to ({@code DOCKER_HOST}, else {@code /var/run/docker.sock}).
 *
 * <p>Threading: any thread; each call is its own process.
 */
final class DockerCli {
  // A docker command that has not finished by then is reported as a failure, not as a slow run.
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private DockerCli() {}

  /**
   * One finished command.
   *
   * @param exitCode the process's exit code
   * @param output stdout and stderr, interleaved
   * @param nanos from just before the process was spawned to its exit: what a shell script running
   *     this command would wait for, the CLI's own start-up included
   * @param spawnedAt the wall-clock time just before the process was spawned
   */
  record Result(int exitCode, String output, long nanos, Instant spawnedAt) {
    /** The output's last non-empty line ({@code docker run -d} prints the container id there). */
    String lastLine() {
      String[] lines = output.strip().split("\n");
      return lines[lines.length - 1].strip();
    }
  }

  /**
   * Makes sure {@code image} is local: the project's test image is built with its own script when
   * missing (no registry); any other image must already be there, since a pull would be measured.
   * The script's messages go to stderr with the progress; stdout is the report's.
   */
  static void ensureImage(
      String image, String testImage, Path testImageScript, Consumer<String> progress)
      throws IOException, InterruptedException {
    if (!image.equals(testImage)) {
      progress.accept("checking that " + image + " is local");
      check("image", "inspect", "--format", "{{.Id}}", image);
      return;
    }
    progress.accept("ensuring " + testImage + " with " + testImageScript);
    Process p =
        new ProcessBuilder("bash", testImageScript.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!output.isBlank()) {
      System.err.print(output);
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException(testImageScript + " failed: " + output);
    }
  }

  /** Runs {@code docker args...} and waits for it, whatever its exit code. */
  static Result run(String... args) {
    List<String> command = new ArrayList<>(args.length + 1);
    command.add("docker");
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Instant spawnedAt = Instant.now();
    long start = System.nanoTime();
    try {
      Process process = builder.start();
      // Read on another thread so that a command that hangs can be timed out; a platform one,
      // since a blocked pipe read holds a virtual thread's carrier (see ChildJvm).
      CompletableFuture<byte[]> output =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return process.getInputStream().readAllBytes();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              runnable -> Thread.ofPlatform().daemon().start(runnable));
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "docker " + String.join(" ", args) + " did not finish within " + TIMEOUT);
      }
      long nanos = System.nanoTime() - start;
      // The pipe ends with the process, unless something it started still holds it open.
      byte[] bytes = output.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(
          process.exitValue(), new String(bytes, StandardCharsets.UTF_8), nanos, spawnedAt);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Cannot read the output of docker " + String.join(" ", args), e);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run docker (is the docker CLI on PATH?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running docker", e);
    }
  }

  /** Runs {@code docker args...}; a non-zero exit is an error. Returns the output, stripped. */
  static String check(String... args) {
    Result r = run(args);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          "docker " + String.join(" ", args) + " exited with " + r.exitCode() + ": " + r.output());
    }
    return r.output().strip();
  }

  /** Ids of all containers (running or not) carrying the label {@code key=value}. */
  static List<String> containersLabelled(String key, String value) {
    String out = check("ps", "-aq", "--no-trunc", "--filter", "label=" + key + "=" + value);
    return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
  }

  /** {@code docker rm -f} of these containers (nothing when there are none). */
  static void removeForcibly(Collection<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    List<String> args = new ArrayList<>(List.of("rm", "-f"));
    args.addAll(ids);
    check(args.toArray(String[]::new));
  }

  /**
   * When the engine created and started the container, by its own clock ({@code .Created} and
   * {@code .State.StartedAt}): the engine's share of a start, whoever asked for it.
   */
  static Instant[] createdAndStarted(String id) {
    String[] times =
        check("inspect", "--format", "{{.Created}} {{.State.StartedAt}}", id).split(" ");
    return new Instant[] {Instant.parse(times[0]), Instant.parse(times[1])};
  }

  /** The engine's and the CLI's versions, its storage driver and cgroup version, on one line. */
  static String describe() {
    try {
      String version =
          check("version", "--format", "engine {{.Server.Version}}, CLI {{.Client.Version}}");
      String info =
          check("info", "--format", "storage driver {{.Driver}}, cgroup v{{.CgroupVersion}}");
      return "Docker " + version + ", " + info;
    } catch (RuntimeException e) {
      return "Docker (version unknown: " + e.getMessage() + ")";
    }
  }
}
