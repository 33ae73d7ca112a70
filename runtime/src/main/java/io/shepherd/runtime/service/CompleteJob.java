package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.List;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;

/** Records a job's result, fenced by its lease token. Repeating the same completion is harmless. */
public final class CompleteJob {
    private final Stores stores;
    private final Clock clock;

    private final RuntimeMetrics metrics;

    public CompleteJob(Stores stores, Clock clock, RuntimeMetrics metrics) {
        this.metrics = metrics;
        this.stores = stores;
        this.clock = clock;
    }

    /** {@code result} is JSON text or null. */
    public JobRow complete(Caller caller, String jobId, String leaseToken, String result) {
        caller.requireAnyBot();
        long now = clock.millis();
        return LeaseCheck.recordingRefusals(stores, clock, caller, jobId, "complete", () -> stores.database().inTransaction(tx -> {
            JobRow job = stores.jobs().find(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
            if ("completed".equals(job.status()) && leaseToken != null && leaseToken.equals(job.leaseToken())
                    && (caller.isAdmin() || caller.botId().equals(job.claimedBy()))) {
                // A retried completion (the answer to the first was lost): same outcome, nothing changes.
                return job;
            }
            LeaseCheck.require(job, caller, leaseToken);
            long changed = stores.jobs().complete(tx, jobId, job.claimedBy(), leaseToken, result, now);
            if (changed == 0) {
                throw Problem.conflict("Job " + jobId + " changed hands while completing; the lease is void");
            }
            metrics.completed();
            stores.jobs().recordEvents(tx, List.of(
                    new JobEvent(jobId, now, Events.COMPLETED, Events.COMPLETED, job.claimedBy(), job.attempt())));
            return new JobRow(job.id(), job.type(), job.queue(), job.payload(), job.priority(), "completed",
                    job.attempt(), job.maxAttempts(), job.runAt(), job.createdAt(), now, job.claimedBy(),
                    job.claimSession(), job.leaseToken(), null, false, result, job.lastError(), job.idempotencyKey());
        }));
    }
}
