/**
 * The Docker driver: {@link io.wharf.runtime.docker.DockerRuntime} implements the runtime contract
 * on the Docker Engine API through docker-java.
 *
 * <pre>
 *   ContainerSpec ──DockerMapping──▶ create command ──▶ engine
 *   engine ──▶ inspect / events ──DockerMapping──▶ ContainerState / ContainerEvent
 *   any failure ──DockerErrors──▶ ContainerRuntimeException (Kind, ECS name, retryable)
 *   every call bounded by DockerTimeouts (PullProgress and EventSubscription for the streams)
 * </pre>
 */
package io.wharf.runtime.docker;
