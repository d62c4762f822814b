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
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
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
 * A Jetty server with short deadlines and a handler that reads the body and answers its length (or,
 * on {@code /hold}, waits for the test first). Whether the server closed a connection is seen from
 * the client's side: its read ends.
 */
class RequestDeadlinesTest {
  private static final RequestDeadlines.Limits LIMITS =
      new RequestDeadlines.Limits(
          Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(100));

  private Server server;
  private RequestDeadlines deadlines;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    deadlines = new RequestDeadlines(LIMITS);
    connector.addEventListener(deadlines);
    server.addBean(deadlines);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            byte[] body = Content.Source.asInputStream(request).readAllBytes();
            if (request.getHttpURI().getPath().equals("/hold")) {
              release.await(2, TimeUnit.MINUTES);
            }
            response.setStatus(200);
            response.write(
                true, ByteBuffer.wrap(String.valueOf(body.length).getBytes(UTF_8)), callback);
            return true;
          }
        });
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    server.stop();
  }

  @Test
  void closesAConnectionWhoseHeadersTrickleInPastTheDeadline() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST / HTTP/1.1\r\nHost: wharf\r\n");
      AtomicBoolean closed = watchForClose(socket);
      Thread trickle = trickle(socket, "X-Slow: 1\r\n");

      await().atMost(Duration.ofMinutes(1)).untilTrue(closed);
      trickle.interrupt();
    }
    assertThat(deadlines.closedInHeaders()).isEqualTo(1);
    assertThat(deadlines.closedInBody()).isZero();
  }

  @Test
  void closesAConnectionWhoseBodyTricklesInPastTheDeadline() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST / HTTP/1.1\r\nHost: wharf\r\nContent-Length: 100000\r\n\r\n");
      AtomicBoolean closed = watchForClose(socket);
      Thread trickle = trickle(socket, "x");

      await().atMost(Duration.ofMinutes(1)).untilTrue(closed);
      trickle.interrupt();
    }
    assertThat(deadlines.closedInBody()).isEqualTo(1);
    assertThat(deadlines.closedInHeaders()).isZero();
  }

  /**
   * Between requests, and while a request that has fully arrived is being handled, no deadline
   * runs. A slow-header and a slow-body connection opened after the others' requests show when both
   * deadlines have passed for them.
   */
  @Test
  void leavesIdleConnectionsAndRequestsBeingHandledAlone() throws Exception {
    try (Socket idle = connect();
        Socket held = connect();
        Socket slowHeaders = connect();
        Socket slowBody = connect()) {
      send(idle, "POST / HTTP/1.1\r\nHost: wharf\r\nContent-Length: 3\r\n\r\nabc");
      assertThat(readAnswer(idle.getInputStream())).isEqualTo("3");
      send(held, "POST /hold HTTP/1.1\r\nHost: wharf\r\nContent-Length: 2\r\n\r\nab");
      send(slowHeaders, "POST / HTTP/1.1\r\nHost: wharf\r\n");
      send(slowBody, "POST / HTTP/1.1\r\nHost: wharf\r\nContent-Length: 100000\r\n\r\n");
      AtomicBoolean headersClosed = watchForClose(slowHeaders);
      AtomicBoolean bodyClosed = watchForClose(slowBody);
      Thread headerTrickle = trickle(slowHeaders, "X-Slow: 1\r\n");
      Thread bodyTrickle = trickle(slowBody, "x");
      await().atMost(Duration.ofMinutes(1)).untilTrue(headersClosed);
      await().atMost(Duration.ofMinutes(1)).untilTrue(bodyClosed);
      headerTrickle.interrupt();
      bodyTrickle.interrupt();

      release.countDown();
      assertThat(readAnswer(held.getInputStream())).isEqualTo("2");
      send(idle, "POST / HTTP/1.1\r\nHost: wharf\r\nContent-Length: 1\r\n\r\nz");
      assertThat(readAnswer(idle.getInputStream())).isEqualTo("1");
    }
    assertThat(deadlines.closedInHeaders()).isEqualTo(1);
    assertThat(deadlines.closedInBody()).isEqualTo(1);
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(
        new InetSocketAddress(
            "127.0.0.1", ((ServerConnector) server.getConnectors()[0]).getLocalPort()));
    socket.setSoTimeout((int) Duration.ofMinutes(2).toMillis());
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(UTF_8));
    socket.getOutputStream().flush();
  }

  /** Sends {@code text} every 200 ms, well inside Jetty's idle timeout, until interrupted. */
  private static Thread trickle(Socket socket, String text) {
    return Thread.ofVirtual()
        .start(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  send(socket, text);
                  Thread.sleep(200);
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            });
  }

  private static AtomicBoolean watchForClose(Socket socket) {
    AtomicBoolean closed = new AtomicBoolean();
    Thread.ofVirtual()
        .start(
            () -> {
              try (InputStream in = socket.getInputStream()) {
                while (in.read() >= 0) {
                  // Whatever comes before the close.
                }
              } catch (IOException e) {
                // A reset is a close too.
              }
              closed.set(true);
            });
    return closed;
  }

  /** The body of one answer with a Content-Length. */
  private static String readAnswer(InputStream in) throws IOException {
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
    return line.toString(UTF_8);
  }
}
