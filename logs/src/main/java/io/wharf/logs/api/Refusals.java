package io.wharf.logs.api;

import io.wharf.core.state.StateMachine;
import io.wharf.protocol.AwsServiceException;

/**
 * Runs a command on the state machine so that CloudWatch's own errors reach the caller as they are.
 * The state machine passes only {@code WharfException}s through as refusals (anything else is a
 * fault, answered as an internal error); Logs' errors are {@link AwsServiceException}s in the
 * model's shapes (ResourceAlreadyExistsException has no {@code ErrorCode}), so a command's refusal
 * is carried out as its result and thrown again on the caller's thread. Every Logs command checks
 * before it applies any change, so a refused command has changed nothing.
 */
final class Refusals {
  private Refusals() {}

  private sealed interface Outcome<R> {}

  private record Done<R>(R value) implements Outcome<R> {}

  private record Refused<R>(AwsServiceException error) implements Outcome<R> {}

  static <R> R execute(StateMachine states, StateMachine.Command<R> command) {
    Outcome<R> outcome =
        states.execute(
            tx -> {
              try {
                return new Done<>(command.run(tx));
              } catch (AwsServiceException e) {
                return new Refused<>(e);
              }
            });
    return switch (outcome) {
      case Done<R> d -> d.value();
      case Refused<R> r -> throw r.error();
    };
  }
}
