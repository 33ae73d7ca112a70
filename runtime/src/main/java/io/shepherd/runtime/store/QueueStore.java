package io.shepherd.runtime.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;

/** The SQL for queues: their settings, and what a limited queue's claim counts under its lock. */
public final class QueueStore {
    /** A queue's settings: paused, and the most of its jobs claimed at once (null: no limit). */
    public record QueueRow(String name, boolean paused, Integer maxClaimed, long updatedAt) {
    }

    public List<QueueRow> list(DbExecute db) {
        return Rows.list(db.createQuery("SELECT name, paused, max_claimed, updated_at FROM queues ORDER BY name")
                .execute(), QueueStore::row);
    }

    public Optional<QueueRow> find(DbExecute db, String name) {
        return db.createGet("SELECT name, paused, max_claimed, updated_at FROM queues WHERE name = ?")
                .addParam(name).execute().map(QueueStore::row);
    }

    /** Writes a queue's settings, making its row when it has none. */
    public void save(DbExecute tx, String name, boolean paused, Integer maxClaimed, long now) {
        tx.createInsert("INSERT INTO queues (name, paused, max_claimed, updated_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING").params(name, paused, maxClaimed, now).execute();
        tx.createUpdate("UPDATE queues SET paused = ?, max_claimed = ?, updated_at = ? WHERE name = ?")
                .params(paused, maxClaimed, now, name).execute();
    }

    /**
     * Locks a limited queue's row for the rest of the transaction and answers how many more of
     * its jobs may be claimed now; empty when it has no limit (any more).
     */
    public Optional<Integer> lockAndRoom(DbExecute tx, String name) {
        Optional<Long> limit = tx.createGet("SELECT max_claimed FROM queues WHERE name = ? FOR UPDATE")
                .addParam(name).execute().map(r -> Rows.nullableLong(r, "max_claimed"));
        if (limit.isEmpty() || limit.get() == null) {
            return Optional.empty();
        }
        // through the index of claimed jobs (few, however large the table), the queue filtered
        long claimed = tx.createGet("SELECT COUNT(*) AS n FROM jobs WHERE status = 'claimed' AND queue = ?")
                .addParam(name).execute().map(r -> Rows.longValue(r, "n")).orElse(0L);
        return Optional.of((int) Math.max(0, limit.get() - claimed));
    }

    /** Jobs by queue and status, every queue that has jobs. */
    public Map<String, Map<String, Long>> counts(DbExecute db) {
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        try (var rows = db.createQuery("SELECT queue, status, COUNT(*) AS n FROM jobs GROUP BY queue, status "
                + "ORDER BY queue").execute()) {
            rows.forEach(r -> counts.computeIfAbsent(Rows.string(r, "queue"), q -> new LinkedHashMap<>())
                    .put(Rows.string(r, "status"), Rows.longValue(r, "n")));
        }
        return counts;
    }

    /** The types of the pending jobs of a queue: whom to wake when it resumes. */
    public List<String> pendingTypes(DbExecute db, String queue) {
        return Rows.list(db.createQuery("SELECT DISTINCT type FROM jobs WHERE queue = ? AND status = 'pending'")
                .addParam(queue).execute(), r -> Rows.string(r, "type"));
    }

    private static QueueRow row(io.helidon.dbclient.DbRow r) {
        Long max = Rows.nullableLong(r, "max_claimed");
        return new QueueRow(Rows.string(r, "name"), Rows.booleanValue(r, "paused"),
                max == null ? null : max.intValue(), Rows.longValue(r, "updated_at"));
    }
}
