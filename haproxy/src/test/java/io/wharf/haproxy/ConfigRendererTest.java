package io.wharf.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
                "tg-web",
                ProxyConfig.Balance.ROUND_ROBIN,
                CHECK,
                List.of(
                    new ProxyConfig.Server("a", "127.0.0.2", 9000, false),
                    new ProxyConfig.Server("b", "127.0.0.3", 9000, true))),
            ProxyConfig.Backend.pool(
                "tg-api", ProxyConfig.Balance.LEAST_CONNECTIONS, null, List.of()),
            ProxyConfig.Backend.fixed(
                "fr-1", new ProxyConfig.FixedResponse(404, "text/plain", "no \"such\" $page"))));
  }

  @Test
  void aListenerBecomesAFrontendWithItsRulesInOrder() {
    String cfg = ConfigRenderer.render(sample(), GLOBALS);
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
    String cfg = ConfigRenderer.render(sample(), GLOBALS);
    assertThat(cfg)
        .contains("backend tg-web\n  balance roundrobin\n  option httpchk\n")
        .contains("http-check send meth GET uri /health ver HTTP/1.1")
        .contains("  http-check expect rstatus \"^(200)\\$\"\n")
        .contains("  timeout check 5000ms\n")
        .contains("  server a 127.0.0.2:9000 check inter 30000ms rise 5 fall 2\n")
        .contains("backend tg-api\n  balance leastconn\n")
        .contains("stats socket \"/run/w/admin.sock\" mode 600 level admin expose-fd listeners")
        .contains("load-server-state-from-file global");
    // A draining server is left out: the old worker finishes its requests.
    assertThat(cfg).doesNotContain("server b ");
    // No check: the servers are taken as up, and the backend has no check lines.
    assertThat(cfg.substring(cfg.indexOf("\nbackend tg-api"))).doesNotContain("httpchk");
  }

  @Test
  void aFixedResponseIsABackendThatAnswersItself() {
    assertThat(ConfigRenderer.render(sample(), GLOBALS))
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
    assertThatThrownBy(() -> new ProxyConfig.Server("a b", "127.0.0.1", 80, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfigRenderer.quote("two\nlines"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tablesAreReadByTheirHeader() {
    String states =
        "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state\n"
            + "3 tg-web 1 a 127.0.0.2 2 8\n";
    assertThat(RuntimeApi.table(states, " "))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row).containsEntry("srv_name", "a").containsEntry("srv_admin_state", "8");
            });
    assertThat(Haproxy.knownServers(states)).containsExactly("tg-web/a");
  }
}
