package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.controlplane.ControlPlane;
import io.wharf.sigv4.SigV4Signer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AccessDeniedException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Resource;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Each container instance its own identity: join tokens, instance keys scoped to one instance, and
 * every way one agent host could act for another, refused.
 */
class AgentIdentityTest {
  static final String CLUSTER = "identity";
  static final String PREFIX = "AmazonEC2ContainerServiceV20141113.";

  static TestServer server;
  static EcsClient admin;
  static RawClient raw;

  /** A key received for a join token, as an agent keeps it. */
  record Key(String accessKeyId, String secret, String instanceArn) {
    EcsClient client() {
      return server.client(accessKeyId, secret);
    }
  }

  @BeforeAll
  static void start() {
    server = TestServer.start();
    admin = server.client();
    raw = new RawClient(server.endpoint());
    admin.createCluster(b -> b.clusterName(CLUSTER));
    admin.createCluster(b -> b.clusterName("elsewhere"));
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    server.close();
  }

  static JsonNode createToken(String body) {
    RawClient.Answer answer = raw.send("WharfV1.CreateJoinToken", body);
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    return answer.body();
  }

  static String token() {
    return createToken("{\"cluster\":\"" + CLUSTER + "\"}").path("joinToken").asText();
  }

  static RawClient.Answer join(String token, String cluster) {
    int dot = token.indexOf('.');
    return raw.send(
        "WharfV1.JoinCluster",
        "{\"cluster\":\"" + cluster + "\"}",
        token.substring(0, dot),
        token.substring(dot + 1),
        Clock.systemUTC());
  }

  static Key joined() {
    RawClient.Answer answer = join(token(), CLUSTER);
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    return new Key(
        answer.body().path("accessKeyId").asText(),
        answer.body().path("secretAccessKey").asText(),
        answer.body().path("containerInstanceArn").asText());
  }

  static String register(EcsClient ecs, String ec2InstanceId, String arn) {
    return ecs.registerContainerInstance(
            b -> {
              b.cluster(CLUSTER)
                  .instanceIdentityDocument("{\"instanceId\":\"" + ec2InstanceId + "\"}")
                  .totalResources(
                      Resource.builder().name("CPU").type("INTEGER").integerValue(1024).build(),
                      Resource.builder().name("MEMORY").type("INTEGER").integerValue(1024).build());
              if (arn != null) {
                b.containerInstanceArn(arn);
              }
            })
        .containerInstance()
        .containerInstanceArn();
  }

  /** A registered instance with its own key. */
  static Key registered(String ec2InstanceId) {
    Key key = joined();
    try (EcsClient ecs = key.client()) {
      assertThat(register(ecs, ec2InstanceId, null)).isEqualTo(key.instanceArn());
    }
    return key;
  }

  /** An open agent channel and what arrives on it. */
  record Channel(
      WebSocket socket, LinkedBlockingQueue<String> messages, CompletableFuture<Integer> closed) {}

  static CompletableFuture<Channel> openChannel(String instanceArn, String keyId, String secret) {
    return openChannel(instanceArn, keyId, secret, Map.of());
  }

  /** As an agent opens it, with {@code extra} headers signed (the registration epoch). */
  static CompletableFuture<Channel> openChannel(
      String instanceArn, String keyId, String secret, Map<String, String> extra) {
    URI uri =
        URI.create(
            server.endpoint().replaceFirst("^http", "ws")
                + "/ws/acs?containerInstanceArn="
                + URLEncoder.encode(instanceArn, StandardCharsets.UTF_8));
    Map<String, String> signed =
        new SigV4Signer(keyId, secret, "us-east-1", "ecs", Clock.systemUTC())
            .sign("GET", uri, extra, new byte[0]);
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
    signed.forEach(
        (k, v) -> {
          if (!k.equals("host")) {
            builder.header(k, v);
          }
        });
    LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    return builder
        .buildAsync(
            uri,
            new WebSocket.Listener() {
              final StringBuilder partial = new StringBuilder();

              @Override
              public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                  messages.add(partial.toString());
                  partial.setLength(0);
                }
                ws.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                closed.complete(status);
                return null;
              }

              @Override
              public void onError(WebSocket ws, Throwable error) {
                closed.complete(-1);
              }
            })
        .thenApply(ws -> new Channel(ws, messages, closed));
  }

  static void assertChannelRefused(String instanceArn, String keyId, String secret) {
    assertThatThrownBy(() -> openChannel(instanceArn, keyId, secret).join())
        .isInstanceOf(CompletionException.class)
        .rootCause()
        .hasMessageContaining("403");
  }

  static String describeStatus(String instanceArn) {
    return admin
        .describeContainerInstances(b -> b.cluster(CLUSTER).containerInstances(instanceArn))
        .containerInstances()
        .get(0)
        .status();
  }

  // ---- join tokens ----------------------------------------------------------------------------

  @Test
  void aJoinedKeyRegistersItsOwnInstanceAndReRegistersUnderTheSameArn() {
    Key key = joined();
    assertThat(key.accessKeyId()).startsWith("WKI");
    assertThat(key.secret()).hasSize(40);
    try (EcsClient ecs = key.client()) {
      String arn = register(ecs, "i-0000000000000aa01", null);
      assertThat(arn).isEqualTo(key.instanceArn());
      assertThat(register(ecs, "i-0000000000000aa01", arn)).isEqualTo(arn);
      assertThat(register(ecs, "i-0000000000000aa01", null)).isEqualTo(arn);
    }
  }

  @Test
  void aTokenHasAtLeast128RandomBitsAndTwoAreNeverAlike() {
    String first = token();
    String second = token();
    String secret = first.substring(first.indexOf('.') + 1);
    // 32 characters of a 32-letter alphabet: 160 bits.
    assertThat(secret).hasSize(32).matches("[A-Z2-7]+");
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void aSingleUseTokenIsRefusedTheSecondTime() {
    String token = token();
    assertThat(join(token, CLUSTER).status()).isEqualTo(200);
    RawClient.Answer again = join(token, CLUSTER);
    assertThat(again.type()).isEqualTo("AccessDeniedException");
    assertThat(again.message())
        .contains(token.substring(0, token.indexOf('.')))
        .contains("single-use and has already been used");
  }

  @Test
  void aMultiUseTokenJoinsAsManyInstancesAsItAllowsEachWithItsOwnKey() {
    String token =
        createToken("{\"cluster\":\"" + CLUSTER + "\",\"maxUses\":2}").path("joinToken").asText();
    RawClient.Answer first = join(token, CLUSTER);
    RawClient.Answer second = join(token, CLUSTER);
    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(first.body().path("containerInstanceArn").asText())
        .isNotEqualTo(second.body().path("containerInstanceArn").asText());
    assertThat(first.body().path("accessKeyId").asText())
        .isNotEqualTo(second.body().path("accessKeyId").asText());
    RawClient.Answer third = join(token, CLUSTER);
    assertThat(third.type()).isEqualTo("AccessDeniedException");
    assertThat(third.message()).contains("has been used its 2 times");
  }

  @Test
  void anExpiredTokenIsRefused() {
    JsonNode created = createToken("{\"cluster\":\"" + CLUSTER + "\",\"expiresInSeconds\":1}");
    Instant expiresAt = Instant.ofEpochMilli((long) (created.path("expiresAt").asDouble() * 1000));
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiresAt));
    RawClient.Answer answer = join(created.path("joinToken").asText(), CLUSTER);
    assertThat(answer.type()).isEqualTo("AccessDeniedException");
    assertThat(answer.message()).contains("expired at");
  }

  @Test
  void aTokenJoinsOnlyItsOwnCluster() {
    String token = token();
    RawClient.Answer answer = join(token, "elsewhere");
    assertThat(answer.type()).isEqualTo("AccessDeniedException");
    assertThat(answer.message()).contains("cluster/" + CLUSTER).contains("cluster/elsewhere");
    // Refused without using it up.
    assertThat(join(token, CLUSTER).status()).isEqualTo(200);
  }

  @Test
  void aGuessedOrForgedTokenIsRefused() {
    String token = token();
    String id = token.substring(0, token.indexOf('.'));
    RawClient.Answer forged = join(id + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", CLUSTER);
    assertThat(forged.type()).isEqualTo("InvalidSignatureException");
    RawClient.Answer unknown =
        join("WJTAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", CLUSTER);
    assertThat(unknown.type()).isEqualTo("UnrecognizedClientException");
    assertThat(join(token, CLUSTER).status()).isEqualTo(200);
  }

  @Test
  void onlyTheAdminCreatesTokensAndATokenCallsNothingElse() {
    Key key = joined();
    RawClient.Answer byInstance =
        raw.send(
            "WharfV1.CreateJoinToken",
            "{\"cluster\":\"" + CLUSTER + "\"}",
            key.accessKeyId(),
            key.secret(),
            Clock.systemUTC());
    assertThat(byInstance.type()).isEqualTo("AccessDeniedException");
    assertThat(byInstance.message())
        .contains("is not authorized to perform: wharf:CreateJoinToken");

    String token = token();
    int dot = token.indexOf('.');
    RawClient.Answer listing =
        raw.send(
            PREFIX + "ListClusters",
            "{}",
            token.substring(0, dot),
            token.substring(dot + 1),
            Clock.systemUTC());
    assertThat(listing.type()).isEqualTo("AccessDeniedException");
    assertThat(listing.message()).contains("is not authorized to perform: ecs:ListClusters");
  }

  @Test
  void createJoinTokenRefusesBadInputAndUnknownClusters() {
    assertThat(raw.send("WharfV1.CreateJoinToken", "{\"cluster\":\"nope\"}").type())
        .isEqualTo("ClusterNotFoundException");
    RawClient.Answer uses =
        raw.send("WharfV1.CreateJoinToken", "{\"cluster\":\"" + CLUSTER + "\",\"maxUses\":0}");
    assertThat(uses.type()).isEqualTo("InvalidParameterException");
    assertThat(uses.message()).contains("maxUses");
    RawClient.Answer expiry =
        raw.send(
            "WharfV1.CreateJoinToken",
            "{\"cluster\":\"" + CLUSTER + "\",\"expiresInSeconds\":\"soon\"}");
    assertThat(expiry.type()).isEqualTo("InvalidParameterException");
    assertThat(expiry.message()).contains("expiresInSeconds");
    assertThat(raw.send("WharfV1.Nothing", "{}").type()).isEqualTo("UnknownOperationException");
  }

  // ---- an instance key acts only for its own instance -----------------------------------------

  @Test
  void anInstanceKeyCallsNoOtherOperation() {
    Key key = registered("i-0000000000000bb01");
    try (EcsClient ecs = key.client()) {
      assertThatThrownBy(() -> ecs.deleteCluster(b -> b.cluster(CLUSTER)))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining(
              "User: arn:aws:sts::"
                  + TestServer.ACCOUNT
                  + ":assumed-role/wharf-container-instance/"
                  + key.instanceArn().substring(key.instanceArn().lastIndexOf('/') + 1)
                  + " is not authorized to perform: ecs:DeleteCluster on resource: "
                  + CLUSTER);
      assertThatThrownBy(() -> ecs.listTasks(b -> b.cluster(CLUSTER)))
          .isInstanceOf(AccessDeniedException.class);
      assertThatThrownBy(
              () ->
                  ecs.deregisterContainerInstance(
                      b -> b.cluster(CLUSTER).containerInstance(key.instanceArn())))
          .isInstanceOf(AccessDeniedException.class);
    }
    try (var elb =
        software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client
            .builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                        key.accessKeyId(), key.secret())))
            .build()) {
      assertThatThrownBy(() -> elb.createLoadBalancer(b -> b.name("stolen")))
          .isInstanceOfSatisfying(
              software.amazon.awssdk.awscore.exception.AwsServiceException.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied"));
    }
    assertThat(admin.describeClusters(b -> b.clusters(CLUSTER)).clusters().get(0).status())
        .isEqualTo("ACTIVE");
    assertThat(describeStatus(key.instanceArn())).isEqualTo("ACTIVE");
  }

  @Test
  void aRegistrationNamingAnotherInstanceIsRefused() {
    Key victim = registered("i-0000000000000cc01");
    Key attacker = registered("i-0000000000000cc02");
    try (EcsClient ecs = attacker.client()) {
      // Its ARN.
      assertThatThrownBy(() -> register(ecs, "i-0000000000000cc02", victim.instanceArn()))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining(victim.instanceArn());
      // Its machine identity, to be found by it.
      assertThatThrownBy(() -> register(ecs, "i-0000000000000cc01", null))
          .isInstanceOf(AccessDeniedException.class);
      // Another cluster.
      assertThatThrownBy(
              () ->
                  ecs.registerContainerInstance(
                      b ->
                          b.cluster("elsewhere")
                              .instanceIdentityDocument(
                                  "{\"instanceId\":\"i-0000000000000cc02\"}")))
          .isInstanceOf(AccessDeniedException.class);
    }
    var instance =
        admin
            .describeContainerInstances(
                b -> b.cluster(CLUSTER).containerInstances(victim.instanceArn()))
            .containerInstances()
            .get(0);
    assertThat(instance.ec2InstanceId()).isEqualTo("i-0000000000000cc01");
    assertThat(instance.registeredResources())
        .anySatisfy(r -> assertThat(r.name()).isEqualTo("CPU"));
  }

  @Test
  void aChannelOpensOnlyForTheKeysOwnRegisteredInstance() throws Exception {
    Key victim = registered("i-0000000000000dd01");
    Key attacker = registered("i-0000000000000dd02");
    // Another instance's channel, with this instance's key.
    assertChannelRefused(victim.instanceArn(), attacker.accessKeyId(), attacker.secret());
    // An ARN that does not exist: with an instance key, and even with the admin key.
    String nowhere = victim.instanceArn().replaceAll("[0-9a-f]{32}$", "0".repeat(32));
    assertChannelRefused(nowhere, attacker.accessKeyId(), attacker.secret());
    assertChannelRefused(nowhere, TestServer.KEY_ID, TestServer.SECRET);
    // A joined key whose instance is not registered yet.
    Key unregistered = joined();
    assertChannelRefused(
        unregistered.instanceArn(), unregistered.accessKeyId(), unregistered.secret());
    // A join token opens none.
    String token = token();
    int dot = token.indexOf('.');
    assertChannelRefused(victim.instanceArn(), token.substring(0, dot), token.substring(dot + 1));
    // Its own: the manifest arrives.
    Channel own = openChannel(victim.instanceArn(), victim.accessKeyId(), victim.secret()).join();
    try {
      String manifest = own.messages().poll(30, TimeUnit.SECONDS);
      assertThat(manifest).contains("\"manifest\"");
    } finally {
      own.socket().abort();
    }
  }

  @Test
  void aReportAboutAnotherInstancesTaskIsRefused() throws Exception {
    Key victim = registered("i-0000000000000ee01");
    Key attacker = registered("i-0000000000000ee02");
    admin.registerTaskDefinition(
        b ->
            b.family("identity")
                .containerDefinitions(
                    ContainerDefinition.builder()
                        .name("main")
                        .image("busybox")
                        .memory(16)
                        .build()));
    Channel channel =
        openChannel(victim.instanceArn(), victim.accessKeyId(), victim.secret()).join();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  admin
                      .describeContainerInstances(
                          b -> b.cluster(CLUSTER).containerInstances(victim.instanceArn()))
                      .containerInstances()
                      .get(0)
                      .agentConnected());
      String taskArn =
          admin
              .startTask(
                  b ->
                      b.cluster(CLUSTER)
                          .taskDefinition("identity")
                          .containerInstances(victim.instanceArn()))
              .tasks()
              .get(0)
              .taskArn();
      try (EcsClient ecs = attacker.client()) {
        assertThatThrownBy(
                () ->
                    ecs.submitTaskStateChange(
                        b -> b.cluster(CLUSTER).task(taskArn).status("STOPPED").reason("forged")))
            .isInstanceOf(AccessDeniedException.class)
            .hasMessageContaining(taskArn);
        assertThatThrownBy(
                () ->
                    ecs.submitContainerStateChange(
                        b ->
                            b.cluster(CLUSTER)
                                .task(taskArn)
                                .containerName("main")
                                .status("STOPPED")
                                .exitCode(1)))
            .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(
                () ->
                    ecs.discoverPollEndpoint(
                        b -> b.cluster(CLUSTER).containerInstance(victim.instanceArn())))
            .isInstanceOf(AccessDeniedException.class);
      }
      Task task = admin.describeTasks(b -> b.cluster(CLUSTER).tasks(taskArn)).tasks().get(0);
      assertThat(task.lastStatus()).isEqualTo("PENDING");
      assertThat(task.containers().get(0).lastStatus()).isEqualTo("PENDING");
      // The task's own instance reports it.
      try (EcsClient ecs = victim.client()) {
        ecs.submitTaskStateChange(b -> b.cluster(CLUSTER).task(taskArn).status("RUNNING"));
      }
      assertThat(
              admin
                  .describeTasks(b -> b.cluster(CLUSTER).tasks(taskArn))
                  .tasks()
                  .get(0)
                  .lastStatus())
          .isEqualTo("RUNNING");
    } finally {
      channel.socket().abort();
    }
  }

  // ---- revocation -----------------------------------------------------------------------------

  @Test
  void deregisteringAnInstanceRevokesItsKeyAndClosesItsChannel() throws Exception {
    Key key = registered("i-0000000000000ff01");
    Channel channel = openChannel(key.instanceArn(), key.accessKeyId(), key.secret()).join();
    assertThat(channel.messages().poll(30, TimeUnit.SECONDS)).contains("\"manifest\"");

    admin.deregisterContainerInstance(
        b -> b.cluster(CLUSTER).containerInstance(key.instanceArn()).force(true));

    assertThat(channel.closed().get(30, TimeUnit.SECONDS)).isNotNull();
    try (EcsClient ecs = key.client()) {
      assertThatThrownBy(() -> register(ecs, "i-0000000000000ff01", null))
          .isInstanceOf(EcsException.class)
          .hasMessageContaining("The security token included in the request is invalid.")
          .satisfies(
              e ->
                  assertThat(((EcsException) e).awsErrorDetails().errorCode())
                      .isEqualTo("UnrecognizedClientException"));
    }
    assertChannelRefused(key.instanceArn(), key.accessKeyId(), key.secret());
    assertThat(describeStatus(key.instanceArn())).isEqualTo("INACTIVE");
  }

  // ---- wharf up's upgrade of a local agent registered before join tokens ---------------------

  @Test
  void anInstanceRegisteredWithTheAdminKeyCanBeGivenAKeyOfItsOwn() throws Exception {
    String arn = register(admin, "i-0000000000000ac01", null);
    var issued = server.plane.issueInstanceKey(arn).orElseThrow();
    assertThat(issued.containerInstanceArn()).isEqualTo(arn);
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("wharf-upgraded-agent");
    try {
      assertThat(io.wharf.agent.Agent.hasJoined(dir)).isFalse();
      io.wharf.agent.Agent.keepKey(
          dir,
          issued.accessKeyId(),
          issued.secretAccessKey(),
          issued.containerInstanceArn(),
          issued.clusterArn());
      assertThat(io.wharf.agent.Agent.hasJoined(dir)).isTrue();
    } finally {
      TestServer.deleteTree(dir);
    }
    try (EcsClient ecs = server.client(issued.accessKeyId(), issued.secretAccessKey())) {
      // The same instance, its identity kept.
      assertThat(register(ecs, "i-0000000000000ac01", arn)).isEqualTo(arn);
    }
    // Issued again (a lost key file), the old key is gone.
    var again = server.plane.issueInstanceKey(arn).orElseThrow();
    try (EcsClient old = server.client(issued.accessKeyId(), issued.secretAccessKey());
        EcsClient current = server.client(again.accessKeyId(), again.secretAccessKey())) {
      assertThatThrownBy(() -> register(old, "i-0000000000000ac01", arn))
          .hasMessageContaining("The security token included in the request is invalid.");
      assertThat(register(current, "i-0000000000000ac01", arn)).isEqualTo(arn);
    }
    assertThat(server.plane.issueInstanceKey(arn.replaceAll("[0-9a-f]{32}$", "0".repeat(32))))
        .isEmpty();
  }

  // ---- durability -----------------------------------------------------------------------------

  @Test
  void tokensAndKeysOutliveARestartOfTheControlPlane() throws Exception {
    TestServer own = TestServer.start();
    try {
      try (EcsClient ecs = own.client()) {
        ecs.createCluster(b -> b.clusterName(CLUSTER));
      }
      RawClient ownRaw = new RawClient(own.endpoint());
      String used =
          ownRaw
              .send("WharfV1.CreateJoinToken", "{\"cluster\":\"" + CLUSTER + "\"}")
              .body()
              .path("joinToken")
              .asText();
      String unused =
          ownRaw
              .send("WharfV1.CreateJoinToken", "{\"cluster\":\"" + CLUSTER + "\"}")
              .body()
              .path("joinToken")
              .asText();
      int dot = used.indexOf('.');
      JsonNode key =
          ownRaw
              .send(
                  "WharfV1.JoinCluster",
                  "{\"cluster\":\"" + CLUSTER + "\"}",
                  used.substring(0, dot),
                  used.substring(dot + 1),
                  Clock.systemUTC())
              .body();
      own.plane.close();
      ControlPlane again = TestServer.startOn(own.dataDir);
      try (EcsClient ecs =
          EcsClient.builder()
              .endpointOverride(URI.create(again.endpoint()))
              .region(software.amazon.awssdk.regions.Region.US_EAST_1)
              .credentialsProvider(
                  software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                      software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                          key.path("accessKeyId").asText(), key.path("secretAccessKey").asText())))
              .build()) {
        assertThat(register(ecs, "i-0000000000000ab01", null))
            .isEqualTo(key.path("containerInstanceArn").asText());
        RawClient againRaw = new RawClient(again.endpoint());
        int unusedDot = unused.indexOf('.');
        List<RawClient.Answer> joins =
            List.of(
                againRaw.send(
                    "WharfV1.JoinCluster",
                    "{\"cluster\":\"" + CLUSTER + "\"}",
                    used.substring(0, dot),
                    used.substring(dot + 1),
                    Clock.systemUTC()),
                againRaw.send(
                    "WharfV1.JoinCluster",
                    "{\"cluster\":\"" + CLUSTER + "\"}",
                    unused.substring(0, unusedDot),
                    unused.substring(unusedDot + 1),
                    Clock.systemUTC()));
        assertThat(joins.get(0).type()).isEqualTo("AccessDeniedException");
        assertThat(joins.get(1).status()).isEqualTo(200);
      } finally {
        again.close();
      }
    } finally {
      TestServer.deleteTree(own.dataDir);
    }
  }

  // ---- registration epochs --------------------------------------------------------------------

  static final String EPOCH = "x-wharf-registration-epoch";

  /** Registers the key's instance as the agent does; returns the epoch its answer carries. */
  static long registerForEpoch(Key key, String ec2InstanceId) {
    try (EcsClient ecs = key.client()) {
      return ecs
          .registerContainerInstance(
              b ->
                  b.cluster(CLUSTER)
                      .containerInstanceArn(key.instanceArn())
                      .instanceIdentityDocument("{\"instanceId\":\"" + ec2InstanceId + "\"}")
                      .totalResources(
                          Resource.builder().name("CPU").type("INTEGER").integerValue(1024).build(),
                          Resource.builder()
                              .name("MEMORY")
                              .type("INTEGER")
                              .integerValue(1024)
                              .build()))
          .containerInstance()
          .attributes()
          .stream()
          .filter(a -> a.name().equals("ecs.wharf.registration-epoch"))
          .mapToLong(a -> Long.parseLong(a.value()))
          .findFirst()
          .orElseThrow();
    }
  }

  /** An ECS call signed with the key and, when not null, the registration epoch header. */
  static RawClient.Answer callWithEpoch(Key key, String operation, String body, String epoch)
      throws Exception {
    URI uri = URI.create(server.endpoint() + "/");
    Map<String, String> given = new java.util.HashMap<>();
    given.put("content-type", "application/x-amz-json-1.1");
    given.put("x-amz-target", PREFIX + operation);
    if (epoch != null) {
      given.put(EPOCH, epoch);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Map<String, String> signed =
        new SigV4Signer(key.accessKeyId(), key.secret(), "us-east-1", "ecs", Clock.systemUTC())
            .sign("POST", uri, given, bytes);
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(uri)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes));
    signed.forEach(
        (k, v) -> {
          if (!k.equals("host") && !k.equals("content-length")) {
            request.header(k, v);
          }
        });
    java.net.http.HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return new RawClient.Answer(
        response.statusCode(),
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()),
        response.headers().map());
  }

  @Test
  void aRegistrationAgainFencesTheEarlierOnesReportsAndChannel() throws Exception {
    Key key = joined();
    String arn = key.instanceArn();
    long first = registerForEpoch(key, "i-0000000000000ab01");
    assertThat(first).isEqualTo(1);
    Channel stale =
        openChannel(arn, key.accessKeyId(), key.secret(), Map.of(EPOCH, Long.toString(first)))
            .join();
    assertThat(stale.messages().poll(30, TimeUnit.SECONDS)).contains("\"manifest\"");

    // The same instance key registers again (a second agent process, a copied data directory).
    long second = registerForEpoch(key, "i-0000000000000ab01");
    assertThat(second).isEqualTo(2);
    // The earlier process's channel is closed at once ...
    assertThat(stale.closed().get(30, TimeUnit.SECONDS)).isNotNull();
    // ... and it cannot open another.
    assertThatThrownBy(
            () ->
                openChannel(
                        arn, key.accessKeyId(), key.secret(), Map.of(EPOCH, Long.toString(first)))
                    .join())
        .isInstanceOf(CompletionException.class)
        .rootCause()
        .hasMessageContaining("403");

    Channel current =
        openChannel(arn, key.accessKeyId(), key.secret(), Map.of(EPOCH, Long.toString(second)))
            .join();
    try {
      assertThat(current.messages().poll(30, TimeUnit.SECONDS)).contains("\"manifest\"");
      admin.registerTaskDefinition(
          b ->
              b.family("epoch")
                  .containerDefinitions(
                      ContainerDefinition.builder()
                          .name("main")
                          .image("busybox")
                          .memory(16)
                          .build()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  admin
                      .describeContainerInstances(b -> b.cluster(CLUSTER).containerInstances(arn))
                      .containerInstances()
                      .get(0)
                      .agentConnected());
      String taskArn =
          admin
              .startTask(b -> b.cluster(CLUSTER).taskDefinition("epoch").containerInstances(arn))
              .tasks()
              .get(0)
              .taskArn();
      String staleMessage =
          "Registration epoch 1 of "
              + arn
              + " is stale: the instance was registered again (epoch"
              + " 2).";
      String taskReport =
          "{\"cluster\":\"" + CLUSTER + "\",\"task\":\"" + taskArn + "\",\"status\":\"STOPPED\"}";
      String containerReport =
          "{\"cluster\":\""
              + CLUSTER
              + "\",\"task\":\""
              + taskArn
              + "\",\"containerName\":\"main\",\"status\":\"STOPPED\",\"exitCode\":1}";
      String discover = "{\"cluster\":\"" + CLUSTER + "\",\"containerInstance\":\"" + arn + "\"}";
      for (String[] call :
          List.of(
              new String[] {"SubmitTaskStateChange", taskReport},
              new String[] {"SubmitContainerStateChange", containerReport},
              new String[] {"DiscoverPollEndpoint", discover})) {
        RawClient.Answer refused = callWithEpoch(key, call[0], call[1], "1");
        assertThat(refused.status()).as(call[0]).isEqualTo(400);
        assertThat(refused.type()).as(call[0]).isEqualTo("ClientException");
        assertThat(refused.message()).as(call[0]).isEqualTo(staleMessage);
      }
      // Nothing the stale process reported took effect.
      Task task = admin.describeTasks(b -> b.cluster(CLUSTER).tasks(taskArn)).tasks().get(0);
      assertThat(task.lastStatus()).isEqualTo("PENDING");
      assertThat(task.containers().get(0).lastStatus()).isEqualTo("PENDING");

      // The newer process's epoch works for all of them.
      RawClient.Answer endpoint = callWithEpoch(key, "DiscoverPollEndpoint", discover, "2");
      assertThat(endpoint.status()).as(endpoint.body().toString()).isEqualTo(200);
      assertThat(endpoint.body().path("endpoint").asText()).isNotEmpty();
      String running =
          "{\"cluster\":\"" + CLUSTER + "\",\"task\":\"" + taskArn + "\",\"status\":\"RUNNING\"}";
      RawClient.Answer reported = callWithEpoch(key, "SubmitTaskStateChange", running, "2");
      assertThat(reported.status()).as(reported.body().toString()).isEqualTo(200);
      assertThat(
              admin
                  .describeTasks(b -> b.cluster(CLUSTER).tasks(taskArn))
                  .tasks()
                  .get(0)
                  .lastStatus())
          .isEqualTo("RUNNING");
      String containerRunning =
          "{\"cluster\":\""
              + CLUSTER
              + "\",\"task\":\""
              + taskArn
              + "\",\"containerName\":\"main\",\"status\":\"RUNNING\"}";
      RawClient.Answer container =
          callWithEpoch(key, "SubmitContainerStateChange", containerRunning, "2");
      assertThat(container.status()).as(container.body().toString()).isEqualTo(200);
      // The current channel stayed open through all of it.
      assertThat(current.closed()).isNotDone();
    } finally {
      current.socket().abort();
    }
  }

  @Test
  void anEpochThatIsNotAPositiveNumberIsAClientError() throws Exception {
    Key key = joined();
    registerForEpoch(key, "i-0000000000000ab02");
    String discover =
        "{\"cluster\":\"" + CLUSTER + "\",\"containerInstance\":\"" + key.instanceArn() + "\"}";
    for (String bad : List.of("0", "-1", "two", "9223372036854775808")) {
      RawClient.Answer answer = callWithEpoch(key, "DiscoverPollEndpoint", discover, bad);
      assertThat(answer.status()).as(bad).isEqualTo(400);
      assertThat(answer.type()).as(bad).isEqualTo("ClientException");
      assertThat(answer.message()).as(bad).contains("X-Wharf-Registration-Epoch", bad);
    }
    // Without the header the call is not fenced (the admin, older agents).
    assertThat(callWithEpoch(key, "DiscoverPollEndpoint", discover, null).status()).isEqualTo(200);
  }
}
