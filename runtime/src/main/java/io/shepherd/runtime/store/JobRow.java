package io.shepherd.runtime.store;

/** One row of the jobs table; payload, result and error are JSON text as stored. */
public record JobRow(String id,
                     String type,
                     String queue,
                     String payload,
                     int priority,
                     String status,
                     int attempt,
                     int maxAttempts,
                     long runAt,
                     long createdAt,
                     long updatedAt,
                     String claimedBy,
                     String claimSession,
                     String leaseToken,
                     Long leaseExpiresAt,
                     boolean cancelRequested,
                     String result,
                     String lastError,
                     String idempotencyKey) {
}
