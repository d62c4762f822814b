package io.wharf.ecs.api;

/**
 * ECS's {@code Failure}: a resource a batch operation could not act on, and why ({@code MISSING},
 * ...); {@code detail} is left out when null.
 */
record Failure(String arn, String reason, String detail) {}
