package io.wharf.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.controlplane.front.AgentSocket;
import io.wharf.controlplane.front.ApiHandler;
import io.wharf.sigv4.SigV4Signer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;

/**
 * The HTTP front authenticates a request from its headers before reading its body, holds the bodies
 * it does read within a budget, requires the headers that decide a request's meaning to be signed,
 * and gives slow clients a total deadline: each attack here is sent over raw sockets, as an
 * attacker would, and the server's answer (or its closing the connection) is what is checked.
 */
class AuthenticationFirstTest {
  private static final String PREFIX = "AmazonEC2ContainerServiceV20141113.";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ONE_MIB = 1 << 20;

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  // --- Refused from the headers: the body is never sent -------------------------------------

  @Test
  void refusesUnsignedAndMisSignedRequestsWhileTheirMegabyteBodyIsStillUnsent() throws Exception {
    byte[] body = megabyteBody();
    Map<String, String> target = Map.of("X-Amz-Target", PREFIX + "ListClusters");

    Map<String, String> unsigned = new LinkedHashMap<>(target);
    unsigned.put("Content-Type", "application/x-amz-json-1.1");
    assertRefusedBeforeTheBody(unsigned, 403, "MissingAuthenticationTokenException", "Missing");

    assertRefusedBeforeTheBody(
        sign(target, body, "AKIAUNKNOWNKEY000000", TestServer.SECRET, "us-east-1", "ecs"),
        400,
        "UnrecognizedClientException",
        "security token");
    assertRefusedBeforeTheBody(
        sign(target, body, TestServer.KEY_ID, TestServer.SECRET, "eu-west-1", "ecs"),
        400,
        "InvalidSignatureException",
        "Credential should be scoped to a valid region.");
    assertRefusedBeforeTheBody(
        sign(target, body, TestServer.KEY_ID, TestServer.SECRET, "us-east-1", "sqs"),
        400,
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'ecs'.");
    // The target added after signing: refused for being unsigned, whatever the body.
    Map<String, String> untargeted =
        sign(Map.of(), body, TestServer.KEY_ID, TestServer.SECRET, "us-east-1", "ecs");
    untargeted.putAll(target);
    assertRefusedBeforeTheBody(
        untargeted, 400, "IncompleteSignatureException", "'x-amz-target' must be a 'SignedHeader'");
    // A declared payload hash lets the signature itself be decided from the headers.
    Map<String, String> declared = new LinkedHashMap<>(target);
    declared.put("x-amz-content-sha256", sha256Hex(body));
    assertRefusedBeforeTheBody(
        sign(declared, body, TestServer.KEY_ID, "not-the-secret", "us-east-1", "ecs"),
        400,
        "InvalidSignatureException",
        "does not match");
  }

  @Test
  void aThousandUnsignedMegabyteRequestsAreAllAnsweredBeforeAnyBodyIsSent() throws Exception {
    Map<String, String> unsigned =
        Map.of(
            "X-Amz-Target", PREFIX + "ListClusters", "Content-Type", "application/x-amz-json-1.1");
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 1000; i++) {
        Socket socket = connect();
        sockets.add(socket);
        socket.getOutputStream().write(head(unsigned, ONE_MIB, false));
      }
      for (Socket socket : sockets) {
        Answer answer = readAnswer(socket.getInputStream());
        assertThat(answer.status()).isEqualTo(403);
      }
    } finally {
      closeAll(sockets);
    }
    assertThat(listClustersStatus()).isEqualTo(200);
  }

  // --- Unauthenticated connections are bounded ----------------------------------------------

  /**
   * An attacker who opens more idle connections than the bound makes the server close the oldest of
   * them, never a connection that has authenticated; and while the attackers keep reopening what is
   * closed, an SDK client's fresh connection still gets its signed request through.
   */
  @Test
  void idleConnectionsBeyondTheBoundCloseTheOldestWhileSignedClientsGetThrough() throws Exception {
    int limit = ApiHandler.MAX_UNAUTHENTICATED_CONNECTIONS;
    // More than one over the bound, so that several reconnecting attackers are in flight at once.
    int attackers = limit + 8;
    Socket client = connect();
    assertThat(signedListClusters(client).status()).isEqualTo(200);
    List<Socket> sockets = new ArrayList<>();
    sockets.add(client);
    AtomicInteger closedByServer = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    try {
      // Opened one after the other, as a storm of connects would overflow the accept backlog and
      // leave the kernel retrying them for many seconds.
      for (int i = 0; i < attackers; i++) {
        Socket attacker = connect();
        synchronized (sockets) {
          sockets.add(attacker);
        }
        threads.add(Thread.ofVirtual().start(() -> attack(attacker, sockets, closedByServer)));
        if (i % 128 == 0) {
          // In use all along, so that Jetty's idle timeout has no say in whether it stays open.
          assertThat(signedListClusters(client).status()).isEqualTo(200);
        }
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .untilAsserted(
              () -> {
                int closedNow = closedByServer.get();
                assertThat(closedNow).isGreaterThanOrEqualTo(attackers - limit);
              });

      // The client's kept-alive connection was opened before every attacker's: had it counted, it
      // would have been closed before any of theirs.
      assertThat(signedListClusters(client).status()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        // A client of its own each time, so a fresh connection, and no retries to hide a close.
        try (EcsClient sdk = noRetryClient()) {
          assertThat(sdk.listClusters().clusterArns()).isNotNull();
        }
      }
    } finally {
      threads.forEach(Thread::interrupt);
      synchronized (sockets) {
        closeAll(sockets);
      }
    }
  }

  /** A refused request's connection is not kept alive: the server closes it after the answer. */
  @Test
  void aConnectionIsClosedOnceARefusalOfItsAuthenticationIsAnswered() throws Exception {
    Map<String, String> unsigned =
        Map.of(
            "X-Amz-Target", PREFIX + "ListClusters", "Content-Type", "application/x-amz-json-1.1");
    try (Socket socket = connect()) {
      socket.getOutputStream().write(head(unsigned, 0, false));
      Answer answer = readAnswer(socket.getInputStream());
      assertThat(answer.status()).isEqualTo(403);
      assertThat(answer.headers()).containsEntry("connection", "close");
      AtomicBoolean closed = watchForClose(socket);
      await().atMost(Duration.ofMinutes(1)).untilTrue(closed);
    }
  }

  /**
   * One attacker: holds an idle connection, and when the server closes it, opens the next after a
   * pause (so that the attackers reconnect at a steady rate rather than all at once).
   */
  private static void attack(Socket first, List<Socket> sockets, AtomicInteger closedByServer) {
    Socket socket = first;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        while (socket.getInputStream().read() >= 0) {
          // An idle attacker is sent nothing.
        }
      } catch (IOException e) {
        // A reset is a close too, and so is the test's own close at its end.
      }
      closedByServer.incrementAndGet();
      try {
        Thread.sleep(100);
        socket = connect();
      } catch (InterruptedException | IOException e) {
        return;
      }
      synchronized (sockets) {
        sockets.add(socket);
      }
    }
  }

  private static EcsClient noRetryClient() {
    return EcsClient.builder()
        .endpointOverride(URI.create(server.endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.KEY_ID, TestServer.SECRET)))
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  private static Answer signedListClusters(Socket socket) throws IOException {
    byte[] body = "{}".getBytes(UTF_8);
    Map<String, String> headers =
        sign(
            Map.of("X-Amz-Target", PREFIX + "ListClusters"),
            body,
            TestServer.KEY_ID,
            TestServer.SECRET,
            "us-east-1",
            "ecs");
    OutputStream out = socket.getOutputStream();
    out.write(head(headers, body.length, false));
    out.write(body);
    return readAnswer(socket.getInputStream());
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

  // --- Bodies that must be read stay within the budget --------------------------------------

  /**
   * An access key id is no secret, so a request with a known key and a made-up signature over its
   * body passes the header check and its body must be read. A thousand of them at once: those the
   * budget has room for are asked for their body (100 Continue), the rest are answered with a
   * throttling error before they send it.
   */
  @Test
  void aThousandMegabyteBodiesUnderMadeUpSignaturesAreHeldWithinTheBodyBudget() throws Exception {
    byte[] body = megabyteBody();
    Map<String, String> forged =
        sign(
            Map.of("X-Amz-Target", PREFIX + "ListClusters"),
            body,
            TestServer.KEY_ID,
            "made-up-secret",
            "us-east-1",
            "ecs");
    int room = ApiHandler.MAX_BUFFERED_BODY_BYTES / ONE_MIB;
    List<Socket> sockets = new ArrayList<>();
    List<Socket> continued = new ArrayList<>();
    int throttled = 0;
    try {
      for (int i = 0; i < 1000; i++) {
        Socket socket = connect();
        sockets.add(socket);
        socket.getOutputStream().write(head(forged, body.length, true));
      }
      // No body is sent until every request has had its first answer: the budget is full of
      // the bodies the first ones were asked for.
      for (Socket socket : sockets) {
        Answer first = readAnswer(socket.getInputStream());
        if (first.status() == 100) {
          continued.add(socket);
        } else {
          assertThat(first.status()).isEqualTo(400);
          assertThat(first.json().path("__type").asText()).isEqualTo("ThrottlingException");
          throttled++;
        }
      }
      assertThat(continued).hasSizeLessThanOrEqualTo(room).isNotEmpty();
      assertThat(throttled).isEqualTo(1000 - continued.size());

      for (Socket socket : continued) {
        socket.getOutputStream().write(body);
      }
      for (Socket socket : continued) {
        Answer answer = readAnswer(socket.getInputStream());
        assertThat(answer.json().path("__type").asText()).isEqualTo("InvalidSignatureException");
      }
    } finally {
      closeAll(sockets);
    }
    // All of the budget is back: a real client's request goes through.
    assertThat(listClustersStatus()).isEqualTo(200);
  }

  // --- Signed headers -----------------------------------------------------------------------

  /**
   * A client may sign only {@code host} and {@code x-amz-date}; SigV4 allows it. ListServices and
   * DeleteCluster take the same body, so such a request seen once could be resent as DeleteCluster,
   * and it deleted the cluster. The target must be signed.
   */
  @Test
  void aSignedListServicesResentAsDeleteClusterDoesNotDeleteTheCluster() throws Exception {
    try (var ecs = server.client()) {
      ecs.createCluster(r -> r.clusterName("victim"));
    }
    byte[] body = "{\"cluster\":\"victim\"}".getBytes(UTF_8);
    // Signed with X-Amz-Target and Content-Type left out of SignedHeaders, as sent by the client.
    Map<String, String> signedMinimally =
        sign(Map.of(), body, TestServer.KEY_ID, TestServer.SECRET, "us-east-1", "ecs");
    Map<String, String> listServices = new LinkedHashMap<>(signedMinimally);
    listServices.put("X-Amz-Target", PREFIX + "ListServices");
    listServices.put("Content-Type", "application/x-amz-json-1.1");
    Map<String, String> deleteCluster = new LinkedHashMap<>(signedMinimally);
    deleteCluster.put("X-Amz-Target", PREFIX + "DeleteCluster");
    deleteCluster.put("Content-Type", "application/x-amz-json-1.1");

    Answer asListServices = exchange(listServices, body);
    Answer asDeleteCluster = exchange(deleteCluster, body);

    assertThat(asListServices.json().path("__type").asText())
        .isEqualTo("IncompleteSignatureException");
    assertThat(asDeleteCluster.status()).isEqualTo(400);
    assertThat(asDeleteCluster.json().path("__type").asText())
        .isEqualTo("IncompleteSignatureException");
    assertThat(asDeleteCluster.json().path("message").asText())
        .isEqualTo("'x-amz-target' must be a 'SignedHeader' in the AWS Authorization.");
    try (var ecs = server.client()) {
      DescribeClustersResponse clusters = ecs.describeClusters(r -> r.clusters("victim"));
      assertThat(clusters.clusters())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.status()).isEqualTo("ACTIVE");
              });
    }
  }

  @Test
  void refusesAnUnsignedPayload() throws Exception {
    byte[] body = "{}".getBytes(UTF_8);
    Map<String, String> headers =
        sign(
            Map.of(
                "X-Amz-Target",
                PREFIX + "ListClusters",
                "x-amz-content-sha256",
                "UNSIGNED-PAYLOAD"),
            body,
            TestServer.KEY_ID,
            TestServer.SECRET,
            "us-east-1",
            "ecs");

    Answer answer = exchange(headers, body);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("__type").asText()).isEqualTo("IncompleteSignatureException");
    assertThat(answer.json().path("message").asText()).contains("UNSIGNED-PAYLOAD");
  }

  @Test
  void anElbQueryRequestSignedForEcsIsRefusedInXml() throws Exception {
    byte[] body = "Action=DescribeLoadBalancers&Version=2015-12-01".getBytes(UTF_8);
    Map<String, String> headers =
        sign(
            Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            body,
            TestServer.KEY_ID,
            TestServer.SECRET,
            "us-east-1",
            "ecs");

    Answer answer = exchange(headers, body);

    assertThat(answer.text())
        .contains("<Code>SignatureDoesNotMatch</Code>")
        .contains("Credential should be scoped to correct service: &apos;elasticloadbalancing")
        .doesNotContain("LoadBalancers>");
  }

  // --- Slow and oversized headers -----------------------------------------------------------

  /**
   * Each header line restarts Jetty's idle timer; the front's total deadline for the headers does
   * not restart. Five hundred sockets sending a header line a second are all closed by it.
   */
  @Test
  void slowHeaderSocketsAreClosedByTheHeaderDeadline() throws Exception {
    int count = 500;
    List<Socket> sockets = new ArrayList<>();
    AtomicInteger closed = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Socket socket = connect();
        sockets.add(socket);
        socket.getOutputStream().write("POST / HTTP/1.1\r\nHost: wharf\r\n".getBytes(UTF_8));
        threads.add(
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
                      closed.incrementAndGet();
                    }));
      }
      Thread trickle =
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int line = 0; !Thread.currentThread().isInterrupted(); line++) {
                      for (Socket socket : sockets) {
                        try {
                          socket
                              .getOutputStream()
                              .write(("X-Slow-" + line + ": 1\r\n").getBytes(UTF_8));
                        } catch (IOException e) {
                          // Closed by the server: what the test waits for.
                        }
                      }
                      try {
                        Thread.sleep(1000);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      threads.add(trickle);

      await()
          .atMost(Duration.ofMinutes(2))
          .untilAsserted(
              () -> {
                int closedNow = closed.get();
                assertThat(closedNow).isEqualTo(count);
              });
      trickle.interrupt();
    } finally {
      closeAll(sockets);
      threads.forEach(Thread::interrupt);
    }
    assertThat(listClustersStatus()).isEqualTo(200);
  }

  @Test
  void oversizedHeadersAreAnsweredInTheApisErrorShape() throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", PREFIX + "ListClusters");
    headers.put("X-Padding", "p".repeat(20_000));
    try (Socket socket = connect()) {
      socket.getOutputStream().write(head(headers, 2, false));
      socket.getOutputStream().write("{}".getBytes(UTF_8));
      Answer answer = readAnswer(socket.getInputStream());

      assertThat(answer.status()).isEqualTo(431);
      assertThat(answer.json().path("__type").asText()).isEqualTo("ClientException");
      assertThat(answer.json().path("message").asText()).contains("larger than the limit of");
    }
  }

  // --- Logs ---------------------------------------------------------------------------------

  @Test
  void aRefusedChannelsInstanceArnIsLoggedEscaped() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(AgentSocket.class);
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    String arn = "arn:aws:ecs:us-east-1:123456789012:container-instance/x\n2026-12-07 INFO forged";
    try (Socket socket = connect()) {
      String request =
          "GET "
              + AgentSocket.PATH
              + "?containerInstanceArn="
              + URLEncoder.encode(arn, UTF_8)
              + " HTTP/1.1\r\nHost: wharf\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(UTF_8));
      assertThat(readAnswer(socket.getInputStream()).status()).isEqualTo(403);
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }

    assertThat(appender.list)
        .map(ILoggingEvent::getFormattedMessage)
        .filteredOn(m -> m.startsWith("Refused an agent channel"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .doesNotContain("\n")
                    .contains("container-instance/x\\n2026-12-07 INFO forged"));
  }

  /**
   * A channel upgrade signed as the agent signs it (ecs, the server's region) for an ARN with
   * control characters is refused: no ARN has them, and refusing them keeps them out of the log.
   */
  @Test
  void aSignedChannelUpgradeForAnArnWithControlCharactersIsRefused() throws Exception {
    String bad = "arn:aws:ecs:us-east-1:123456789012:container-instance/x\rforged";

    assertThat(signedUpgradeStatus(bad)).isEqualTo(400);
  }

  private static int signedUpgradeStatus(String arn) throws IOException {
    URI uri =
        URI.create(
            server.endpoint()
                + AgentSocket.PATH
                + "?containerInstanceArn="
                + URLEncoder.encode(arn, UTF_8));
    Map<String, String> signed =
        new SigV4Signer(TestServer.KEY_ID, TestServer.SECRET, "us-east-1", "ecs", Clock.systemUTC())
            .sign("GET", uri, Map.of(), new byte[0]);
    StringBuilder request = new StringBuilder("GET " + uri.getRawPath() + "?" + uri.getRawQuery());
    request.append(" HTTP/1.1\r\n");
    signed.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    request.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    request.append(
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request.toString().getBytes(UTF_8));
      return readAnswer(socket.getInputStream()).status();
    }
  }

  // --- Raw HTTP -----------------------------------------------------------------------------

  private record Answer(int status, Map<String, String> headers, byte[] body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String text() {
      return new String(body, UTF_8);
    }
  }

  private static void assertRefusedBeforeTheBody(
      Map<String, String> headers, int status, String type, String message) throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(head(headers, ONE_MIB, false));
      // Not a byte of the body has been sent, and the answer is already there.
      Answer answer = readAnswer(socket.getInputStream());
      assertThat(answer.status()).as(type).isEqualTo(status);
      assertThat(answer.json().path("__type").asText()).isEqualTo(type);
      assertThat(answer.json().path("message").asText()).contains(message);
    }
  }

  private static Answer exchange(Map<String, String> headers, byte[] body) throws IOException {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head(headers, body.length, false));
      out.write(body);
      return readAnswer(socket.getInputStream());
    }
  }

  private static int listClustersStatus() throws IOException {
    byte[] body = "{}".getBytes(UTF_8);
    return exchange(
            sign(
                Map.of("X-Amz-Target", PREFIX + "ListClusters"),
                body,
                TestServer.KEY_ID,
                TestServer.SECRET,
                "us-east-1",
                "ecs"),
            body)
        .status();
  }

  private static Socket connect() throws IOException {
    URI endpoint = URI.create(server.endpoint());
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
    // Only so that a broken server fails the test rather than hanging it.
    socket.setSoTimeout((int) Duration.ofMinutes(2).toMillis());
    return socket;
  }

  private static byte[] head(Map<String, String> headers, int contentLength, boolean expect) {
    StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
    boolean hasHost = headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("host"));
    if (!hasHost) {
      head.append("Host: ").append(URI.create(server.endpoint()).getAuthority()).append("\r\n");
    }
    headers.forEach(
        (name, value) -> {
          if (!name.equalsIgnoreCase("content-length")) {
            head.append(name).append(": ").append(value).append("\r\n");
          }
        });
    head.append("Content-Length: ").append(contentLength).append("\r\n");
    if (expect) {
      head.append("Expect: 100-continue\r\n");
    }
    return head.append("\r\n").toString().getBytes(UTF_8);
  }

  /** Reads one answer: an interim 100 Continue, or a final answer with its Content-Length body. */
  private static Answer readAnswer(InputStream in) throws IOException {
    String statusLine = readLine(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).strip());
    }
    if (status == 100) {
      return new Answer(status, headers, new byte[0]);
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    return new Answer(status, headers, in.readNBytes(length));
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
      throw new IOException("The server closed the connection without an answer");
    }
    return line.toString(UTF_8);
  }

  /**
   * The headers Wharf's own signer (the agent's) gives a POST / with {@code headers} and {@code
   * body}: those headers, {@code host} and {@code x-amz-date}, all signed. Unlike the SDK's signer
   * it declares no payload hash unless told to, so the body's hash is in the signature.
   */
  private static Map<String, String> sign(
      Map<String, String> headers,
      byte[] body,
      String keyId,
      String secret,
      String region,
      String service) {
    URI uri = URI.create(server.endpoint() + "/");
    return new LinkedHashMap<>(
        new SigV4Signer(keyId, secret, region, service, Clock.systemUTC())
            .sign("POST", uri, headers, body));
  }

  private static byte[] megabyteBody() {
    String padding = "x".repeat(ONE_MIB - "{\"clusterName\":\"\"}".length());
    byte[] body = ("{\"clusterName\":\"" + padding + "\"}").getBytes(UTF_8);
    assertThat(body).hasSize(ONE_MIB);
    return body;
  }

  private static String sha256Hex(byte[] data) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing is all that is left to do.
      }
    }
  }
}
