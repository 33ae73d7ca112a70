package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Records a failed attempt, fenced by its lease token: a retryable failure goes back to
 * pending after the backoff while attempts remain; otherwise the job is dead.
 */
public final class FailJob {
    private final Stores stores;
    private final JobSignal signal;
    private final Clock clock;
    private final Settings settings;
    private final RandomGenerator random;

    public FailJob(Stores stores, JobSignal signal, Clock clock, Settings settings, RandomGenerator random) {
        this.stores = stores;
        this.signal = signal;
        this.clock = clock;
        this.settings = settings;
        this.random = random;
    }

    public JobRow fail(Caller caller, String jobId, String leaseToken, String error, boolean retryable) {
        caller.requireAnyBot();
        if (error == null) {
            throw Problem.badRequest("error is required");
        }
        long now = clock.millis();
        JobRow failed = stores.database().inTransaction(tx -> {
            JobRow job = stores.jobs().findForUpdate(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
            LeaseCheck.require(job, caller, leaseToken);
            boolean retry = retryable && job.attempt() < job.maxAttempts();
            if (retry) {
                long runAt = now + settings.backoff().delayMillis(job.attempt(), random);
                stores.jobs().requeue(tx, jobId, leaseToken, 0, runAt, error, now);
                stores.jobs().recordEvents(tx, List.of(
                        new JobEvent(jobId, now, Events.FAILED, Events.REASON_ERROR, job.claimedBy(), job.attempt())));
            } else {
                stores.jobs().bury(tx, jobId, leaseToken, error, now);
                String reason = retryable ? Events.REASON_ATTEMPTS_EXHAUSTED : Events.REASON_NOT_RETRYABLE;
                stores.jobs().recordEvents(tx, List.of(
                        new JobEvent(jobId, now, Events.DEAD_LETTERED, reason, job.claimedBy(), job.attempt())));
            }
            return stores.jobs().find(tx, jobId).orElseThrow();
        });
        if ("pending".equals(failed.status())) {
            signal.jobsAvailable(Map.of(failed.type(), failed.runAt()), now);
        }
        return failed;
    }
}
