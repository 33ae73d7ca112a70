package io.shepherd.runtime.store;

import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;

/**
 * One row of the jobs table; payload, result and progress are JSON text as stored. {@code
 * timeoutMs}: how long one attempt may run (null: no ceiling); {@code progress}: what the holder
 * last said of the current attempt.
 */
public record JobRow(String id,
                     String type,
                     String queue,
                     String payload,
                     int priority,
                     JobStatus status,
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
                     String idempotencyKey,
                     String correlationId,
                     Long claimedAt,
                     Long timeoutMs,
                     String progress) {

    /** What a log line about this job says of it. */
    public JobLog.Job logged() {
        return new JobLog.Job(id, type, attempt, correlationId);
    }

    /** When the current attempt runs out of time; null without a ceiling or a holder. */
    public Long timeoutAt() {
        return claimedAt == null || timeoutMs == null ? null : claimedAt + timeoutMs;
    }
}
