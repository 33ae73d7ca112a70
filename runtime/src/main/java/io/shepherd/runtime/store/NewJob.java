package io.shepherd.runtime.store;

/** A job about to be inserted. */
public record NewJob(String id, String type, String queue, String payload, int priority, int maxAttempts,
                     long runAt, String idempotencyKey, String correlationId, Long timeoutMs) {
}
