package io.wharf.controlplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.controlplane.state.StateMachine;
import io.wharf.controlplane.state.StateMachineTest;
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
      gateway.changed(List.of("i-1"));
      assertThat(second.sent).hasSize(1);
    }
  }
}
