/**
 * Task definitions: the rules RegisterTaskDefinition applies before a revision is stored.
 *
 * <pre>
 *   request body (already checked against the service model: JSON types, enums, required members)
 *        │
 *        ▼
 *   TaskDefinitionRules.normalize
 *        ├─ size, family, container names and images, essential containers
 *        ├─ task cpu/memory strings ──────────── TaskSize    ("1 vCPU" → 1024, "2 GB" → 2048)
 *        ├─ Fargate requirements ─────────────── FargateSizes (valid cpu/memory pairs)
 *        ├─ container cpu/memory against the task
 *        ├─ links and port mappings per network mode ── PortMappings
 *        ├─ dependsOn targets, conditions, cycles ───── ContainerDependencies
 *        └─ healthCheck ranges and defaults
 *        │
 *        ▼
 *   the definition as ECS stores and returns it: defaults filled, "compatibilities" computed,
 *   without the members the caller owns (ARN, revision, status, timestamps, tags)
 * </pre>
 *
 * <p>Everything here is pure: no I/O, no clock, and the request is never modified, so the same
 * request always yields the same definition or the same error. Errors are {@link
 * io.wharf.model.WharfException}s carrying the message ECS gives where that message is known.
 */
package io.wharf.ecs.taskdef;
