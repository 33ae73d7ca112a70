package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;

/**
 * Cancels a job. A pending job is cancelled at once; a claimed one too, and its bot is told on
 * its next heartbeat (its lease is void from now, so a later complete or fail is 409).
 */
public final class CancelJob {
    private final Stores stores;
    private final Clock clock;
    private final OperatorActions actions;

    public CancelJob(Stores stores, Clock clock, OperatorActions actions) {
        this.actions = actions;
        this.stores = stores;
        this.clock = clock;
    }

    public JobRow cancel(Caller caller, String jobId) {
        caller.requireClient();
        long now = clock.millis();
        List<JobEvent> recorded = new ArrayList<>(1);
        JobRow answer = stores.database().inTransaction(tx -> {
            // A held job's bot is flagged so that its next heartbeat hands the cancellation over.
            // The bot's row is locked before the job's, the order sessions, resets and heartbeats use.
            JobRow seen = stores.jobs().find(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
            if (seen.status() == JobStatus.CLAIMED) {
                stores.bots().flagCancels(tx, seen.claimedBy());
            }
            JobRow job = stores.jobs().findForUpdate(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
            if (job.status() == JobStatus.CLAIMED && !job.claimedBy().equals(seen.claimedBy())) {
                stores.bots().flagCancels(tx, job.claimedBy()); // claimed by another bot in between: rare
            }
            switch (job.status()) {
                case CANCELLED -> {
                    return job;
                }
                case COMPLETED, DEAD -> throw Problem.conflict("Job " + jobId + " is already " + job.status().wire()
                        + " and cannot be cancelled");
                default -> {
                    stores.jobs().cancel(tx, jobId, now);
                    JobEvent event = new JobEvent(jobId, now, EventKind.CANCELLED, Reasons.CANCELLED, job.claimedBy(),
                            job.attempt());
                    stores.jobs().recordEvents(tx, List.of(event));
                    recorded.add(event);
                    actions.record(tx, caller, "job.cancel", jobId, "was " + job.status().wire());
                    return stores.jobs().find(tx, jobId).orElseThrow();
                }
            }
        });
        if (!recorded.isEmpty()) {
            OperatorActions.log(caller, "job.cancel", jobId, null);
        }
        recorded.forEach(e -> e.log(answer.type(), answer.correlationId()));
        return answer;
    }
}
