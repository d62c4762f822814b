package io.wharf.protocol;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.model.WharfException;
import org.junit.jupiter.api.Test;

/** The model check on ECS's model, where a rule of ECS's depends on it. */
class EcsModelCheckTest {
  @Test
  void aBadTimestampIsRefusedBeforeAnyOperationRuns() throws Exception {
    InputValidator validator =
        new InputValidator(ServiceModel.load(EcsModelCheckTest.class, "ecs-2014-11-13.json.gz"));
    var request =
        new ObjectMapper()
            .readTree("{\"service\":\"web\",\"createdAt\":{\"after\":\"yesterday\"}}");
    assertThatThrownBy(() -> validator.validate("ListServiceDeployments", request))
        .isInstanceOf(WharfException.class)
        .hasMessageStartingWith("Parameter createdAt.after must be a timestamp");
  }
}
