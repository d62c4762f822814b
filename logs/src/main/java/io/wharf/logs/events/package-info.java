/**
 * The log event store: append-only, compressed, indexed chunks per stream, beside the state machine
 * (which holds only groups and streams). See {@link io.wharf.logs.events.StreamLog} for the format
 * and why.
 *
 * <pre>
 *  PutLogEvents ─▶ StreamLog.append ─▶ one chunk (deflate + trigram index) ─▶ fsync ─▶ answer
 *  GetLogEvents ─▶ chunk headers in memory ─▶ read + inflate the chunks in range
 *  FilterLogEvents ─▶ headers: time range, term index ─▶ inflate only chunks that may match
 * </pre>
 */
package io.wharf.logs.events;
