package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.shepherd.runtime.core.CorrelationIds;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Limits;
import io.shepherd.runtime.core.Names;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.NewJob;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/** Submits jobs, one or a batch (all or nothing), honouring idempotency keys. */
public final class SubmitJobs {
    public static final int MAX_BATCH = 1000;

    private final Stores stores;
    private final JobSignal signal;
    private final Clock clock;
    private final Policies policies;
    private final RuntimeMetrics metrics;
    private final Limits limits;

    public SubmitJobs(Stores stores, JobSignal signal, Clock clock, Policies policies, RuntimeMetrics metrics,
                      Limits limits) {
        this.metrics = metrics;
        this.limits = limits;
        this.stores = stores;
        this.signal = signal;
        this.clock = clock;
        this.policies = policies;
    }

    /** What a client asks for; optional fields are null. {@code payload} is JSON text. */
    public record Submission(String type, String payload, String queue, Integer priority, Integer maxAttempts,
                             Long runAt, String idempotencyKey, String correlationId, Long timeoutMs) {
    }

    /** The job, and whether this call created it (false when the idempotency key repeated). */
    public record Submitted(JobRow job, boolean created) {
    }

    public Submitted submit(Submission submission) {
        return submitAll(List.of(submission)).getFirst();
    }

    public List<Submitted> submitBatch(List<Submission> submissions) {
        if (submissions.isEmpty()) {
            throw Problem.badRequest("jobs must hold at least one job");
        }
        if (submissions.size() > MAX_BATCH) {
            throw Problem.badRequest("jobs holds " + submissions.size() + " jobs; at most " + MAX_BATCH + " per batch");
        }
        return submitAll(submissions);
    }

    private List<Submitted> submitAll(List<Submission> submissions) {
        long now = clock.millis();
        List<NewJob> rows = new ArrayList<>(submissions.size());
        for (int i = 0; i < submissions.size(); i++) {
            rows.add(validate(submissions.get(i), now, submissions.size() == 1 ? "" : "jobs[" + i + "]."));
        }
        List<Submitted> result = stores.database().inTransaction(tx -> {
            stores.jobs().insert(tx, rows, now);
            List<String> keyedIds = rows.stream().filter(r -> r.idempotencyKey() != null).map(NewJob::id).toList();
            Map<String, JobRow> inserted = new HashMap<>();
            stores.jobs().findAll(tx, keyedIds).forEach(j -> inserted.put(j.id(), j));
            List<Submitted> out = new ArrayList<>(rows.size());
            List<JobEvent> events = new ArrayList<>(rows.size());
            for (NewJob row : rows) {
                if (row.idempotencyKey() == null || inserted.containsKey(row.id())) {
                    JobRow job = inserted.getOrDefault(row.id(), pending(row, now));
                    out.add(new Submitted(job, true));
                    events.add(new JobEvent(job.id(), now, EventKind.SUBMITTED, Reasons.SUBMITTED, null, 0));
                } else {
                    JobRow first = stores.jobs().findByIdempotencyKey(tx, row.idempotencyKey())
                            .orElseThrow(() -> new IllegalStateException("idempotency key vanished: " + row.idempotencyKey()));
                    out.add(new Submitted(first, false));
                }
            }
            stores.jobs().recordEvents(tx, events);
            return out;
        });
        Map<String, Long> due = new HashMap<>();
        for (Submitted s : result) {
            if (s.created()) {
                due.merge(s.job().type(), s.job().runAt(), Math::min);
            }
        }
        metrics.submitted(result.stream().filter(Submitted::created).count());
        result.stream().filter(Submitted::created)
                .forEach(s -> JobLog.event(s.job().logged(), EventKind.SUBMITTED, Reasons.SUBMITTED, null));
        signal.jobsAvailable(due, now);
        return result;
    }

    private NewJob validate(Submission s, long now, String prefix) {
        if (s.type() == null || s.type().isBlank()) {
            throw Problem.badRequest(prefix + "type is required");
        }
        Names.requireName(prefix + "type", s.type());
        String queue = Names.requireName(prefix + "queue", s.queue() == null ? "default" : s.queue());
        int maxAttempts = s.maxAttempts() == null ? policies.maxAttemptsFor(s.type()) : s.maxAttempts();
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw Problem.badRequest(prefix + "maxAttempts must be between 1 and 1000, was " + maxAttempts);
        }
        if (s.idempotencyKey() != null && !Names.key(s.idempotencyKey())) {
            throw Problem.badRequest(prefix + "idempotencyKey must be " + Names.KEY_RULE);
        }
        if (s.correlationId() != null && !CorrelationIds.valid(s.correlationId())) {
            throw Problem.badRequest(prefix + "correlationId must be " + CorrelationIds.RULE);
        }
        if (s.timeoutMs() != null && s.timeoutMs() < 1) {
            throw Problem.badRequest(prefix + "timeoutMs must be positive, was " + s.timeoutMs());
        }
        Limits.requireFits(prefix + "payload", s.payload(), limits.payload());
        long runAt = s.runAt() == null ? now : s.runAt();
        int priority = s.priority() == null ? 0 : s.priority();
        return new NewJob(UUID.randomUUID().toString(), s.type(), queue, s.payload(), priority, maxAttempts, runAt,
                s.idempotencyKey(), s.correlationId(), timeoutMs(s));
    }

    /** The job's own timeout, capped by its type's; the type's when it gives none; null when neither has one. */
    private Long timeoutMs(Submission s) {
        Long typeMs = policies.book().timeoutFor(s.type()).map(java.time.Duration::toMillis).orElse(null);
        if (s.timeoutMs() == null) {
            return typeMs;
        }
        return typeMs == null ? s.timeoutMs() : Math.min(s.timeoutMs(), typeMs);
    }

    private static JobRow pending(NewJob job, long now) {
        return new JobRow(job.id(), job.type(), job.queue(), job.payload(), job.priority(), JobStatus.PENDING, 0,
                job.maxAttempts(), job.runAt(), now, now, null, null, null, null, false, null, null,
                job.idempotencyKey(), job.correlationId(), null, job.timeoutMs(), null);
    }
}
