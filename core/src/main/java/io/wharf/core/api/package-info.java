/**
 * How an AWS service lives on Wharf's one endpoint, and what every service shares.
 *
 * <pre>
 *  controlplane/front ─▶ protocol.Endpoint ─▶ AwsService&lt;Caller&gt; (a module of its own: ecs, elb, ...)
 *                                               ├─ model()       its botocore model, a resource of its module
 *                                               ├─ operations()  guard + one typed handler per operation
 *                                               └─ its state     through the StateMachine: one writer,
 *                                                                durable before acknowledged
 * </pre>
 *
 * <p>The pattern, for a new service: a module depending on {@code wharf-core}; its model beside its
 * service class ({@code ServiceModel.load}); a class implementing {@link
 * io.wharf.protocol.AwsService} whose {@link io.wharf.protocol.Operations} take and return records
 * named and shaped as the model's shapes; a {@link io.wharf.core.api.ServiceModule} that builds it
 * from the {@link io.wharf.core.api.ServiceContext}, listed in the composition root. A service
 * reaches another only through a small interface that one publishes (ELB's {@code
 * io.wharf.elb.targets} for ECS), never through its internals; {@code ArchitectureTest} holds the
 * arrows. The README's "How to add an AWS service" gives the steps; {@code NotesService} in the
 * app's tests follows them.
 */
package io.wharf.core.api;
