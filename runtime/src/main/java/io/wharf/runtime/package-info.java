/**
 * The container runtime driver's contract: what the agent asks of a container engine, in Wharf's
 * own terms, so that the agent never sees Docker's types.
 *
 * <pre>
 *   agent ──▶ ContainerRuntime ──▶ docker.DockerRuntime ──▶ Docker Engine API
 *             ContainerSpec in, ContainerState / ContainerEvent out,
 *             failures as ContainerRuntimeException(Kind, ECS error name, retryable)
 * </pre>
 *
 * <p>The values here are records validated when built, so a spec that reaches the engine is already
 * well formed; the engine's own rules (for example the 6 MiB memory floor) are left to the engine
 * and come back as {@link io.wharf.runtime.ContainerRuntimeException}s. This package depends on
 * nothing but the JDK.
 */
package io.wharf.runtime;
