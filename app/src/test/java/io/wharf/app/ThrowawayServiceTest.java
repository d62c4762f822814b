package io.wharf.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service added the way the README says ({@link NotesService}), on Wharf's endpoint, driven by
 * the aws CLI v1 (which picks the model's JSON 1.1) and v2 (which picks its query protocol), with
 * the model's validation and the model's errors.
 */
class ThrowawayServiceTest {
  /** The aws CLI v1 (first on PATH) and Debian's v2. */
  static final List<String> CLIS = AwsCliTest.clis().toList();

  static final String V1 = CLIS.getFirst();
  static final String V2 = CLIS.getLast();
  static TestServer server;
  static Map<String, String> models;

  @BeforeAll
  static void start() throws Exception {
    assertThat(CLIS).as("the aws CLI v1 on PATH and v2 at /usr/bin/aws").hasSize(2);
    server = TestServer.start(List.of(NotesService::new));
    Path notes = Path.of(NotesService.class.getResource("notes").toURI());
    models = Map.of("AWS_DATA_PATH", notes.getParent().toString());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static AwsCliTest.Run notes(String cli, String... args) throws Exception {
    String[] command = new String[args.length + 2];
    command[0] = "--debug";
    command[1] = "notes";
    System.arraycopy(args, 0, command, 2, args.length);
    return AwsCliTest.awsAt(cli, server.endpoint(), models, command);
  }

  @Test
  void aJsonClientAndAQueryClientUseTheSameService() throws Exception {
    AwsCliTest.Run put = notes(V1, "put-note", "--name", "first", "--text", "hello");
    assertThat(put.exitCode()).as(put.stderr()).isZero();
    assertThat(put.stderr()).contains("'X-Amz-Target': 'Notes_20261207.PutNote'");
    assertThat(put.json().path("Name").asText()).isEqualTo("first");
    assertThat(put.json().path("CreatedAt").isMissingNode()).isFalse();

    AwsCliTest.Run get = notes(V2, "get-note", "--name", "first");
    assertThat(get.exitCode()).as(get.stderr()).isZero();
    assertThat(get.stderr()).contains("'Content-Type': 'application/x-www-form-urlencoded");
    assertThat(get.json().path("Text").asText()).isEqualTo("hello");
  }

  @Test
  void theModelsChecksAndErrorsReachBothClients() throws Exception {
    for (String cli : CLIS) {
      AwsCliTest.Run bad = notes(cli, "put-note", "--name", "Not-Lower");
      assertThat(bad.exitCode()).isNotZero();
      assertThat(bad.stderr())
          .contains("InvalidParameterException")
          .contains("Parameter Name does not match the pattern ^[a-z]+$.");

      AwsCliTest.Run missing = notes(cli, "get-note", "--name", "absent");
      assertThat(missing.exitCode()).isNotZero();
      assertThat(missing.stderr()).contains("NoteNotFound").contains("No note named absent.");
    }
    assertThat(notes(V1, "put-note", "--name", "twice").exitCode()).isZero();
    AwsCliTest.Run again = notes(V2, "put-note", "--name", "twice");
    assertThat(again.stderr()).contains("NoteExists").contains("A note named twice exists.");
  }
}
