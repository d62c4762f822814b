package io.wharf.controlplane.api;

import io.wharf.controlplane.agent.AgentGateway;
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
 */
public final class AgentSocket implements Session.Listener.AutoDemanding, AgentGateway.Channel {
  private static final Logger log = LoggerFactory.getLogger(AgentSocket.class);
  public static final String PATH = "/ws/acs";

  private final AgentGateway gateway;
  private final String instanceArn;
  private volatile Session session;

  private AgentSocket(AgentGateway gateway, String instanceArn) {
    this.gateway = gateway;
    this.instanceArn = instanceArn;
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
      String region) {
    SigV4Verifier.Scope scope = SigV4Verifier.Scope.of(ApiHandler.ECS_SERVICE, region);
    container.addMapping(
        PATH,
        (request, response, callback) -> {
          String instance =
              Request.extractQueryParameters(request).getValue("containerInstanceArn");
          try {
            // An upgrade has no body: the empty one is what the agent signed.
            verifier
                .verifyHeaders(
                    new SigV4Verifier.SignedRequest(
                        request.getMethod(),
                        request.getHttpURI().getPath(),
                        request.getHttpURI().getQuery(),
                        ApiHandler.headers(request),
                        null),
                    scope)
                .verifyPayload(null);
          } catch (WharfException e) {
            log.info(
                "Refused an agent channel for {}: {}",
                LogText.escape(instance),
                LogText.escape(e.getMessage()));
            response.setStatus(403);
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
          return new AgentSocket(gateway, instance);
        });
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    gateway.opened(instanceArn, this);
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
  public void close() {
    Session s = session;
    if (s != null) {
      s.close();
    }
  }
}
