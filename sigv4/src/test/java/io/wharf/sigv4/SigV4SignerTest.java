package io.wharf.sigv4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SigV4SignerTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);
  final SigV4Verifier verifier =
      new SigV4Verifier(
          k -> k.equals("AKID") ? Optional.of("secret") : Optional.empty(),
          CLOCK,
          Duration.ofMinutes(15));

  static SigV4Verifier.SignedRequest asReceived(
      String method, URI uri, Map<String, String> headers, byte[] body) {
    Map<String, List<String>> multi = new HashMap<>();
    headers.forEach((k, v) -> multi.put(k, List.of(v)));
    return new SigV4Verifier.SignedRequest(
        method, uri.getRawPath(), uri.getRawQuery(), multi, body);
  }

  @Test
  void whatTheSignerSignsTheVerifierAccepts() {
    SigV4Signer signer = new SigV4Signer("AKID", "secret", "us-east-1", "ecs", CLOCK);
    URI uri = URI.create("http://127.0.0.1:9427/");
    byte[] body = "{\"cluster\":\"default\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers =
        signer.sign(
            "POST",
            uri,
            Map.of(
                "X-Amz-Target",
                "AmazonEC2ContainerServiceV20141113.ListTasks",
                "Content-Type",
                "application/x-amz-json-1.1"),
            body);
    assertThat(headers).containsKeys("authorization", "x-amz-date", "host");
    assertThat(headers.get("host")).isEqualTo("127.0.0.1:9427");
    SigV4Verifier.Caller caller = verifier.verify(asReceived("POST", uri, headers, body));
    assertThat(caller.accessKeyId()).isEqualTo("AKID");
    assertThat(caller.service()).isEqualTo("ecs");
  }

  @Test
  void aGetWithAQueryStringVerifiesAndATamperedOneDoesNot() {
    SigV4Signer signer = new SigV4Signer("AKID", "secret", "us-east-1", "ecs", CLOCK);
    URI uri = URI.create("ws://127.0.0.1:9427/ws/acs?clusterArn=arn%3Aaws%3Aecs&seq=1");
    Map<String, String> headers = signer.sign("GET", uri, Map.of(), new byte[0]);
    assertThat(verifier.verify(asReceived("GET", uri, headers, new byte[0])).accessKeyId())
        .isEqualTo("AKID");
    URI tampered = URI.create("ws://127.0.0.1:9427/ws/acs?clusterArn=arn%3Aaws%3Aecs&seq=2");
    assertThatThrownBy(() -> verifier.verify(asReceived("GET", tampered, headers, new byte[0])))
        .isInstanceOfSatisfying(
            WharfException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SIGNATURE));
  }
}
