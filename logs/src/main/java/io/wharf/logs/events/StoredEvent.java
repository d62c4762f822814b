package io.wharf.logs.events;

/**
 * One log event as stored.
 *
 * @param sequence its position in its stream: 0 for the first event ever put, one more for each
 *     after; never reused, also after retention deleted earlier events
 * @param timestamp when it happened (ms since the epoch), as the client said
 * @param ingestionTime when Wharf stored it (ms since the epoch, from the injected clock)
 */
public record StoredEvent(long sequence, long timestamp, long ingestionTime, String message) {}
