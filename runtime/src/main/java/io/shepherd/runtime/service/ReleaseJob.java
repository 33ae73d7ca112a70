package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/** Hands a held job back at once, fenced by its lease token; the attempt does not count as a failure. */
public final class ReleaseJob {
    private final Stores stores;
    private final JobSignal signal;
    private final Clock clock;

    public ReleaseJob(Stores stores, JobSignal signal, Clock clock) {
        this.stores = stores;
        this.signal = signal;
        this.clock = clock;
    }

    public JobRow release(Caller caller, String jobId, String leaseToken) {
        caller.requireAnyBot();
        long now = clock.millis();
        List<JobEvent> recorded = new ArrayList<>(1);
        JobRow released = LeaseCheck.recordingRefusals(stores, clock, caller, jobId, "release", () -> stores.database().inTransaction(tx -> {
            JobRow job = stores.jobs().findForUpdate(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
            LeaseCheck.require(job, caller, leaseToken);
            stores.jobs().requeue(tx, jobId, leaseToken, 1, now, null, now);
            JobEvent event = new JobEvent(jobId, now, EventKind.RELEASED, Reasons.RELEASED, job.claimedBy(),
                    job.attempt() - 1);
            stores.jobs().recordEvents(tx, List.of(event));
            recorded.add(event);
            return stores.jobs().find(tx, jobId).orElseThrow();
        }));
        recorded.forEach(e -> e.log(released.type(), released.correlationId()));
        signal.jobsAvailable(Map.of(released.type(), released.runAt()), now);
        return released;
    }
}
