package io.wharf.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.wharf.runtime.ContainerRuntimeException;
import io.wharf.runtime.ContainerRuntimeException.Kind;
import io.wharf.runtime.docker.DockerErrors.Operation;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the engine and the transport throw, classified. The engine messages are Docker 20.10's, as
 * docker-java presents them (the JSON body after "Status NNN: ").
 */
class DockerErrorsTest {

  private static String body(String message) {
    return "{\"message\":\"" + message.replace("\"", "\\\"") + "\"}\n";
  }

  @Test
  void aMissingImageOnCreateIsImageNotFound() {
    var e =
        DockerErrors.classify(
            Operation.CREATE,
            "wharf-test-x",
            new NotFoundException(body("No such image: wharf-test/missing:latest")));

    assertThat(e.kind()).isEqualTo(Kind.IMAGE_NOT_FOUND);
    assertThat(e.ecsErrorName()).isEqualTo("CannotCreateContainerError");
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage())
        .isEqualTo("create container wharf-test-x: No such image: wharf-test/missing:latest");
  }

  @Test
  void aRefusedCreateIsCreateFailed() {
    var inUse =
        DockerErrors.classify(
            Operation.CREATE,
            "web",
            new ConflictException(
                body(
                    "Conflict. The container name \"/web\" is already in use by container \"abc\".")));
    var tooSmall =
        DockerErrors.classify(
            Operation.CREATE,
            "web",
            new BadRequestException(body("Minimum memory limit allowed is 6MB")));

    assertThat(inUse.kind()).isEqualTo(Kind.CREATE_FAILED);
    assertThat(inUse.getMessage()).contains("is already in use");
    assertThat(tooSmall.kind()).isEqualTo(Kind.CREATE_FAILED);
    assertThat(tooSmall.isRetryable()).isFalse();
  }

  @Test
  void aTakenHostPortOnStartIsPortInUseInBothOfDockersWordings() {
    var otherProcess =
        DockerErrors.classify(
            Operation.START,
            "abc",
            new InternalServerErrorException(
                body(
                    "driver failed programming external connectivity on endpoint web (123): Error"
                        + " starting userland proxy: listen tcp4 127.0.0.6:57163: bind: address"
                        + " already in use")));
    var otherContainer =
        DockerErrors.classify(
            Operation.START,
            "abc",
            new InternalServerErrorException(
                body(
                    "driver failed programming external connectivity on endpoint web (123): Bind"
                        + " for 127.0.0.5:8080 failed: port is already allocated")));

    assertThat(otherProcess.kind()).isEqualTo(Kind.PORT_IN_USE);
    assertThat(otherProcess.ecsErrorName()).isEqualTo("CannotStartContainerError");
    assertThat(otherContainer.kind()).isEqualTo(Kind.PORT_IN_USE);
  }

  @Test
  void otherStartFailuresAreStartFailedAndAMissingContainerIsNotFound() {
    var badExecutable =
        DockerErrors.classify(
            Operation.START,
            "abc",
            new InternalServerErrorException(
                body(
                    "OCI runtime create failed: container_linux.go:380: starting container process"
                        + " caused: exec: \"nope\": executable file not found in $PATH: unknown")));
    var missing =
        DockerErrors.classify(
            Operation.START, "abc", new NotFoundException(body("No such container: abc")));

    assertThat(badExecutable.kind()).isEqualTo(Kind.START_FAILED);
    assertThat(badExecutable.isRetryable()).isFalse();
    assertThat(missing.kind()).isEqualTo(Kind.NOT_FOUND);
  }

  @Test
  void aDeadEngineIsUnreachableAndRetryable() {
    var refused =
        DockerErrors.classify(
            Operation.STOP,
            "abc",
            new RuntimeException(new ConnectException("Connection refused")));
    var noSocket =
        DockerErrors.classify(
            Operation.INSPECT,
            "abc",
            new RuntimeException(new SocketException("No such file or directory")));

    assertThat(refused.kind()).isEqualTo(Kind.ENGINE_UNREACHABLE);
    assertThat(refused.isRetryable()).isTrue();
    assertThat(refused.ecsErrorName()).isEqualTo("CannotStopContainerError");
    assertThat(noSocket.kind()).isEqualTo(Kind.ENGINE_UNREACHABLE);
    assertThat(noSocket.getMessage()).contains("cannot reach the Docker engine");
  }

  @Test
  void anUnreachableRegistryIsARetryablePullFailure() {
    var e =
        DockerErrors.classify(
            Operation.PULL,
            "127.0.0.1:1/nothing:latest",
            new InternalServerErrorException(
                body(
                    "Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection"
                        + " refused")));

    assertThat(e.kind()).isEqualTo(Kind.IMAGE_PULL_FAILED);
    assertThat(e.ecsErrorName()).isEqualTo("CannotPullContainerError");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("connection refused");
  }

  @Test
  void aRegistryThatSaysNoIsNotRetried() {
    var denied =
        DockerErrors.classify(
            Operation.PULL,
            "private/app:latest",
            new NotFoundException(
                body(
                    "pull access denied for private/app, repository does not exist or may require"
                        + " 'docker login': denied: requested access to the resource is denied")));
    var unknownTag =
        DockerErrors.classify(
            Operation.PULL,
            "busybox:nope",
            new NotFoundException(body("manifest for busybox:nope not found: manifest unknown")));

    assertThat(denied.kind()).isEqualTo(Kind.IMAGE_PULL_FAILED);
    assertThat(denied.ecsErrorName()).isEqualTo("CannotPullContainerAuthError");
    assertThat(denied.isRetryable()).isFalse();
    assertThat(unknownTag.ecsErrorName()).isEqualTo("CannotPullContainerError");
    assertThat(unknownTag.isRetryable()).isFalse();
  }

  @Test
  void anEngineErrorOnAReadIsRetryable() {
    var e =
        DockerErrors.classify(
            Operation.LIST,
            null,
            new InternalServerErrorException(body("context deadline exceeded")));

    assertThat(e.kind()).isEqualTo(Kind.OTHER);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.ecsErrorName()).isEqualTo("CannotListContainersError");
  }

  @Test
  void timeoutsAreDockerTimeoutErrorsInTheAgentsWords() {
    var e = DockerErrors.timeout(Operation.CREATE, "web", Duration.ofMinutes(4));

    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(e.ecsErrorName()).isEqualTo("DockerTimeoutError");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).isEqualTo("create container web: timed out after waiting 4m0s");
  }

  @Test
  void durationsReadLikeGo() {
    assertThat(DockerErrors.format(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(DockerErrors.format(Duration.ofMinutes(3))).isEqualTo("3m0s");
    assertThat(DockerErrors.format(Duration.ofHours(2))).isEqualTo("2h0m0s");
    assertThat(DockerErrors.format(Duration.ofMillis(1500))).isEqualTo("1.500s");
  }

  @Test
  void anAlreadyClassifiedFailurePassesThrough() {
    var original = new ContainerRuntimeException(Kind.TIMEOUT, "DockerTimeoutError", "x", null);

    assertThat(DockerErrors.classify(Operation.START, "abc", original)).isSameAs(original);
  }

  @Test
  void aBodyThatIsNotJsonIsKeptAsItIs() {
    var e =
        DockerErrors.classify(Operation.REMOVE, "abc", new InternalServerErrorException("oops"));

    assertThat(e.getMessage()).isEqualTo("remove container abc: Status 500: oops");
  }
}
