package io.wharf.controlplane.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BodyBudgetTest {
  private static final int CHUNK = BodyBudget.CHUNK_BYTES;

  @Test
  void readsBodiesOfEveryLengthAcrossChunksAndHashesThemAsOneArrayWould() throws Exception {
    BodyBudget budget = new BodyBudget(8 * CHUNK);
    SplittableRandom random = new SplittableRandom(23);
    for (int length : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, 4 * CHUNK}) {
      byte[] body = new byte[length];
      random.nextBytes(body);
      for (long declared : new long[] {length, -1}) {
        try (BodyBudget.Reservation reservation = budget.reserve()) {
          assertThat(reservation.read(trickling(body), declared, 4 * CHUNK)).isTrue();
          assertThat(reservation.toByteArray())
              .as("%d, declared %d", length, declared)
              .isEqualTo(body);
          assertThat(reservation.sha256())
              .isEqualTo(MessageDigest.getInstance("SHA-256").digest(body));
        }
      }
    }
    assertThat(budget.available()).isEqualTo(budget.capacity());
  }

  @Test
  void refusesABodyOverTheLimitWhetherDeclaredOrNot() throws Exception {
    BodyBudget budget = new BodyBudget(8 * CHUNK);
    byte[] body = new byte[2 * CHUNK + 1];
    try (BodyBudget.Reservation declared = budget.reserve();
        BodyBudget.Reservation undeclared = budget.reserve()) {
      assertThat(declared.read(new ByteArrayInputStream(body), body.length, 2 * CHUNK)).isFalse();
      assertThat(undeclared.read(new ByteArrayInputStream(body), -1, 2 * CHUNK)).isFalse();
    }
  }

  @Test
  void refusesABodyItHasNoRoomForBeforeReadingAByteOfIt() throws Exception {
    BodyBudget budget = new BodyBudget(4 * CHUNK);
    BodyBudget.Reservation first = budget.reserve();
    first.read(new ByteArrayInputStream(new byte[3 * CHUNK]), 3 * CHUNK, 4 * CHUNK);
    ByteArrayInputStream second = new ByteArrayInputStream(new byte[CHUNK + 1]);

    assertThatThrownBy(() -> budget.reserve().read(second, CHUNK + 1, 4 * CHUNK))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.THROTTLING);
              assertThat(e.getMessage()).contains("Retry");
            });
    assertThat(second.available()).isEqualTo(CHUNK + 1);
    first.close();
    assertThat(budget.available()).isEqualTo(4 * CHUNK);
  }

  @Test
  void anUndeclaredBodyTakesChunksAsItArrivesUntilNoneAreLeft() throws Exception {
    BodyBudget budget = new BodyBudget(2 * CHUNK);
    BodyBudget.Reservation reservation = budget.reserve();

    assertThatThrownBy(
            () -> reservation.read(new ByteArrayInputStream(new byte[3 * CHUNK]), -1, 4 * CHUNK))
        .isInstanceOf(WharfException.class);
    assertThat(budget.available()).isZero();
    reservation.close();
    reservation.close();
    assertThat(budget.available()).isEqualTo(2 * CHUNK);
  }

  /** A stream that hands out at most 1,000 bytes a read, as a network does. */
  private static InputStream trickling(byte[] body) {
    return new ByteArrayInputStream(body) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1000));
      }
    };
  }
}
