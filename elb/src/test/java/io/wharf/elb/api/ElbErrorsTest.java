package io.wharf.elb.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.model.ErrorCode;
import io.wharf.protocol.ErrorAnswer;
import org.junit.jupiter.api.Test;

class ElbErrorsTest {
  @Test
  void genericCodesAreAnsweredTheWayQueryServicesNameThem() {
    assertThat(ElbApi.errorOf(ErrorCode.INVALID_PARAMETER))
        .isEqualTo(new ErrorAnswer("ValidationError", 400, true));
    assertThat(ElbApi.errorOf(ErrorCode.PRIORITY_IN_USE))
        .isEqualTo(new ErrorAnswer("PriorityInUse", 400, true));
    assertThat(ElbApi.errorOf(ErrorCode.INVALID_SIGNATURE))
        .isEqualTo(new ErrorAnswer("SignatureDoesNotMatch", 403, true));
    assertThat(ElbApi.errorOf(ErrorCode.SERVER))
        .isEqualTo(new ErrorAnswer("InternalFailure", 500, false));
  }
}
