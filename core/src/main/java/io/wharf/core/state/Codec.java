package io.wharf.core.state;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.wharf.model.AccountSetting;
import io.wharf.model.Cluster;
import io.wharf.model.ContainerInstance;
import io.wharf.model.Service;
import io.wharf.model.Task;
import io.wharf.model.TaskDefinition;
import io.wharf.model.elb.Listener;
import io.wharf.model.elb.ListenerRule;
import io.wharf.model.elb.LoadBalancer;
import io.wharf.model.elb.Target;
import io.wharf.model.elb.TargetGroup;
import io.wharf.model.elb.TargetRegistration;
import io.wharf.model.identity.InstanceKey;
import io.wharf.model.identity.JoinToken;
import io.wharf.model.logs.LogGroup;
import io.wharf.model.logs.LogStream;
import io.wharf.store.Store;
import io.wharf.store.StoreException;
import java.util.List;

/**
 * Maps changes to store rows and rows back to state. Row kinds and keys are the storage format; the
 * JSON of a row is the entity's record components.
 */
final class Codec {
  static final String CLUSTER = "cluster";
  static final String TASK_DEFINITION = "task-definition";
  static final String ACCOUNT_SETTING = "account-setting";
  static final String CONTAINER_INSTANCE = "container-instance";
  static final String TASK = "task";
  static final String SERVICE = "service";
  static final String LOAD_BALANCER = "load-balancer";
  static final String TARGET_GROUP = "target-group";
  static final String LISTENER = "listener";
  static final String LISTENER_RULE = "listener-rule";
  static final String TARGET = "target";
  static final String JOIN_TOKEN = "join-token";
  static final String INSTANCE_KEY = "instance-key";
  static final String LOG_GROUP = "log-group";
  static final String LOG_STREAM = "log-stream";

  private final ObjectMapper mapper =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          // Records only: no getters such as isActive() leak into the stored form.
          .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
          .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  Store.Mutation toMutation(Change change) {
    return switch (change) {
      case Change.ClusterPut(Cluster c) -> put(CLUSTER, c.name(), c);
      case Change.TaskDefinitionPut(TaskDefinition d) ->
          put(TASK_DEFINITION, d.family() + ":" + d.revision(), d);
      case Change.AccountSettingPut(AccountSetting s) ->
          put(ACCOUNT_SETTING, State.settingKey(s.name(), s.principalArn()), s);
      case Change.AccountSettingRemoved(String name, String principal) ->
          new Store.Mutation.Delete(ACCOUNT_SETTING, State.settingKey(name, principal));
      case Change.ContainerInstancePut(ContainerInstance i) -> put(CONTAINER_INSTANCE, i.arn(), i);
      case Change.TaskPut(Task t) -> put(TASK, t.arn(), t);
      case Change.ServicePut(Service v) -> put(SERVICE, v.arn(), v);
      case Change.Balancing b -> toMutation(b);
      case Change.JoinTokenPut(JoinToken t) -> put(JOIN_TOKEN, t.id(), t);
      case Change.JoinTokenRemoved(String id) -> new Store.Mutation.Delete(JOIN_TOKEN, id);
      case Change.InstanceKeyPut(InstanceKey k) -> put(INSTANCE_KEY, k.accessKeyId(), k);
      case Change.InstanceKeyRemoved(String id) -> new Store.Mutation.Delete(INSTANCE_KEY, id);
      case Change.LogGroupPut(LogGroup g) -> put(LOG_GROUP, g.name(), g);
      case Change.LogGroupRemoved(String name) -> new Store.Mutation.Delete(LOG_GROUP, name);
      case Change.LogStreamPut(LogStream st) ->
          put(LOG_STREAM, streamKey(st.groupName(), st.name()), st);
      case Change.LogStreamRemoved(String group, String name) ->
          new Store.Mutation.Delete(LOG_STREAM, streamKey(group, name));
    };
  }

  private Store.Mutation toMutation(Change.Balancing change) {
    return switch (change) {
      case Change.LoadBalancerPut(LoadBalancer lb) -> put(LOAD_BALANCER, lb.arn(), lb);
      case Change.LoadBalancerRemoved(String arn) -> new Store.Mutation.Delete(LOAD_BALANCER, arn);
      case Change.TargetGroupPut(TargetGroup tg) -> put(TARGET_GROUP, tg.arn(), tg);
      case Change.TargetGroupRemoved(String arn) -> new Store.Mutation.Delete(TARGET_GROUP, arn);
      case Change.ListenerPut(Listener l) -> put(LISTENER, l.arn(), l);
      case Change.ListenerRemoved(String arn) -> new Store.Mutation.Delete(LISTENER, arn);
      case Change.RulePut(ListenerRule r) -> put(LISTENER_RULE, r.arn(), r);
      case Change.RuleRemoved(String arn) -> new Store.Mutation.Delete(LISTENER_RULE, arn);
      case Change.TargetRegistrationPut(String group, TargetRegistration r) ->
          put(TARGET, targetKey(group, r.target()), new TargetRow(group, r));
      case Change.TargetRegistrationRemoved(String group, Target t) ->
          new Store.Mutation.Delete(TARGET, targetKey(group, t));
    };
  }

  /** A registration's row: the registration and the group it belongs to. */
  record TargetRow(String targetGroupArn, TargetRegistration registration) {}

  /** A stream's row key: its group and its name (a group name cannot hold a newline). */
  static String streamKey(String groupName, String streamName) {
    return groupName + "\n" + streamName;
  }

  private static String targetKey(String targetGroupArn, Target target) {
    return targetGroupArn + " " + target.key();
  }

  /**
   * Rebuilds the state a store holds. A row that cannot be read stops the start: never skip data.
   */
  State load(Store.Snapshot snapshot) {
    // Decoding the rows' JSON is most of a reload, and each row decodes on its own: on every core,
    // then replayed one by one (a Change's order in the store does not matter: each row is the
    // whole entity, once).
    List<Change> changes = snapshot.rows().parallelStream().map(this::toChange).toList();
    State state = State.empty();
    for (Change change : changes) {
      state = state.apply(change);
    }
    return state.withRevision(snapshot.revision());
  }

  private Change toChange(Store.Row row) {
    try {
      return switch (row.kind()) {
        case CLUSTER -> new Change.ClusterPut(mapper.readValue(row.json(), Cluster.class));
        case TASK_DEFINITION ->
            new Change.TaskDefinitionPut(mapper.readValue(row.json(), TaskDefinition.class));
        case ACCOUNT_SETTING ->
            new Change.AccountSettingPut(mapper.readValue(row.json(), AccountSetting.class));
        case CONTAINER_INSTANCE ->
            new Change.ContainerInstancePut(mapper.readValue(row.json(), ContainerInstance.class));
        case TASK -> new Change.TaskPut(mapper.readValue(row.json(), Task.class));
        case SERVICE -> new Change.ServicePut(mapper.readValue(row.json(), Service.class));
        case LOAD_BALANCER ->
            new Change.LoadBalancerPut(mapper.readValue(row.json(), LoadBalancer.class));
        case TARGET_GROUP ->
            new Change.TargetGroupPut(mapper.readValue(row.json(), TargetGroup.class));
        case LISTENER -> new Change.ListenerPut(mapper.readValue(row.json(), Listener.class));
        case LISTENER_RULE -> new Change.RulePut(mapper.readValue(row.json(), ListenerRule.class));
        case TARGET -> {
          TargetRow r = mapper.readValue(row.json(), TargetRow.class);
          yield new Change.TargetRegistrationPut(r.targetGroupArn(), r.registration());
        }
        case JOIN_TOKEN -> new Change.JoinTokenPut(mapper.readValue(row.json(), JoinToken.class));
        case INSTANCE_KEY ->
            new Change.InstanceKeyPut(mapper.readValue(row.json(), InstanceKey.class));
        case LOG_GROUP -> new Change.LogGroupPut(mapper.readValue(row.json(), LogGroup.class));
        case LOG_STREAM -> new Change.LogStreamPut(mapper.readValue(row.json(), LogStream.class));
        default ->
            throw new StoreException(
                "The database holds rows of kind '"
                    + row.kind()
                    + "' that this Wharf does not know.");
      };
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      throw new StoreException(
          "The stored " + row.kind() + " '" + row.key() + "' cannot be read: " + e.getMessage(), e);
    }
  }

  private Store.Mutation put(String kind, String key, Object entity) {
    try {
      return new Store.Mutation.Put(kind, key, mapper.writeValueAsString(entity));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode " + kind + " " + key, e);
    }
  }
}
