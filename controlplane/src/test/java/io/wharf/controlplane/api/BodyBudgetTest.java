package io.wharf.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import org.junit.jupiter.api.Test;

class BodyBudgetTest {

  @Test
  void refusesWhatWouldTakeTheTotalOverTheCapacityWithAThrottlingError() {
    BodyBudget budget = new BodyBudget(100);
    BodyBudget.Reservation first = budget.reserve();
    first.grow(60);

    BodyBudget.Reservation second = budget.reserve();
    assertThatThrownBy(() -> second.grow(41))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.THROTTLING);
              assertThat(e.getMessage()).contains("Retry");
            });
    second.grow(40);
    assertThat(budget.available()).isZero();
  }

  @Test
  void closingAReservationGivesBackAllItHeldOnce() {
    BodyBudget budget = new BodyBudget(100);
    BodyBudget.Reservation reservation = budget.reserve();
    reservation.grow(30);
    reservation.grow(20);

    reservation.close();
    reservation.close();

    assertThat(budget.available()).isEqualTo(100);
  }

  @Test
  void aRefusedGrowthHoldsNothingMore() {
    BodyBudget budget = new BodyBudget(10);
    BodyBudget.Reservation reservation = budget.reserve();
    reservation.grow(4);

    assertThatThrownBy(() -> reservation.grow(7)).isInstanceOf(WharfException.class);
    reservation.close();

    assertThat(budget.available()).isEqualTo(10);
  }
}
