package io.wharf.elb.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPoolTest {
  @Test
  void eachLoadBalancerGetsTheLowestFreeAddress() {
    AddressPool pool = AddressPool.parse("127.0.1.254-127.0.2.1");
    assertThat(pool.allocate(Set.of())).isEqualTo("127.0.1.254");
    assertThat(pool.allocate(Set.of("127.0.1.254"))).isEqualTo("127.0.1.255");
    assertThat(pool.allocate(Set.of("127.0.1.254", "127.0.1.255", "127.0.2.0")))
        .isEqualTo("127.0.2.1");
    assertThat(pool.allocate(Set.of("127.0.1.254", "127.0.1.255", "127.0.2.0", "127.0.2.1")))
        .isNull();
    assertThat(pool).hasToString("127.0.1.254-127.0.2.1");
  }

  @Test
  void oneAddressIsShared() {
    AddressPool pool = AddressPool.parse("127.0.0.1");
    assertThat(pool.isShared()).isTrue();
    assertThat(pool.allocate(Set.of("127.0.0.1"))).isEqualTo("127.0.0.1");
  }

  @Test
  void badRangesAreRefusedWithTheirText() {
    assertThatThrownBy(() -> AddressPool.parse("127.0.0.300")).hasMessageContaining("127.0.0.300");
    assertThatThrownBy(() -> AddressPool.parse("127.0.0.9-127.0.0.1"))
        .hasMessageContaining("ends before it starts");
    assertThatThrownBy(() -> AddressPool.parse("localhost"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
