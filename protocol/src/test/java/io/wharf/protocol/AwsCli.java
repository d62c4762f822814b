package io.wharf.protocol;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The aws CLI as a test drives it: v1 (the first {@code aws} on PATH, botocore 1.43: CloudWatch in
 * AWS JSON 1.0, the first of its model's protocols in botocore's priority order) or Debian's v2
 * ({@code /usr/bin/aws}, whose older CloudWatch model is query only), with dummy credentials and no
 * user configuration.
 */
record AwsCli(String name, Path executable, Map<String, String> environment) {
  /** What one command printed, and its exit status. */
  record Result(int exit, String stdout, String stderr) {}

  /** The CLI v1 first on PATH, if it is one (v2 says aws-cli/2). */
  static Optional<AwsCli> v1() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path aws = Path.of(dir, "aws");
      if (Files.isExecutable(aws) && version(aws).startsWith("aws-cli/1.")) {
        return Optional.of(new AwsCli("aws CLI v1", aws, Map.of()));
      }
    }
    return Optional.empty();
  }

  static Optional<AwsCli> v2() {
    Path aws = Path.of("/usr/bin/aws");
    return Files.isExecutable(aws) && version(aws).startsWith("aws-cli/2.")
        ? Optional.of(new AwsCli("aws CLI v2", aws, Map.of()))
        : Optional.empty();
  }

  /** The same CLI with more environment variables (e.g. AWS_DATA_PATH for other models). */
  AwsCli with(String name, Map<String, String> more) {
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.putAll(more);
    return new AwsCli(name, executable, Map.copyOf(env));
  }

  private static String version(Path aws) {
    try {
      Process p = new ProcessBuilder(aws.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out.trim();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  Result run(String endpointUrl, String accessKey, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.add("--endpoint-url");
    command.add(endpointUrl);
    command.add("--output");
    command.add("json");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("AWS_ACCESS_KEY_ID", accessKey);
    env.put("AWS_SECRET_ACCESS_KEY", "test-secret");
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_CONFIG_FILE", "/nonexistent/wharf-protocol-test-config");
    env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/wharf-protocol-test-credentials");
    env.put("AWS_PAGER", "");
    env.put("AWS_MAX_ATTEMPTS", "1");
    env.remove("AWS_PROFILE");
    env.putAll(environment);
    env.remove("AWS_SESSION_TOKEN");
    Path out = Files.createTempFile("aws-cli", ".out");
    Path err = Files.createTempFile("aws-cli", ".err");
    try {
      Process p =
          builder
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(name + " did not finish: " + command);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
