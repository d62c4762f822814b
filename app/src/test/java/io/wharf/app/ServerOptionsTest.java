package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The rule for {@code --instance-lost-after}: no value a normal reconnect could not meet. */
class ServerOptionsTest {
  @TempDir Path dir;

  private static ServerOptions parse(String... args) {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs(args);
    return command.options;
  }

  @Test
  void theDefaultsAreAccepted() {
    assertThatCode(() -> parse().checkDurations()).doesNotThrowAnyException();
  }

  @Test
  void theMinimumIsTheDisconnectTimePlusTheReconnectAllowanceAndNeverBelowTheFloor() {
    // The default disconnect time: 20 s + 10 s, which is also the floor.
    assertThat(ServerOptions.minimumInstanceLostAfter(Duration.ofSeconds(20)))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(ServerOptions.minimumInstanceLostAfter(Duration.ofSeconds(45)))
        .isEqualTo(Duration.ofSeconds(55));
    assertThat(ServerOptions.minimumInstanceLostAfter(Duration.ofSeconds(5)))
        .isEqualTo(ServerOptions.LOST_AFTER_FLOOR);
  }

  @Test
  void theAllowanceCoversTheAgentsLongestWaitBetweenTwoReconnectAttempts() {
    assertThat(ServerOptions.RECONNECT_ALLOWANCE)
        .isGreaterThan(io.wharf.agent.Agent.MAX_RECONNECT_WAIT.multipliedBy(2));
  }

  @Test
  void twentyFiveSecondsWithTheDefaultDisconnectTimeIsRefusedNamingTheOptionAndTheMinimum() {
    assertThatThrownBy(() -> parse("--instance-lost-after", "PT25S").checkDurations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--instance-lost-after PT25S is too short")
        .hasMessageContaining("The minimum is PT30S");
  }

  @Test
  void aLongerDisconnectTimeRaisesTheMinimum() {
    assertThatThrownBy(
            () ->
                parse("--agent-disconnect-after", "PT40S", "--instance-lost-after", "PT45S")
                    .checkDurations())
        .hasMessageContaining("--agent-disconnect-after (PT40S)")
        .hasMessageContaining("The minimum is PT50S");
    assertThatCode(
            () ->
                parse("--agent-disconnect-after", "PT40S", "--instance-lost-after", "PT50S")
                    .checkDurations())
        .doesNotThrowAnyException();
  }

  @Test
  void aZeroDisconnectTimeIsRefused() {
    assertThatThrownBy(() -> parse("--agent-disconnect-after", "PT0S").checkDurations())
        .hasMessageContaining("--agent-disconnect-after must be positive");
  }

  @Test
  void theServerCommandExitsWithTwoAndTouchesNoDataDirectory() {
    Path data = dir.resolve("data");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int exit;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      exit =
          new CommandLine(new ServerCommand())
              .execute(
                  "--port", "0", "--data-dir", data.toString(), "--instance-lost-after", "PT25S");
    } finally {
      System.setErr(err);
    }
    assertThat(exit).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("wharf: --instance-lost-after PT25S is too short");
    assertThat(Files.exists(data)).isFalse();
  }
}
