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
 * Many reports of one bot in one call: the completions in one statement ({@link CompleteJob#completeAll}),
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

    public ReportJobs(CompleteJob completeJob, FailJob failJob, ReleaseJob releaseJob) {
        this.completeJob = completeJob;
        this.failJob = failJob;
        this.releaseJob = releaseJob;
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

    /** The answers in the reports' order. 400 (nothing done) for more than {@link #MAX_REPORTS} or a job named twice. */
    public List<Answer> report(Caller caller, String botId, List<Report> reports) {
        caller.requireBot(botId);
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
        Map<String, Problem> refusedCompletions = completions.isEmpty() ? Map.of()
                : completeJob.completeAll(caller, completions);
        List<Answer> answers = new ArrayList<>(reports.size());
        for (Report r : reports) {
            answers.add(switch (r.outcome()) {
                case COMPLETE -> {
                    Problem refused = refusedCompletions.get(r.jobId());
                    yield refused == null ? Answer.accepted(r.jobId(), JobStatus.COMPLETED)
                            : Answer.refused(r.jobId(), refused);
                }
                case FAIL -> one(r.jobId(), () -> failJob.fail(caller, r.jobId(), r.leaseToken(), r.error(), r.retryable()));
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
