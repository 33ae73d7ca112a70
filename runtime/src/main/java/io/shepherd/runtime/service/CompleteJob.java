package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Limits;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;

/** Records a job's result, fenced by its lease token. Repeating the same completion is harmless. */
public final class CompleteJob {
    private final Stores stores;
    private final Clock clock;

    private final RuntimeMetrics metrics;
    private final Limits limits;

    public CompleteJob(Stores stores, Clock clock, RuntimeMetrics metrics, Limits limits) {
        this.metrics = metrics;
        this.limits = limits;
        this.stores = stores;
        this.clock = clock;
    }

    /**
     * {@code result} is JSON text or null. The common case is one guarded {@code UPDATE} and the
     * event; the job is read first only when that update finds nothing, to tell why (or to see
     * that this very completion was already recorded and its answer lost).
     */
    public JobRow complete(Caller caller, String jobId, String leaseToken, String result) {
        caller.requireAnyBot();
        if (leaseToken == null || leaseToken.isBlank()) {
            throw Problem.badRequest("leaseToken is required");
        }
        Limits.requireFits("result", result, limits.result());
        long now = clock.millis();
        List<JobEvent> recorded = new ArrayList<>(1);
        JobRow answer = LeaseCheck.recordingRefusals(stores, clock, caller, jobId, "complete", () -> stores.database().inTransaction(tx -> {
            JobRow done = stores.jobs().complete(tx, jobId, leaseToken, result, now).orElse(null);
            if (done == null) {
                JobRow job = stores.jobs().find(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
                if (job.status() == JobStatus.COMPLETED && leaseToken.equals(job.leaseToken())
                        && LeaseCheck.actsForHolder(job, caller)) {
                    // A retried completion (the answer to the first was lost): same outcome, nothing changes.
                    return job;
                }
                LeaseCheck.require(job, caller, leaseToken);
                throw Problem.conflict("Job " + jobId + " changed hands while completing; the lease is void");
            }
            LeaseCheck.requireHolder(done, caller); // a 403 undoes the update with the transaction
            metrics.completed();
            JobEvent event = new JobEvent(jobId, now, EventKind.COMPLETED, Reasons.COMPLETED, done.claimedBy(), done.attempt());
            stores.jobs().recordEvents(tx, List.of(event));
            recorded.add(event);
            return done;
        }));
        recorded.forEach(e -> e.log(answer.type(), answer.correlationId()));
        return answer;
    }
}
