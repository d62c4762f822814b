package io.wharf.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code wharf server} in a child JVM, so a test can kill it with SIGKILL and start it again. */
final class ServerProcess implements AutoCloseable {
  private static final String READY = "Wharf control plane is running at ";

  final Process process;
  final String endpoint;
  final List<String> output;

  private ServerProcess(Process process, String endpoint, List<String> output) {
    this.process = process;
    this.endpoint = endpoint;
    this.output = output;
  }

  /**
   * Starts a server on a free port of {@code dataDir}; returns once it answers, or fails with its
   * output.
   */
  static ServerProcess start(Path dataDir, String... extraArgs)
      throws IOException, InterruptedException {
    return startOnPort(0, dataDir, extraArgs);
  }

  /**
   * As {@link #start}, on a given port (a restarted control plane comes back where agents expect
   * it).
   */
  static ServerProcess startOnPort(int port, Path dataDir, String... extraArgs)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "server",
                "--port",
                String.valueOf(port),
                "--data-dir",
                dataDir.toString(),
                "--account-id",
                TestServer.ACCOUNT,
                "--agent-disconnect-after",
                "PT6S"));
    args.addAll(List.of(extraArgs));
    return spawn(args, READY);
  }

  /**
   * Starts {@code wharf <args>} in a child JVM; returns once it prints a line starting with {@code
   * ready}.
   */
  static ServerProcess spawn(List<String> args, String ready)
      throws IOException, InterruptedException {
    return spawn(null, args, ready, true);
  }

  /**
   * As {@link #spawn(List, String)}; {@code withAdminKey} false starts it without the admin key in
   * its environment, as an agent host is.
   */
  static ServerProcess spawn(List<String> args, String ready, boolean withAdminKey)
      throws IOException, InterruptedException {
    return spawn(null, args, ready, withAdminKey);
  }

  /**
   * As {@link #spawn(List, String)}, through {@code sh} with {@code umask} (e.g. {@code "022"}) as
   * the process's umask, so a test can check the modes Wharf gives its files whatever the umask.
   */
  static ServerProcess spawn(String umask, List<String> args, String ready)
      throws IOException, InterruptedException {
    return spawn(umask, args, ready, true);
  }

  private static ServerProcess spawn(
      String umask, List<String> args, String ready, boolean withAdminKey)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (umask != null) {
      command.addAll(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\""));
    }
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (withAdminKey) {
      builder.environment().put("WHARF_ACCESS_KEY_ID", TestServer.KEY_ID);
      builder.environment().put("WHARF_SECRET_ACCESS_KEY", TestServer.SECRET);
    } else {
      builder.environment().remove("WHARF_ACCESS_KEY_ID");
      builder.environment().remove("WHARF_SECRET_ACCESS_KEY");
    }
    Process process = builder.start();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  output.add(line);
                  if (line.startsWith(ready)) {
                    endpoint.complete(line.substring(ready.length()).strip());
                  }
                }
              } catch (IOException e) {
                // The process died; the exit below reports it.
              }
              endpoint.completeExceptionally(
                  new IllegalStateException("wharf exited: " + String.join("\n", output)));
            });
    try {
      return new ServerProcess(process, endpoint.get(60, TimeUnit.SECONDS), output);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("wharf did not start: " + String.join("\n", output), e);
    }
  }

  /** Runs a server to completion and returns its exit code and output (for start-up refusals). */
  static Result runToExit(Path dataDir) throws IOException, InterruptedException {
    List<String> command =
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "server",
            "--port",
            "0",
            "--data-dir",
            dataDir.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, out);
    }
    return new Result(process.exitValue(), out);
  }

  record Result(int exitCode, String output) {}

  /**
   * Runs {@code wharf <args>} to completion with the admin key in its environment (as where the
   * control plane runs); returns its exit code and its standard output alone (stderr is dropped).
   */
  static Result runCommand(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("WHARF_ACCESS_KEY_ID", TestServer.KEY_ID);
    builder.environment().put("WHARF_SECRET_ACCESS_KEY", TestServer.SECRET);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, out);
    }
    return new Result(process.exitValue(), out);
  }

  /** SIGKILL: no shutdown hook, no flush, nothing graceful. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
