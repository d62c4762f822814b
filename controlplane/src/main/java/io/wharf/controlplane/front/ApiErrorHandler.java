package io.wharf.controlplane.front;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.core.api.LogText;
import io.wharf.core.auth.Caller;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.protocol.AwsService;
import io.wharf.protocol.Endpoint;
import io.wharf.protocol.WireProtocol;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a request it refuses before any handler sees it: headers over the
 * limit, a malformed request line) in the shape of the API that was called, instead of Jetty's HTML
 * page: JSON {@code {"__type", "message"}} for ECS, {@code <ErrorResponse>} XML for a form-encoded
 * ELB request. The HTTP status stays Jetty's (431, 400, ...), so clients still see what kind of
 * failure it was.
 */
final class ApiErrorHandler extends ErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Endpoint<Caller> endpoint;
  private final AwsService<Caller> queryService;
  private final int maxHeaderBytes;

  /**
   * @param queryService the service a form-encoded request is answered for (ELBv2)
   * @param maxHeaderBytes the connector's limit on a request's line and headers, named in the
   *     answer to a request over it
   */
  ApiErrorHandler(Endpoint<Caller> endpoint, AwsService<Caller> queryService, int maxHeaderBytes) {
    this.endpoint = endpoint;
    this.queryService = queryService;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int status,
      String message,
      Throwable cause,
      Callback callback) {
    String requestId = response.getHeaders().get("x-amzn-RequestId");
    if (requestId == null) {
      requestId = ApiHandler.requestId();
      response.getHeaders().put("x-amzn-RequestId", requestId);
    }
    ErrorCode code = status >= 500 ? ErrorCode.SERVER : ErrorCode.CLIENT;
    String text = describe(status, message, requestId);
    byte[] body;
    if (isForm(request.getHeaders())) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/xml");
      body =
          endpoint
              .error(
                  queryService, WireProtocol.AWS_QUERY, new WharfException(code, text), requestId)
              .body();
    } else {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-amz-json-1.1");
      body = json(code, text);
    }
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private String describe(int status, String message, String requestId) {
    if (status == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431) {
      return "The request line and headers are larger than the limit of "
          + maxHeaderBytes
          + " bytes.";
    }
    if (status >= 500) {
      return "An internal error occurred. Request ID: " + requestId;
    }
    String reason = HttpStatus.getMessage(status);
    return message == null || message.equals(reason)
        ? "The request was refused: " + reason + "."
        : "The request was refused: " + reason + ": " + LogText.escape(message) + ".";
  }

  private static boolean isForm(HttpFields headers) {
    String type = headers == null ? null : headers.get(HttpHeader.CONTENT_TYPE);
    return type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  private static byte[] json(ErrorCode code, String message) {
    try {
      return JSON.writeValueAsBytes(
          JSON.createObjectNode().put("__type", code.wireCode()).put("message", message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an object of two strings always encodes", e);
    }
  }
}
