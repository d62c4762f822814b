package io.wharf.core.api;

import io.wharf.core.state.StateMachine;
import io.wharf.model.ResourceArn;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What the control plane shares with the services it hosts.
 *
 * @param states the one writer of the durable state: a service's changes go through it, and are
 *     acknowledged only once stored
 * @param arns ARNs in this server's region and account
 * @param clock the control plane's clock (virtual in the simulation): services read time from it,
 *     never from the wall clock
 * @param dataDir the control plane's data directory (owner-only): a service that keeps data of its
 *     own beside the state (log events) keeps it in a directory of its own under this one
 */
public record ServiceContext(
    StateMachine states,
    ResourceArn.Builder arns,
    String region,
    String accountId,
    Clock clock,
    Path dataDir) {}
