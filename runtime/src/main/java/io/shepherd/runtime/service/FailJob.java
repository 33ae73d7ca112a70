package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Limits;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Records a failed attempt, fenced by its lease token. A retryable failure goes to the job type's
 * recovery policy (by default: back to pending after a backoff while attempts remain, then dead);
 * a failure that is not retryable makes the job dead at once. The policy decides outside the
 * transaction; the lease is checked again under the row lock before its decision is written.
 */
public final class FailJob {
    private final Stores stores;
    private final JobSignal signal;
    private final Clock clock;
    private final Policies policies;

    private final RuntimeMetrics metrics;
    private final Limits limits;

    public FailJob(Stores stores, JobSignal signal, Clock clock, Policies policies, RuntimeMetrics metrics,
                   Limits limits) {
        this.metrics = metrics;
        this.limits = limits;
        this.stores = stores;
        this.signal = signal;
        this.clock = clock;
        this.policies = policies;
    }

    public JobRow fail(Caller caller, String jobId, String leaseToken, String error, boolean retryable) {
        caller.requireAnyBot();
        if (error == null) {
            throw Problem.badRequest("error is required");
        }
        int size = error.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (size > limits.error()) {
            throw Problem.badRequest("error is " + size + " bytes; at most " + limits.error() + " are kept (send its "
                    + "first lines: the whole text belongs in the bot's log)");
        }
        long now = clock.millis();
        List<JobEvent> recorded = new ArrayList<>(1);
        JobRow failed = LeaseCheck.recordingRefusals(stores, clock, caller, jobId, "fail", () -> {
            // The policy (a script may take up to its time limit) decides before the transaction:
            // it never holds the job's row lock or a pooled connection. The fence is checked here
            // and again inside, under the lock: a lease that changed in between is refused (409).
            // A failure that is not retryable needs no policy, and no read before the transaction.
            Decision decision = retryable ? decide(jobId, caller, leaseToken, now) : Decision.dead();
            return stores.database().inTransaction(tx -> {
                JobRow job = stores.jobs().findForUpdate(tx, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
                LeaseCheck.require(job, caller, leaseToken);
                if (decision.action() == Decision.Action.REQUEUE) {
                    stores.jobs().requeue(tx, jobId, leaseToken, 0, now + decision.delayMs(), error, now);
                    recorded.add(new JobEvent(jobId, now, EventKind.FAILED, Reasons.ERROR, job.claimedBy(), job.attempt()));
                } else {
                    stores.jobs().bury(tx, jobId, leaseToken, error, now);
                    String reason = !retryable ? Reasons.NOT_RETRYABLE
                            : job.attempt() >= job.maxAttempts() ? Reasons.ATTEMPTS_EXHAUSTED
                            : Reasons.POLICY;
                    recorded.add(new JobEvent(jobId, now, EventKind.DEAD_LETTERED, reason, job.claimedBy(), job.attempt()));
                }
                stores.jobs().recordEvents(tx, recorded);
                return stores.jobs().find(tx, jobId).orElseThrow();
            });
        });
        recorded.forEach(e -> e.log(failed.type(), failed.correlationId()));
        metrics.failed();
        if (failed.status() == JobStatus.DEAD) {
            metrics.dead(1);
        }
        if (failed.status() == JobStatus.PENDING) {
            signal.jobsAvailable(Map.of(failed.type(), failed.runAt()), now);
        }
        return failed;
    }

    /** The job's policy's decision, taken on the job as it stands now, outside any transaction. */
    private Decision decide(String jobId, Caller caller, String leaseToken, long now) {
        JobRow seen = stores.jobs().find(stores.database().execute(), jobId)
                .orElseThrow(() -> Problem.notFound("No job " + jobId));
        LeaseCheck.require(seen, caller, leaseToken);
        return policies.decide(new JobFacts(seen.id(), seen.type(), seen.queue(), seen.attempt(), seen.maxAttempts(),
                JobFacts.FAILED), policies.context(now, 0));
    }
}
