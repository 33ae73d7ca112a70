package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.BulkJobStore;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Retry, cancel or delete every job a filter picks — "retry every job that died of X since
 * yesterday" — as one request that works in batches of {@link #BATCH} (each its own short
 * transaction), answers how many jobs it touched, and is recorded as one operator action.
 */
public final class BulkJobs {
    static final int BATCH = 500;
    /** The most jobs one request touches; a larger set takes several requests. */
    public static final int MAX_TOUCHED = 100_000;

    private final Stores stores;
    private final Clock clock;
    private final JobSignal signal;
    private final CancelJob cancelJob;
    private final OperatorActions actions;

    public BulkJobs(Stores stores, Clock clock, JobSignal signal, CancelJob cancelJob, OperatorActions actions) {
        this.stores = stores;
        this.clock = clock;
        this.signal = signal;
        this.cancelJob = cancelJob;
        this.actions = actions;
    }

    /** What to do to the jobs picked. */
    public enum Action {
        /** Dead or cancelled jobs get a fresh attempt budget (admin). */
        RETRY(List.of(JobStatus.DEAD, JobStatus.CANCELLED)),
        /** Pending or claimed jobs are cancelled; a claimed one's bot is told (client). */
        CANCEL(List.of(JobStatus.PENDING, JobStatus.CLAIMED)),
        /** Finished jobs are deleted with their events (admin). */
        DELETE(List.of(JobStatus.COMPLETED, JobStatus.DEAD, JobStatus.CANCELLED));

        final List<JobStatus> applies;

        Action(List<JobStatus> applies) {
            this.applies = applies;
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Action of(String text) {
            for (Action a : values()) {
                if (a.wire().equals(text)) {
                    return a;
                }
            }
            throw Problem.badRequest("action must be retry, cancel or delete, was " + text);
        }
    }

    /** The filter as given; every field may be null, but not all of them. */
    public record Filter(String status, String type, String queue, Long since, Long until, String error) {
    }

    /** Applies the action to every job the filter picks; answers how many it touched. */
    public long apply(Caller caller, Action action, Filter f) {
        if (action == Action.CANCEL) {
            caller.requireClient();
        } else {
            caller.requireAdmin();
        }
        BulkJobStore.Filter filter = filter(action, f);
        long now = clock.millis();
        long touched = 0;
        while (touched < MAX_TOUCHED) {
            List<String> ids = stores.bulk().idsMatching(stores.database().execute(), filter,
                    (int) Math.min(BATCH, MAX_TOUCHED - touched));
            if (ids.isEmpty()) {
                break;
            }
            int done = switch (action) {
                case RETRY -> retry(ids, now);
                case CANCEL -> cancel(caller, ids);
                case DELETE -> stores.database().inTransaction(tx -> stores.bulk().deleteFinished(tx, ids));
            };
            touched += done;
            if (ids.size() < BATCH || done == 0) {
                break;
            }
        }
        String detail = describe(f) + ": " + touched + " job(s)";
        actions.recordNow(caller, "jobs." + action.wire(), null, detail);
        return touched;
    }

    private int retry(List<String> ids, long now) {
        List<JobRow> revived = stores.database().inTransaction(tx -> {
            List<JobRow> rows = stores.bulk().reviveAll(tx, ids, now);
            List<JobEvent> events = new ArrayList<>(rows.size());
            rows.forEach(j -> events.add(new JobEvent(j.id(), now, EventKind.RETRIED, Reasons.ADMIN_RETRY, null, 0)));
            stores.jobs().recordEvents(tx, events);
            return rows;
        });
        Map<String, Long> due = new HashMap<>();
        revived.forEach(j -> due.put(j.type(), now));
        signal.jobsAvailable(due, now);
        return revived.size();
    }

    private int cancel(Caller caller, List<String> ids) {
        int n = 0;
        for (String id : ids) {
            try {
                if (cancelJob.cancel(caller, id).status() == JobStatus.CANCELLED) {
                    n++;
                }
            } catch (Problem gone) {
                // finished or deleted meanwhile: not touched
            }
        }
        return n;
    }

    private static BulkJobStore.Filter filter(Action action, Filter f) {
        if (f == null || (f.status() == null && f.type() == null && f.queue() == null && f.since() == null
                && f.until() == null && f.error() == null)) {
            throw Problem.badRequest("filter must name at least one of status, type, queue, since, until, error: "
                    + "a bulk " + action.wire() + " of every job is refused");
        }
        List<JobStatus> statuses = action.applies;
        if (f.status() != null) {
            JobStatus status;
            try {
                status = JobStatus.of(f.status());
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("filter.status is not a job status: " + f.status());
            }
            if (!action.applies.contains(status)) {
                throw Problem.badRequest("a bulk " + action.wire() + " applies to " + action.applies.stream()
                        .map(JobStatus::wire).toList() + " jobs, not " + f.status());
            }
            statuses = List.of(status);
        }
        if (f.since() != null && f.until() != null && f.since() >= f.until()) {
            throw Problem.badRequest("filter.since must be before filter.until");
        }
        if (f.error() != null && (f.error().isEmpty() || f.error().length() > 500)) {
            throw Problem.badRequest("filter.error must be 1 to 500 characters");
        }
        return new BulkJobStore.Filter(statuses, f.type(), f.queue(), f.since(), f.until(), f.error());
    }

    private static String describe(Filter f) {
        List<String> parts = new ArrayList<>();
        if (f.status() != null) {
            parts.add("status=" + f.status());
        }
        if (f.type() != null) {
            parts.add("type=" + f.type());
        }
        if (f.queue() != null) {
            parts.add("queue=" + f.queue());
        }
        if (f.since() != null) {
            parts.add("since=" + java.time.Instant.ofEpochMilli(f.since()));
        }
        if (f.until() != null) {
            parts.add("until=" + java.time.Instant.ofEpochMilli(f.until()));
        }
        if (f.error() != null) {
            parts.add("error~" + f.error());
        }
        return String.join(" ", parts);
    }
}
