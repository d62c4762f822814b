package io.wharf.logs.events;

/** An event to be appended: its timestamp (ms since the epoch) and its message. */
public record NewEvent(long timestamp, String message) {}
