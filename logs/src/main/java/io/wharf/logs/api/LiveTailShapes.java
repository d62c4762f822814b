package io.wharf.logs.api;

import java.util.List;

/** StartLiveTail's input and its events, in the model's shapes. */
final class LiveTailShapes {
  private LiveTailShapes() {}

  record StartLiveTailRequest(
      List<String> logGroupIdentifiers,
      List<String> logStreamNames,
      List<String> logStreamNamePrefixes,
      String logEventFilterPattern) {}

  record LiveTailSessionStart(
      String requestId,
      String sessionId,
      List<String> logGroupIdentifiers,
      List<String> logStreamNames,
      List<String> logStreamNamePrefixes,
      String logEventFilterPattern) {}

  record LiveTailSessionLogEvent(
      String logStreamName,
      String logGroupIdentifier,
      String message,
      Long timestamp,
      Long ingestionTime) {}

  record LiveTailSessionMetadata(Boolean sampled) {}

  record LiveTailSessionUpdate(
      LiveTailSessionMetadata sessionMetadata, List<LiveTailSessionLogEvent> sessionResults) {}
}
