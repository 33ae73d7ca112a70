package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.helidon.dbclient.DbExecute;
import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Limits;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.JobStore;
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
                return alreadyCompleted(tx, caller, jobId, leaseToken);
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

    /**
     * Completes many jobs a bot holds, in one statement (which on PostgreSQL also records their
     * events), in steps so that a claim can carry them in its own round trip
     * ({@link ClaimJobs#claim(Caller, ClaimJobs.Request, boolean, Batch)}): the completions checked
     * here, then sent — by the claim ({@link Batch#carried}) or on their own
     * ({@link Batch#sendAlone}) — then answered ({@link Batch#refusals}) by job id: a job absent
     * from the answer was completed. Each refusal is what {@link #complete} would have answered
     * for that job alone (404, 409, 403, 413), and a 409 is recorded as a refused event as there;
     * a completion repeated after its answer was lost is accepted again.
     */
    public Batch batch(Caller caller, List<JobStore.Completion> completions) {
        caller.requireAnyBot();
        Map<String, Problem> refused = new LinkedHashMap<>();
        List<JobStore.Completion> fitting = new ArrayList<>(completions.size());
        for (JobStore.Completion c : completions) {
            try {
                if (c.leaseToken() == null || c.leaseToken().isBlank()) {
                    throw Problem.badRequest("leaseToken is required");
                }
                Limits.requireFits("result", c.result(), limits.result());
                fitting.add(c);
            } catch (Problem p) {
                refused.put(c.id(), p);
            }
        }
        return new Batch(caller, fitting, refused);
    }

    /** Completions of one bot, checked, on their way to the database (see {@link #batch}). */
    public final class Batch {
        private final Caller caller;
        private final List<JobStore.Completion> fitting;
        private final Map<String, Problem> refused;
        /** What the database completed; null until sent. */
        private List<JobStore.Completed> done;

        private Batch(Caller caller, List<JobStore.Completion> fitting, Map<String, Problem> refused) {
            this.caller = caller;
            this.fitting = fitting;
            this.refused = refused;
        }

        /** The completions to send (those that passed the checks). */
        public List<JobStore.Completion> fitting() {
            return fitting;
        }

        public boolean sent() {
            return done != null;
        }

        /** A claim sent the completions in its round trip, and the database completed these. */
        public void carried(List<JobStore.Completed> completed) {
            done = completed;
        }

        /**
         * Sends the completions on their own unless sent already: one autocommitted statement where
         * it also writes the events; else the update and the events in a transaction.
         */
        public void sendAlone() {
            if (sent()) {
                return;
            }
            long now = clock.millis();
            done = fitting.isEmpty() ? List.of() : stores.jobs().completesAlone()
                    ? stores.jobs().completeAll(stores.database().execute(), caller.botId(), fitting, now)
                    : stores.database().inTransaction(tx -> stores.jobs().completeAll(tx, caller.botId(), fitting, now));
        }

        /**
         * Once sent: logs what was completed, and answers the refusals by job id, each what
         * {@link #complete} would have answered for that job alone (see {@link #batch}). Once.
         */
        public Map<String, Problem> refusals() {
            if (!sent()) {
                throw new IllegalStateException("the completions were not sent");
            }
            Set<String> completed = new HashSet<>(done.size() * 2);
            for (JobStore.Completed c : done) {
                completed.add(c.id());
                metrics.completed();
                JobLog.event(new JobLog.Job(c.id(), c.type(), c.attempt(), c.correlationId()), EventKind.COMPLETED,
                        Reasons.COMPLETED, caller.botId());
            }
            for (JobStore.Completion c : fitting) {
                if (!completed.contains(c.id())) {
                    try {
                        LeaseCheck.recordingRefusals(stores, clock, caller, c.id(), "complete",
                                () -> alreadyCompleted(stores.database().execute(), caller, c.id(), c.leaseToken()));
                    } catch (Problem p) {
                        refused.put(c.id(), p);
                    }
                }
            }
            return refused;
        }
    }

    /**
     * Why a guarded completion changed nothing: the job as it stands when this very completion was
     * already recorded (its answer was lost, and it is retried), else the refusal — 404, 409 for a
     * stale token, 403 for another bot's.
     */
    private JobRow alreadyCompleted(DbExecute db, Caller caller, String jobId, String leaseToken) {
        JobRow job = stores.jobs().find(db, jobId).orElseThrow(() -> Problem.notFound("No job " + jobId));
        if (job.status() == JobStatus.COMPLETED && leaseToken.equals(job.leaseToken())
                && LeaseCheck.actsForHolder(job, caller)) {
            return job;
        }
        LeaseCheck.require(job, caller, leaseToken);
        throw Problem.conflict("Job " + jobId + " changed hands while completing; the lease is void");
    }
}
