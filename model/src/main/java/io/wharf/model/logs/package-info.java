/**
 * CloudWatch Logs' durable metadata: log groups and their streams, as the state machine keeps them.
 * The events themselves are not here: they live in the logs module's event store, beside the state,
 * because they arrive at a rate no state row should.
 */
package io.wharf.model.logs;
