package io.wharf.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.core.auth.AdminCredentials;
import io.wharf.sigv4.SigV4Signer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf join-token create}: asks the control plane, with the admin key, for a join token and
 * prints it. An agent host needs only that token ({@code wharf agent --join-token}), never the
 * admin key.
 */
@Command(
    name = "join-token",
    mixinStandardHelpOptions = true,
    description = "Manage join tokens, with which agents join a cluster.",
    subcommands = {JoinTokenCommand.Create.class})
final class JoinTokenCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a join token (with the admin key) and print it: pass it to wharf agent"
              + " --join-token on the machine that joins.")
  static final class Create implements Callable<Integer> {
    @Option(
        names = "--endpoint",
        description = "The control plane's endpoint. Default: ${DEFAULT-VALUE}.")
    URI endpoint = URI.create("http://127.0.0.1:" + ServerOptions.DEFAULT_PORT);

    @Option(names = "--cluster", description = "Cluster it joins to. Default: ${DEFAULT-VALUE}.")
    String cluster = "default";

    @Option(
        names = "--expires-in",
        description = "How long it can be used (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
    Duration expiresIn = Duration.ofHours(1);

    @Option(
        names = "--uses",
        description = "How many machines may join with it. Default: ${DEFAULT-VALUE} (single-use).")
    int uses = 1;

    @Option(
        names = "--data-dir",
        description =
            "The control plane's data dir, whose credentials file holds the admin key (unless"
                + " WHARF_ACCESS_KEY_ID and WHARF_SECRET_ACCESS_KEY are set). Default: ~/.wharf.")
    Path dataDir = Path.of(System.getProperty("user.home"), ".wharf");

    @Option(names = "--region", description = "Region to sign for. Default: ${DEFAULT-VALUE}.")
    String region = "us-east-1";

    @Override
    public Integer call() throws Exception {
      Map<String, String> env = System.getenv();
      if (env.get("WHARF_ACCESS_KEY_ID") == null
          && !Files.exists(dataDir.resolve(AdminCredentials.FILE))) {
        System.err.println(
            "wharf join-token create: no admin key: set WHARF_ACCESS_KEY_ID and"
                + " WHARF_SECRET_ACCESS_KEY, or point --data-dir at the control plane's data dir ("
                + dataDir.resolve(AdminCredentials.FILE)
                + " does not exist).");
        return 2;
      }
      AdminCredentials admin = AdminCredentials.resolve(dataDir, env, region);
      ObjectMapper json = new ObjectMapper();
      byte[] body =
          json.writeValueAsBytes(
              json.createObjectNode()
                  .put("cluster", cluster)
                  .put("expiresInSeconds", expiresIn.toSeconds())
                  .put("maxUses", uses));
      URI uri = endpoint.resolve("/");
      Map<String, String> headers =
          new SigV4Signer(
                  admin.accessKeyId(), admin.secretAccessKey(), region, "ecs", Clock.systemUTC())
              .sign(
                  "POST",
                  uri,
                  Map.of(
                      "content-type",
                      "application/x-amz-json-1.1",
                      "x-amz-target",
                      "WharfV1.CreateJoinToken"),
                  body);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(
          (k, v) -> {
            if (!k.equals("host")) {
              request.header(k, v);
            }
          });
      HttpResponse<String> response;
      try (HttpClient http = HttpClient.newHttpClient()) {
        response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        System.err.println(
            "wharf join-token create: the control plane at " + endpoint + " did not answer: " + e);
        return 1;
      }
      JsonNode answer = json.readTree(response.body());
      if (response.statusCode() != 200) {
        System.err.println(
            "wharf join-token create: "
                + answer.path("__type").asText("Error")
                + ": "
                + answer.path("message").asText(response.body()));
        return 1;
      }
      System.out.println(answer.path("joinToken").asText());
      System.err.println(
          "Join a machine to "
              + answer.path("clusterArn").asText()
              + " with (the token is good for "
              + uses
              + (uses == 1 ? " machine" : " machines")
              + ", until "
              + java.time.Instant.ofEpochMilli((long) (answer.path("expiresAt").asDouble() * 1000))
              + "):\n  wharf agent --endpoint "
              + endpoint
              + " --cluster "
              + cluster
              + " --join-token "
              + answer.path("joinToken").asText());
      return 0;
    }
  }
}
