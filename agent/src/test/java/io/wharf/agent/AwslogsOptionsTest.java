package io.wharf.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A container definition's awslogs options, read as Docker's driver reads them. */
class AwslogsOptionsTest {
  private static JsonNode definition(String options) throws Exception {
    return new ObjectMapper()
        .readTree(
            "{\"name\":\"web\",\"logConfiguration\":{\"logDriver\":\"awslogs\",\"options\":{"
                + options
                + "}}}");
  }

  @Test
  void theStreamIsPrefixContainerNameAndTaskIdOrElseTheContainerId() throws Exception {
    AwslogsOptions prefixed =
        AwslogsOptions.of(definition("\"awslogs-group\":\"g\",\"awslogs-stream-prefix\":\"app\""))
            .orElseThrow();
    assertThat(prefixed.streamName("web", "0123abcd", "cafe")).isEqualTo("app/web/0123abcd");
    AwslogsOptions bare = AwslogsOptions.of(definition("\"awslogs-group\":\"g\"")).orElseThrow();
    assertThat(bare.streamName("web", "0123abcd", "cafe")).isEqualTo("cafe");
  }

  @Test
  void theDefaultsAreEcsTodayNonBlockingWithDocker_sOneMebibyteBuffer() throws Exception {
    AwslogsOptions o = AwslogsOptions.of(definition("\"awslogs-group\":\"g\"")).orElseThrow();
    assertThat(o.mode()).isEqualTo(AwslogsOptions.Mode.NON_BLOCKING);
    assertThat(o.maxBufferBytes()).isEqualTo(1 << 20);
    assertThat(o.createGroup()).isFalse();
    assertThat(o.newEventPattern()).isNull();
  }

  @Test
  void sizesInDocker_sSyntax() {
    assertThat(AwslogsOptions.bytes("4m")).isEqualTo(4L << 20);
    assertThat(AwslogsOptions.bytes("512k")).isEqualTo(512L << 10);
    assertThat(AwslogsOptions.bytes("2MiB")).isEqualTo(2L << 20);
    assertThat(AwslogsOptions.bytes("100")).isEqualTo(100);
    assertThatThrownBy(() -> AwslogsOptions.bytes("lots")).hasMessageContaining("invalid size");
  }

  @Test
  void bothMultiLineOptionsAreRefusedAsDockerRefusesThem() {
    assertThatThrownBy(
            () ->
                AwslogsOptions.of(
                    definition(
                        "\"awslogs-group\":\"g\",\"awslogs-multiline-pattern\":\"^x\","
                            + "\"awslogs-datetime-format\":\"%Y\"")))
        .hasMessageContaining("at the same time");
  }

  @Test
  void aContainerWithAnotherDriverHasNoOptions() throws Exception {
    JsonNode d =
        new ObjectMapper().readTree("{\"logConfiguration\":{\"logDriver\":\"json-file\"}}");
    assertThat(AwslogsOptions.of(d)).isEmpty();
  }
}
