package io.wharf.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConfigRendererTest {
  static final ConfigRenderer.Globals GLOBALS =
      new ConfigRenderer.Globals(
          Path.of("/run/w/admin.sock"), Path.of("/run/w/servers.state"), Duration.ofMinutes(2));

  static final ProxyConfig.HealthCheck CHECK =
      new ProxyConfig.HealthCheck(
          "/health",
          0,
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          5,
          2,
          ConfigRenderer.statusRegex(List.of(200)));

  static final ProxyConfig.Server A = new ProxyConfig.Server("127.0.0.2", 9000, false);
  static final ProxyConfig.Server B = new ProxyConfig.Server("127.0.0.3", 9000, true);

  static final Map<String, Slots> SLOTS = Map.of("tg-web", new Slots(16, Map.of(1, A, 3, B)));

  static ProxyConfig sample() {
    return new ProxyConfig(
        List.of(
            new ProxyConfig.Frontend(
                "l-1",
                "127.0.1.1",
                8080,
                List.of(
                    new ProxyConfig.Route(
                        "r-1",
                        "tg-api",
                        List.of(
                            new ProxyConfig.Match(ProxyConfig.Field.PATH, List.of("/api/*")),
                            new ProxyConfig.Match(
                                ProxyConfig.Field.HOST, List.of("*.example.com", "example.com"))))),
                "tg-web")),
        List.of(
            ProxyConfig.Backend.pool(
                "tg-web", ProxyConfig.Balance.ROUND_ROBIN, CHECK, List.of(A, B)),
            ProxyConfig.Backend.pool(
                "tg-api", ProxyConfig.Balance.LEAST_CONNECTIONS, null, List.of()),
            ProxyConfig.Backend.fixed(
                "fr-1", new ProxyConfig.FixedResponse(404, "text/plain", "no \"such\" $page"))));
  }

  @Test
  void aListenerBecomesAFrontendWithItsRulesInOrder() {
    String cfg = ConfigRenderer.render(sample(), SLOTS, GLOBALS);
    assertThat(cfg)
        .contains("frontend l-1\n  bind 127.0.1.1:8080\n")
        .contains("  acl r-1-1 path -m reg \"^/api/.*\\$\"\n")
        .contains(
            "  acl r-1-2 req.hdr(host),field(1,:) -m reg -i \"^.*[.]example[.]com\\$\""
                + " \"^example[.]com\\$\"\n")
        .contains("  use_backend tg-api if r-1-1 r-1-2\n  default_backend tg-web\n");
  }

  @Test
  void aTargetGroupBecomesABackendWithItsHealthCheck() {
    String cfg = ConfigRenderer.render(sample(), SLOTS, GLOBALS);
    assertThat(cfg)
        .contains("backend tg-web\n  balance roundrobin\n  option httpchk\n")
        .contains("http-check send meth GET uri /health ver HTTP/1.1")
        .contains("  http-check expect rstatus \"^(200)\\$\"\n")
        .contains("  timeout check 5000ms\n")
        .contains("  server s1 127.0.0.2:9000 check inter 30000ms rise 5 fall 2\n")
        .contains("  server s2 127.0.0.1:1 disabled check inter 30000ms rise 5 fall 2\n")
        .contains("  server s16 127.0.0.1:1 disabled check inter 30000ms rise 5 fall 2\n")
        .contains("backend tg-api\n  balance leastconn\n")
        .contains("stats socket \"/run/w/admin.sock\" mode 600 level admin expose-fd listeners")
        .contains("load-server-state-from-file global");
    // A draining server keeps its slot (the state file keeps it drained in the next worker).
    assertThat(cfg).contains("  server s3 127.0.0.3:9000 check inter");
    assertThat(cfg).doesNotContain("server s17 ");
    // No check: no check lines, and free slots without check arguments.
    String api = cfg.substring(cfg.indexOf("\nbackend tg-api"), cfg.indexOf("\nbackend fr-1"));
    assertThat(api).doesNotContain("httpchk").contains("  server s1 127.0.0.1:1 disabled\n");
  }

  @Test
  void aFixedResponseIsABackendThatAnswersItself() {
    assertThat(ConfigRenderer.render(sample(), SLOTS, GLOBALS))
        .contains(
            "backend fr-1\n  http-request return status 404 content-type \"text/plain\""
                + " string \"no \\\"such\\\" \\$page\"\n");
  }

  @Test
  void theStructureLeavesServersOut() {
    ProxyConfig a = sample();
    ProxyConfig b =
        new ProxyConfig(
            a.frontends(), a.backends().stream().map(x -> x.withServers(List.of())).toList());
    assertThat(a).isNotEqualTo(b);
    assertThat(a.structure()).isEqualTo(b.structure());
  }

  @Test
  void globsBecomeAnchoredRegularExpressions() {
    assertThat(ConfigRenderer.globRegex("/img/*.png")).isEqualTo("^/img/.*[.]png$");
    assertThat(ConfigRenderer.globRegex("/a?c")).isEqualTo("^/a.c$");
    assertThat(ConfigRenderer.globRegex("/x+(y)$")).isEqualTo("^/x[+][(]y[)][$]$");
    Pattern p = Pattern.compile(ConfigRenderer.globRegex("/api/*/v?"));
    assertThat(p.matcher("/api/users/v1").matches()).isTrue();
    assertThat(p.matcher("/api/users/v12").matches()).isFalse();
    assertThat(p.matcher("/API/users/v1").matches()).isFalse();
  }

  @Test
  void statusCodesBecomeACompactExpression() {
    assertThat(ConfigRenderer.statusRegex(List.of(200))).isEqualTo("^(200)$");
    assertThat(ConfigRenderer.statusRegex(List.of(200, 202))).isEqualTo("^(200|202)$");
    assertThat(ConfigRenderer.statusRegex(IntStream.rangeClosed(200, 299).boxed().toList()))
        .isEqualTo("^(2[0-9][0-9])$");
    List<Integer> mixed =
        IntStream.concat(IntStream.rangeClosed(200, 219), IntStream.of(302)).boxed().toList();
    String regex = ConfigRenderer.statusRegex(mixed);
    assertThat(regex).isEqualTo("^(20[0-9]|21[0-9]|302)$");
    for (int code = 100; code < 600; code++) {
      assertThat(Pattern.matches(regex, String.valueOf(code)))
          .as("%d", code)
          .isEqualTo(mixed.contains(code));
    }
    assertThatThrownBy(() -> ConfigRenderer.statusRegex(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesAreCheckedAsHaproxyIdentifiers() {
    assertThatThrownBy(() -> new ProxyConfig.Server("a b", 80, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProxyConfig.Frontend("l 1", "127.0.0.1", 80, List.of(), "b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfigRenderer.quote("two\nlines"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static final String DUMP =
      "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight"
          + " srv_iweight srv_time_since_last_change srv_check_status srv_check_result"
          + " srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id"
          + " srv_fqdn srv_port srvrecord\n"
          + "3 tg-web 1 s1 127.0.0.2 2 4 1 1 6 15 3 4 6 0 0 0 - 9000 -\n"
          + "3 tg-web 2 s2 127.0.0.1 0 5 1 1 9 1 0 0 14 0 0 0 - 1 -\n"
          + "3 tg-web 3 s3 127.0.0.3 2 12 1 1 6 15 3 4 6 0 0 0 - 9000 -\n"
          + "3 tg-web 4 s4 127.0.0.9 2 4 1 1 6 15 3 4 6 0 0 0 - 9000 -\n";

  @Test
  void slotsAreReadFromTheStateDump() {
    assertThat(RuntimeApi.slots(DUMP))
        .extracting(
            RuntimeApi.SlotState::key,
            RuntimeApi.SlotState::occupied,
            RuntimeApi.SlotState::draining)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("127.0.0.2:9000", true, false),
            org.assertj.core.groups.Tuple.tuple("127.0.0.1:1", false, false),
            org.assertj.core.groups.Tuple.tuple("127.0.0.3:9000", true, true),
            org.assertj.core.groups.Tuple.tuple("127.0.0.9:9000", true, false));
  }

  @Test
  void aReloadKeepsTheSlotsOfWantedServersAndTheirStatesOnly() {
    ProxyConfig.Server added = new ProxyConfig.Server("127.0.0.4", 9000, false);
    ProxyConfig target =
        new ProxyConfig(
            List.of(),
            List.of(
                ProxyConfig.Backend.pool(
                    "tg-web", ProxyConfig.Balance.ROUND_ROBIN, null, List.of(A, B, added))));
    Map<String, Slots> slots = Haproxy.slotsFor(target, DUMP, Map.of("tg-web", 32));
    // 127.0.0.9 is no longer wanted: its slot is free; the new server gets a slot at runtime.
    assertThat(slots.get("tg-web")).isEqualTo(new Slots(32, Map.of(1, A, 3, B)));
    String kept = Haproxy.keptStates(DUMP, slots);
    assertThat(kept.lines().filter(l -> !l.startsWith("#") && !l.equals("1")).toList())
        .containsExactly(
            "3 tg-web 1 s1 127.0.0.2 2 0 1 1 6 15 3 4 6 0 0 0 - 9000 -",
            "3 tg-web 3 s3 127.0.0.3 2 8 1 1 6 15 3 4 6 0 0 0 - 9000 -");
    assertThat(Haproxy.slotsFor(target, "", Map.of()).get("tg-web").capacity()).isEqualTo(16);
    assertThat(Slots.capacityFor(17)).isEqualTo(32);
  }
}
