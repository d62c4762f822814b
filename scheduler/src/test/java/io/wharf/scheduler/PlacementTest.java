package io.wharf.scheduler;

import static io.wharf.scheduler.Fixtures.demand;
import static io.wharf.scheduler.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlacementTest {
  static Result place(Demand demand, int count, InstanceView... instances) {
    return place(demand, count, 1, instances);
  }

  static Result place(Demand demand, int count, long seed, InstanceView... instances) {
    return Placement.place(demand, count, List.of(instances), new SplittableRandom(seed));
  }

  static Map<String, Integer> tally(List<String> placements) {
    Map<String, Integer> counts = new HashMap<>();
    placements.forEach(p -> counts.merge(p, 1, Integer::sum));
    return counts;
  }

  @Nested
  class Filters {
    @Test
    void onlyActiveInstancesTakeTasks() {
      var result =
          place(
              demand(256, 256),
              3,
              instance("draining").status("DRAINING").build(),
              instance("active").build(),
              instance("inactive").status("INACTIVE").build());
      assertThat(result.placements()).containsExactly("active", "active", "active");
    }

    @Test
    void withNoActiveInstanceEveryTaskFailsWithoutAnInstance() {
      var result = place(demand(256, 256), 2, instance("draining").status("DRAINING").build());
      assertThat(result.placements()).isEmpty();
      assertThat(result.failures())
          .containsExactly(
              new Failure(null, Failure.NO_CONTAINER_INSTANCES),
              new Failure(null, Failure.NO_CONTAINER_INSTANCES));
    }

    @Test
    void noInstancesAtAll() {
      var result = Placement.place(demand(1, 1), 1, List.of(), new SplittableRandom(1));
      assertThat(result.failures())
          .containsExactly(new Failure(null, Failure.NO_CONTAINER_INSTANCES));
    }

    @Test
    void aDisconnectedAgentGetsNothingAndIsReportedAsAgent() {
      InstanceView lost = instance("lost").disconnected().build();
      assertThat(place(demand(256, 256), 2, lost, instance("ok").build()).placements())
          .containsExactly("ok", "ok");
      assertThat(place(demand(256, 256), 1, lost).failures())
          .containsExactly(new Failure("lost", Failure.AGENT));
    }

    @Test
    void requiredAttributesMustExistValuedOrNot() {
      Demand needsEni =
          demand(256, 256)
              .withRequiredAttributes(
                  List.of(
                      "ecs.capability.task-eni",
                      "com.amazonaws.ecs.capability.logging-driver.awslogs"));
      InstanceView capable =
          instance("capable")
              .attribute("ecs.capability.task-eni", null)
              .attribute("com.amazonaws.ecs.capability.logging-driver.awslogs", null)
              .build();
      InstanceView partly = instance("partly").attribute("ecs.capability.task-eni", null).build();
      assertThat(place(needsEni, 2, partly, capable).placements())
          .containsExactly("capable", "capable");
      assertThat(place(needsEni, 1, partly).failures())
          .containsExactly(new Failure("partly", Failure.ATTRIBUTE));
    }

    @Test
    void memberOfKeepsTasksOnMatchingInstances() {
      Demand onG2 =
          demand(256, 256)
              .withConstraints(List.of(Constraint.memberOf("attribute:ecs.instance-type =~ g2.*")));
      var result =
          place(
              onG2,
              4,
              instance("t2").attribute("ecs.instance-type", "t2.small").build(),
              instance("g2").attribute("ecs.instance-type", "g2.2xlarge").build(),
              instance("none").build());
      assertThat(result.placements()).containsOnly("g2").hasSize(4);
    }

    @Test
    void memberOfUnsatisfiedIsReportedInEcsWords() {
      Demand onG2 =
          demand(256, 256)
              .withConstraints(List.of(Constraint.memberOf("attribute:ecs.instance-type =~ g2.*")));
      var result =
          place(onG2, 1, instance("t2").attribute("ecs.instance-type", "t2.small").build());
      assertThat(result.failures())
          .containsExactly(new Failure("t2", "MemberOf placement constraint unsatisfied."));
    }

    @Test
    void everyConstraintMustHold() {
      Demand both =
          demand(256, 256)
              .withConstraints(
                  List.of(
                      Constraint.memberOf("attribute:ecs.availability-zone == us-east-1a"),
                      Constraint.memberOf("attribute:ecs.instance-type == m5.large")));
      var result =
          place(
              both,
              2,
              instance("a-t2").az("us-east-1a").attribute("ecs.instance-type", "t2.small").build(),
              instance("b-m5").az("us-east-1b").attribute("ecs.instance-type", "m5.large").build(),
              instance("a-m5").az("us-east-1a").attribute("ecs.instance-type", "m5.large").build());
      assertThat(result.placements()).containsExactly("a-m5", "a-m5");
    }
  }

  @Nested
  class DistinctInstance {
    final Demand distinct =
        demand(256, 256).withConstraints(List.of(Constraint.distinctInstance()));

    @Test
    void withinOneCallEachTaskGetsItsOwnInstance() {
      var result =
          place(distinct, 5, instance("a").build(), instance("b").build(), instance("c").build());
      assertThat(result.placements()).containsExactlyInAnyOrder("a", "b", "c");
      assertThat(result.failures())
          .hasSize(2)
          .extracting(Failure::reason)
          .containsOnly("DistinctInstance placement constraint unsatisfied.");
    }

    @Test
    void countsTasksAlreadyThere() {
      var result =
          place(
              distinct,
              2,
              instance("busy").tasks("family:web", 1).build(),
              instance("other-group").tasks("family:api", 3).build(),
              instance("stale").tasks("family:web", 0).build());
      assertThat(result.placements()).containsExactlyInAnyOrder("other-group", "stale");
    }

    @Test
    void antiAffinityByQueryWorksLikeItWithinOneCall() {
      Demand notTwice =
          demand(256, 256)
              .withConstraints(List.of(Constraint.memberOf("not(task:group == family:web)")));
      var result = place(notTwice, 3, instance("a").build(), instance("b").build());
      assertThat(result.placements()).containsExactlyInAnyOrder("a", "b");
      assertThat(result.failures()).extracting(Failure::reason).containsExactly(Failure.MEMBER_OF);
    }

    @Test
    void affinityByQueryFollowsTheGroup() {
      Demand nextToDatabase =
          demand(256, 256)
              .withConstraints(List.of(Constraint.memberOf("task:group == service:database")));
      var result =
          place(
              nextToDatabase,
              3,
              instance("plain").build(),
              instance("db").tasks("service:database", 1).build());
      assertThat(result.placements()).containsExactly("db", "db", "db");
    }
  }

  @Nested
  class Resources {
    @Test
    void cpuMemoryAndTasksPlacedEarlierInTheCall() {
      var result =
          place(
              demand(1024, 1024).withStrategies(List.of(Strategy.binpack("memory"))),
              4,
              instance("small").resources(2048, 2048).build(),
              instance("big").resources(4096, 3072).build());
      // binpack: small (least memory) until it is full, then big; each task uses up its share.
      assertThat(result.placements()).containsExactly("small", "small", "big", "big");
      assertThat(result.failures()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp:80", "udp:53"})
    void aFixedHostPortGoesOncePerInstance(String port) {
      var result =
          place(
              demand(0, 0).withFixedPorts(List.of(port)),
              3,
              instance("a").build(),
              instance("b").port(port).build(),
              instance("c").build());
      assertThat(result.placements()).containsExactlyInAnyOrder("a", "c");
      assertThat(result.failures()).extracting(Failure::reason).containsExactly("RESOURCE:PORTS");
    }

    @Test
    void tcpAndUdpPortsAreDistinct() {
      var result =
          place(
              demand(0, 0).withFixedPorts(List.of("tcp:53")),
              1,
              instance("a").port("udp:53").build());
      assertThat(result.placements()).containsExactly("a");
    }

    @Test
    void eachResourceHasItsReason() {
      assertThat(
              place(demand(512, 256), 1, instance("cpu").resources(256, 4096).build()).failures())
          .containsExactly(new Failure("cpu", "RESOURCE:CPU"));
      assertThat(
              place(demand(512, 256), 1, instance("mem").resources(4096, 128).build()).failures())
          .containsExactly(new Failure("mem", "RESOURCE:MEMORY"));
      assertThat(
              place(demand(512, 256).withFixedPorts(List.of("tcp:22")), 1, instance("port").build())
                  .failures())
          .containsExactly(new Failure("port", "RESOURCE:PORTS"));
    }

    @Test
    void anOversubscribedInstanceTakesNothing() {
      assertThat(place(demand(0, 0), 1, instance("over").resources(-1, 100).build()).failures())
          .containsExactly(new Failure("over", Failure.RESOURCE_CPU));
    }
  }

  @Nested
  class Failures {
    @Test
    void theClosestInstanceIsTheOneThatGotFurthest() {
      Demand demand =
          demand(1024, 1024)
              .withRequiredAttributes(List.of("needed"))
              .withConstraints(List.of(Constraint.memberOf("attribute:zone == a")))
              .withFixedPorts(List.of("tcp:80"));
      InstanceView agent = instance("agent").disconnected().memory(99_999).build();
      InstanceView attribute = instance("attribute").memory(99_999).build();
      InstanceView memberOf = instance("memberOf").attribute("needed", null).memory(99_999).build();
      InstanceView cpu =
          instance("cpu")
              .attribute("needed", "x")
              .attribute("zone", "a")
              .resources(10, 99_999)
              .build();
      InstanceView memory =
          instance("memory").attribute("needed", "x").attribute("zone", "a").memory(10).build();
      InstanceView ports =
          instance("ports").attribute("needed", "x").attribute("zone", "a").port("tcp:80").build();
      List<InstanceView> all =
          new ArrayList<>(List.of(agent, attribute, memberOf, cpu, memory, ports));
      String[] expected = {"ports", "memory", "cpu", "memberOf", "attribute", "agent"};
      String[] reasons = {
        "RESOURCE:PORTS", "RESOURCE:MEMORY", "RESOURCE:CPU", Failure.MEMBER_OF, "ATTRIBUTE", "AGENT"
      };
      for (int k = 0; k < expected.length; k++) {
        Collections.shuffle(all, new java.util.Random(k));
        var result = Placement.place(demand, 1, all, new SplittableRandom(k));
        assertThat(result.failures())
            .as("with %s", all.stream().map(InstanceView::arn).toList())
            .containsExactly(new Failure(expected[k], reasons[k]));
        String gone = expected[k];
        all.removeIf(i -> i.arn().equals(gone));
      }
    }

    @Test
    void amongEquallyCloseInstancesTheOneWithMostMemoryLeft() {
      var result =
          place(
              demand(8192, 256),
              1,
              instance("less").resources(1024, 2048).build(),
              instance("more").resources(1024, 4096).build(),
              instance("most-but-draining").status("DRAINING").resources(1, 1 << 20).build(),
              instance("also-less").resources(1024, 2048).build());
      assertThat(result.failures()).containsExactly(new Failure("more", "RESOURCE:CPU"));
    }

    @Test
    void atEqualMemoryTheFirstGiven() {
      var result =
          place(demand(8192, 256), 1, instance("first").build(), instance("second").build());
      assertThat(result.failures()).containsExactly(new Failure("first", "RESOURCE:CPU"));
    }

    @Test
    void oneFailurePerTaskLeftAndTheClosestReflectsTheTasksPlaced() {
      var result =
          place(
              demand(1024, 1024),
              5,
              instance("a").resources(2048, 8192).build(),
              instance("b").resources(8192, 1024).build());
      assertThat(result.placements()).hasSize(3);
      // Afterwards a lacks CPU and b lacks memory; memory is checked after CPU, so b got further.
      assertThat(result.failures())
          .containsExactly(
              new Failure("b", "RESOURCE:MEMORY"), new Failure("b", "RESOURCE:MEMORY"));
    }

    @Test
    void countZeroPlacesNothing() {
      assertThat(place(demand(1, 1), 0, instance("a").build()))
          .isEqualTo(new Result(List.of(), List.of()));
    }
  }

  @Nested
  class Strategies {
    @Test
    void binpackMemoryPrefersTheLeastMemoryLeft() {
      var result =
          place(
              demand(256, 1024).withStrategies(List.of(Strategy.binpack("memory"))),
              4,
              instance("roomy").memory(8192).build(),
              instance("tight").memory(2048).build(),
              instance("middle").memory(4096).build());
      assertThat(result.placements()).containsExactly("tight", "tight", "middle", "middle");
    }

    @Test
    void binpackCpuPrefersTheLeastCpuLeft() {
      var result =
          place(
              demand(1024, 256).withStrategies(List.of(Strategy.binpack("cpu"))),
              3,
              instance("four").cpu(4096).memory(256).build(),
              instance("two").cpu(2048).build(),
              instance("eight").cpu(8192).build());
      // two (least CPU) until it is full, then four, the least CPU of the rest.
      assertThat(result.placements()).containsExactly("two", "two", "four");
    }

    @ParameterizedTest
    @ValueSource(strings = {"instanceId", "host"})
    void spreadOnInstancesPrefersTheFewestTasksOfTheGroup(String field) {
      var result =
          place(
              demand(256, 256).withStrategies(List.of(Strategy.spread(field))),
              4,
              instance("two").tasks("family:web", 2).build(),
              instance("none").tasks("family:api", 5).build(),
              instance("one").tasks("family:web", 1).build());
      // none (0 of the group) first; then none and one (1 each) before two (2); then all tie.
      assertThat(result.placements().subList(0, 3))
          .containsExactlyInAnyOrder("none", "none", "one");
      assertThat(result.placements().getFirst()).isEqualTo("none");
      assertThat(result.placements()).hasSize(4);
    }

    @Test
    void spreadOnAnAttributeBalancesTheValuesNotTheInstances() {
      var result =
          place(
              demand(256, 256)
                  .withStrategies(List.of(Strategy.spread("attribute:ecs.availability-zone"))),
              6,
              instance("a1").az("a").build(),
              instance("a2").az("a").build(),
              instance("a3").az("a").build(),
              instance("b1").az("b").tasks("family:web", 1).build(),
              instance("c1").az("c").build());
      // Zone b starts with one task of the group; 6 more make 7: two zones end with 2, one with 3,
      // however many instances each zone has.
      Map<String, Integer> perZone = new HashMap<>(Map.of("b", 1));
      result.placements().forEach(arn -> perZone.merge(arn.substring(0, 1), 1, Integer::sum));
      assertThat(perZone.values()).containsExactlyInAnyOrder(2, 2, 3);
      assertThat(result.placements().getFirst()).isNotEqualTo("b1");
    }

    @Test
    void instancesWithoutTheAttributeShareOneBucket() {
      var result =
          place(
              demand(256, 256).withStrategies(List.of(Strategy.spread("attribute:rack"))),
              4,
              instance("r1").attribute("rack", "1").build(),
              instance("x").build(),
              instance("y").build());
      Map<String, Integer> counts = tally(result.placements());
      assertThat(counts.getOrDefault("x", 0) + counts.getOrDefault("y", 0)).isEqualTo(2);
      assertThat(counts).containsEntry("r1", 2);
    }

    @Test
    void laterStrategiesOnlyBreakTies() {
      InstanceView aRoomy = instance("a-roomy").az("a").memory(8192).build();
      InstanceView aTight = instance("a-tight").az("a").memory(2048).build();
      InstanceView bTight =
          instance("b-tightest").az("b").memory(1024).tasks("family:web", 1).build();
      Demand demand = demand(128, 128);
      // Spread first: zone a has no task of the group, so a; within a, binpack picks the tight one.
      assertThat(
              place(
                      demand.withStrategies(
                          List.of(
                              Strategy.spread("attribute:ecs.availability-zone"),
                              Strategy.binpack("memory"))),
                      1,
                      aRoomy,
                      aTight,
                      bTight)
                  .placements())
          .containsExactly("a-tight");
      // Binpack first: the tightest instance anywhere, whatever the zones.
      assertThat(
              place(
                      demand.withStrategies(
                          List.of(
                              Strategy.binpack("memory"),
                              Strategy.spread("attribute:ecs.availability-zone"))),
                      1,
                      aRoomy,
                      aTight,
                      bTight)
                  .placements())
          .containsExactly("b-tightest");
    }

    @Test
    void spreadAcrossZonesThenAcrossInstancesWithinEach() {
      var result =
          place(
              demand(128, 128)
                  .withStrategies(
                      List.of(
                          Strategy.spread("attribute:ecs.availability-zone"),
                          Strategy.spread("instanceId"))),
              6,
              instance("a1").az("a").build(),
              instance("a2").az("a").build(),
              instance("a3").az("a").build(),
              instance("b1").az("b").build());
      assertThat(tally(result.placements()))
          .containsEntry("b1", 3)
          .containsEntry("a1", 1)
          .containsEntry("a2", 1)
          .containsEntry("a3", 1);
    }

    @Test
    void strategiesYieldToFilters() {
      // binpack would love "tiny", but it does not fit.
      var result =
          place(
              demand(1024, 1024).withStrategies(List.of(Strategy.binpack("memory"))),
              1,
              instance("tiny").memory(512).build(),
              instance("fits").memory(4096).build());
      assertThat(result.placements()).containsExactly("fits");
    }

    @Test
    void tiesAreBrokenByTheGeneratorAndEveryTiedInstanceCanWin() {
      Demand binpack = demand(128, 128).withStrategies(List.of(Strategy.binpack("memory")));
      InstanceView[] instances = {
        instance("a").memory(2048).build(),
        instance("b").memory(2048).build(),
        instance("c").memory(2048).build(),
        instance("roomy").memory(9999).build()
      };
      Set<String> winners = new HashSet<>();
      for (long seed = 0; seed < 60; seed++) {
        winners.add(place(binpack, 1, seed, instances).placements().getFirst());
      }
      assertThat(winners).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void withoutStrategiesTasksGoAtRandomAsRunTaskDoes() {
      InstanceView[] instances = new InstanceView[5];
      for (int i = 0; i < instances.length; i++) {
        instances[i] = instance("i" + i).memory(1024L * (i + 1)).build();
      }
      Map<String, Integer> firsts = new HashMap<>();
      for (long seed = 0; seed < 1000; seed++) {
        firsts.merge(
            place(demand(1, 1), 1, seed, instances).placements().getFirst(), 1, Integer::sum);
      }
      // Uniform: 200 each expected; these bounds are about 5 standard deviations wide.
      assertThat(firsts).hasSize(5);
      assertThat(firsts.values()).allSatisfy(n -> assertThat(n).isBetween(140, 260));
    }

    @Test
    void randomMakesLaterStrategiesMoot() {
      Demand randomFirst =
          demand(1, 1).withStrategies(List.of(Strategy.random(), Strategy.binpack("memory")));
      Set<String> winners = new HashSet<>();
      for (long seed = 0; seed < 40; seed++) {
        winners.add(
            place(
                    randomFirst,
                    1,
                    seed,
                    instance("tight").memory(100).build(),
                    instance("roomy").memory(9000).build())
                .placements()
                .getFirst());
      }
      assertThat(winners).containsExactlyInAnyOrder("tight", "roomy");
    }

    @Test
    void theSameSeedGivesTheSamePlacements() {
      List<InstanceView> cluster = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        cluster.add(instance("i" + i).az("z" + (i % 3)).tasks("family:web", i % 4).build());
      }
      for (List<Strategy> strategies :
          List.of(
              List.<Strategy>of(),
              List.of(Strategy.spread("attribute:ecs.availability-zone")),
              List.of(Strategy.spread("instanceId"), Strategy.random()))) {
        Demand d = demand(128, 128).withStrategies(strategies);
        for (long seed = 0; seed < 20; seed++) {
          var once = Placement.place(d, 10, cluster, new SplittableRandom(seed));
          var again = Placement.place(d, 10, cluster, new SplittableRandom(seed));
          assertThat(again).as("seed %d, %s", seed, strategies).isEqualTo(once);
        }
      }
    }
  }

  @Nested
  class Validation {
    @Test
    void atMostTenConstraintsAndFiveStrategies() {
      List<Constraint> ten = Collections.nCopies(10, Constraint.memberOf("agentConnected == true"));
      List<Strategy> five = Collections.nCopies(5, Strategy.spread("instanceId"));
      Placement.validate(ten, five);
      List<Constraint> eleven = new ArrayList<>(ten);
      eleven.add(Constraint.distinctInstance());
      assertThatThrownBy(() -> Placement.validate(eleven, five))
          .isInstanceOf(PlacementException.class)
          .hasMessageContaining("Too many placement constraints: 11")
          .hasMessageContaining("at most 10");
      List<Strategy> six = new ArrayList<>(five);
      six.add(Strategy.random());
      assertThatThrownBy(() -> Placement.validate(ten, six))
          .isInstanceOf(PlacementException.class)
          .hasMessageContaining("Too many placement strategies: 6")
          .hasMessageContaining("at most 5");
    }

    @Test
    void memberOfExpressionsMustParse() {
      assertThatThrownBy(
              () ->
                  Placement.validate(
                      List.of(Constraint.memberOf("attribute:stack == prod and")), List.of()))
          .isInstanceOf(QuerySyntaxException.class)
          .hasMessageContaining("at character 28");
    }

    @Test
    void placeValidatesBeforePlacingAnything() {
      Demand bad =
          demand(1, 1).withConstraints(List.of(Constraint.memberOf("runningTasksCount =~ 1")));
      assertThatThrownBy(() -> place(bad, 1, instance("a").build()))
          .isInstanceOf(PlacementException.class)
          .hasMessageContaining("not valid for runningTasksCount");
    }

    @Test
    void constraintShapes() {
      assertThatThrownBy(() -> new Constraint("distinctInstance", ""))
          .isInstanceOf(PlacementException.class)
          .hasMessage("distinctInstance expression should not be specified.");
      assertThatThrownBy(() -> new Constraint("memberOf", null))
          .isInstanceOf(PlacementException.class)
          .hasMessageContaining("requires an expression");
      assertThatThrownBy(() -> new Constraint("memberOf", " "))
          .isInstanceOf(PlacementException.class);
      assertThatThrownBy(() -> new Constraint("memberOf", "x".repeat(2001)))
          .isInstanceOf(PlacementException.class)
          .hasMessageContaining("at most 2000 characters");
      assertThatThrownBy(() -> new Constraint("sameInstance", null))
          .isInstanceOf(PlacementException.class)
          .hasMessageContaining("Unknown placement constraint type 'sameInstance'");
      assertThatThrownBy(() -> new Constraint(null, null)).isInstanceOf(PlacementException.class);
    }

    @Test
    void strategyShapes() {
      assertThat(new Strategy("random", "ignored").field()).isEqualTo("ignored");
      assertThat(Strategy.spread("attribute:ecs.availability-zone").type()).isEqualTo("spread");
      for (String[] bad :
          new String[][] {
            {"binpack", null},
            {"binpack", "disk"},
            {"binpack", "CPU"},
            {"spread", null},
            {"spread", "attribute:"},
            {"spread", "attribute:a b"},
            {"spread", "availabilityZone"},
            {"pack", "cpu"},
            {null, "cpu"}
          }) {
        assertThatThrownBy(() -> new Strategy(bad[0], bad[1]))
            .as("%s(%s)", bad[0], bad[1])
            .isInstanceOf(PlacementException.class);
      }
      assertThatThrownBy(() -> Strategy.binpack("disk"))
          .hasMessage("binpack placement strategy field must be cpu or memory, not 'disk'.");
      assertThatThrownBy(() -> Strategy.spread("zone"))
          .hasMessageContaining("must be instanceId, host or attribute:<name>");
      assertThatThrownBy(() -> new Strategy("pack", null))
          .hasMessageContaining("valid types are binpack, random and spread");
    }

    @Test
    void recordsCheckTheirInputs() {
      assertThatThrownBy(() -> Demand.of(-1, 1, "g")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Demand.of(1, 1, " ")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> demand(1, 1).withFixedPorts(List.of("80")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> demand(1, 1).withFixedPorts(List.of("tcp:65536")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(demand(1, 1).withFixedPorts(List.of("tcp:65535", "udp:1")).fixedPorts())
          .hasSize(2);
      assertThatThrownBy(() -> instance("").build()).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> instance("a").tasks("g", -1).build())
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> Placement.place(demand(1, 1), -1, List.of(), new SplittableRandom(1)))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void instanceViewsAreImmutableCopiesKeepingValuelessAttributes() {
      Map<String, String> attributes = new HashMap<>();
      attributes.put("ecs.capability.task-eni", null);
      InstanceView view =
          new InstanceView(
              "arn",
              null,
              "ACTIVE",
              true,
              null,
              Fixtures.REGISTERED,
              attributes,
              1,
              1,
              Set.of(),
              0,
              Map.of());
      attributes.put("later", "x");
      assertThat(view.attributes()).containsOnlyKeys("ecs.capability.task-eni");
      assertThatThrownBy(() -> view.attributes().put("x", "y"))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }
}
