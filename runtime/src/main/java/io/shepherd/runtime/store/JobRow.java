package io.shepherd.runtime.store;

import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;

/** One row of the jobs table; payload, result and error are JSON text as stored. */
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
                     String correlationId) {

    /** What a log line about this job says of it. */
    public JobLog.Job logged() {
        return new JobLog.Job(id, type, attempt, correlationId);
    }
}
