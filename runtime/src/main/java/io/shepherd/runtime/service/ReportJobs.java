package io.shepherd.runtime.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.JobStore;

/**
 * Many reports of one bot in one call: the completions in one statement ({@link CompleteJob#batch}),
 * failures and releases one by one under the same rules as their single calls. Each report is
 * answered on its own, as its single call would have been answered: one refused (a stale lease, a
 * result over the limit) does not hold the others back.
 */
public final class ReportJobs {
    /** The most reports one call may carry. */
    public static final int MAX_REPORTS = 100;

    private final CompleteJob completeJob;
    private final FailJob failJob;
    private final ReleaseJob releaseJob;
    private final ClaimJobs claimJobs;

    public ReportJobs(CompleteJob completeJob, FailJob failJob, ReleaseJob releaseJob, ClaimJobs claimJobs) {
        this.completeJob = completeJob;
        this.failJob = failJob;
        this.releaseJob = releaseJob;
        this.claimJobs = claimJobs;
    }

    /**
     * What an exchange did: each report's answer, the jobs claimed, and — when reports were applied
     * but the claim was then refused (the session superseded meanwhile) — that refusal.
     */
    public record Exchanged(List<Answer> answers, List<JobRow> claimed, boolean drain, Problem claimRefused) {
    }

    /**
     * Reports in, jobs out: the reports answered one by one, then (with {@code claim}) a claim as
     * {@link ClaimJobs#claim} makes it. A claim no request could serve is refused (400) before any
     * report is applied, and so is a call without a claim from a superseded session (409), which
     * the claim statement would otherwise have told. A claim refused after reports were applied is
     * returned with their answers; refused with no reports, it is thrown. A draining bot's claim
     * is answered at once, saying so ({@code drain}). When every report is a completion — a busy
     * bot's usual call — the claim carries them ahead of its statement: on PostgreSQL one round
     * trip and one transaction for both, which the claim sees.
     */
    public Exchanged exchange(Caller caller, String botId, String session, List<Report> reports,
                              ClaimJobs.Request claim) {
        caller.requireBot(botId);
        if (claim != null) {
            claimJobs.validate(claim);
        } else {
            claimJobs.requireCurrentSession(botId, session);
        }
        List<JobStore.Completion> completions = completions(reports);
        CompleteJob.Batch batch = completeJob.batch(caller, completions);
        // only completions, and a claim (a busy bot's usual call): the claim carries them in its
        // round trip; otherwise the completions go first on their own, then the failures and releases
        boolean carried = claim != null && !reports.isEmpty() && completions.size() == reports.size();
        List<Answer> answers = carried ? null : answers(caller, reports, batch);
        if (claim == null) {
            return new Exchanged(answers, List.of(), false, null);
        }
        try {
            ClaimJobs.Claimed claimed = claimJobs.claim(caller, claim, true, carried ? batch : null);
            return new Exchanged(carried ? answers(caller, reports, batch) : answers, claimed.jobs(), claimed.drain(),
                    null);
        } catch (Problem refused) {
            if (carried) {
                // refused before the claim reached the database: the completions go on their own
                answers = answers(caller, reports, batch);
            }
            if (answers.isEmpty()) {
                throw refused;
            }
            return new Exchanged(answers, List.of(), false, refused);
        }
    }

    /** What a report says of its job. */
    public enum Outcome {
        COMPLETE, FAIL, RELEASE;

        private final String wire = name().toLowerCase(Locale.ROOT);

        public String wire() {
            return wire;
        }

        /** 400 for anything but {@code complete}, {@code fail}, {@code release}. */
        public static Outcome of(String wire) {
            for (Outcome o : values()) {
                if (o.wire.equals(wire)) {
                    return o;
                }
            }
            throw Problem.badRequest("outcome must be complete, fail or release, was " + wire);
        }
    }

    /**
     * One report: {@code result} (JSON text or null) for a completion, {@code error} and
     * {@code retryable} for a failure.
     */
    public record Report(String jobId, String leaseToken, Outcome outcome, String result, String error,
                         boolean retryable) {
    }

    /** How one report was answered: 200 and the job's status now, or the refusal. */
    public record Answer(String jobId, int status, JobStatus jobStatus, Problem refusal) {
        static Answer accepted(String jobId, JobStatus status) {
            return new Answer(jobId, 200, status, null);
        }

        static Answer refused(String jobId, Problem refusal) {
            return new Answer(jobId, refusal.status(), null, refusal);
        }
    }

    /**
     * The completions among the reports. 400 (nothing done) for more than {@link #MAX_REPORTS}
     * or a job named twice.
     */
    private static List<JobStore.Completion> completions(List<Report> reports) {
        if (reports.size() > MAX_REPORTS) {
            throw Problem.badRequest("at most " + MAX_REPORTS + " reports go in one call, not " + reports.size());
        }
        Set<String> seen = new HashSet<>();
        List<JobStore.Completion> completions = new ArrayList<>(reports.size());
        for (int i = 0; i < reports.size(); i++) {
            Report r = reports.get(i);
            if (!seen.add(r.jobId())) {
                throw Problem.badRequest("reports[" + i + "] names job " + r.jobId() + " again; one report a job");
            }
            if (r.outcome() == Outcome.COMPLETE) {
                completions.add(new JobStore.Completion(r.jobId(), r.leaseToken(), r.result()));
            }
        }
        return completions;
    }

    /**
     * Each report's answer, in their order: the completions sent (on their own unless a claim
     * carried them) and answered by their refusals, failures and releases made one by one.
     */
    private List<Answer> answers(Caller caller, List<Report> reports, CompleteJob.Batch completions) {
        completions.sendAlone();
        Map<String, Problem> refusedCompletions = completions.refusals();
        List<Answer> answers = new ArrayList<>(reports.size());
        for (Report r : reports) {
            answers.add(switch (r.outcome()) {
                case COMPLETE -> {
                    Problem refused = refusedCompletions.get(r.jobId());
                    yield refused == null ? Answer.accepted(r.jobId(), JobStatus.COMPLETED)
                            : Answer.refused(r.jobId(), refused);
                }
                case FAIL -> one(r.jobId(), () -> failJob.fail(caller, r.jobId(), r.leaseToken(), r.error(),
                        r.retryable()));
                case RELEASE -> one(r.jobId(), () -> releaseJob.release(caller, r.jobId(), r.leaseToken()));
            });
        }
        return answers;
    }

    private static Answer one(String jobId, java.util.function.Supplier<JobRow> call) {
        try {
            return Answer.accepted(jobId, call.get().status());
        } catch (Problem p) {
            return Answer.refused(jobId, p);
        }
    }
}
