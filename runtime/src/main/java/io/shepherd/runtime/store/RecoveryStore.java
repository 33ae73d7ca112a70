package io.shepherd.runtime.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.helidon.dbclient.DbExecute;
import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.db.Dialect;

/** The SQL of the recovery scheduler's duties. */
public final class RecoveryStore {
    /** Failed outcomes of an attempt, by event kind; {@code completed} is the success. */
    public static final List<String> OUTCOME_KINDS = List.of("completed", "failed", "dead-lettered", "requeued");

    /** A job its bot refused as not retryable failed on its own input: no mark against the bot. */
    private static final String NOT_THE_JOBS_FAULT = "AND NOT (kind = 'dead-lettered' AND reason = 'not-retryable')";

    private final Dialect dialect;

    public RecoveryStore(Dialect dialect) {
        this.dialect = dialect;
    }

    /** A claimed job whose lease ran out, as the sweep saw it. */
    public record Orphan(String id, String type, String queue, int attempt, int maxAttempts, String holder,
                         String leaseToken, String correlationId) {
        public JobLog.Job logged() {
            return new JobLog.Job(id, type, attempt, correlationId);
        }
    }

    /** What to do with one orphan: its new status and, for pending, when it may run. */
    public record Verdict(Orphan orphan, JobStatus status, long runAt) {
    }

    private static final String ORPHAN_COLUMNS = "id, type, queue, attempt, max_attempts, claimed_by, lease_token, "
            + "correlation_id";

    public List<Orphan> expiredLeases(DbExecute db, long cutoff, int limit) {
        return orphans(db.createQuery("SELECT " + ORPHAN_COLUMNS + " FROM jobs WHERE status = 'claimed' "
                + "AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?").params(cutoff, limit).execute());
    }

    /** Claimed jobs whose current attempt has run longer than the job's timeout, however alive their bot. */
    public List<Orphan> timedOut(DbExecute db, long now, int limit) {
        return orphans(db.createQuery("SELECT " + ORPHAN_COLUMNS + " FROM jobs WHERE status = 'claimed' "
                + "AND timeout_ms IS NOT NULL AND claimed_at + timeout_ms < ? ORDER BY claimed_at LIMIT ?")
                .params(now, limit).execute());
    }

    private static List<Orphan> orphans(java.util.stream.Stream<io.helidon.dbclient.DbRow> rows) {
        return Rows.list(rows,
                r -> new Orphan(Rows.string(r, "id"), Rows.string(r, "type"), Rows.string(r, "queue"),
                        Rows.intValue(r, "attempt"), Rows.intValue(r, "max_attempts"),
                        Rows.string(r, "claimed_by"), Rows.string(r, "lease_token"), Rows.string(r, "correlation_id")));
    }

    /**
     * Applies a batch of verdicts in one statement. Each row is changed only if it still holds the
     * lease token the sweep saw (the same attempt) and, when {@code leaseCutoff} is given, its
     * lease is still expired (compare-and-set): a job completed, re-claimed or heartbeated
     * meanwhile is left alone. Returns the ids that changed.
     */
    public List<String> takeBack(DbExecute db, List<Verdict> verdicts, String lastError, Long leaseCutoff, long now) {
        if (verdicts.isEmpty()) {
            return List.of();
        }
        StringBuilder status = new StringBuilder("CASE id");
        StringBuilder runAt = new StringBuilder("CASE id");
        StringBuilder match = new StringBuilder();
        List<Object> statusParams = new ArrayList<>();
        List<Object> runAtParams = new ArrayList<>();
        List<Object> matchParams = new ArrayList<>();
        for (Verdict v : verdicts) {
            status.append(" WHEN ? THEN CAST(? AS VARCHAR(16))");
            statusParams.add(v.orphan().id());
            statusParams.add(v.status().wire());
            runAt.append(" WHEN ? THEN CAST(? AS BIGINT)");
            runAtParams.add(v.orphan().id());
            runAtParams.add(v.runAt());
            match.append(match.isEmpty() ? "" : ", ").append("(?, ?)");
            matchParams.add(v.orphan().id());
            matchParams.add(v.orphan().leaseToken());
        }
        status.append(" END");
        runAt.append(" ELSE run_at END");
        String update = "UPDATE jobs SET status = " + status + ", run_at = " + runAt
                + ", claimed_by = NULL, claim_session = NULL, claimed_at = NULL, lease_token = NULL, "
                + "lease_expires_at = NULL, last_error = ?, updated_at = ? "
                + "WHERE (id, lease_token) IN (" + match + ") AND status = 'claimed'"
                + (leaseCutoff == null ? "" : " AND lease_expires_at < ?");
        List<Object> params = new ArrayList<>(statusParams);
        params.addAll(runAtParams);
        params.add(lastError);
        params.add(now);
        params.addAll(matchParams);
        if (leaseCutoff != null) {
            params.add(leaseCutoff);
        }
        return Rows.list(db.createQuery(dialect.returning(update, "id")).params(params).execute(),
                r -> Rows.string(r, "id"));
    }

    /** Bots silent since the cutoff become lost. */
    public long markLost(DbExecute db, long heartbeatCutoff) {
        return db.createUpdate("UPDATE bots SET status = 'lost' WHERE status IN ('idle', 'draining') "
                + "AND last_heartbeat_at < ?").params(heartbeatCutoff).execute();
    }

    public long lastEventId(DbExecute db) {
        return db.createGet("SELECT COALESCE(MAX(id), 0) AS m FROM job_events").execute()
                .map(r -> Rows.longValue(r, "m")).orElse(0L);
    }

    /**
     * Bots with a failed outcome recorded after the given event id, and the newest event id now:
     * the next pass starts there, so each pass reads only the events since the last one (a
     * watermark that moved only on failures made every quiet pass read the whole history).
     */
    public Map.Entry<List<String>, Long> botsFailingSince(DbExecute db, long afterEventId) {
        long newest = lastEventId(db);
        if (newest <= afterEventId) {
            return Map.entry(List.of(), afterEventId);
        }
        List<String> bots = new ArrayList<>();
        try (var rows = db.createQuery("SELECT DISTINCT bot_id FROM job_events WHERE id > ? AND id <= ? "
                        + "AND bot_id IS NOT NULL AND kind IN ('failed', 'dead-lettered', 'requeued') " + NOT_THE_JOBS_FAULT)
                .params(afterEventId, newest).execute()) {
            rows.forEach(r -> bots.add(Rows.string(r, "bot_id")));
        }
        return Map.entry(bots, newest);
    }

    /** The bot's latest attempt outcomes, newest first: event kinds from {@link #OUTCOME_KINDS}. */
    public List<String> latestOutcomes(DbExecute db, String botId, int limit) {
        return Rows.list(db.createQuery("SELECT kind FROM job_events WHERE bot_id = ? AND kind IN "
                        + "('completed', 'failed', 'dead-lettered', 'requeued') " + NOT_THE_JOBS_FAULT
                        + " ORDER BY id DESC LIMIT ?")
                        .params(botId, limit).execute(),
                r -> Rows.string(r, "kind"));
    }

    public long quarantine(DbExecute db, String botId) {
        return db.createUpdate("UPDATE bots SET status = 'quarantined' WHERE id = ? AND status IN ('idle', 'lost')")
                .params(botId).execute();
    }

    /** Claimed jobs whose lease has expired and that no sweep has recovered yet. */
    public long countExpiredLeases(DbExecute db, long now) {
        return db.createGet("SELECT COUNT(*) AS n FROM jobs WHERE status = 'claimed' AND lease_expires_at < ?")
                .addParam(now).execute().map(r -> Rows.longValue(r, "n")).orElse(0L);
    }

    /**
     * The bots' outcomes among the events of {@code [from, to)}: attempts finished (completed,
     * failed, dead-lettered, requeued) and those of them that failed — a job refused as not
     * retryable is the job's fault, not its bot's, and counts as neither.
     */
    public record Outcomes(long finished, long failed) {
        public static final Outcomes NONE = new Outcomes(0, 0);

        public Outcomes plus(Outcomes other) {
            return new Outcomes(finished + other.finished, failed + other.failed);
        }

        public Outcomes minus(Outcomes other) {
            return new Outcomes(finished - other.finished, failed - other.failed);
        }

        /** Failed over finished; 0 when none finished. */
        public double failureRate() {
            return finished == 0 ? 0 : (double) failed / finished;
        }
    }

    public Outcomes outcomes(DbExecute db, long from, long to) {
        long[] counts = new long[2];
        try (var rows = db.createQuery("SELECT kind, COUNT(*) AS n FROM job_events WHERE at >= ? AND at < ? "
                + "AND bot_id IS NOT NULL AND kind IN ('completed', 'failed', 'dead-lettered', 'requeued') "
                + NOT_THE_JOBS_FAULT + " GROUP BY kind").params(from, to).execute()) {
            rows.forEach(r -> counts["completed".equals(Rows.string(r, "kind")) ? 0 : 1] += Rows.longValue(r, "n"));
        }
        return new Outcomes(counts[0] + counts[1], counts[1]);
    }

    public long lastSweepAt(DbExecute db) {
        return db.createGet("SELECT last_sweep_at FROM recovery_state WHERE name = 'sweeper'").execute()
                .map(r -> Rows.longValue(r, "last_sweep_at")).orElse(0L);
    }

    /** The latest sweep of any replica: when (0: never) and which replica made it (null: none yet). */
    public record LastSweep(long at, String by) {
    }

    public LastSweep lastSweep(DbExecute db) {
        return db.createGet("SELECT last_sweep_at, swept_by FROM recovery_state WHERE name = 'sweeper'").execute()
                .map(r -> new LastSweep(Rows.longValue(r, "last_sweep_at"), Rows.string(r, "swept_by")))
                .orElse(new LastSweep(0, null));
    }

    public void recordSweep(DbExecute db, long at, String sweptBy) {
        db.createUpdate("UPDATE recovery_state SET last_sweep_at = ?, swept_by = ? WHERE name = 'sweeper'")
                .params(at, sweptBy).execute();
    }
}
