package io.wharf.controlplane.front;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Jetty server bounded to {@link #LIMIT} unauthenticated connections, whose handler marks a
 * connection authenticated on {@code /auth} (as ApiHandler does once a signature verifies) and
 * answers {@code ok}. Whether the server closed a connection is seen from the client's side: its
 * read ends.
 */
class UnauthenticatedConnectionsTest {
  private static final int LIMIT = 3;

  private Server server;
  private UnauthenticatedConnections bound;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    bound = new UnauthenticatedConnections(LIMIT);
    connector.addEventListener(bound);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            if (request.getHttpURI().getPath().equals("/auth")) {
              UnauthenticatedConnections.authenticated(request);
            }
            response.setStatus(200);
            response.write(true, ByteBuffer.wrap("ok".getBytes(UTF_8)), callback);
            return true;
          }
        });
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    server.stop();
  }

  @Test
  void closesTheOldestUnauthenticatedConnectionWhenANewOneWouldExceedTheLimit() throws Exception {
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < LIMIT; i++) {
      idle.add(connectAnswered());
    }
    AtomicBoolean oldestClosed = watchForClose(idle.getFirst());
    Socket newest = connectAnswered();

    await().atMost(Duration.ofMinutes(1)).untilTrue(oldestClosed);
    for (Socket socket : idle.subList(1, LIMIT)) {
      assertThat(exchange(socket, "/")).isEqualTo("ok");
    }
    assertThat(exchange(newest, "/")).isEqualTo("ok");
    assertThat(bound.closedAsOldest()).isEqualTo(1);
    assertThat(bound.count()).isEqualTo(LIMIT);
  }

  @Test
  void leavesAnAuthenticatedKeptAliveConnectionAloneWhenTheLimitIsHit() throws Exception {
    Socket client = connect();
    assertThat(exchange(client, "/auth")).isEqualTo("ok");
    List<AtomicBoolean> closed = new ArrayList<>();
    for (int i = 0; i < 2 * LIMIT; i++) {
      closed.add(watchForClose(connectAnswered()));
    }

    // The first LIMIT attackers are closed, oldest first; the client, older still, would have been
    // closed before any of them had it been counted.
    for (AtomicBoolean attackerClosed : closed.subList(0, LIMIT)) {
      await().atMost(Duration.ofMinutes(1)).untilTrue(attackerClosed);
    }
    assertThat(exchange(client, "/")).isEqualTo("ok");
    assertThat(bound.closedAsOldest()).isEqualTo(LIMIT);
    assertThat(bound.count()).isEqualTo(LIMIT);
  }

  @Test
  void aConnectionClosedByItsClientNoLongerCounts() throws Exception {
    Socket gone = connect();
    assertThat(exchange(gone, "/")).isEqualTo("ok");
    gone.close();
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(
            () -> {
              int count = bound.count();
              assertThat(count).isZero();
            });
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < LIMIT; i++) {
      idle.add(connect());
    }
    for (Socket socket : idle) {
      assertThat(exchange(socket, "/")).isEqualTo("ok");
    }
    assertThat(bound.closedAsOldest()).isZero();
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(
        new InetSocketAddress(
            "127.0.0.1", ((ServerConnector) server.getConnectors()[0]).getLocalPort()));
    // Only so that a broken server fails the test rather than hanging it.
    socket.setSoTimeout((int) Duration.ofMinutes(2).toMillis());
    sockets.add(socket);
    return socket;
  }

  /**
   * A connection the server has surely opened, since it answered on it: connections are opened one
   * after the other, so which one is the oldest is known.
   */
  private Socket connectAnswered() throws IOException {
    Socket socket = connect();
    assertThat(exchange(socket, "/")).isEqualTo("ok");
    return socket;
  }

  /** Sends a GET for {@code path} and reads the answer's body. */
  private static String exchange(Socket socket, String path) throws IOException {
    socket
        .getOutputStream()
        .write(("GET " + path + " HTTP/1.1\r\nHost: wharf\r\n\r\n").getBytes(UTF_8));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    int length = -1;
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    return new String(in.readNBytes(length), UTF_8);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b < 0 && line.size() == 0) {
      throw new IOException("The server closed the connection");
    }
    return line.toString(UTF_8);
  }

  private static AtomicBoolean watchForClose(Socket socket) {
    AtomicBoolean closed = new AtomicBoolean();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (socket.getInputStream().read() >= 0) {
                  // Whatever comes before the close.
                }
              } catch (IOException e) {
                // A reset is a close too.
              }
              closed.set(true);
            });
    return closed;
  }
}
