package io.shepherd.runtime.service;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.store.JobRow;

/**
 * The fence in front of complete, fail and release: only the job's current lease token counts
 * (any other is 409, so a zombie can do no harm), and only the bot that holds the lease may
 * present it (403).
 */
final class LeaseCheck {
    private LeaseCheck() {
    }

    static void require(JobRow job, Caller caller, String leaseToken) {
        if (leaseToken == null || leaseToken.isBlank()) {
            throw Problem.badRequest("leaseToken is required");
        }
        boolean current = "claimed".equals(job.status()) && leaseToken.equals(job.leaseToken());
        if (!current) {
            throw Problem.conflict(staleReason(job));
        }
        if (!caller.isAdmin() && !job.claimedBy().equals(caller.botId())) {
            throw Problem.forbidden("Job " + job.id() + " is held by another bot");
        }
    }

    private static String staleReason(JobRow job) {
        return switch (job.status()) {
            case "cancelled" -> "Job " + job.id() + " was cancelled; its lease is void";
            case "completed", "dead" -> "Job " + job.id() + " is already " + job.status();
            case "pending" -> "Job " + job.id() + " is no longer held under this lease (it was released or recovered)";
            default -> "Lease token is not the current lease of job " + job.id() + " (it was re-claimed)";
        };
    }
}
