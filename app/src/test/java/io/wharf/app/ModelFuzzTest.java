package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.controlplane.ControlPlane;
import io.wharf.ecs.agent.AgentGateway;
import io.wharf.elb.balancing.AddressPool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Bad input is a 400, never a 500: every operation of every service Wharf serves (ECS over AWS JSON
 * 1.1, ELBv2 over the AWS query protocol) is driven from its service model with seeded invalid
 * requests, over HTTP against a real server. Each batch first builds a small valid fixture (a
 * cluster, a task definition, a connected container instance, a service, a task, a load balancer
 * with a target group, listener and rule), then sends, for every operation, mutations of a valid
 * request (one change each, so that the fuzz gets past the model check into the operation) and of
 * requests made from the model alone.
 *
 * <p>For each request: no 5xx; a refusal is in the service's error shape with a code of the
 * service's model; and a refused request changed nothing (the state machine's revision did not
 * move, and, for a sample of the mutating requests, neither did the Describe/List answers of the
 * fixture).
 *
 * <p>Seeded: {@code -Dwharf.fuzz.seed=N} replays a run; every failure names its seed and case.
 */
class ModelFuzzTest {
  private static final String ECS_PREFIX = "AmazonEC2ContainerServiceV20141113.";
  private static final String ECS_TYPE = "application/x-amz-json-1.1";
  private static final String FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8";

  /**
   * Batches of cases, each over a fresh fixture; the case count follows (about 6,000 in all). More
   * with {@code -Dwharf.fuzz.batches=N}, to explore beyond what CI runs.
   */
  private static final int BATCHES = Integer.getInteger("wharf.fuzz.batches", 6);

  /** Mutations per operation and batch of a valid request, and of a request from the model. */
  private static final int MUTATIONS_OF_VALID = 12;

  private static final int MUTATIONS_OF_MODEL = 4;

  /** One mutating refusal in this many also has the fixture's Describe/List answers compared. */
  private static final int FINGERPRINT_EVERY = 16;

  /** Codes of the AWS JSON protocol itself that ECS answers but its model does not list. */
  private static final Set<String> ECS_PROTOCOL_CODES =
      Set.of(
          "UnknownOperationException",
          "SerializationException",
          "MissingAuthenticationTokenException",
          "UnrecognizedClientException",
          "InvalidSignatureException",
          "IncompleteSignatureException",
          "ThrottlingException");

  /** Codes of the AWS query protocol itself that ELB answers but its model does not list. */
  private static final Set<String> ELB_PROTOCOL_CODES =
      Set.of(
          "ValidationError",
          "InvalidAction",
          "MissingAuthenticationToken",
          "InvalidClientTokenId",
          "SignatureDoesNotMatch",
          "IncompleteSignature",
          "AccessDenied",
          "Throttling");

  static TestServer server;
  static RawClient raw;
  static ModelFuzzer ecsModel;
  static ModelFuzzer elbModel;
  static Set<String> ecsCodes;
  static Set<String> elbCodes;
  static final List<String> connectedInstances = new CopyOnWriteArrayList<>();
  static Thread heartbeat;

  @BeforeAll
  static void start() throws IOException {
    // No HAProxy: listeners are kept but not served, so that thousands of changes reload nothing.
    Path missing = Files.createTempDirectory("wharf-fuzz-no-haproxy").resolve("haproxy");
    server =
        TestServer.start(
            new ControlPlane.ElbSettings(
                missing, AddressPool.parse(TestServer.LOAD_BALANCER_ADDRESSES)));
    raw = new RawClient(server.endpoint());
    ecsModel = ModelFuzzer.load("ecs/api/ecs-2014-11-13.json.gz");
    elbModel = ModelFuzzer.load("elb/api/elbv2-2015-12-01.json.gz");
    ecsCodes = new TreeSet<>(ecsModel.errorCodes());
    ecsCodes.addAll(ECS_PROTOCOL_CODES);
    elbCodes = new TreeSet<>(elbModel.errorCodes());
    elbCodes.addAll(ELB_PROTOCOL_CODES);
    // The test plays the agents of the fixture's instances: their channels stay open and heard.
    AgentGateway gateway = server.plane.gateway();
    heartbeat =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    connectedInstances.forEach(arn -> gateway.heard(arn, "{}"));
                    try {
                      Thread.sleep(500);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  @AfterAll
  static void stop() throws Exception {
    heartbeat.interrupt();
    server.close();
  }

  // ---- the fixture ------------------------------------------------------------------------------

  /** The valid resources of one batch, by the names and ARNs its requests use. */
  record Fixture(
      String cluster,
      String clusterArn,
      String family,
      String taskDefinitionArn,
      String instanceArn,
      String ec2InstanceId,
      String service,
      String serviceArn,
      String taskArn,
      String deploymentArn,
      String revisionArn,
      String loadBalancerArn,
      String targetGroupArn,
      String listenerArn,
      String ruleArn,
      String suffix) {

    /** Every name and ARN of the fixture, to point members at the wrong thing. */
    List<String> references() {
      return List.of(
          cluster,
          clusterArn,
          family,
          taskDefinitionArn,
          instanceArn,
          ec2InstanceId,
          service,
          serviceArn,
          taskArn,
          deploymentArn,
          revisionArn,
          loadBalancerArn,
          targetGroupArn,
          listenerArn,
          ruleArn);
    }
  }

  static Fixture fixture(int batch) {
    String s = "fz" + batch;
    JsonNode cluster = ecs("CreateCluster", "{'clusterName':'" + s + "'}").path("cluster");
    String td =
        ecs(
                "RegisterTaskDefinition",
                "{'family':'"
                    + s
                    + "-web','containerDefinitions':[{'name':'web','image':'busybox','memory':64,"
                    + "'portMappings':[{'containerPort':80}]}]}")
            .path("taskDefinition")
            .path("taskDefinitionArn")
            .asText();
    String ec2 = "i-0f0000000000000" + String.format("%02d", batch);
    String instance =
        ecs(
                "RegisterContainerInstance",
                "{'cluster':'"
                    + s
                    + "','instanceIdentityDocument':'{\\'instanceId\\':\\'"
                    + ec2
                    + "\\',\\'privateIp\\':\\'127.0.0.1\\'}',"
                    + "'totalResources':[{'name':'CPU','type':'INTEGER','integerValue':1000000},"
                    + "{'name':'MEMORY','type':'INTEGER','integerValue':10000000},"
                    + "{'name':'PORTS','type':'STRINGSET','stringSetValue':['22']}],"
                    + "'attributes':[{'name':'ecs.os-type','value':'linux'}],"
                    + "'versionInfo':{'agentVersion':'0.1.0','dockerVersion':'20.10.24'}}")
            .path("containerInstance")
            .path("containerInstanceArn")
            .asText();
    server
        .plane
        .gateway()
        .opened(
            instance,
            new AgentGateway.Channel() {
              @Override
              public void send(String text) {}

              @Override
              public void close() {}
            });
    connectedInstances.add(instance);
    JsonNode service =
        ecs(
                "CreateService",
                "{'cluster':'"
                    + s
                    + "','serviceName':'"
                    + s
                    + "-svc','taskDefinition':'"
                    + td
                    + "','desiredCount':0}")
            .path("service");
    String serviceArn = service.path("serviceArn").asText();
    String task =
        ecs("RunTask", "{'cluster':'" + s + "','taskDefinition':'" + td + "','count':1}")
            .path("tasks")
            .path(0)
            .path("taskArn")
            .asText();
    assertThat(task).as("the fixture's task").isNotEmpty();
    String deployment =
        ecs("ListServiceDeployments", "{'cluster':'" + s + "','service':'" + s + "-svc'}")
            .path("serviceDeployments")
            .path(0)
            .path("serviceDeploymentArn")
            .asText();
    String revision =
        ecs("DescribeServiceDeployments", "{'serviceDeploymentArns':['" + deployment + "']}")
            .path("serviceDeployments")
            .path(0)
            .path("targetServiceRevision")
            .path("arn")
            .asText();
    String lb = arn(elb("CreateLoadBalancer", "{'Name':'" + s + "-lb'}"), "LoadBalancerArn");
    String tg =
        arn(
            elb(
                "CreateTargetGroup",
                "{'Name':'" + s + "-tg','Protocol':'HTTP','Port':80,'HealthCheckPath':'/'}"),
            "TargetGroupArn");
    String listener =
        arn(
            elb(
                "CreateListener",
                "{'LoadBalancerArn':'"
                    + lb
                    + "','Protocol':'HTTP','Port':8080,"
                    + "'DefaultActions':[{'Type':'forward','TargetGroupArn':'"
                    + tg
                    + "'}]}"),
            "ListenerArn");
    String rule =
        arn(
            elb(
                "CreateRule",
                "{'ListenerArn':'"
                    + listener
                    + "','Priority':10,'Conditions':[{'Field':'path-pattern',"
                    + "'PathPatternConfig':{'Values':['/api/*']}}],"
                    + "'Actions':[{'Type':'forward','TargetGroupArn':'"
                    + tg
                    + "'}]}"),
            "RuleArn");
    elb(
        "RegisterTargets",
        "{'TargetGroupArn':'" + tg + "','Targets':[{'Id':'" + ec2 + "','Port':8080}]}");
    return new Fixture(
        s,
        cluster.path("clusterArn").asText(),
        s + "-web",
        td,
        instance,
        ec2,
        s + "-svc",
        serviceArn,
        task,
        deployment,
        revision,
        lb,
        tg,
        listener,
        rule,
        s);
  }

  // ---- valid requests ---------------------------------------------------------------------------

  /** A valid request for each of the main ECS operations, over the fixture (single quotes). */
  static Map<String, Function<Fixture, String>> validEcs() {
    Map<String, Function<Fixture, String>> v = new LinkedHashMap<>();
    v.put(
        "CreateCluster",
        f ->
            "{'clusterName':'"
                + f.suffix
                + "-new','tags':[{'key':'team','value':'a'}],"
                + "'settings':[{'name':'containerInsights','value':'disabled'}]}");
    v.put(
        "DescribeClusters",
        f -> "{'clusters':['" + f.cluster + "'],'include':['TAGS','SETTINGS','STATISTICS']}");
    v.put("ListClusters", f -> "{'maxResults':5}");
    v.put(
        "UpdateCluster",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','settings':[{'name':'containerInsights','value':'enabled'}]}");
    v.put(
        "UpdateClusterSettings",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','settings':[{'name':'containerInsights','value':'disabled'}]}");
    v.put("DeleteCluster", f -> "{'cluster':'" + f.cluster + "'}");
    v.put(
        "RegisterTaskDefinition",
        f ->
            "{'family':'"
                + f.family
                + "','networkMode':'bridge','containerDefinitions':[{'name':'web','image':'busybox',"
                + "'memory':64,'cpu':128,'essential':true,'command':['sleep','60'],"
                + "'portMappings':[{'containerPort':80,'hostPort':0,'protocol':'tcp'}],"
                + "'environment':[{'name':'A','value':'b'}],"
                + "'healthCheck':{'command':['CMD-SHELL','true'],'interval':5,'timeout':2,'retries':3},"
                + "'ulimits':[{'name':'nofile','softLimit':1024,'hardLimit':2048}]}],"
                + "'placementConstraints':[{'type':'memberOf','expression':'attribute:ecs.os-type == linux'}],"
                + "'tags':[{'key':'team','value':'a'}]}");
    v.put(
        "DescribeTaskDefinition",
        f -> "{'taskDefinition':'" + f.taskDefinitionArn + "','include':['TAGS']}");
    v.put(
        "ListTaskDefinitions",
        f -> "{'familyPrefix':'" + f.family + "','status':'ACTIVE','sort':'DESC','maxResults':10}");
    v.put(
        "ListTaskDefinitionFamilies",
        f -> "{'familyPrefix':'fz','status':'ACTIVE','maxResults':5}");
    v.put("DeregisterTaskDefinition", f -> "{'taskDefinition':'" + f.taskDefinitionArn + "'}");
    v.put("DeleteTaskDefinitions", f -> "{'taskDefinitions':['" + f.taskDefinitionArn + "']}");
    v.put(
        "RegisterContainerInstance",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','instanceIdentityDocument':'{\\'instanceId\\':\\'"
                + f.ec2InstanceId
                + "\\',\\'privateIp\\':\\'127.0.0.1\\'}','totalResources':[{'name':'CPU','type':'INTEGER','integerValue':1000000},"
                + "{'name':'MEMORY','type':'INTEGER','integerValue':10000000},"
                + "{'name':'PORTS','type':'STRINGSET','stringSetValue':['22']}],"
                + "'attributes':[{'name':'ecs.os-type','value':'linux'}],"
                + "'versionInfo':{'agentVersion':'0.1.0','dockerVersion':'20.10.24'}}");
    v.put(
        "DescribeContainerInstances",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','containerInstances':['"
                + f.instanceArn
                + "'],'include':['TAGS']}");
    v.put(
        "ListContainerInstances",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','filter':'attribute:ecs.os-type == linux','status':'ACTIVE','maxResults':10}");
    v.put(
        "UpdateContainerInstancesState",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','containerInstances':['"
                + f.instanceArn
                + "'],'status':'ACTIVE'}");
    v.put(
        "DeregisterContainerInstance",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','containerInstance':'"
                + f.instanceArn
                + "','force':true}");
    v.put(
        "RunTask",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','taskDefinition':'"
                + f.taskDefinitionArn
                + "','count':1,'group':'fuzz','startedBy':'fuzz','launchType':'EC2',"
                + "'overrides':{'containerOverrides':[{'name':'web','environment':[{'name':'A','value':'c'}],"
                + "'command':['sleep','1'],'cpu':64,'memory':32,'memoryReservation':16}],"
                + "'cpu':'256','memory':'128'},"
                + "'placementConstraints':[{'type':'memberOf','expression':'attribute:ecs.os-type == linux'}],"
                + "'placementStrategy':[{'type':'binpack','field':'memory'},{'type':'spread','field':'instanceId'}],"
                + "'tags':[{'key':'team','value':'a'}]}");
    v.put(
        "StartTask",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','taskDefinition':'"
                + f.taskDefinitionArn
                + "','containerInstances':['"
                + f.instanceArn
                + "'],'group':'fuzz','startedBy':'fuzz','tags':[{'key':'team','value':'a'}]}");
    v.put(
        "StopTask",
        f -> "{'cluster':'" + f.cluster + "','task':'" + f.taskArn + "','reason':'fuzz'}");
    v.put(
        "DescribeTasks",
        f -> "{'cluster':'" + f.cluster + "','tasks':['" + f.taskArn + "'],'include':['TAGS']}");
    v.put(
        "ListTasks",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','containerInstance':'"
                + f.instanceArn
                + "','family':'"
                + f.family
                + "','desiredStatus':'RUNNING','launchType':'EC2','maxResults':10}");
    v.put(
        "CreateService",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','serviceName':'"
                + f.suffix
                + "-svc2','taskDefinition':'"
                + f.taskDefinitionArn
                + "','desiredCount':0,'launchType':'EC2','schedulingStrategy':'REPLICA',"
                + "'deploymentConfiguration':{'maximumPercent':200,'minimumHealthyPercent':100,"
                + "'deploymentCircuitBreaker':{'enable':true,'rollback':true}},"
                + "'placementConstraints':[{'type':'distinctInstance'}],"
                + "'placementStrategy':[{'type':'spread','field':'attribute:ecs.availability-zone'}],"
                + "'tags':[{'key':'team','value':'a'}],'clientToken':'fuzz-"
                + f.suffix
                + "'}");
    v.put(
        "UpdateService",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','service':'"
                + f.service
                + "','desiredCount':0,'taskDefinition':'"
                + f.taskDefinitionArn
                + "','deploymentConfiguration':{'maximumPercent':200,'minimumHealthyPercent':50},"
                + "'placementStrategy':[{'type':'binpack','field':'cpu'}],"
                + "'placementConstraints':[{'type':'memberOf','expression':'attribute:ecs.os-type == linux'}],"
                + "'forceNewDeployment':false}");
    v.put(
        "DeleteService",
        f -> "{'cluster':'" + f.cluster + "','service':'" + f.service + "','force':true}");
    v.put(
        "DescribeServices",
        f -> "{'cluster':'" + f.cluster + "','services':['" + f.service + "'],'include':['TAGS']}");
    v.put(
        "ListServices",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','launchType':'EC2','schedulingStrategy':'REPLICA','maxResults':10}");
    v.put(
        "ListServiceDeployments",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','service':'"
                + f.service
                + "','status':['SUCCESSFUL','PENDING','IN_PROGRESS'],"
                + "'createdAt':{'after':1500000000,'before':4000000000.5},'maxResults':10}");
    v.put(
        "DescribeServiceDeployments", f -> "{'serviceDeploymentArns':['" + f.deploymentArn + "']}");
    v.put("DescribeServiceRevisions", f -> "{'serviceRevisionArns':['" + f.revisionArn + "']}");
    v.put(
        "DiscoverPollEndpoint",
        f -> "{'cluster':'" + f.cluster + "','containerInstance':'" + f.instanceArn + "'}");
    v.put(
        "SubmitTaskStateChange",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','task':'"
                + f.taskArn
                + "','status':'RUNNING','reason':'fuzz',"
                + "'containers':[{'containerName':'web','status':'RUNNING','exitCode':0,"
                + "'networkBindings':[{'bindIP':'0.0.0.0','containerPort':80,'hostPort':32768,'protocol':'tcp'}]}],"
                + "'pullStartedAt':1763812800.25,'pullStoppedAt':1763812801,'executionStoppedAt':1763812900}");
    v.put(
        "SubmitContainerStateChange",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','task':'"
                + f.taskArn
                + "','containerName':'web','status':'RUNNING','reason':'fuzz',"
                + "'networkBindings':[{'bindIP':'0.0.0.0','containerPort':80,'hostPort':32768,'protocol':'tcp'}]}");
    v.put(
        "TagResource",
        f -> "{'resourceArn':'" + f.clusterArn + "','tags':[{'key':'team','value':'b'}]}");
    v.put("UntagResource", f -> "{'resourceArn':'" + f.clusterArn + "','tagKeys':['team']}");
    v.put("ListTagsForResource", f -> "{'resourceArn':'" + f.taskDefinitionArn + "'}");
    v.put(
        "PutAttributes",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','attributes':[{'name':'fuzz','value':'1','targetType':'container-instance',"
                + "'targetId':'"
                + f.instanceArn
                + "'}]}");
    v.put(
        "DeleteAttributes",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','attributes':[{'name':'fuzz','targetId':'"
                + f.instanceArn
                + "'}]}");
    v.put(
        "ListAttributes",
        f ->
            "{'cluster':'"
                + f.cluster
                + "','targetType':'container-instance','attributeName':'ecs.os-type','attributeValue':'linux'}");
    v.put("PutAccountSetting", f -> "{'name':'containerInsights','value':'enabled'}");
    v.put("PutAccountSettingDefault", f -> "{'name':'serviceLongArnFormat','value':'enabled'}");
    v.put(
        "ListAccountSettings",
        f -> "{'name':'containerInsights','effectiveSettings':true,'maxResults':5}");
    v.put("DeleteAccountSetting", f -> "{'name':'containerInsights'}");
    return v;
  }

  /** A valid request (its JSON form) for each ELB operation Wharf implements, over the fixture. */
  static Map<String, Function<Fixture, String>> validElb() {
    Map<String, Function<Fixture, String>> v = new LinkedHashMap<>();
    v.put(
        "CreateLoadBalancer",
        f ->
            "{'Name':'"
                + f.suffix
                + "-lb2','Type':'application','Scheme':'internal','IpAddressType':'ipv4',"
                + "'Tags':[{'Key':'team','Value':'a'}]}");
    v.put(
        "DescribeLoadBalancers",
        f -> "{'LoadBalancerArns':['" + f.loadBalancerArn + "'],'PageSize':5}");
    v.put("DeleteLoadBalancer", f -> "{'LoadBalancerArn':'" + f.loadBalancerArn + "'}");
    v.put(
        "CreateTargetGroup",
        f ->
            "{'Name':'"
                + f.suffix
                + "-tg2','Protocol':'HTTP','Port':80,'TargetType':'instance','HealthCheckPath':'/',"
                + "'HealthCheckIntervalSeconds':5,'HealthCheckTimeoutSeconds':2,'HealthyThresholdCount':2,"
                + "'UnhealthyThresholdCount':2,'Matcher':{'HttpCode':'200-299'},'HealthCheckEnabled':true}");
    v.put("DescribeTargetGroups", f -> "{'TargetGroupArns':['" + f.targetGroupArn + "']}");
    v.put(
        "ModifyTargetGroup",
        f ->
            "{'TargetGroupArn':'"
                + f.targetGroupArn
                + "','HealthCheckPath':'/h','HealthCheckIntervalSeconds':10,'Matcher':{'HttpCode':'200,202'}}");
    v.put("DeleteTargetGroup", f -> "{'TargetGroupArn':'" + f.targetGroupArn + "'}");
    v.put("DescribeTargetGroupAttributes", f -> "{'TargetGroupArn':'" + f.targetGroupArn + "'}");
    v.put(
        "ModifyTargetGroupAttributes",
        f ->
            "{'TargetGroupArn':'"
                + f.targetGroupArn
                + "','Attributes':[{'Key':'deregistration_delay.timeout_seconds','Value':'30'},"
                + "{'Key':'load_balancing.algorithm.type','Value':'round_robin'}]}");
    v.put(
        "CreateListener",
        f ->
            "{'LoadBalancerArn':'"
                + f.loadBalancerArn
                + "','Protocol':'HTTP','Port':8081,'DefaultActions':[{'Type':'forward','TargetGroupArn':'"
                + f.targetGroupArn
                + "'}]}");
    v.put("DescribeListeners", f -> "{'LoadBalancerArn':'" + f.loadBalancerArn + "'}");
    v.put(
        "ModifyListener",
        f ->
            "{'ListenerArn':'"
                + f.listenerArn
                + "','Port':8082,'DefaultActions':[{'Type':'fixed-response','FixedResponseConfig':"
                + "{'StatusCode':'200','ContentType':'text/plain','MessageBody':'ok'}}]}");
    v.put("DeleteListener", f -> "{'ListenerArn':'" + f.listenerArn + "'}");
    v.put(
        "CreateRule",
        f ->
            "{'ListenerArn':'"
                + f.listenerArn
                + "','Priority':20,'Conditions':[{'Field':'host-header','HostHeaderConfig':"
                + "{'Values':['*.example.com']}}],'Actions':[{'Type':'forward','TargetGroupArn':'"
                + f.targetGroupArn
                + "'}]}");
    v.put("DescribeRules", f -> "{'ListenerArn':'" + f.listenerArn + "'}");
    v.put("DeleteRule", f -> "{'RuleArn':'" + f.ruleArn + "'}");
    v.put(
        "SetRulePriorities",
        f -> "{'RulePriorities':[{'RuleArn':'" + f.ruleArn + "','Priority':30}]}");
    v.put(
        "RegisterTargets",
        f ->
            "{'TargetGroupArn':'"
                + f.targetGroupArn
                + "','Targets':[{'Id':'"
                + f.ec2InstanceId
                + "','Port':8081}]}");
    v.put(
        "DeregisterTargets",
        f ->
            "{'TargetGroupArn':'"
                + f.targetGroupArn
                + "','Targets':[{'Id':'"
                + f.ec2InstanceId
                + "','Port':8081}]}");
    v.put(
        "DescribeTargetHealth",
        f ->
            "{'TargetGroupArn':'"
                + f.targetGroupArn
                + "','Targets':[{'Id':'"
                + f.ec2InstanceId
                + "','Port':8080}]}");
    v.put(
        "AddTags",
        f -> "{'ResourceArns':['" + f.loadBalancerArn + "'],'Tags':[{'Key':'team','Value':'b'}]}");
    v.put("RemoveTags", f -> "{'ResourceArns':['" + f.loadBalancerArn + "'],'TagKeys':['team']}");
    v.put(
        "DescribeTags",
        f -> "{'ResourceArns':['" + f.loadBalancerArn + "','" + f.targetGroupArn + "']}");
    return v;
  }

  // ---- cases ------------------------------------------------------------------------------------

  /** One request to send: which service and operation, its bytes, and how it was made. */
  record Case(
      long seed,
      int batch,
      boolean elb,
      String operation,
      byte[] body,
      String description,
      String expected) {
    Case(long seed, int batch, boolean elb, String operation, byte[] body, String description) {
      this(seed, batch, elb, operation, body, description, null);
    }

    boolean mutating() {
      return !(operation.startsWith("Describe")
          || operation.startsWith("List")
          || operation.startsWith("Get")
          || operation.equals("DiscoverPollEndpoint"));
    }

    /** Operations that remove fixture resources go last in their batch. */
    boolean destructive() {
      return operation.startsWith("Delete")
          || operation.startsWith("Deregister")
          || operation.equals("StopTask");
    }

    String replay() {
      String text = new String(body, StandardCharsets.UTF_8);
      return (elb ? "ELB " : "ECS ")
          + operation
          + " (batch "
          + batch
          + ", seed "
          + seed
          + "): "
          + description
          + "\n    body: "
          + ModelFuzzer.abbreviate(text);
    }
  }

  static List<Case> cases(int batch, Fixture f, long masterSeed) {
    List<Case> out = new ArrayList<>();
    SplittableRandom batchRandom =
        new SplittableRandom(masterSeed ^ (0x9E3779B97F4A7C15L * (batch + 1)));
    Map<String, Function<Fixture, String>> ecsValid = validEcs();
    Map<String, Function<Fixture, String>> elbValid = validElb();
    for (String op : ecsModel.operationNames()) {
      Function<Fixture, String> valid = ecsValid.get(op);
      int n = valid != null ? MUTATIONS_OF_VALID : MUTATIONS_OF_MODEL;
      for (int i = 0; i < n; i++) {
        long seed = batchRandom.nextLong();
        out.add(ecsCase(seed, batch, op, valid == null ? null : json(valid.apply(f)), f));
      }
    }
    for (String op : elbModel.operationNames()) {
      Function<Fixture, String> valid = elbValid.get(op);
      int n = valid != null ? MUTATIONS_OF_VALID : MUTATIONS_OF_MODEL;
      for (int i = 0; i < n; i++) {
        long seed = batchRandom.nextLong();
        out.add(elbCase(seed, batch, op, valid == null ? null : json(valid.apply(f)), f));
      }
    }
    // Shuffled so that operations meet each other's effects; the destructive ones last.
    for (int i = out.size() - 1; i > 0; i--) {
      int j = batchRandom.nextInt(i + 1);
      Case t = out.get(i);
      out.set(i, out.get(j));
      out.set(j, t);
    }
    out.sort(Comparator.comparing(Case::destructive));
    return out;
  }

  static Case ecsCase(long seed, int batch, String op, ObjectNode valid, Fixture f) {
    SplittableRandom r = new SplittableRandom(seed);
    String shape = ecsModel.inputShape(op);
    ObjectNode request =
        valid != null
            ? valid
            : shape == null
                ? ModelFuzzer.JSON.createObjectNode()
                : (ObjectNode) ecsModel.value(shape, r, 0);
    String origin = valid != null ? "valid request" : "request from the model";
    int kind = r.nextInt(20);
    if (kind == 0) {
      return new Case(seed, batch, false, op, bytes(request), origin + ", unchanged");
    }
    if (kind <= 3 || shape == null) {
      return rawBody(seed, batch, op, request, r, origin);
    }
    ModelFuzzer.Mutation m = ecsModel.mutate(request, shape, r, f.references());
    if (r.nextInt(4) == 0) {
      // A second change now and then: one check must not hide another one's bug.
      ModelFuzzer.Mutation second = ecsModel.mutate(request, shape, r, f.references());
      m = new ModelFuzzer.Mutation(m.description() + "; " + second.description());
    }
    return new Case(seed, batch, false, op, bytes(request), origin + ", " + m.description());
  }

  /** Bodies that are not one JSON object: trailing garbage, two objects, broken text. */
  static Case rawBody(
      long seed, int batch, String op, ObjectNode request, SplittableRandom r, String origin) {
    String text = request.toString();
    String body;
    String what;
    // Every body here but a byte order mark, a member given twice and an empty body is no single
    // JSON object, and is refused as such.
    String expected = "SerializationException";
    switch (r.nextInt(10)) {
      case 0 -> {
        body = text + " x";
        what = "trailing garbage";
      }
      case 1 -> {
        body = text + "{\"b\":2}";
        what = "two concatenated objects";
      }
      case 2 -> {
        body = text + text;
        what = "the request twice";
      }
      case 3 -> {
        body = text.substring(0, text.length() / 2);
        what = "truncated";
      }
      case 4 -> {
        body = List.of("[]", "1", "\"s\"", "null", "true", "{]", "{\"a\":NaN}").get(r.nextInt(7));
        what = "not an object";
      }
      case 5 -> {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 2];
        int at = Math.max(1, b.length / 2);
        System.arraycopy(b, 0, out, 0, at);
        out[at] = (byte) 0xC3;
        out[at + 1] = (byte) 0x28;
        System.arraycopy(b, at, out, at + 2, b.length - at);
        return new Case(seed, batch, false, op, out, origin + ", invalid UTF-8 inside", expected);
      }
      case 6 -> {
        body = "\uFEFF" + text;
        what = "byte order mark";
        expected = null;
      }
      case 7 -> {
        body = text.length() > 2 ? text.substring(0, text.length() - 1) + ",\"cluster\":1}" : text;
        what = "a member given twice (or added)";
        expected = null;
      }
      case 8 -> {
        body = "[".repeat(r.nextInt(50, 5000));
        what = "deeply nested arrays";
      }
      default -> {
        body = "";
        what = "empty body";
        expected = null;
      }
    }
    return new Case(
        seed,
        batch,
        false,
        op,
        body.getBytes(StandardCharsets.UTF_8),
        origin + ", " + what,
        expected);
  }

  static Case elbCase(long seed, int batch, String op, ObjectNode valid, Fixture f) {
    SplittableRandom r = new SplittableRandom(seed);
    String shape = elbModel.inputShape(op);
    ObjectNode request =
        valid != null
            ? valid
            : shape == null
                ? ModelFuzzer.JSON.createObjectNode()
                : (ObjectNode) elbModel.value(shape, r, 0);
    String origin = valid != null ? "valid request" : "request from the model";
    List<String> changes = new ArrayList<>();
    int kind = r.nextInt(20);
    if (kind > 0 && shape != null && kind < 16) {
      changes.add(elbModel.mutate(request, shape, r, f.references()).description());
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Action", op);
    params.put("Version", elbModel.apiVersion);
    params.putAll(shape == null ? Map.of() : elbModel.form(shape, request));
    if (kind >= 14) {
      changes.add(ModelFuzzer.mutateForm(params, r));
    }
    String body = ModelFuzzer.encode(params);
    if (kind == 19) {
      body = r.nextBoolean() ? body + "&%zz=1" : body + "&Name=%E0%A4%A";
      changes.add("bad percent-encoding");
    }
    String description =
        origin + (changes.isEmpty() ? ", unchanged" : ", " + String.join("; ", changes));
    return new Case(seed, batch, true, op, body.getBytes(StandardCharsets.UTF_8), description);
  }

  // ---- the test ---------------------------------------------------------------------------------

  /** What went wrong with one case. */
  record Finding(Case c, String problem) {
    @Override
    public String toString() {
      return problem + "\n  " + c.replay();
    }
  }

  @Test
  void badInputIsRefusedInTheServicesErrorShapeAndChangesNothing() throws Exception {
    long masterSeed = Long.getLong("wharf.fuzz.seed", 20261207L);
    long started = System.nanoTime();
    List<Finding> findings = new ArrayList<>();
    Map<String, int[]> byOperation = new TreeMap<>();
    Map<String, Long> nanosByOperation = new TreeMap<>();
    int total = 0;
    int confirmations = 0;
    for (int batch = 0; batch < BATCHES; batch++) {
      Fixture f = fixture(batch);
      awaitQuiet();
      List<Case> cases = cases(batch, f, masterSeed);
      int mutatingCases = 0;
      for (Case c : cases) {
        total++;
        boolean sample = c.mutating() && (mutatingCases++ % FINGERPRINT_EVERY == 0);
        // The revision is read first and last: a write by anyone between the reads moves it.
        long revision = revision();
        String before = sample ? fingerprint(f) : null;
        long sentAt = System.nanoTime();
        RawClient.Reply reply = send(c);
        nanosByOperation.merge(c.operation, System.nanoTime() - sentAt, Long::sum);
        String afterPrint = before != null && reply.status() != 200 ? fingerprint(f) : null;
        long after = revision();
        int[] counts =
            byOperation.computeIfAbsent((c.elb ? "elb:" : "ecs:") + c.operation, k -> new int[2]);
        counts[reply.status() == 200 ? 0 : 1]++;
        String problem = shapeProblem(c, reply);
        if (problem != null) {
          findings.add(new Finding(c, problem));
          continue;
        }
        if (reply.status() == 200) {
          continue;
        }
        boolean changed = after != revision || (before != null && !before.equals(afterPrint));
        if (changed) {
          // Something else (the service controller) may have written meanwhile: ask again, alone.
          confirmations++;
          System.out.println(
              "Re-checking after a write during a refusal (revision "
                  + revision
                  + " -> "
                  + after
                  + "): "
                  + c.replay()
                  + (before != null && !before.equals(afterPrint)
                      ? "\n    fingerprint: " + firstDifference(before, afterPrint)
                      : ""));
          awaitQuiet();
          long quiet = revision();
          String again = before != null ? fingerprint(f) : null;
          RawClient.Reply second = send(c);
          boolean stillChanged =
              second.status() != 200
                  && (revision() != quiet || (again != null && !again.equals(fingerprint(f))));
          if (stillChanged) {
            findings.add(
                new Finding(
                    c,
                    "refused with "
                        + reply.status()
                        + " "
                        + ModelFuzzer.abbreviate(reply.body())
                        + " but changed the state"));
          }
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    StringBuilder summary = new StringBuilder();
    summary.append(
        String.format(
            "Model fuzz: %d cases over %d operations (%d ECS, %d ELB) in %.1f s, seed %d,"
                + " %d state re-checks%n",
            total,
            byOperation.size(),
            ecsModel.operationNames().size(),
            elbModel.operationNames().size(),
            seconds,
            masterSeed,
            confirmations));
    byOperation.forEach(
        (op, n) ->
            summary.append(String.format("  %-45s %4d accepted %4d refused%n", op, n[0], n[1])));
    nanosByOperation.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(8)
        .forEach(
            e ->
                summary.append(
                    String.format("  slowest: %-40s %6.0f ms%n", e.getKey(), e.getValue() / 1e6)));
    summary.append(
        String.format(
            "  time: requests %.1f s, fingerprints %.1f s%n",
            nanosByOperation.values().stream().mapToLong(Long::longValue).sum() / 1e9,
            fingerprintNanos / 1e9));
    System.out.print(summary);
    assertThat(byOperation)
        .as("every operation of both models was driven")
        .hasSize(ecsModel.operationNames().size() + elbModel.operationNames().size());
    assertThat(findings)
        .as(
            "requests answered with a 5xx, out of the service's error shape, or refused after"
                + " changing state (seed "
                + masterSeed
                + ")")
        .isEmpty();
  }

  /** Why the reply is wrong for the case, or null when it is right. */
  static String shapeProblem(Case c, RawClient.Reply reply) {
    if (reply.status() >= 500) {
      return "HTTP " + reply.status() + ": " + ModelFuzzer.abbreviate(reply.body());
    }
    if (reply.status() != 200 && reply.status() != 400 && reply.status() != 403) {
      return "HTTP " + reply.status() + " is no status of the service's errors";
    }
    if (!c.elb) {
      if (!reply.contentType().startsWith(ECS_TYPE)) {
        return "content type " + reply.contentType();
      }
      JsonNode body;
      try {
        body = ModelFuzzer.JSON.readTree(reply.body());
      } catch (IOException e) {
        return "the answer is not JSON: " + ModelFuzzer.abbreviate(reply.body());
      }
      if (body == null || !body.isObject()) {
        return "the answer is not a JSON object: " + ModelFuzzer.abbreviate(reply.body());
      }
      if (reply.status() == 200) {
        return c.expected() == null ? null : "accepted, but " + c.expected() + " was expected";
      }
      String type = body.path("__type").asText("");
      if (c.expected() != null && !c.expected().equals(type)) {
        return "expected " + c.expected() + ", got " + ModelFuzzer.abbreviate(reply.body());
      }
      if (!ecsCodes.contains(type)) {
        return "error code '"
            + type
            + "' is not an ECS code: "
            + ModelFuzzer.abbreviate(reply.body());
      }
      if (body.path("message").asText("").isBlank()) {
        return "error without a message: " + reply.body();
      }
      return null;
    }
    Document xml;
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      xml =
          factory
              .newDocumentBuilder()
              .parse(new ByteArrayInputStream(reply.body().getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      return "the answer is not XML ("
          + e.getMessage()
          + "): "
          + ModelFuzzer.abbreviate(reply.body());
    }
    Element root = xml.getDocumentElement();
    if (reply.status() == 200) {
      return root.getLocalName().equals(c.operation + "Response")
          ? null
          : "a 200 answer with root " + root.getLocalName();
    }
    if (!root.getLocalName().equals("ErrorResponse")) {
      return "error with root " + root.getLocalName();
    }
    NodeList codes = root.getElementsByTagNameNS("*", "Code");
    NodeList messages = root.getElementsByTagNameNS("*", "Message");
    String code = codes.getLength() == 1 ? codes.item(0).getTextContent() : "";
    if (!elbCodes.contains(code)) {
      return "error code '"
          + code
          + "' is not an ELB code: "
          + ModelFuzzer.abbreviate(reply.body());
    }
    if (messages.getLength() != 1 || messages.item(0).getTextContent().isBlank()) {
      return "error without a message: " + ModelFuzzer.abbreviate(reply.body());
    }
    return null;
  }

  // ---- state --------------------------------------------------------------------------------

  static long revision() {
    return server.plane.states().current().revision();
  }

  /**
   * Waits until nothing has been written for a while (the service controller runs every second).
   */
  static void awaitQuiet() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long seen = revision();
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(100);
      long now = revision();
      if (now != seen) {
        seen = now;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince > Duration.ofMillis(1100).toNanos()) {
        return;
      }
    }
  }

  /**
   * What clients see of the fixture: the Describe and List answers for its resources, without the
   * members that move on their own (the agent's liveness).
   */
  static long fingerprintNanos;

  /** The first line that differs between two fingerprints, before and after. */
  static String firstDifference(String before, String after) {
    String[] a = before.split("\n");
    String[] b = after.split("\n");
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (!a[i].equals(b[i])) {
        int at = 0;
        while (at < Math.min(a[i].length(), b[i].length()) && a[i].charAt(at) == b[i].charAt(at)) {
          at++;
        }
        int from = Math.max(0, at - 80);
        return a[i].substring(from, Math.min(a[i].length(), at + 80))
            + "\n    became: "
            + b[i].substring(from, Math.min(b[i].length(), at + 80));
      }
    }
    return "(a different number of lines)";
  }

  static String fingerprint(Fixture f) {
    long startedAt = System.nanoTime();
    StringBuilder out = new StringBuilder();
    String c = "'cluster':'" + f.cluster + "'";
    List<String[]> ecsReads =
        List.of(
            new String[] {
              "DescribeClusters", "{'clusters':['" + f.cluster + "'],'include':['TAGS','SETTINGS']}"
            },
            new String[] {"ListClusters", "{}"},
            new String[] {
              "DescribeServices", "{" + c + ",'services':['" + f.service + "'],'include':['TAGS']}"
            },
            new String[] {"ListServices", "{" + c + "}"},
            new String[] {
              "DescribeTaskDefinition",
              "{'taskDefinition':'" + f.taskDefinitionArn + "','include':['TAGS']}"
            },
            new String[] {"ListTaskDefinitions", "{}"},
            new String[] {
              "DescribeContainerInstances",
              "{" + c + ",'containerInstances':['" + f.instanceArn + "'],'include':['TAGS']}"
            },
            new String[] {"ListTasks", "{" + c + "}"},
            new String[] {
              "DescribeTasks", "{" + c + ",'tasks':['" + f.taskArn + "'],'include':['TAGS']}"
            },
            new String[] {"ListAttributes", "{" + c + ",'targetType':'container-instance'}"},
            new String[] {"ListAccountSettings", "{}"});
    for (String[] read : ecsReads) {
      RawClient.Reply reply =
          raw.post(
              ECS_PREFIX + read[0],
              ECS_TYPE,
              "ecs",
              json(read[1]).toString().getBytes(StandardCharsets.UTF_8));
      out.append(read[0])
          .append(' ')
          .append(reply.status())
          .append(' ')
          .append(reply.body().replaceAll("\"agentConnected\":(true|false),?", ""))
          .append('\n');
    }
    List<String[]> elbReads =
        List.of(
            new String[] {"DescribeLoadBalancers", "{}"},
            new String[] {"DescribeTargetGroups", "{}"},
            new String[] {"DescribeListeners", "{'LoadBalancerArn':'" + f.loadBalancerArn + "'}"},
            new String[] {"DescribeRules", "{'ListenerArn':'" + f.listenerArn + "'}"},
            new String[] {
              "DescribeTags",
              "{'ResourceArns':['" + f.loadBalancerArn + "','" + f.targetGroupArn + "']}"
            },
            new String[] {
              "DescribeTargetGroupAttributes", "{'TargetGroupArn':'" + f.targetGroupArn + "'}"
            });
    for (String[] read : elbReads) {
      String body = elbRaw(read[0], read[1]).body();
      out.append(read[0])
          .append(' ')
          .append(body.replaceAll("<RequestId>[^<]*</RequestId>", ""))
          .append('\n');
    }
    fingerprintNanos += System.nanoTime() - startedAt;
    return out.toString();
  }

  // ---- plumbing -------------------------------------------------------------------------------

  static RawClient.Reply send(Case c) {
    return c.elb
        ? raw.post(null, FORM_TYPE, "elasticloadbalancing", c.body)
        : raw.post(ECS_PREFIX + c.operation, ECS_TYPE, "ecs", c.body);
  }

  static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode)
          ModelFuzzer.JSON.readTree(
              singleQuoted.replace("\\'", "\u0001").replace('\'', '"').replace("\u0001", "\\\""));
    } catch (IOException e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }

  static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A fixture request to ECS that must succeed. */
  static JsonNode ecs(String operation, String singleQuoted) {
    RawClient.Reply reply =
        raw.post(ECS_PREFIX + operation, ECS_TYPE, "ecs", bytes(json(singleQuoted)));
    assertThat(reply.status()).as(operation + ": " + reply.body()).isEqualTo(200);
    try {
      return ModelFuzzer.JSON.readTree(reply.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static RawClient.Reply elbRaw(String operation, String singleQuoted) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Action", operation);
    params.put("Version", elbModel.apiVersion);
    params.putAll(elbModel.form(elbModel.inputShape(operation), json(singleQuoted)));
    return raw.post(
        null,
        FORM_TYPE,
        "elasticloadbalancing",
        ModelFuzzer.encode(params).getBytes(StandardCharsets.UTF_8));
  }

  /** A fixture request to ELB that must succeed. */
  static String elb(String operation, String singleQuoted) {
    RawClient.Reply reply = elbRaw(operation, singleQuoted);
    assertThat(reply.status()).as(operation + ": " + reply.body()).isEqualTo(200);
    return reply.body();
  }

  static String arn(String xml, String element) {
    Matcher m = Pattern.compile("<" + element + ">([^<]+)</" + element + ">").matcher(xml);
    assertThat(m.find()).as(element + " in " + xml).isTrue();
    return m.group(1);
  }
}
