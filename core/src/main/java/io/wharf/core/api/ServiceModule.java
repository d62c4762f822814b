package io.wharf.core.api;

import io.wharf.core.auth.Caller;
import io.wharf.protocol.AwsService;

/**
 * How an AWS service joins Wharf's endpoint: the composition root ({@code ControlPlane}) starts
 * each module once, with what the control plane shares, and serves what it returns beside ECS and
 * ELBv2. See the README's "How to add an AWS service".
 */
@FunctionalInterface
public interface ServiceModule {
  AwsService<Caller> start(ServiceContext context);
}
