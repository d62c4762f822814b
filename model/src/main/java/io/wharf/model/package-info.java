/**
 * Wharf's domain: immutable records for the entities of the ECS model (clusters, task definitions,
 * container instances, settings) and the one error vocabulary ({@link io.wharf.model.ErrorCode}).
 *
 * <p>This package imports nothing outside the JDK. Wire shapes (ECS JSON) and storage rows live in
 * other modules and are mapped to and from these records there.
 */
package io.wharf.model;
