package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.Setting;
import software.amazon.awssdk.services.ecs.model.SettingName;

/** Account settings end to end: own settings, account defaults, effective values. */
class AccountSettingApiTest {
  static final String ROOT = "arn:aws:iam::" + TestServer.ACCOUNT + ":root";
  static final String USER = "arn:aws:iam::" + TestServer.ACCOUNT + ":user/dev";
  static TestServer server;
  static EcsClient ecs;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    ecs = server.client();
  }

  @AfterAll
  static void stop() throws Exception {
    ecs.close();
    server.close();
  }

  @Test
  void effectiveValuesComeFromOwnThenDefaultThenEcs() {
    List<Setting> effective =
        ecs.listAccountSettings(b -> b.effectiveSettings(true).principalArn(USER).maxResults(100))
            .settings();
    assertThat(effective)
        .anySatisfy(
            s -> {
              assertThat(s.name()).isEqualTo(SettingName.CONTAINER_INSIGHTS);
              assertThat(s.value()).isEqualTo("disabled");
              assertThat(s.typeAsString()).isEqualTo("aws_managed");
            });

    Setting accountDefault =
        ecs.putAccountSettingDefault(b -> b.name(SettingName.CONTAINER_INSIGHTS).value("enabled"))
            .setting();
    assertThat(accountDefault.principalArn()).isEqualTo(ROOT);
    assertThat(effectiveInsights(USER)).isEqualTo("enabled");

    Setting own =
        ecs.putAccountSetting(
                b -> b.name(SettingName.CONTAINER_INSIGHTS).value("enhanced").principalArn(USER))
            .setting();
    assertThat(own.value()).isEqualTo("enhanced");
    assertThat(own.typeAsString()).isEqualTo("user");
    assertThat(effectiveInsights(USER)).isEqualTo("enhanced");
    assertThat(ecs.listAccountSettings(b -> b.principalArn(USER)).settings())
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo("enhanced"));

    Setting deleted =
        ecs.deleteAccountSetting(b -> b.name(SettingName.CONTAINER_INSIGHTS).principalArn(USER))
            .setting();
    assertThat(deleted.value()).isEqualTo("enhanced");
    assertThat(effectiveInsights(USER)).isEqualTo("enabled");
    // The caller (the admin key) is the account root.
    assertThat(ecs.listAccountSettings(b -> b.name(SettingName.CONTAINER_INSIGHTS)).settings())
        .singleElement()
        .satisfies(s -> assertThat(s.principalArn()).isEqualTo(ROOT));
  }

  @Test
  void refusesValuesASettingDoesNotTake() {
    assertThatThrownBy(
            () ->
                ecs.putAccountSetting(
                    b -> b.name(SettingName.TASK_LONG_ARN_FORMAT).value("sometimes")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("taskLongArnFormat");
    assertThatThrownBy(
            () -> ecs.putAccountSetting(b -> b.name(SettingName.GUARD_DUTY_ACTIVATE).value("on")))
        .isInstanceOf(InvalidParameterException.class);
    assertThatThrownBy(
            () ->
                ecs.deleteAccountSetting(
                    b -> b.name(SettingName.AWSVPC_TRUNKING).principalArn(USER)))
        .isInstanceOf(InvalidParameterException.class);
  }

  private static String effectiveInsights(String principal) {
    return ecs.listAccountSettings(
            b ->
                b.effectiveSettings(true)
                    .principalArn(principal)
                    .name(SettingName.CONTAINER_INSIGHTS))
        .settings()
        .get(0)
        .value();
  }
}
