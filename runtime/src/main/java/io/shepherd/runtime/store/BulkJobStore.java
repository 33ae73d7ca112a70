package io.shepherd.runtime.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.helidon.dbclient.DbExecute;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.db.Dialect;

/**
 * The SQL that acts on many jobs at once, a bounded batch per statement: retention's prune and
 * an operator's bulk retry and delete. Each batch re-checks its rows as it changes them, so a job
 * that moved on meanwhile is left alone.
 */
public final class BulkJobStore {
    private final Dialect dialect;

    public BulkJobStore(Dialect dialect) {
        this.dialect = dialect;
    }

    /** What one batch of a prune did: the rows it picked (a full batch means more may wait) and those it deleted. */
    public record Batch(int picked, int deleted) {
    }

    /**
     * Deletes, oldest first, up to {@code limit} jobs that have been {@code status} since before
     * {@code cutoff} — only of {@code onlyType} when given, never of {@code exceptTypes} — with
     * their events. Run it in a transaction of its own: the batch is picked first, then each row
     * is re-checked as it is deleted, so a job retried meanwhile stays, with its history.
     */
    public Batch prune(DbExecute tx, JobStatus status, long cutoff, String onlyType, Collection<String> exceptTypes,
                       int limit) {
        StringBuilder where = new StringBuilder("status = ? AND updated_at < ?");
        List<Object> params = new ArrayList<>();
        params.add(status.wire());
        params.add(cutoff);
        if (onlyType != null) {
            where.append(" AND type = ?");
            params.add(onlyType);
        }
        if (!exceptTypes.isEmpty()) {
            where.append(" AND type NOT IN (").append(JobStore.placeholders(exceptTypes.size())).append(")");
            params.addAll(exceptTypes);
        }
        params.add(limit);
        // oldest first by creation, through jobs_listing: a job finished after it was created, so
        // every job finished before the cutoff was created before it too
        List<Object> pickParams = new ArrayList<>();
        pickParams.add(cutoff);
        pickParams.addAll(params);
        List<String> picked = Rows.list(tx.createQuery("SELECT id FROM jobs WHERE created_at < ? AND " + where
                + " ORDER BY created_at LIMIT ?").params(pickParams).execute(), r -> Rows.string(r, "id"));
        if (picked.isEmpty()) {
            return new Batch(0, 0);
        }
        List<Object> deleteParams = new ArrayList<>(picked);
        deleteParams.add(status.wire());
        deleteParams.add(cutoff);
        List<String> ids = Rows.list(tx.createQuery(dialect.returningDeleted("DELETE FROM jobs WHERE id IN ("
                + JobStore.placeholders(picked.size()) + ") AND status = ? AND updated_at < ?", "id"))
                .params(deleteParams).execute(), r -> Rows.string(r, "id"));
        for (int from = 0; from < ids.size(); from += 1000) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
            tx.createDelete("DELETE FROM job_events WHERE job_id IN (" + JobStore.placeholders(chunk.size()) + ")")
                    .params(chunk).execute();
        }
        return new Batch(picked.size(), ids.size());
    }

    /** What a bulk action picks: every given criterion must hold (updated in [since, until), error containing). */
    public record Filter(List<JobStatus> statuses, String type, String queue, Long since, Long until, String error) {
    }

    /** Up to {@code limit} ids of jobs the filter picks, oldest change first. */
    public List<String> idsMatching(DbExecute db, Filter f, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id FROM jobs WHERE status IN (" + JobStore.placeholders(f.statuses().size())
                + ")");
        List<Object> params = new ArrayList<>();
        f.statuses().forEach(s -> params.add(s.wire()));
        if (f.type() != null) {
            sql.append(" AND type = ?");
            params.add(f.type());
        }
        if (f.queue() != null) {
            sql.append(" AND queue = ?");
            params.add(f.queue());
        }
        if (f.since() != null) {
            sql.append(" AND updated_at >= ?");
            params.add(f.since());
        }
        if (f.until() != null) {
            sql.append(" AND updated_at < ?");
            params.add(f.until());
        }
        if (f.error() != null) {
            sql.append(" AND last_error LIKE ? ESCAPE '!'");
            params.add("%" + f.error().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        sql.append(" ORDER BY created_at, id LIMIT ?"); // through jobs_listing
        params.add(limit);
        return Rows.list(db.createQuery(sql.toString()).params(params).execute(), r -> Rows.string(r, "id"));
    }

    /** Gives these dead or cancelled jobs a fresh attempt budget; answers those it revived. */
    public List<JobRow> reviveAll(DbExecute tx, List<String> ids, long now) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>(ids.size() + 2);
        params.add(now);
        params.add(now);
        params.addAll(ids);
        return Rows.list(tx.createQuery(dialect.returning("UPDATE jobs SET " + JobStore.RELEASE_SET + ", cancel_requested = FALSE, "
                + "attempt = 0, run_at = ?, updated_at = ? WHERE id IN (" + JobStore.placeholders(ids.size()) + ") "
                + "AND status IN ('dead', 'cancelled')", JobStore.COLUMNS)).params(params).execute(), JobStore::row);
    }

    /** Deletes these finished jobs with their events; answers how many jobs went. */
    public int deleteFinished(DbExecute tx, List<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        String in = JobStore.placeholders(ids.size());
        List<String> gone = Rows.list(tx.createQuery(dialect.returningDeleted("DELETE FROM jobs WHERE id IN (" + in
                + ") AND " + JobStore.FINISHED, "id")).params(ids).execute(),
                r -> Rows.string(r, "id"));
        if (!gone.isEmpty()) {
            tx.createDelete("DELETE FROM job_events WHERE job_id IN (" + JobStore.placeholders(gone.size()) + ")")
                    .params(gone).execute();
        }
        return gone.size();
    }
}
