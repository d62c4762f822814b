package io.wharf.ecs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.core.state.Change;
import io.wharf.core.state.StateMachine;
import io.wharf.core.state.StateMachineTest;
import io.wharf.model.Task;
import io.wharf.model.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentGatewayTest {
  /** A clock tests move by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-11-22T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A channel that records what it was sent. */
  static final class RecordingChannel implements AgentGateway.Channel {
    final List<String> sent = new ArrayList<>();
    boolean closed;

    @Override
    public synchronized void send(String text) {
      sent.add(text);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void anAgentIsConnectedWhileHeardWithinTheLimit() {
    ManualClock clock = new ManualClock();
    try (StateMachine states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
        AgentGateway gateway =
            new AgentGateway(states, clock, Duration.ofSeconds(20), Duration.ofHours(1))) {
      RecordingChannel channel = new RecordingChannel();
      assertThat(gateway.isConnected("i-1")).isFalse();
      gateway.opened("i-1", channel);
      assertThat(gateway.isConnected("i-1")).isTrue();
      // The manifest goes out at once on connect.
      assertThat(channel.sent).singleElement().asString().contains("\"type\":\"manifest\"");

      clock.now = clock.now.plusSeconds(15);
      gateway.heard("i-1", "{\"type\":\"heartbeat\"}");
      clock.now = clock.now.plusSeconds(15);
      assertThat(gateway.isConnected("i-1")).isTrue();
      // Silent for longer than the limit, with the socket still open: disconnected.
      clock.now = clock.now.plusSeconds(6);
      assertThat(gateway.isConnected("i-1")).isFalse();
      gateway.heard("i-1", "{\"type\":\"heartbeat\"}");
      assertThat(gateway.isConnected("i-1")).isTrue();
    }
  }

  @Test
  void aNewChannelReplacesTheOldOneAndOnlyTheCurrentOneCountsWhenClosing() {
    ManualClock clock = new ManualClock();
    try (StateMachine states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
        AgentGateway gateway =
            new AgentGateway(states, clock, Duration.ofSeconds(20), Duration.ofHours(1))) {
      RecordingChannel first = new RecordingChannel();
      RecordingChannel second = new RecordingChannel();
      gateway.opened("i-1", first);
      gateway.opened("i-1", second);
      assertThat(first.closed).isTrue();
      gateway.closed("i-1", first);
      assertThat(gateway.isConnected("i-1")).isTrue();
      gateway.closed("i-1", second);
      assertThat(gateway.isConnected("i-1")).isFalse();
      // A closed channel gets nothing more: only the manifest it had on connect.
      gateway.tasksChanged(List.of(task("arn:t-1", "i-1")));
      assertThat(second.sent).hasSize(1);
    }
  }

  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private static Task task(String arn, String instance) {
    return new Task(
        arn,
        "arn:aws:ecs:r:1:cluster/c",
        "arn:aws:ecs:r:1:task-definition/f:1",
        instance,
        "family:f",
        null,
        "EC2",
        TaskStatus.PENDING,
        "RUNNING",
        null,
        null,
        List.of(),
        null,
        List.of(),
        Instant.EPOCH,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "UNKNOWN",
        1,
        100,
        100,
        List.of(),
        null,
        1);
  }

  private static void put(StateMachine states, Task task) {
    states.execute(
        tx -> {
          tx.apply(new Change.TaskPut(task));
          return null;
        });
  }

  private static long seqOf(String manifest) {
    return Long.parseLong(manifest.replaceAll(".*\"seq\":(\\d+).*", "$1"));
  }

  @Test
  void aManifestIsSentAgainOnlyWhileItIsNotAcknowledged() {
    ManualClock clock = new ManualClock();
    try (StateMachine states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
        AgentGateway gateway = new AgentGateway(states, clock, Duration.ofSeconds(30), INTERVAL)) {
      RecordingChannel channel = new RecordingChannel();
      gateway.opened("i-1", channel);
      // Not acknowledged, but younger than one interval: not yet.
      clock.now = clock.now.plusSeconds(5);
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(1);
      // Unacknowledged for an interval: lost, or the agent is stuck; sent again.
      clock.now = clock.now.plusSeconds(5);
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(2);
      // An ack of an older manifest does not count; one of the last one does.
      gateway.heard("i-1", "{\"type\":\"ack\",\"seq\":" + seqOf(channel.sent.get(0)) + "}");
      clock.now = clock.now.plus(INTERVAL);
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(3);
      gateway.heard("i-1", "{\"type\":\"ack\",\"seq\":" + seqOf(channel.sent.get(2)) + "}");
      for (int i = 0; i < 3; i++) {
        clock.now = clock.now.plus(INTERVAL);
        gateway.heard("i-1", "{\"type\":\"heartbeat\"}");
        gateway.resendWhereNeeded();
      }
      assertThat(channel.sent).hasSize(3);
    }
  }

  @Test
  void thePeriodicPassSendsChangesNobodyAnnouncedAndOnlyThose() {
    ManualClock clock = new ManualClock();
    try (StateMachine states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
        AgentGateway gateway = new AgentGateway(states, clock, Duration.ofSeconds(30), INTERVAL)) {
      RecordingChannel channel = new RecordingChannel();
      gateway.opened("i-1", channel);
      gateway.heard("i-1", "{\"type\":\"ack\",\"seq\":" + seqOf(channel.sent.get(0)) + "}");

      // A new task, and nobody called changed(): the pass notices and sends it.
      Task task = task("arn:aws:ecs:r:1:task/c/t1", "i-1");
      put(states, task);
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(2);
      assertThat(channel.sent.get(1)).contains("\"taskArn\":\"" + task.arn() + "\"");
      gateway.heard("i-1", "{\"type\":\"ack\",\"seq\":" + seqOf(channel.sent.get(1)) + "}");

      // RUNNING changes the task but not what the agent should do with it: nothing to send.
      put(states, task.toBuilder().lastStatus(TaskStatus.RUNNING).build(2));
      gateway.resendWhereNeeded();
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(2);

      // Desired STOPPED does.
      put(states, task.toBuilder().desiredStatus("STOPPED").build(3));
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(3);
      assertThat(channel.sent.get(2)).contains("\"desiredStatus\":\"STOPPED\"");
    }
  }

  @Test
  void announcedTasksGoOutAsUpdatesNamingOnlyThem() {
    ManualClock clock = new ManualClock();
    try (StateMachine states = new StateMachine(new StateMachineTest.MemoryStore(), clock);
        AgentGateway gateway = new AgentGateway(states, clock, Duration.ofSeconds(30), INTERVAL)) {
      Task first = task("arn:aws:ecs:r:1:task/c/t1", "i-1");
      put(states, first);
      RecordingChannel channel = new RecordingChannel();
      gateway.opened("i-1", channel);
      assertThat(channel.sent.get(0)).contains("\"type\":\"manifest\"").contains(first.arn());
      gateway.heard("i-1", "{\"type\":\"ack\",\"seq\":" + seqOf(channel.sent.get(0)) + "}");

      Task second = task("arn:aws:ecs:r:1:task/c/t2", "i-1");
      put(states, second);
      gateway.tasksChanged(List.of(second));
      assertThat(channel.sent).hasSize(2);
      assertThat(channel.sent.get(1))
          .contains("\"type\":\"update\"")
          .contains(second.arn())
          .doesNotContain(first.arn())
          .contains("\"taskDefinitions\":{\"" + second.taskDefinitionArn() + "\"");
      // Told already: announcing it again sends nothing.
      gateway.tasksChanged(List.of(second));
      assertThat(channel.sent).hasSize(2);

      // Acknowledged, and the desired state is what the messages said: the pass is quiet.
      gateway.heard("i-1", "{\"type\":\"ack\",\"seq\":" + seqOf(channel.sent.get(1)) + "}");
      clock.now = clock.now.plus(INTERVAL);
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(2);

      // A desired status, then the agent's STOPPED report: an update each, the second naming the
      // task as removed.
      Task stopping = second.toBuilder().desiredStatus("STOPPED").build(5);
      put(states, stopping);
      gateway.tasksChanged(List.of(stopping));
      assertThat(channel.sent.get(2)).contains("\"desiredStatus\":\"STOPPED\"");
      Task stopped = stopping.toBuilder().lastStatus(TaskStatus.STOPPED).build(6);
      put(states, stopped);
      gateway.tasksChanged(List.of(stopped));
      assertThat(channel.sent.get(3))
          .contains("\"removed\":[\"" + second.arn() + "\"]")
          .contains("\"tasks\":[]");

      // Not acknowledged for an interval: the whole manifest, with what is left.
      clock.now = clock.now.plus(INTERVAL);
      gateway.heard("i-1", "{\"type\":\"heartbeat\"}");
      gateway.resendWhereNeeded();
      assertThat(channel.sent).hasSize(5);
      assertThat(channel.sent.get(4))
          .contains("\"type\":\"manifest\"")
          .contains(first.arn())
          .doesNotContain(second.arn());
    }
  }
}
