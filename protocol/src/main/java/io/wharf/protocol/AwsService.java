package io.wharf.protocol;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;

/**
 * One AWS service on Wharf's endpoint: its model, the operations it implements, and how it names
 * the generic errors. Implementations are immutable and called from many request threads at once.
 *
 * @param <C> the caller as the HTTP front identified it (its principal record)
 */
public interface AwsService<C> {
  ServiceModel model();

  Operations<C> operations();

  /**
   * How a generic Wharf error code is answered by this service. The default is the code's ECS-style
   * {@link ErrorCode#wireCode()} and {@link ErrorCode#httpStatus()}; query services override it
   * (ELBv2 answers InvalidParameterException as ValidationError).
   */
  default ErrorAnswer answer(ErrorCode code) {
    return new ErrorAnswer(code.wireCode(), code.httpStatus(), !code.isFault());
  }

  /**
   * As {@link #answer(ErrorCode)}, for one wire protocol. The default differs from it in one case:
   * the query protocol's code for an unknown action is {@code InvalidAction}, as AWS query services
   * answer it, whatever the JSON name of the code is.
   */
  default ErrorAnswer answer(ErrorCode code, WireProtocol protocol) {
    if (protocol == WireProtocol.AWS_QUERY && code == ErrorCode.UNKNOWN_OPERATION) {
      ErrorAnswer json = answer(code);
      if (json.code().equals(code.wireCode())) {
        return new ErrorAnswer("InvalidAction", 400, true);
      }
      return json;
    }
    return answer(code);
  }

  /** The message for an operation the model has but Wharf does not implement. */
  default String notImplementedMessage(String operation) {
    return "Wharf does not implement the "
        + model().serviceId()
        + " operation "
        + operation
        + " yet.";
  }

  /**
   * The error for an operation the model has but Wharf does not implement: UnsupportedFeature by
   * default. ELBv2 answers it as an invalid action, as it does today.
   */
  default WharfException notImplemented(String operation) {
    return new WharfException(ErrorCode.UNSUPPORTED_FEATURE, notImplementedMessage(operation));
  }

  /**
   * The message for a query request whose {@code Version} is not the model's API version ({@code
   * null} when the request names none).
   */
  default String versionMismatchMessage(String requested) {
    return "Wharf serves "
        + model().serviceFullName()
        + " version "
        + model().apiVersion()
        + " on its query API; the request asks for version "
        + (requested == null ? "none" : "'" + requested + "'")
        + ".";
  }
}
