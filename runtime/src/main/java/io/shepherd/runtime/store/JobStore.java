package io.shepherd.runtime.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.core.Retention;
import io.shepherd.runtime.db.Dialect;

/** The SQL for jobs and their events. Every method runs on the executor it is given (a transaction or not). */
public final class JobStore {
    static final String COLUMNS = "id, type, queue, payload, priority, status, attempt, max_attempts, run_at, "
            + "created_at, updated_at, claimed_by, claim_session, lease_token, lease_expires_at, cancel_requested, "
            + "result, last_error, idempotency_key, correlation_id, claimed_at, timeout_ms, progress";

    /** What a list reads: every column but the large ones (payload, result, progress), which lists never show. */
    private static final String LIST_COLUMNS = COLUMNS.replace("payload,", "CAST(NULL AS VARCHAR(1)) AS payload,")
            .replace("result,", "CAST(NULL AS VARCHAR(1)) AS result,")
            .replace(", progress", ", CAST(NULL AS VARCHAR(1)) AS progress");

    static final String RELEASE_SET = "status = 'pending', claimed_by = NULL, claim_session = NULL, "
            + "claimed_at = NULL, lease_token = NULL, lease_expires_at = NULL";

    /**
     * "Still held", for statements that name their jobs by id: the status compared through
     * {@code COALESCE} (status is never null), which no index serves, so the jobs are found by
     * primary key. Compared plainly it matches the predicate of the partial lease index, and the
     * cached generic plan of a batch completion walked that whole index instead: every job
     * claimed and finished since the last vacuum leaves a dead entry there, so each completion
     * grew dearer through a run (measured in the benchmark: 0.7 ms a batch of 8 at a run's start,
     * 2.8 ms after 10,000 jobs; PostgreSQL's CPU per job 100 µs against 290–430 µs). Such a
     * statement compares its holder through {@code COALESCE} too ({@link #HELD_BY}): the holder
     * index keeps an entry for every job a bot ever finished, and for a bot the statistics do not
     * know yet the planner would take it on the holder alone.
     */
    static final String STILL_HELD = "COALESCE(status, '') = 'claimed'";

    /** The job's holder is the given bot, compared so that no index serves it (see {@link #STILL_HELD}). */
    static final String HELD_BY = "COALESCE(claimed_by, '') = ?";

    private final Dialect dialect;

    /** The order claimed jobs are handed out in: highest priority first, then oldest runAt. */
    private static final java.util.Comparator<JobRow> CLAIM_ORDER = (a, b) -> a.priority() != b.priority()
            ? Integer.compare(b.priority(), a.priority())
            : Long.compare(a.runAt(), b.runAt());

    /** Whether this database can claim in one round trip ({@link #claimAlone}). */
    private final boolean claimsAlone;
    /** Whether the batch completion writes its events in the same statement. */
    private final boolean completesAlone;

    public JobStore(Dialect dialect) {
        this.dialect = dialect;
        this.claimsAlone = dialect.pinnedClaim("").isPresent() && claimStatement(1).recordsEvents();
        this.completesAlone = completeAllStatement(1).recordsEvents();
    }

    /** Inserts jobs in one statement; rows whose idempotency key already exists are skipped. */
    public void insert(DbExecute db, List<NewJob> jobs, long now) {
        if (jobs.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO jobs (id, type, queue, payload, priority, status, attempt, "
                + "max_attempts, run_at, created_at, updated_at, idempotency_key, correlation_id, timeout_ms) VALUES ");
        List<Object> params = new ArrayList<>(jobs.size() * 12);
        for (int i = 0; i < jobs.size(); i++) {
            NewJob job = jobs.get(i);
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?, ?)");
            params.add(job.id());
            params.add(job.type());
            params.add(job.queue());
            params.add(job.payload());
            params.add(job.priority());
            params.add(job.maxAttempts());
            params.add(job.runAt());
            params.add(now);
            params.add(now);
            params.add(job.idempotencyKey());
            params.add(job.correlationId());
            params.add(job.timeoutMs());
        }
        sql.append(" ON CONFLICT DO NOTHING");
        db.createInsert(sql.toString()).params(params).execute();
    }

    public Optional<JobRow> find(DbExecute db, String id) {
        return db.createNamedGet("job-find", "SELECT " + COLUMNS + " FROM jobs WHERE id = ?").addParam(id).execute()
                .map(JobStore::row);
    }

    public Optional<JobRow> findForUpdate(DbExecute db, String id) {
        return db.createGet("SELECT " + COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE")
                .addParam(id).execute().map(JobStore::row);
    }

    public List<JobRow> findAll(DbExecute db, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, JobRow> byId = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
            String sql = "SELECT " + COLUMNS + " FROM jobs WHERE id IN (" + placeholders(chunk.size()) + ")";
            for (JobRow row : Rows.list(db.createQuery(sql).params(chunk).execute(), JobStore::row)) {
                byId.put(row.id(), row);
            }
        }
        List<JobRow> ordered = new ArrayList<>(all.size());
        for (String id : all) {
            JobRow row = byId.get(id);
            if (row != null) {
                ordered.add(row);
            }
        }
        return ordered;
    }

    public Optional<JobRow> findByIdempotencyKey(DbExecute db, String key) {
        return db.createGet("SELECT " + COLUMNS + " FROM jobs WHERE idempotency_key = ?")
                .addParam(key).execute().map(JobStore::row);
    }

    /**
     * A page of jobs in creation order (or newest first), after the (createdAt, id) cursor when
     * given; payload, result and progress are left out (null), so a page costs the same whatever
     * the jobs carry. The order is the listing index's, walked forwards or backwards, so a page
     * reads its rows and stops, however many millions the table holds.
     */
    public List<JobRow> list(DbExecute db, JobFilter filter, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + LIST_COLUMNS + " FROM jobs WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (filter.status() != null) {
            sql.append(" AND status = ?");
            params.add(filter.status().wire());
        }
        if (filter.type() != null) {
            sql.append(" AND type = ?");
            params.add(filter.type());
        }
        if (filter.queue() != null) {
            sql.append(" AND queue = ?");
            params.add(filter.queue());
        }
        if (filter.botId() != null) {
            sql.append(" AND claimed_by = ?");
            params.add(filter.botId());
        }
        if (filter.idempotencyKey() != null) {
            sql.append(" AND idempotency_key = ?");
            params.add(filter.idempotencyKey());
        }
        if (filter.since() != null) {
            sql.append(" AND created_at >= ?");
            params.add(filter.since());
        }
        if (filter.until() != null) {
            sql.append(" AND created_at < ?");
            params.add(filter.until());
        }
        String beyond = filter.newestFirst() ? "<" : ">";
        if (filter.afterCreatedAt() != null) {
            sql.append(" AND (created_at ").append(beyond).append(" ? OR (created_at = ? AND id ").append(beyond)
                    .append(" ?))");
            params.add(filter.afterCreatedAt());
            params.add(filter.afterCreatedAt());
            params.add(filter.afterId());
        }
        sql.append(filter.newestFirst() ? " ORDER BY created_at DESC, id DESC LIMIT ?" : " ORDER BY created_at, id LIMIT ?");
        params.add(limit);
        return Rows.list(db.createQuery(sql.toString()).params(params).execute(), JobStore::row);
    }

    /**
     * The claim statement for a bot that claims {@code typeCount} types, and how its parameters
     * are bound: what {@link #claim} runs, and what the benchmark's floor runs, so the two cannot
     * drift apart. It locks the first claimable jobs in priority and runAt order (skipping rows
     * other claimers hold), gives each a fresh lease token, and claims nothing unless the bot's
     * session is still current. Where the database can, the same statement records one event per
     * claimed job ({@code recordsEvents}); elsewhere {@link #claim} records them after it.
     */
    public ClaimStatement claimStatement(int typeCount) {
        return claimStatement(typeCount, 0, false);
    }

    /**
     * The claim statement that also leaves out {@code excludedQueues} queues (paused, or limited
     * and claimed apart), or reads {@code oneQueue} only (a limited queue, under its lock).
     */
    public ClaimStatement claimStatement(int typeCount, int excludedQueues, boolean oneQueue) {
        if (typeCount <= 8 && excludedQueues <= 8) {
            // the few shapes a deployment uses, made once: building the text showed in the profile
            int key = (typeCount * 9 + excludedQueues) * 2 + (oneQueue ? 1 : 0);
            ClaimStatement made = claimStatements[key];
            if (made == null) {
                made = makeClaimStatement(typeCount, excludedQueues, oneQueue);
                claimStatements[key] = made;
            }
            return made;
        }
        return makeClaimStatement(typeCount, excludedQueues, oneQueue);
    }

    /** Claim statements by shape (types 0..8, excluded queues 0..8, one queue or not); a race makes one twice, harmlessly. */
    private final ClaimStatement[] claimStatements = new ClaimStatement[9 * 9 * 2];

    private ClaimStatement makeClaimStatement(int typeCount, int excludedQueues, boolean oneQueue) {
        String update = "UPDATE jobs SET status = 'claimed', claimed_by = ?, claim_session = ?, claimed_at = ?, "
                + "lease_token = CAST(gen_random_uuid() AS VARCHAR), lease_expires_at = ?, attempt = attempt + 1, "
                + "progress = NULL, updated_at = ? "
                + "WHERE " + dialect.idIn("SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? AND type IN ("
                + placeholders(typeCount) + ")"
                + (excludedQueues > 0 ? " AND queue NOT IN (" + placeholders(excludedQueues) + ")" : "")
                + (oneQueue ? " AND queue = ?" : "")
                + " ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED")
                + dialect.claimedStillPending()
                + "AND EXISTS (SELECT 1 FROM bots WHERE bots.id = ? AND bots.session = ? AND bots.status IN ('idle', 'lost') AND bots.drain = FALSE)";
        return dialect.updateAndInsert(update, COLUMNS, "INSERT INTO job_events (job_id, at, kind, reason, bot_id, "
                        + "attempt) SELECT id, ?, ?, ?, ?, attempt FROM changed")
                .map(sql -> new ClaimStatement(sql, true))
                .orElseGet(() -> new ClaimStatement(dialect.returning(update, COLUMNS), false));
    }

    /** A claim statement's text, and whether it also records the claim events. */
    public record ClaimStatement(String sql, boolean recordsEvents) {
        /** The parameters in the statement's order; {@code kind} is the claim event's kind (and reason). */
        public List<Object> params(String botId, String session, Collection<String> types, int max, long now,
                                   long leaseExpiresAt, EventKind kind) {
            return params(botId, session, types, List.of(), null, max, now, leaseExpiresAt, kind);
        }

        /** The parameters of a statement made with queues left out, or for one queue. */
        public List<Object> params(String botId, String session, Collection<String> types,
                                   Collection<String> excludedQueues, String oneQueue, int max, long now,
                                   long leaseExpiresAt, EventKind kind) {
            List<Object> params = new ArrayList<>(types.size() + excludedQueues.size() + 15);
            params.add(botId);
            params.add(session);
            params.add(now);
            params.add(leaseExpiresAt);
            params.add(now);
            params.add(now);
            params.addAll(types);
            params.addAll(excludedQueues);
            if (oneQueue != null) {
                params.add(oneQueue);
            }
            params.add(max);
            params.add(botId);
            params.add(session);
            if (recordsEvents) {
                params.add(now);
                params.add(kind.wire());
                params.add(kind.wire());
                params.add(botId);
            }
            return params;
        }
    }

    /**
     * Claims up to {@code max} claimable jobs for a bot with {@link #claimStatement}, recording
     * each claim as an event of {@code kind}; the jobs come back in claim order.
     */
    public List<JobRow> claim(DbExecute db, String botId, String session, Collection<String> types, int max,
                              long now, long leaseExpiresAt, EventKind kind) {
        return claim(db, botId, session, types, List.of(), null, max, now, leaseExpiresAt, kind);
    }

    /**
     * {@link #claim}, leaving out the jobs of {@code excludedQueues}, or taking only those of
     * {@code oneQueue} when it is given.
     */
    public List<JobRow> claim(DbExecute db, String botId, String session, Collection<String> types,
                              Collection<String> excludedQueues, String oneQueue, int max, long now,
                              long leaseExpiresAt, EventKind kind) {
        if (types.isEmpty() || max < 1) {
            return List.of();
        }
        dialect.pinClaimPlan(db);
        ClaimStatement statement = claimStatement(types.size(), excludedQueues.size(), oneQueue != null);
        List<JobRow> claimed = new ArrayList<>(Rows.list(db.createNamedQuery("jobs-claim", statement.sql())
                .params(statement.params(botId, session, types, excludedQueues, oneQueue, max, now, leaseExpiresAt,
                        kind)).execute(),
                JobStore::row));
        if (!statement.recordsEvents()) {
            recordEvents(db, claimed.stream()
                    .map(job -> new JobEvent(job.id(), now, kind, kind.wire(), botId, job.attempt())).toList());
        }
        claimed.sort(CLAIM_ORDER);
        return claimed;
    }

    /**
     * {@link #claim} in one round trip and without a transaction of its own, where the dialect can
     * send the claim plan's pin together with the claim ({@link Dialect#pinnedClaim}): the pin, the
     * claim and its events run as one implicit transaction — no BEGIN, no separate pin, no COMMIT
     * (three round trips a claim before). Only where {@link #claimsAlone()}.
     */
    public List<JobRow> claimAlone(Connection connection, String botId, String session, Collection<String> types,
                                   Collection<String> excludedQueues, int max, long now, long leaseExpiresAt,
                                   EventKind kind) throws SQLException {
        if (types.isEmpty() || max < 1) {
            return List.of();
        }
        return completeAllThenClaimAlone(connection, botId, List.of(), session, types, excludedQueues, max, now,
                leaseExpiresAt, kind).claimed();
    }

    /** What {@link #completeAllThenClaimAlone} did: the jobs it completed, and those it claimed (in claim order). */
    public record CompletedThenClaimed(List<Completed> completed, List<JobRow> claimed) {
    }

    /**
     * {@link #completeAll} and then {@link #claimAlone} in the same request: one round trip and one
     * implicit transaction for a bot's reports and its next jobs, where the store
     * {@link #completesAlone()} and {@link #claimsAlone()}. The claim runs after the completions
     * (a statement of its own, so it sees them). With no completions it is {@link #claimAlone}.
     */
    public CompletedThenClaimed completeAllThenClaimAlone(Connection connection, String botId,
                                                          List<Completion> completions, String session,
                                                          Collection<String> types, Collection<String> excludedQueues,
                                                          int max, long now, long leaseExpiresAt, EventKind kind)
            throws SQLException {
        if (!claimsAlone || !completions.isEmpty() && !completesAlone) {
            throw new IllegalStateException(dialect.name() + " claims in a transaction");
        }
        if (types.isEmpty() || max < 1) {
            throw new IllegalArgumentException("a claim of at least one job of some type");
        }
        ClaimStatement statement = claimStatement(types.size(), excludedQueues.size(), false);
        String pinned = dialect.pinnedClaim(statement.sql()).orElseThrow();
        List<Object> params = new ArrayList<>();
        CompleteAllStatement ahead = completions.isEmpty() ? null : completeAllStatement(completions.size());
        if (ahead != null) {
            pinned = ahead.sql() + "; " + pinned;
            params.addAll(ahead.params(botId, completions, now));
        }
        params.addAll(statement.params(botId, session, types, excludedQueues, null, max, now, leaseExpiresAt, kind));
        List<Completed> completed = new ArrayList<>(completions.size());
        List<JobRow> claimed = new ArrayList<>(max);
        try (PreparedStatement ps = connection.prepareStatement(pinned)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            ps.execute(); // the completions' rows (when any), the pin's one row, then the claim's rows
            if (ahead != null) {
                Rows.addAll(ps.getResultSet(), completed, JobStore::completed);
                if (!ps.getMoreResults()) {
                    throw new SQLException("The plan pin after the completions gave no result");
                }
            }
            if (!ps.getMoreResults()) {
                throw new SQLException("The claim after the plan pin gave no result");
            }
            Rows.addAll(ps.getResultSet(), claimed, JobStore::row);
        }
        claimed.sort(CLAIM_ORDER);
        return new CompletedThenClaimed(completed, claimed);
    }

    /** Whether {@link #completeAll}'s one statement also records the completion events (else run it in a transaction). */
    public boolean completesAlone() {
        return completesAlone;
    }

    /**
     * Which of {@code types} have a pending job due by {@code now} outside the {@code excluded}
     * queues: a short look a type (the first such row ends it), for the replica's fallback look on
     * behalf of its waiting claimers.
     */
    public Set<String> claimableTypes(DbExecute db, Collection<String> types, Collection<String> excluded,
                                                long now) {
        String sql = "SELECT 1 AS one FROM jobs WHERE status = 'pending' AND type = ? AND run_at <= ?"
                + (excluded.isEmpty() ? "" : " AND queue NOT IN (" + placeholders(excluded.size()) + ")") + " LIMIT 1";
        Set<String> claimable = new HashSet<>();
        for (String type : types) {
            List<Object> params = new ArrayList<>(excluded.size() + 2);
            params.add(type);
            params.add(now);
            params.addAll(excluded);
            if (db.createGet(sql).params(params).execute().isPresent()) {
                claimable.add(type);
            }
        }
        return claimable;
    }

    /** Whether {@link #claimAlone} can claim on this database (else claim in a transaction). */
    public boolean claimsAlone() {
        return claimsAlone;
    }

    /** Extends, in one statement, the lease of every job the bot holds under this session. */
    public long extendLeases(DbExecute db, String botId, String session, long leaseExpiresAt) {
        return db.createUpdate("UPDATE jobs SET lease_expires_at = ? "
                        + "WHERE claimed_by = ? AND claim_session = ? AND status = 'claimed'")
                .params(leaseExpiresAt, botId, session).execute();
    }

    /**
     * Extends, in one statement, the leases of those of these jobs the bot holds under this
     * session, and answers which those were. A job the bot holds but did not name keeps the
     * lease it has, and runs out.
     */
    public List<String> extendLeases(DbExecute db, String botId, String session, List<String> ids, long leaseExpiresAt) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>(ids.size() + 3);
        params.add(leaseExpiresAt);
        params.add(botId);
        params.add(session);
        params.addAll(ids);
        return Rows.list(db.createNamedQuery("jobs-extend-named-" + ids.size(), extendLeasesStatement(ids.size()))
                        .params(params).execute(),
                r -> Rows.string(r, "id"));
    }

    /** The statement {@link #extendLeases} runs for {@code n} jobs: the lease's end, the bot, its session, the ids. */
    public String extendLeasesStatement(int n) {
        return dialect.returning("UPDATE jobs SET lease_expires_at = ? WHERE " + HELD_BY + " AND claim_session = ? "
                + "AND " + STILL_HELD + " AND id IN (" + placeholders(n) + ")", "id");
    }

    /**
     * Keeps what the bot says of each job's progress, on those of the jobs it holds under this
     * session (latest wins); a job it does not hold is left alone.
     */
    public void recordProgress(DbExecute db, String botId, String session, Map<String, String> progress) {
        if (progress.isEmpty()) {
            return;
        }
        StringBuilder cases = new StringBuilder("CASE id");
        List<Object> params = new ArrayList<>(progress.size() * 3 + 2);
        progress.forEach((id, json) -> {
            cases.append(" WHEN ? THEN ?");
            params.add(id);
            params.add(json);
        });
        params.add(botId);
        params.add(session);
        params.addAll(progress.keySet());
        db.createUpdate("UPDATE jobs SET progress = " + cases + " ELSE progress END WHERE " + HELD_BY + " "
                + "AND claim_session = ? AND " + STILL_HELD + " AND id IN (" + placeholders(progress.size()) + ")")
                .params(params).execute();
    }

    /** Jobs cancelled while this bot held them, handed over once: the bot is told, the hold is cleared. */
    public List<String> takeCancelled(DbExecute db, String botId) {
        String update = "UPDATE jobs SET cancel_requested = FALSE, claimed_by = NULL, claim_session = NULL, "
                + "lease_token = NULL, lease_expires_at = NULL "
                + "WHERE claimed_by = ? AND status = 'cancelled' AND cancel_requested = TRUE";
        return Rows.list(db.createQuery(dialect.returning(update, "id")).addParam(botId).execute(),
                r -> Rows.string(r, "id"));
    }

    /**
     * Lets go, at once, of every job the bot holds. {@code refund} 1 gives the attempt back (a
     * graceful leave): the job is pending again. {@code refund} 0 counts it (the bot went away
     * mid-attempt): a job with attempts left is pending again, one without is dead — a job that
     * kills every bot that runs it must not be handed out forever.
     */
    public List<ReleasedJob> releaseHeldBy(DbExecute db, String botId, int refund, long now) {
        String update = "UPDATE jobs SET status = CASE WHEN ? = 0 AND attempt >= max_attempts THEN 'dead' "
                + "ELSE 'pending' END, claimed_by = NULL, claim_session = NULL, claimed_at = NULL, lease_token = NULL, "
                + "lease_expires_at = NULL, attempt = attempt - ?, run_at = ?, updated_at = ? "
                + "WHERE claimed_by = ? AND status = 'claimed'";
        return Rows.list(db.createQuery(dialect.returning(update, "id, type, attempt, status, correlation_id"))
                        .params(refund, refund, now, now, botId).execute(),
                r -> new ReleasedJob(Rows.string(r, "id"), Rows.string(r, "type"),
                        Rows.intValue(r, "attempt"), JobStatus.of(Rows.string(r, "status")),
                        Rows.string(r, "correlation_id")));
    }

    /**
     * Completes a job if, and only if, the token is its current lease. A lease token is made for
     * one claim by one bot, so it also names the holder; leaving {@code claimed_by} out of the
     * condition keeps the planner on the primary key (with {@code claimed_by} it may pick the
     * holder index and walk every completed job of that bot while statistics are young).
     */
    public Optional<JobRow> complete(DbExecute db, String id, String leaseToken, String result, long now) {
        return Rows.list(db.createNamedQuery("job-complete", completeStatement())
                .params(result, now, id, leaseToken).execute(), JobStore::row).stream().findFirst();
    }

    /** What {@link #complete} runs; parameters: result, now, id, lease token. */
    public String completeStatement() {
        return dialect.returning("UPDATE jobs SET status = 'completed', result = ?, lease_expires_at = NULL, "
                + "updated_at = ? WHERE id = ? AND status = 'claimed' AND lease_token = ?", COLUMNS);
    }

    /** One completion of a batch: the job, the lease token that fences it, the result (JSON text or null). */
    public record Completion(String id, String leaseToken, String result) {
    }

    /** A job a batch completed: what its event and log line need. */
    public record Completed(String id, String type, int attempt, String correlationId) {
    }

    /**
     * Completes, in one statement, those of these jobs whose lease token is current and held by
     * {@code botId}, and answers which those were; where the database can, the same statement
     * records their completion events ({@link #completeAllStatement}), elsewhere a second one
     * does. A job left out (stale token, another holder, gone) is for the caller to explain.
     */
    public List<Completed> completeAll(DbExecute db, String botId, List<Completion> completions, long now) {
        if (completions.isEmpty()) {
            return List.of();
        }
        CompleteAllStatement statement = completeAllStatement(completions.size());
        // named: an unnamed statement costs a SHA-256 of its text to name it, on every call
        List<Completed> done = Rows.list(db.createNamedQuery("jobs-complete-" + completions.size(), statement.sql())
                        .params(statement.params(botId, completions, now)).execute(),
                r -> completed(Rows.of(r)));
        if (!statement.recordsEvents()) {
            recordEvents(db, done.stream().map(c -> new JobEvent(c.id(), now, EventKind.COMPLETED,
                    Reasons.COMPLETED, botId, c.attempt())).toList());
        }
        return done;
    }

    private static Completed completed(Rows.Columns r) {
        return new Completed(Rows.string(r, "id"), Rows.string(r, "type"), Rows.intValue(r, "attempt"),
                Rows.string(r, "correlation_id"));
    }

    /**
     * The statement {@link #completeAll} runs for {@code n} completions. The jobs are found by
     * primary key ({@code id IN}); each row's own token and result are picked by {@code CASE}. The
     * holder and the status are compared through {@code COALESCE}, which no index serves, so the
     * planner cannot prefer the holder index or the lease index (whose entries for finished jobs
     * linger until vacuum; see {@link #STILL_HELD}).
     */
    public CompleteAllStatement completeAllStatement(int n) {
        if (n < completeAllStatements.length) {
            // made once per batch size, as the claim statements are per shape
            CompleteAllStatement made = completeAllStatements[n];
            if (made == null) {
                made = makeCompleteAllStatement(n);
                completeAllStatements[n] = made;
            }
            return made;
        }
        return makeCompleteAllStatement(n);
    }

    /** Batch completion statements by size (up to a batch of 100); a race makes one twice, harmlessly. */
    private final CompleteAllStatement[] completeAllStatements = new CompleteAllStatement[101];

    private CompleteAllStatement makeCompleteAllStatement(int n) {
        StringBuilder results = new StringBuilder("CASE id");
        StringBuilder tokens = new StringBuilder("CASE id");
        for (int i = 0; i < n; i++) {
            results.append(" WHEN ? THEN ?");
            tokens.append(" WHEN ? THEN ?");
        }
        String update = "UPDATE jobs SET status = 'completed', result = " + results + " END, lease_expires_at = NULL, "
                + "updated_at = ? WHERE id IN (" + placeholders(n) + ") AND " + STILL_HELD + " "
                + "AND " + HELD_BY + " AND lease_token = " + tokens + " END";
        String returned = "id, type, attempt, correlation_id";
        return dialect.updateAndInsert(update, returned, "INSERT INTO job_events (job_id, at, kind, reason, bot_id, "
                        + "attempt) SELECT id, ?, ?, ?, ?, attempt FROM changed")
                .map(sql -> new CompleteAllStatement(sql, true))
                .orElseGet(() -> new CompleteAllStatement(dialect.returning(update, returned), false));
    }

    /** A batch completion's text, and whether it also records the completion events. */
    public record CompleteAllStatement(String sql, boolean recordsEvents) {
        public List<Object> params(String botId, List<Completion> completions, long now) {
            List<Object> params = new ArrayList<>(completions.size() * 5 + 7);
            for (Completion c : completions) {
                params.add(c.id());
                params.add(c.result());
            }
            params.add(now);
            completions.forEach(c -> params.add(c.id()));
            params.add(botId);
            for (Completion c : completions) {
                params.add(c.id());
                params.add(c.leaseToken());
            }
            if (recordsEvents) {
                params.add(now);
                params.add(EventKind.COMPLETED.wire());
                params.add(Reasons.COMPLETED);
                params.add(botId);
            }
            return params;
        }
    }

    /** Puts a held job back to pending at runAt, guarded by its lease token. */
    public long requeue(DbExecute db, String id, String leaseToken, int refund, long runAt, String lastError,
                        long now) {
        return db.createUpdate("UPDATE jobs SET " + RELEASE_SET + ", attempt = attempt - ?, run_at = ?, "
                        + "last_error = COALESCE(?, last_error), updated_at = ? "
                        + "WHERE id = ? AND status = 'claimed' AND lease_token = ?")
                .params(refund, runAt, lastError, now, id, leaseToken).execute();
    }

    /** Dead-letters a held job, guarded by its lease token. */
    public long bury(DbExecute db, String id, String leaseToken, String lastError, long now) {
        return db.createUpdate("UPDATE jobs SET status = 'dead', lease_expires_at = NULL, last_error = ?, "
                        + "updated_at = ? WHERE id = ? AND status = 'claimed' AND lease_token = ?")
                .params(lastError, now, id, leaseToken).execute();
    }

    /** Cancels a job that is not yet terminal; a held job keeps its holder until the bot is told. */
    public long cancel(DbExecute db, String id, long now) {
        return db.createUpdate("UPDATE jobs SET cancel_requested = (status = 'claimed'), status = 'cancelled', "
                        + "lease_expires_at = NULL, updated_at = ? WHERE id = ? AND status IN ('pending', 'claimed')")
                .params(now, id).execute();
    }

    /** Gives a dead or cancelled job a fresh attempt budget. */
    public long revive(DbExecute db, String id, long now) {
        return db.createUpdate("UPDATE jobs SET " + RELEASE_SET + ", cancel_requested = FALSE, attempt = 0, "
                        + "run_at = ?, updated_at = ? WHERE id = ? AND status IN ('dead', 'cancelled')")
                .params(now, now, id).execute();
    }

    /** Ids of the jobs each of these bots holds right now. */
    public Map<String, List<String>> heldBy(DbExecute db, Collection<String> botIds) {
        if (botIds.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> held = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(botIds);
        for (int from = 0; from < all.size(); from += 500) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
            String sql = "SELECT claimed_by, id FROM jobs WHERE status = 'claimed' AND claimed_by IN ("
                    + placeholders(chunk.size()) + ") ORDER BY claimed_at, id";
            try (var rows = db.createQuery(sql).params(chunk).execute()) {
                rows.forEach(r -> held.computeIfAbsent(Rows.string(r, "claimed_by"), k -> new ArrayList<>())
                        .add(Rows.string(r, "id")));
            }
        }
        return held;
    }

    public List<String> heldBy(DbExecute db, String botId) {
        return heldBy(db, List.of(botId)).getOrDefault(botId, Collections.emptyList());
    }

    /** The condition of a finished job ({@link Retention#FINISHED}: completed, dead or cancelled). */
    static final String FINISHED = Retention.FINISHED.stream().map(s -> "'" + s.wire() + "'")
            .collect(java.util.stream.Collectors.joining(", ", "status IN (", ")"));

    /** Every job by status: a scan of the whole table. */
    public Map<String, Long> countByStatus(DbExecute db) {
        return countsByStatus(db, "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status");
    }

    /**
     * Pending and claimed jobs, each counted on its own: on PostgreSQL each count reads only its
     * status' partial index, so it costs what those jobs number, however many finished ones the
     * table keeps.
     */
    public Map<String, Long> countUnfinished(DbExecute db) {
        return countsByStatus(db, "SELECT 'pending' AS status, COUNT(*) AS n FROM jobs WHERE status = 'pending' "
                + "UNION ALL SELECT 'claimed' AS status, COUNT(*) AS n FROM jobs WHERE status = 'claimed'");
    }

    /** Completed, dead and cancelled jobs: a scan of the table, as they are most of it. */
    public Map<String, Long> countFinished(DbExecute db) {
        return countsByStatus(db, "SELECT status, COUNT(*) AS n FROM jobs WHERE " + FINISHED + " GROUP BY status");
    }

    private static Map<String, Long> countsByStatus(DbExecute db, String sql) {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (var rows = db.createQuery(sql).execute()) {
            rows.forEach(r -> counts.put(Rows.string(r, "status"), Rows.longValue(r, "n")));
        }
        return counts;
    }

    /** The runAt of the oldest claimable pending job, if any. */
    public Optional<Long> oldestPendingRunAt(DbExecute db, long now) {
        return db.createGet("SELECT MIN(run_at) AS m FROM jobs WHERE status = 'pending' AND run_at <= ?")
                .addParam(now).execute().map(r -> Rows.nullableLong(r, "m"));
    }

    public void recordEvents(DbExecute db, List<JobEvent> events) {
        for (int from = 0; from < events.size(); from += 1000) {
            List<JobEvent> chunk = events.subList(from, Math.min(events.size(), from + 1000));
            StringBuilder sql = new StringBuilder("INSERT INTO job_events (job_id, at, kind, reason, bot_id, attempt) VALUES ");
            List<Object> params = new ArrayList<>(chunk.size() * 6);
            for (int i = 0; i < chunk.size(); i++) {
                JobEvent e = chunk.get(i);
                sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?)");
                params.add(e.jobId());
                params.add(e.at());
                params.add(e.kind().wire());
                params.add(e.reason());
                params.add(e.botId());
                params.add(e.attempt());
            }
            db.createInsert(sql.toString()).params(params).execute();
        }
    }

    /** An event as the feed shows it: its place in the feed ({@code id}, increasing) and the event. */
    public record FedEvent(long id, JobEvent event) {
    }

    /**
     * The feed of every job's events: those after the cursor, oldest first; without a cursor the
     * latest {@code limit}, oldest first.
     */
    public List<FedEvent> feed(DbExecute db, Long afterId, int limit) {
        String columns = "SELECT id, job_id, at, kind, reason, bot_id, attempt FROM job_events";
        var query = afterId == null
                ? db.createQuery(columns + " ORDER BY id DESC LIMIT ?").addParam(limit)
                : db.createQuery(columns + " WHERE id > ? ORDER BY id LIMIT ?").addParam(afterId).addParam(limit);
        List<FedEvent> events = new ArrayList<>(Rows.list(query.execute(), r -> new FedEvent(Rows.longValue(r, "id"),
                new JobEvent(Rows.string(r, "job_id"), Rows.longValue(r, "at"), EventKind.of(Rows.string(r, "kind")),
                        Rows.string(r, "reason"), Rows.string(r, "bot_id"), Rows.intValue(r, "attempt")))));
        if (afterId == null) {
            Collections.reverse(events);
        }
        return events;
    }

    public List<JobEvent> events(DbExecute db, String jobId) {
        return Rows.list(db.createQuery("SELECT job_id, at, kind, reason, bot_id, attempt FROM job_events "
                        + "WHERE job_id = ? ORDER BY id").addParam(jobId).execute(),
                r -> new JobEvent(Rows.string(r, "job_id"), Rows.longValue(r, "at"),
                        EventKind.of(Rows.string(r, "kind")), Rows.string(r, "reason"), Rows.string(r, "bot_id"),
                        Rows.intValue(r, "attempt")));
    }

    /** How many events of a kind one bot (null: none, e.g. a submission) caused in one minute. */
    public record MinuteCount(long minute, String kind, String botId, long n) {
    }

    /**
     * Events counted by minute (epoch minutes), kind and bot, at or after {@code from} and before
     * {@code to}: the console's last hour. Reads the events' time index (BRIN on PostgreSQL).
     */
    public List<MinuteCount> countEventsByMinute(DbExecute db, long from, long to) {
        return Rows.list(db.createQuery("SELECT at / 60000 AS m, kind, bot_id, COUNT(*) AS n FROM job_events "
                        + "WHERE at >= ? AND at < ? GROUP BY at / 60000, kind, bot_id").params(from, to).execute(),
                r -> new MinuteCount(Rows.longValue(r, "m"), Rows.string(r, "kind"), Rows.string(r, "bot_id"),
                        Rows.longValue(r, "n")));
    }

    /**
     * How long the latest claims since {@code since} waited, in milliseconds from their job's
     * runAt (at most {@code limit}, newest first; a job retried since counts as not having waited).
     * Newest by the events' key, which walks its index backwards and stops at the limit, however
     * many claims the window holds (ordering by time would fetch them all first).
     */
    public List<Long> recentWaits(DbExecute db, long since, int limit) {
        return Rows.list(db.createQuery("SELECT e.at - j.run_at AS w FROM job_events e JOIN jobs j ON j.id = e.job_id "
                        + "WHERE e.kind = 'claimed' AND e.at >= ? ORDER BY e.id DESC LIMIT ?").params(since, limit)
                        .execute(),
                r -> Math.max(0, Rows.longValue(r, "w")));
    }

    static String placeholders(int n) {
        StringBuilder sb = new StringBuilder(n * 3);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.toString();
    }

    static JobRow row(DbRow r) {
        return row(Rows.of(r));
    }

    static JobRow row(Rows.Columns r) {
        return new JobRow(
                Rows.string(r, "id"),
                Rows.string(r, "type"),
                Rows.string(r, "queue"),
                Rows.string(r, "payload"),
                Rows.intValue(r, "priority"),
                JobStatus.of(Rows.string(r, "status")),
                Rows.intValue(r, "attempt"),
                Rows.intValue(r, "max_attempts"),
                Rows.longValue(r, "run_at"),
                Rows.longValue(r, "created_at"),
                Rows.longValue(r, "updated_at"),
                Rows.string(r, "claimed_by"),
                Rows.string(r, "claim_session"),
                Rows.string(r, "lease_token"),
                Rows.nullableLong(r, "lease_expires_at"),
                Rows.booleanValue(r, "cancel_requested"),
                Rows.string(r, "result"),
                Rows.string(r, "last_error"),
                Rows.string(r, "idempotency_key"),
                Rows.string(r, "correlation_id"),
                Rows.nullableLong(r, "claimed_at"),
                Rows.nullableLong(r, "timeout_ms"),
                Rows.string(r, "progress"));
    }
}
