package io.shepherd.runtime.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import io.shepherd.runtime.core.BotStatus;
import io.shepherd.runtime.db.Dialect;

/** The SQL for bots. A bot's jobs are filled in from the jobs table by the caller, never stored here. */
public final class BotStore {
    private final Dialect dialect;

    public BotStore(Dialect dialect) {
        this.dialect = dialect;
    }

    private static final String COLUMNS = "id, name, types, labels, status, session, last_heartbeat_at, registered_at, "
            + "drain, session_started_at";
    /** A live bot's status: draining while an operator wants it to take no work, idle otherwise. */
    private static final String LIVE = "CASE WHEN drain THEN 'draining' ELSE 'idle' END";

    public void insert(DbExecute db, BotRow bot, String tokenHash) {
        db.createInsert("INSERT INTO bots (id, name, types, labels, token_hash, status, session, last_heartbeat_at, "
                        + "registered_at, session_started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(bot.id(), bot.name(), BotTypes.format(bot.types()), bot.labels(), tokenHash, bot.status().wire(),
                        bot.session(),
                        bot.lastHeartbeatAt(), bot.registeredAt(), bot.sessionStartedAt())
                .execute();
    }

    public Optional<BotRow> find(DbExecute db, String id) {
        return db.createGet("SELECT " + COLUMNS + " FROM bots WHERE id = ?").addParam(id).execute().map(BotStore::row);
    }

    /** A bot's current session (null when it has none: deregistered). */
    public record CurrentSession(String session) {
    }

    /**
     * The bot's current session alone, without reading the rest of its row; empty when there is
     * no such bot. What an empty claim asks, to tell a superseded session from an empty queue.
     */
    public Optional<CurrentSession> currentSession(DbExecute db, String id) {
        return db.createNamedGet("bot-session", "SELECT session FROM bots WHERE id = ?").addParam(id).execute()
                .map(r -> new CurrentSession(Rows.string(r, "session")));
    }

    public Optional<BotRow> findForUpdate(DbExecute db, String id) {
        return db.createGet("SELECT " + COLUMNS + " FROM bots WHERE id = ? FOR UPDATE")
                .addParam(id).execute().map(BotStore::row);
    }

    public Optional<String> idForTokenHash(DbExecute db, String tokenHash) {
        return db.createGet("SELECT id FROM bots WHERE token_hash = ?").addParam(tokenHash).execute()
                .map(r -> Rows.string(r, "id"));
    }

    public List<BotRow> list(DbExecute db, BotStatus status) {
        String sql = "SELECT " + COLUMNS + " FROM bots" + (status == null ? "" : " WHERE status = ?")
                + " ORDER BY registered_at, id";
        var statement = db.createQuery(sql);
        if (status != null) {
            statement.addParam(status.wire());
        }
        return Rows.list(statement.execute(), BotStore::row);
    }

    /** Starts a new session: the bot is live again and every earlier session is superseded. */
    public long openSession(DbExecute db, String id, String session, long now) {
        return db.createUpdate("UPDATE bots SET session = ?, status = CASE WHEN status IN ('lost', 'offline', 'quarantined') "
                        + "THEN " + LIVE + " ELSE status END, last_heartbeat_at = ?, session_started_at = ? WHERE id = ?")
                .params(session, now, now, id).execute();
    }

    /** What a heartbeat learns from the bot's row: its status, whether a held job was cancelled, whether to drain. */
    public record Beat(BotStatus status, boolean cancelsPending, boolean drain) {
    }

    /**
     * Records a heartbeat for the current session only, in one statement that also answers the
     * bot's status and cancellation flag; empty means the session is stale (or the bot unknown).
     */
    public Optional<Beat> heartbeat(DbExecute db, String id, String session, long now) {
        String update = "UPDATE bots SET last_heartbeat_at = ?, status = CASE WHEN status = 'lost' "
                + "THEN " + LIVE + " ELSE status END WHERE id = ? AND session = ?";
        return Rows.list(db.createNamedQuery("bot-heartbeat", dialect.returning(update, "status, cancels_pending, drain"))
                        .params(now, id, session).execute(),
                r -> new Beat(BotStatus.of(Rows.string(r, "status")), Rows.booleanValue(r, "cancels_pending"),
                        Rows.booleanValue(r, "drain")))
                .stream().findFirst();
    }

    /** A sign of life of a bot's session at {@code at} (epoch milliseconds): a long poll's start. */
    public record Seen(String session, long at) {
    }

    /**
     * Heartbeats of many bots in one statement, each for its own session only (a superseded
     * session or a bot that is gone is left out) and at its own time, never moving a bot's last
     * heartbeat back: a lost bot is live again. Answers, by bot id, whether each bot it recorded
     * drains; an id missing from the answer was not recorded.
     */
    public Map<String, Boolean> heartbeats(DbExecute db, Map<String, Seen> seenById) {
        if (seenById.isEmpty()) {
            return Map.of();
        }
        StringBuilder times = new StringBuilder();
        StringBuilder pairs = new StringBuilder();
        List<Object> params = new ArrayList<>(seenById.size() * 4);
        seenById.forEach((id, seen) -> {
            times.append(" WHEN ? THEN ?");
            params.add(id);
            params.add(seen.at());
        });
        seenById.forEach((id, seen) -> {
            pairs.append(pairs.isEmpty() ? "(?, ?)" : ", (?, ?)");
            params.add(id);
            params.add(seen.session());
        });
        String update = "UPDATE bots SET last_heartbeat_at = GREATEST(last_heartbeat_at, CASE id" + times + " END), "
                + "status = CASE WHEN status = 'lost' THEN " + LIVE + " ELSE status END WHERE (id, session) IN (" + pairs + ")";
        Map<String, Boolean> drainById = new LinkedHashMap<>();
        Rows.list(db.createQuery(dialect.returning(update, "id, drain")).params(params).execute(),
                        r -> Map.entry(Rows.string(r, "id"), Rows.booleanValue(r, "drain")))
                .forEach(e -> drainById.put(e.getKey(), e.getValue()));
        return drainById;
    }

    /** A job this bot holds was cancelled: its next heartbeat looks for cancellations. */
    public void flagCancels(DbExecute db, String id) {
        db.createUpdate("UPDATE bots SET cancels_pending = TRUE WHERE id = ?").addParam(id).execute();
    }

    /** The heartbeat takes the cancellations over; the update locks the bot's row for the rest of its transaction. */
    public void clearCancels(DbExecute db, String id) {
        db.createUpdate("UPDATE bots SET cancels_pending = FALSE WHERE id = ?").addParam(id).execute();
    }

    /**
     * An operator's drain: the bot takes no new work, now and after any restart, until undrained.
     * A live bot shows {@code draining}; an offline or lost one keeps its status. False when there
     * is no such bot, or it is revoked.
     */
    public boolean drain(DbExecute db, String id) {
        return db.createUpdate("UPDATE bots SET drain = TRUE, status = CASE WHEN status = 'idle' THEN 'draining' "
                + "ELSE status END WHERE id = ? AND status <> 'revoked'").addParam(id).execute() > 0;
    }

    /** Reverses {@link #drain}: the bot may claim again. */
    public boolean undrain(DbExecute db, String id) {
        return db.createUpdate("UPDATE bots SET drain = FALSE, status = CASE WHEN status = 'draining' THEN 'idle' "
                + "ELSE status END WHERE id = ? AND status <> 'revoked'").addParam(id).execute() > 0;
    }

    /**
     * Revokes the bot: its token hash is replaced by a mark no token hashes to (the token is dead
     * at once), its session ends, its row stays for the record. False when already revoked or unknown.
     */
    public boolean revoke(DbExecute db, String id, long now) {
        return db.createUpdate("UPDATE bots SET status = 'revoked', session = NULL, token_hash = ?, revoked_at = ? "
                + "WHERE id = ? AND status <> 'revoked'").params("revoked:" + id, now, id).execute() > 0;
    }

    /** Bots revoked at or after the time, with when: whose tokens every replica forgets. */
    public List<Map.Entry<String, Long>> revokedSince(DbExecute db, long since) {
        return Rows.list(db.createQuery("SELECT id, revoked_at FROM bots WHERE revoked_at >= ?").addParam(since)
                .execute(), r -> Map.entry(Rows.string(r, "id"), Rows.longValue(r, "revoked_at")));
    }

    /** An admin lets a quarantined bot claim again. */
    public long liftQuarantine(DbExecute db, String id) {
        return db.createUpdate("UPDATE bots SET status = 'idle' WHERE id = ? AND status = 'quarantined'")
                .params(id).execute();
    }

    /** Takes a bot out of service: its session ends, so an old process still running is refused. */
    public long goOffline(DbExecute db, String id) {
        return db.createUpdate("UPDATE bots SET status = 'offline', session = NULL WHERE id = ?")
                .params(id).execute();
    }

    /**
     * Deletes up to {@code limit} bots that left (offline, lost, revoked), hold nothing and have
     * been silent since before the cutoff; their token hashes go with their rows.
     */
    public long prune(DbExecute db, long silentSince, int limit) {
        String departed = "status IN ('offline', 'lost', 'revoked') AND last_heartbeat_at < ? AND NOT EXISTS "
                + "(SELECT 1 FROM jobs j WHERE j.claimed_by = bots.id AND j.status = 'claimed')";
        List<String> picked = Rows.list(db.createQuery("SELECT id FROM bots WHERE " + departed
                + " ORDER BY last_heartbeat_at LIMIT ?").params(silentSince, limit).execute(), r -> Rows.string(r, "id"));
        if (picked.isEmpty()) {
            return 0;
        }
        List<Object> params = new ArrayList<>(picked);
        params.add(silentSince);
        return db.createDelete("DELETE FROM bots WHERE id IN (" + JobStore.placeholders(picked.size()) + ") AND "
                + departed).params(params).execute();
    }

    public Map<String, Long> countByStatus(DbExecute db) {
        Map<String, Long> counts = new LinkedHashMap<>();
        String sql = "SELECT s, COUNT(*) AS n FROM (SELECT CASE WHEN b.status = 'idle' AND EXISTS "
                + "(SELECT 1 FROM jobs j WHERE j.claimed_by = b.id AND j.status = 'claimed') THEN 'busy' "
                + "ELSE b.status END AS s FROM bots b) t GROUP BY s";
        try (var rows = db.createQuery(sql).execute()) {
            rows.forEach(r -> counts.put(Rows.string(r, "s"), Rows.longValue(r, "n")));
        }
        return counts;
    }

    static BotRow row(DbRow r) {
        return new BotRow(
                Rows.string(r, "id"),
                Rows.string(r, "name"),
                BotTypes.parse(Rows.string(r, "types")),
                Rows.string(r, "labels"),
                BotStatus.of(Rows.string(r, "status")),
                Rows.string(r, "session"),
                Rows.longValue(r, "last_heartbeat_at"),
                Rows.longValue(r, "registered_at"),
                Rows.booleanValue(r, "drain"),
                Rows.nullableLong(r, "session_started_at"),
                new ArrayList<>());
    }
}
