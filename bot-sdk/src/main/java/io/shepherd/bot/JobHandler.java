package io.shepherd.bot;

import jakarta.json.JsonValue;

/**
 * Does one job. Return the result (any JSON, or null); throw to fail the attempt — the runtime
 * retries it by its policy, unless the exception is a {@link NonRetryableException}. A handler
 * that takes long should let itself be interrupted: that is how a cancelled job, or a shutdown
 * past its grace period, stops it.
 */
@FunctionalInterface
public interface JobHandler {
    JsonValue handle(Job job, JobContext context) throws Exception;
}
