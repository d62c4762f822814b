/**
 * CloudWatch Logs' filter pattern syntax: terms, quoted phrases, exclusions, any-of terms, regular
 * expressions and JSON patterns, parsed into a {@link io.wharf.logs.filter.FilterPattern} that
 * matches messages and tells the event store which chunks it can skip.
 */
package io.wharf.logs.filter;
