package io.wharf.logs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.protocol.AwsServiceException;
import org.junit.jupiter.api.Test;

/** GetLogEvents' f/ and b/ tokens and FilterLogEvents' cursor. */
class EventTokensTest {
  @Test
  void tokensNameTheirDirectionAndPositionAndReadBack() {
    EventTokens.Token f = EventTokens.forward(42);
    assertThat(f.toString()).isEqualTo("f/0000000000000000042");
    assertThat(EventTokens.parse(f.toString())).isEqualTo(f);
    EventTokens.Token b = EventTokens.backward(0);
    assertThat(b.toString()).isEqualTo("b/0000000000000000000");
    assertThat(EventTokens.parse("b/7")).isEqualTo(EventTokens.backward(7));
    assertThat(EventTokens.parse(EventTokens.forward(Long.MAX_VALUE).toString()).position())
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void malformedTokensAreInvalidParameters() {
    for (String bad : new String[] {"x/1", "f/", "f/-1", "f/1/s", "f/99999999999999999999"}) {
      assertThatThrownBy(() -> EventTokens.parse(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              AwsServiceException.class,
              e -> assertThat(e.code()).isEqualTo("InvalidParameterException"))
          .hasMessage("The specified nextToken is invalid.");
    }
  }

  @Test
  void theFilterCursorOrdersByTimeThenStreamThenPosition() {
    EventTokens.FilterCursor c = new EventTokens.FilterCursor(100, "web/1", 7);
    EventTokens.FilterCursor back = EventTokens.FilterCursor.decode(c.encode());
    assertThat(back).isEqualTo(c);
    assertThat(c.compareTo(100, "web/1", 7)).isZero();
    assertThat(c.compareTo(101, "a", 0)).isNegative();
    assertThat(c.compareTo(100, "web/2", 0)).isNegative();
    assertThat(c.compareTo(100, "web/1", 6)).isPositive();
    // A stream name may hold the separator: it is the last field.
    EventTokens.FilterCursor odd = new EventTokens.FilterCursor(1, "a|b", 2);
    assertThat(EventTokens.FilterCursor.decode(odd.encode())).isEqualTo(odd);
    assertThatThrownBy(() -> EventTokens.FilterCursor.decode("not-a-cursor"))
        .hasMessage("The specified nextToken is invalid.");
  }
}
