package io.wharf.app;

import java.time.Clock;

/** Joins with a token against any test server (the exchange an agent makes first). */
final class AgentIdentityTestAccess {
  private AgentIdentityTestAccess() {}

  static RawClient.Answer join(TestServer server, String token, String cluster) {
    int dot = token.indexOf('.');
    return new RawClient(server.endpoint())
        .send(
            "WharfV1.JoinCluster",
            "{\"cluster\":\"" + cluster + "\"}",
            token.substring(0, dot),
            token.substring(dot + 1),
            Clock.systemUTC());
  }
}
