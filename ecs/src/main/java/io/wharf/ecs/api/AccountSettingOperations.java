package io.wharf.ecs.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.api.Page;
import io.wharf.core.state.Change;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.model.AccountSetting;
import io.wharf.model.WharfException;
import java.util.ArrayList;
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
    ops.put("PutAccountSetting", (c, r) -> put(r, Wire.text(r, "principalArn", c.principalArn())));
    ops.put("PutAccountSettingDefault", (c, r) -> put(r, lookup.arns().accountRoot()));
    ops.put("DeleteAccountSetting", this::delete);
    ops.put("ListAccountSettings", this::list);
  }

  private JsonNode put(JsonNode request, String principal) {
    String name = request.path("name").asText();
    String value = request.path("value").asText();
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
    return Wire.object()
        .set("setting", toWire(saved.name(), saved.value(), saved.principalArn(), "user"));
  }

  private JsonNode delete(Operation.Caller caller, JsonNode request) {
    String name = request.path("name").asText();
    String principal = Wire.text(request, "principalArn", caller.principalArn());
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
    return Wire.object()
        .set("setting", toWire(removed.name(), removed.value(), removed.principalArn(), "user"));
  }

  private JsonNode list(Operation.Caller caller, JsonNode request) {
    String name = Wire.text(request, "name", null);
    String value = Wire.text(request, "value", null);
    String principal = Wire.text(request, "principalArn", caller.principalArn());
    boolean effective = Wire.bool(request, "effectiveSettings", false);
    if (value != null && name == null) {
      throw WharfException.invalidParameter("value can only be given together with name.");
    }
    State state = states.current();
    List<ObjectNode> settings = new ArrayList<>();
    for (String settingName : SETTINGS.keySet()) {
      if (name != null && !name.equals(settingName)) {
        continue;
      }
      AccountSetting own = state.accountSettings().get(State.settingKey(settingName, principal));
      ObjectNode entry;
      if (own != null) {
        entry = toWire(settingName, own.value(), principal, "user");
      } else if (!effective) {
        continue;
      } else {
        AccountSetting accountDefault =
            state.accountSettings().get(State.settingKey(settingName, lookup.arns().accountRoot()));
        entry =
            accountDefault != null
                ? toWire(settingName, accountDefault.value(), principal, "user")
                : toWire(
                    settingName,
                    SETTINGS.get(settingName).defaultValue(),
                    principal,
                    "aws_managed");
      }
      if (value == null || value.equals(entry.path("value").asText())) {
        settings.add(entry);
      }
    }
    List<String> keys = settings.stream().map(s -> s.path("name").asText()).sorted().toList();
    Page page = Page.of(keys, request, 10);
    ArrayNode out = Wire.array();
    for (ObjectNode s : settings) {
      if (page.items().contains(s.path("name").asText())) {
        out.add(s);
      }
    }
    ObjectNode response = Wire.object();
    response.set("settings", out);
    if (page.nextToken() != null) {
      response.put("nextToken", page.nextToken());
    }
    return response;
  }

  private static ObjectNode toWire(String name, String value, String principal, String type) {
    return Wire.object()
        .put("name", name)
        .put("value", value)
        .put("principalArn", principal)
        .put("type", type);
  }
}
