package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/** An admin brings a dead or cancelled job back to pending with a fresh attempt budget. */
public final class RetryJob {
    private final Stores stores;
    private final JobSignal signal;
    private final Clock clock;
    private final OperatorActions actions;

    public RetryJob(Stores stores, JobSignal signal, Clock clock, OperatorActions actions) {
        this.actions = actions;
        this.stores = stores;
        this.signal = signal;
        this.clock = clock;
    }

    public JobRow retry(Caller caller, String jobId) {
        caller.requireAdmin();
        long now = clock.millis();
        List<JobEvent> recorded = new ArrayList<>(1);
        JobRow revived = stores.database().inTransaction(tx -> {
            JobRow job = stores.jobs().findForUpdate(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
            if (job.status() != JobStatus.DEAD && job.status() != JobStatus.CANCELLED) {
                throw Problem.conflict("Job " + jobId + " is " + job.status().wire() + "; only dead or cancelled jobs are retried");
            }
            stores.jobs().revive(tx, jobId, now);
            JobEvent event = new JobEvent(jobId, now, EventKind.RETRIED, Reasons.ADMIN_RETRY, null, 0);
            stores.jobs().recordEvents(tx, List.of(event));
            recorded.add(event);
            actions.record(tx, caller, "job.retry", jobId, "was " + job.status().wire());
            return stores.jobs().find(tx, jobId).orElseThrow();
        });
        OperatorActions.log(caller, "job.retry", jobId, null);
        recorded.forEach(e -> e.log(revived.type(), revived.correlationId()));
        signal.jobsAvailable(Map.of(revived.type(), revived.runAt()), now);
        return revived;
    }
}
