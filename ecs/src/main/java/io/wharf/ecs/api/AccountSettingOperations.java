package io.wharf.ecs.api;

import io.wharf.core.api.Page;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.model.AccountSetting;
import io.wharf.model.WharfException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting, ListAccountSettings.
 *
 * <p>A setting's effective value for a principal is the principal's own setting, else the account
 * default (the setting of the account root), else ECS's built-in default.
 */
final class AccountSettingOperations {
  /** ECS's built-in defaults, and the values each setting accepts (empty: free-form). */
  private record Definition(String defaultValue, Set<String> allowed, boolean userSettable) {}

  private static final Map<String, Definition> SETTINGS = new LinkedHashMap<>();

  static {
    Set<String> onOff = Set.of("enabled", "disabled");
    SETTINGS.put("serviceLongArnFormat", new Definition("enabled", onOff, true));
    SETTINGS.put("taskLongArnFormat", new Definition("enabled", onOff, true));
    SETTINGS.put("containerInstanceLongArnFormat", new Definition("enabled", onOff, true));
    SETTINGS.put("awsvpcTrunking", new Definition("disabled", onOff, true));
    SETTINGS.put(
        "containerInsights",
        new Definition("disabled", Set.of("enabled", "disabled", "enhanced"), true));
    SETTINGS.put("fargateFIPSMode", new Definition("disabled", onOff, true));
    SETTINGS.put("tagResourceAuthorization", new Definition("on", Set.of("on", "off"), true));
    SETTINGS.put(
        "fargateTaskRetirementWaitPeriod", new Definition("7", Set.of("0", "7", "14"), true));
    // ECS manages guardDutyActivate itself (from GuardDuty); users cannot change it.
    SETTINGS.put("guardDutyActivate", new Definition("off", Set.of("on", "off"), false));
    SETTINGS.put(
        "defaultLogDriverMode",
        new Definition("non-blocking", Set.of("blocking", "non-blocking"), true));
    SETTINGS.put("fargateEventWindows", new Definition("disabled", onOff, true));
  }

  private final StateMachine states;
  private final Lookup lookup;

  AccountSettingOperations(StateMachine states, Lookup lookup) {
    this.states = states;
    this.lookup = lookup;
  }

  void register(Map<String, Operation> ops) {
    ops.put("PutAccountSetting", Typed.of(PutAccountSettingRequest.class, this::put));
    ops.put(
        "PutAccountSettingDefault",
        Typed.of(PutAccountSettingDefaultRequest.class, this::putDefault));
    ops.put("DeleteAccountSetting", Typed.of(DeleteAccountSettingRequest.class, this::delete));
    ops.put("ListAccountSettings", Typed.of(ListAccountSettingsRequest.class, this::list));
  }

  /** ECS's {@code SettingType}: whether a value was set by a user or is ECS's own default. */
  enum SettingType {
    USER("user"),
    AWS_MANAGED("aws_managed");

    private final String wire;

    SettingType(String wire) {
      this.wire = wire;
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  /** ECS's {@code Setting}: an account setting's value as it applies to {@code principalArn}. */
  record SettingView(String name, String value, String principalArn, SettingType type) {}

  record PutAccountSettingRequest(String name, String value, String principalArn) {}

  record PutAccountSettingResponse(SettingView setting) {}

  record PutAccountSettingDefaultRequest(String name, String value) {}

  record PutAccountSettingDefaultResponse(SettingView setting) {}

  /** Sets the caller's own setting, or that of the principal named. */
  private PutAccountSettingResponse put(Operation.Caller caller, PutAccountSettingRequest request) {
    String principal =
        request.principalArn() == null ? caller.principalArn() : request.principalArn();
    return new PutAccountSettingResponse(save(request.name(), request.value(), principal));
  }

  /** Sets the account default: the setting of the account root. */
  private PutAccountSettingDefaultResponse putDefault(
      Operation.Caller caller, PutAccountSettingDefaultRequest request) {
    return new PutAccountSettingDefaultResponse(
        save(request.name(), request.value(), lookup.arns().accountRoot()));
  }

  private SettingView save(String name, String value, String principal) {
    Definition def = SETTINGS.get(name);
    if (!def.userSettable()) {
      throw WharfException.invalidParameter("The " + name + " account setting cannot be changed.");
    }
    if (!def.allowed().contains(value)) {
      throw WharfException.invalidParameter(
          "The "
              + name
              + " account setting accepts "
              + String.join(", ", def.allowed().stream().sorted().toList())
              + "; it was '"
              + value
              + "'.");
    }
    AccountSetting saved =
        states.execute(
            tx -> {
              AccountSetting s = new AccountSetting(name, value, principal, tx.revision());
              tx.apply(new Change.AccountSettingPut(s));
              return s;
            });
    return new SettingView(saved.name(), saved.value(), saved.principalArn(), SettingType.USER);
  }

  record DeleteAccountSettingRequest(String name, String principalArn) {}

  record DeleteAccountSettingResponse(SettingView setting) {}

  private DeleteAccountSettingResponse delete(
      Operation.Caller caller, DeleteAccountSettingRequest request) {
    String name = request.name();
    String principal =
        request.principalArn() == null ? caller.principalArn() : request.principalArn();
    AccountSetting removed =
        states.execute(
            tx -> {
              AccountSetting s =
                  tx.state().accountSettings().get(State.settingKey(name, principal));
              if (s == null) {
                throw WharfException.invalidParameter(
                    "No " + name + " account setting is set for " + principal + ".");
              }
              tx.apply(new Change.AccountSettingRemoved(name, principal));
              return s;
            });
    return new DeleteAccountSettingResponse(
        new SettingView(removed.name(), removed.value(), removed.principalArn(), SettingType.USER));
  }

  record ListAccountSettingsRequest(
      String name,
      String value,
      String principalArn,
      Boolean effectiveSettings,
      String nextToken,
      Integer maxResults) {}

  record ListAccountSettingsResponse(List<SettingView> settings, String nextToken) {}

  private ListAccountSettingsResponse list(
      Operation.Caller caller, ListAccountSettingsRequest request) {
    String name = request.name();
    String value = request.value();
    String principal =
        request.principalArn() == null ? caller.principalArn() : request.principalArn();
    boolean effective = Boolean.TRUE.equals(request.effectiveSettings());
    if (value != null && name == null) {
      throw WharfException.invalidParameter("value can only be given together with name.");
    }
    State state = states.current();
    List<SettingView> settings = new ArrayList<>();
    for (String settingName : SETTINGS.keySet()) {
      if (name != null && !name.equals(settingName)) {
        continue;
      }
      AccountSetting own = state.accountSettings().get(State.settingKey(settingName, principal));
      SettingView entry;
      if (own != null) {
        entry = new SettingView(settingName, own.value(), principal, SettingType.USER);
      } else if (!effective) {
        continue;
      } else {
        AccountSetting accountDefault =
            state.accountSettings().get(State.settingKey(settingName, lookup.arns().accountRoot()));
        entry =
            accountDefault != null
                ? new SettingView(settingName, accountDefault.value(), principal, SettingType.USER)
                : new SettingView(
                    settingName,
                    SETTINGS.get(settingName).defaultValue(),
                    principal,
                    SettingType.AWS_MANAGED);
      }
      if (value == null || value.equals(entry.value())) {
        settings.add(entry);
      }
    }
    // Pages are cut by name; the settings on a page keep the order of SETTINGS.
    List<String> keys = settings.stream().map(SettingView::name).sorted().toList();
    Page page =
        Page.of(keys, Comparator.naturalOrder(), request.nextToken(), request.maxResults(), 10);
    List<SettingView> onPage =
        settings.stream().filter(s -> page.items().contains(s.name())).toList();
    return new ListAccountSettingsResponse(onPage, page.nextToken());
  }
}
