package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command lines around joining: what they refuse before anything runs. */
class JoinCommandsTest {
  record Run(int exitCode, String stderr) {}

  static synchronized Run run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(new Main()).execute(args);
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void anAgentThatHasNotJoinedNeedsAToken() throws Exception {
    Path dir = Files.createTempDirectory("wharf-agent-unjoined");
    try {
      Run run = run("agent", "--endpoint", "http://127.0.0.1:9", "--data-dir", dir.toString());
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.stderr()).contains("has not joined a cluster yet: pass --join-token");
    } finally {
      TestServer.deleteTree(dir);
    }
  }

  @Test
  void aMalformedTokenIsRefusedAtOnce() throws Exception {
    Path dir = Files.createTempDirectory("wharf-agent-badtoken");
    try {
      Run run =
          run(
              "agent",
              "--endpoint",
              "http://127.0.0.1:9",
              "--data-dir",
              dir.toString(),
              "--join-token",
              "not-a-token");
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.stderr()).contains("A join token is <id>.<secret>");
    } finally {
      TestServer.deleteTree(dir);
    }
  }

  @Test
  void creatingATokenNeedsTheAdminKey() throws Exception {
    Assumptions.assumeTrue(System.getenv("WHARF_ACCESS_KEY_ID") == null);
    Path dir = Files.createTempDirectory("wharf-no-admin");
    try {
      Run run = run("join-token", "create", "--data-dir", dir.toString());
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.stderr()).contains("no admin key");
    } finally {
      TestServer.deleteTree(dir);
    }
  }

  @Test
  void aTokenCreatedByTheCommandJoinsAnInstance() throws Exception {
    Assumptions.assumeTrue(System.getenv("WHARF_ACCESS_KEY_ID") == null);
    try (TestServer server = TestServer.start();
        var ecs = server.client()) {
      ecs.createCluster(b -> b.clusterName("cli"));
      // The admin key from a data dir's credentials file, as on the control plane's machine.
      Path adminDir = Files.createTempDirectory("wharf-admin");
      try {
        Files.writeString(
            adminDir.resolve("credentials"),
            "[wharf]\naws_access_key_id = "
                + TestServer.KEY_ID
                + "\naws_secret_access_key = "
                + TestServer.SECRET
                + "\n");
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        Run run;
        try {
          run =
              run(
                  "join-token",
                  "create",
                  "--endpoint",
                  server.endpoint(),
                  "--cluster",
                  "cli",
                  "--uses",
                  "2",
                  "--data-dir",
                  adminDir.toString());
        } finally {
          System.setOut(saved);
        }
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String token = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(token).matches("WJT[A-Z2-7]{17}\\.[A-Z2-7]{32}");
        assertThat(run.stderr()).contains("--join-token " + token).contains("2 machines");
        assertThat(AgentIdentityTestAccess.join(server, token, "cli").status()).isEqualTo(200);
      } finally {
        TestServer.deleteTree(adminDir);
      }
    }
  }
}
