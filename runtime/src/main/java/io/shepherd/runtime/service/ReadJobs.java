package io.shepherd.runtime.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.StatusCounts;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobFilter;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.Stores;

/** Reads jobs, their events and the counts of jobs and bots by status. */
public final class ReadJobs {
    public static final int MAX_LIMIT = 500;

    private final Stores stores;
    private final RuntimeMetrics metrics;
    private final Clock clock;

    /** {@code metrics}: whose background counts a caller may accept instead of counting again. */
    public ReadJobs(Stores stores, RuntimeMetrics metrics, Clock clock) {
        this.stores = stores;
        this.metrics = metrics;
        this.clock = clock;
    }

    public record Page(List<JobRow> jobs, String next) {
    }

    /**
     * The counts, every status present, and when they were made: completed, dead and cancelled at
     * {@code finishedCountedAt}, the others at {@code countedAt}.
     */
    public record Stats(Map<String, Long> jobs, Map<String, Long> bots, long countedAt, long finishedCountedAt) {
    }

    public JobRow get(Caller caller, String id) {
        caller.requireClientOrViewer();
        return stores.jobs().find(stores.database().execute(), id).orElseThrow(() -> Problem.notFound("No job " + id));
    }

    /**
     * What a listing asks, as the request gave it (any field null): {@code order} is {@code asc}
     * (oldest first, the default) or {@code desc}.
     */
    public record Query(String status, String type, String queue, String bot, String key, Long since, Long until,
                        String order, Integer limit, String after) {
    }

    public Page list(Caller caller, Query q) {
        caller.requireClientOrViewer();
        String status = q.status();
        if (status != null && !StatusCounts.JOB_STATUSES.contains(status)) {
            throw Problem.badRequest("status must be one of " + StatusCounts.JOB_STATUSES + ", was " + status);
        }
        if (q.order() != null && !q.order().equals("asc") && !q.order().equals("desc")) {
            throw Problem.badRequest("order must be asc or desc, was " + q.order());
        }
        if (q.since() != null && q.until() != null && q.until() <= q.since()) {
            throw Problem.badRequest("until must be later than since");
        }
        Integer limit = q.limit();
        String after = q.after();
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw Problem.badRequest("limit must be between 1 and " + MAX_LIMIT + ", was " + size);
        }
        Long afterCreatedAt = null;
        String afterId = null;
        if (after != null) {
            String decoded;
            try {
                decoded = new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                afterCreatedAt = Long.parseLong(decoded.substring(0, colon));
                afterId = decoded.substring(colon + 1);
            } catch (RuntimeException e) {
                throw Problem.badRequest("after is not a cursor this API returned");
            }
        }
        JobFilter filter = new JobFilter(status == null ? null : JobStatus.of(status), q.type(), q.queue(), q.bot(),
                q.key(), q.since(), q.until(), "desc".equals(q.order()), afterCreatedAt, afterId);
        List<JobRow> rows = stores.database().read(db -> stores.jobs().list(db, filter, size + 1));
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            JobRow last = rows.getLast();
            next = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((last.createdAt() + ":" + last.id()).getBytes(StandardCharsets.UTF_8));
        }
        return new Page(rows, next);
    }

    /** Events may come from a replica; a job the replica has not seen yet is looked up on the primary. */
    public List<JobEvent> events(Caller caller, String id) {
        caller.requireClientOrViewer();
        List<JobEvent> events = stores.database().read(db -> stores.jobs().find(db, id).isPresent()
                ? stores.jobs().events(db, id) : null);
        if (events != null) {
            return events;
        }
        var primary = stores.database().execute();
        stores.jobs().find(primary, id).orElseThrow(() -> Problem.notFound("No job " + id));
        return stores.jobs().events(primary, id);
    }

    /** Every job's events after the cursor (or the latest), oldest first: the feed {@code shepherd events --follow} tails. */
    public List<io.shepherd.runtime.store.JobStore.FedEvent> feed(Caller caller, Long afterId, Integer limit) {
        caller.requireClientOrViewer();
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw Problem.badRequest("limit must be between 1 and " + MAX_LIMIT + ", was " + size);
        }
        return stores.database().read(db -> stores.jobs().feed(db, afterId, size));
    }

    /**
     * Jobs and bots by status. With {@code maxAgeMs}, the counts the metrics read in the background
     * serve when they are at most that old (a console's poll then costs the database nothing: a
     * count of a million jobs is a full scan); otherwise, or when they are older, counted now.
     */
    public Stats stats(Caller caller, Integer maxAgeMs) {
        caller.requireClientOrViewer();
        if (maxAgeMs != null && maxAgeMs < 0) {
            throw Problem.badRequest("maxAgeMs must be 0 or more, was " + maxAgeMs);
        }
        if (maxAgeMs != null && maxAgeMs > 0) {
            var counted = metrics.counts(java.time.Duration.ofMillis(maxAgeMs));
            if (counted.isPresent()) {
                var c = counted.get();
                return new Stats(StatusCounts.jobs(c.jobs()), StatusCounts.bots(c.bots()), c.countedAt(),
                        c.finishedCountedAt());
            }
        }
        long now = clock.millis();
        return stores.database().read(db -> new Stats(StatusCounts.jobs(stores.jobs().countByStatus(db)),
                StatusCounts.bots(stores.bots().countByStatus(db)), now, now));
    }
}
