package io.wharf.controlplane.front;

import io.wharf.core.api.LogText;
import io.wharf.core.auth.AccessKeys;
import io.wharf.core.auth.Principal;
import io.wharf.core.state.State;
import io.wharf.core.state.StateMachine;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.ecs.api.RegistrationEpochs;
import io.wharf.model.ContainerInstance;
import io.wharf.model.WharfException;
import io.wharf.sigv4.SigV4Verifier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint agents connect to ({@code /ws/acs?containerInstanceArn=...}), found
 * through DiscoverPollEndpoint. The upgrade request is SigV4-signed like any API call, for the
 * {@code ecs} service in the server's region; an unsigned or badly signed upgrade is refused with
 * 403 before a socket exists.
 *
 * <p>The channel carries the instance's manifest (its tasks, their environment values included), so
 * it is opened only for a registered, not deregistered instance, and only by that instance's own
 * key (or the admin's): another instance's key, a join token, or an ARN nobody registered get 403
 * before anything is sent.
 */
public final class AgentSocket implements Session.Listener.AutoDemanding, AgentGateway.Channel {
  private static final Logger log = LoggerFactory.getLogger(AgentSocket.class);
  public static final String PATH = "/ws/acs";

  private final AgentGateway gateway;
  private final String instanceArn;
  private final AccessKeys keys;
  private final StateMachine states;
  private final String accessKeyId;
  private final long registrationEpoch;
  private volatile Session session;

  private AgentSocket(
      AgentGateway gateway,
      String instanceArn,
      AccessKeys keys,
      StateMachine states,
      String accessKeyId,
      long registrationEpoch) {
    this.gateway = gateway;
    this.registrationEpoch = registrationEpoch;
    this.instanceArn = instanceArn;
    this.keys = keys;
    this.states = states;
    this.accessKeyId = accessKeyId;
  }

  /**
   * Maps the endpoint into a WebSocket container; every upgrade is authenticated first.
   *
   * @param region the server's region, which the upgrade must be signed for
   */
  public static void install(
      ServerWebSocketContainer container,
      AgentGateway gateway,
      SigV4Verifier verifier,
      AccessKeys keys,
      StateMachine states,
      String region) {
    SigV4Verifier.Scope scope =
        SigV4Verifier.Scope.of(ApiHandler.ECS_SERVICE, region, RegistrationEpochs.HEADER);
    container.addMapping(
        PATH,
        (request, response, callback) -> {
          String instance =
              Request.extractQueryParameters(request).getValue("containerInstanceArn");
          String accessKeyId;
          try {
            // An upgrade has no body: the empty one is what the agent signed.
            accessKeyId =
                verifier
                    .verifyHeaders(
                        new SigV4Verifier.SignedRequest(
                            request.getMethod(),
                            request.getHttpURI().getPath(),
                            request.getHttpURI().getQuery(),
                            ApiHandler.headers(request),
                            null),
                        scope)
                    .verifyPayload(null)
                    .accessKeyId();
          } catch (WharfException e) {
            log.info(
                "Refused an agent channel for {}: {}",
                LogText.escape(instance),
                LogText.escape(e.getMessage()));
            response.setStatus(403);
            ApiHandler.closeIfRefusedAuthentication(e.code(), response);
            callback.succeeded();
            return null;
          }
          // No ARN has control characters; refusing them keeps them out of every later log line.
          if (instance == null
              || instance.isBlank()
              || !instance.equals(LogText.escape(instance))) {
            response.setStatus(400);
            callback.succeeded();
            return null;
          }
          long epoch;
          String refusal;
          try {
            epoch = RegistrationEpochs.parse(request.getHeaders().get(RegistrationEpochs.HEADER));
            refusal = refusal(keys, states.current(), accessKeyId, instance, epoch);
          } catch (WharfException e) {
            epoch = 0;
            refusal = e.getMessage();
          }
          if (refusal != null) {
            log.info("Refused an agent channel for {}: {}", instance, refusal);
            response.setStatus(403);
            callback.succeeded();
            return null;
          }
          UnauthenticatedConnections.authenticated(request);
          return new AgentSocket(gateway, instance, keys, states, accessKeyId, epoch);
        });
  }

  /** Why this key may not open this instance's channel now, or null when it may. */
  private static String refusal(
      AccessKeys keys, State state, String accessKeyId, String instanceArn, long epoch) {
    Principal principal;
    try {
      principal = keys.principalOf(accessKeyId);
    } catch (WharfException e) {
      return e.getMessage();
    }
    switch (principal) {
      case Principal.Admin a -> {}
      case Principal.Instance i -> {
        if (!i.containerInstanceArn().equals(instanceArn)) {
          return "the key " + accessKeyId + " belongs to " + i.containerInstanceArn();
        }
      }
      case Principal.Joiner j -> {
        return "a join token opens no channel";
      }
    }
    ContainerInstance registered = state.containerInstances().get(instanceArn);
    if (registered == null) {
      return "no such container instance";
    }
    if (registered.status().isTerminal()) {
      return "the container instance is deregistered";
    }
    return RegistrationEpochs.staleness(epoch, registered);
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    gateway.opened(instanceArn, this);
    // A deregistration between the upgrade's check and now revoked the key, or a registration
    // since made the epoch stale: close what it opened.
    if (refusal(keys, states.current(), accessKeyId, instanceArn, registrationEpoch) != null) {
      gateway.revoke(instanceArn);
    }
  }

  @Override
  public void onWebSocketText(String message) {
    gateway.heard(instanceArn, message);
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    gateway.closed(instanceArn, this);
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    log.debug("Agent channel of {} failed", LogText.escape(instanceArn), cause);
    gateway.closed(instanceArn, this);
  }

  @Override
  public void send(String text) {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.sendText(text, Callback.NOOP);
    }
  }

  @Override
  public long registrationEpoch() {
    return registrationEpoch;
  }

  @Override
  public void close() {
    Session s = session;
    if (s != null) {
      s.close();
    }
  }
}
