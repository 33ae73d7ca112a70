package io.shepherd.runtime.service;

import java.time.Clock;
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
 * The fence in front of complete, fail and release: only the job's current lease token counts
 * (any other is 409, so a zombie can do no harm), and only the bot that holds the lease may
 * present it (403).
 */
final class LeaseCheck {
    private LeaseCheck() {
    }

    /**
     * Runs a fenced change; when the fence refuses it (409), records the refusal as a job event
     * of its own — outside the rolled-back transaction — so the audit trail shows every zombie
     * that tried.
     */
    static <T> T recordingRefusals(Stores stores, Clock clock, Caller caller, String jobId, String action,
                                   java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (Problem p) {
            if (p.status() == 409) {
                try {
                    JobRow job = stores.jobs().find(stores.database().execute(), jobId).orElse(null);
                    JobEvent refused = new JobEvent(jobId, clock.millis(), EventKind.REFUSED, Reasons.staleLease(action),
                            caller.botId(), job == null ? 0 : job.attempt());
                    stores.jobs().recordEvents(stores.database().execute(), List.of(refused));
                    refused.log(job == null ? null : job.type(), job == null ? null : job.correlationId());
                } catch (RuntimeException e) {
                    p.addSuppressed(e);
                }
            }
            throw p;
        }
    }

    static void require(JobRow job, Caller caller, String leaseToken) {
        if (leaseToken == null || leaseToken.isBlank()) {
            throw Problem.badRequest("leaseToken is required");
        }
        boolean current = job.status() == JobStatus.CLAIMED && leaseToken.equals(job.leaseToken());
        if (!current) {
            throw Problem.conflict(staleReason(job));
        }
        requireHolder(job, caller);
    }

    /** Whether the caller may act for the job's holder: the holding bot itself, or an admin. */
    static boolean actsForHolder(JobRow job, Caller caller) {
        return caller.isAdmin() || caller.botId().equals(job.claimedBy());
    }

    /** 403 unless the caller acts for the job's holder (a valid token presented by another bot). */
    static void requireHolder(JobRow job, Caller caller) {
        if (!actsForHolder(job, caller)) {
            throw Problem.forbidden("Job " + job.id() + " is held by another bot");
        }
    }

    private static String staleReason(JobRow job) {
        return switch (job.status()) {
            case CANCELLED -> "Job " + job.id() + " was cancelled; its lease is void";
            case COMPLETED, DEAD -> "Job " + job.id() + " is already " + job.status().wire();
            case PENDING -> "Job " + job.id() + " is no longer held under this lease (it was released or recovered)";
            case CLAIMED -> "Lease token is not the current lease of job " + job.id() + " (it was re-claimed)";
        };
    }
}
