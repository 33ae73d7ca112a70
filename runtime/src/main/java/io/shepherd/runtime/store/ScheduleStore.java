package io.shepherd.runtime.store;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;

/** The SQL for recurring schedules: their definitions and the slot each has reached. */
public final class ScheduleStore {
    private static final String COLUMNS = "name, type, queue, payload, cron, every_ms, zone, overlap, misfire, source, "
            + "created_at, updated_at, last_slot_at, last_job_id, last_fired_at";

    /**
     * A schedule as stored. {@code lastSlotAt}: the latest slot handled (its job made, or skipped);
     * slots after it are due. {@code source}: {@code config} (declared in YAML) or {@code api}.
     */
    public record ScheduleRow(String name, String type, String queue, String payload, String cron, Long everyMs,
                              String zone, String overlap, String misfire, String source, long createdAt,
                              long updatedAt, long lastSlotAt, String lastJobId, Long lastFiredAt) {
    }

    public List<ScheduleRow> list(DbExecute db) {
        return Rows.list(db.createQuery("SELECT " + COLUMNS + " FROM schedules ORDER BY name").execute(),
                ScheduleStore::row);
    }

    public Optional<ScheduleRow> find(DbExecute db, String name) {
        return db.createGet("SELECT " + COLUMNS + " FROM schedules WHERE name = ?").addParam(name).execute()
                .map(ScheduleStore::row);
    }

    /**
     * Writes a schedule's definition: a new one starts at {@code now} (its first slot is the next
     * after it); an existing one keeps the slot it reached, so an edit neither repeats nor skips.
     */
    public void save(DbExecute tx, ScheduleRow s, long now) {
        tx.createInsert("INSERT INTO schedules (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, "
                        + "NULL) ON CONFLICT DO NOTHING")
                .params(s.name(), s.type(), s.queue(), s.payload(), s.cron(), s.everyMs(), s.zone(), s.overlap(),
                        s.misfire(), s.source(), now, now, now).execute();
        tx.createUpdate("UPDATE schedules SET type = ?, queue = ?, payload = ?, cron = ?, every_ms = ?, zone = ?, "
                        + "overlap = ?, misfire = ?, source = ?, updated_at = ? WHERE name = ?")
                .params(s.type(), s.queue(), s.payload(), s.cron(), s.everyMs(), s.zone(), s.overlap(), s.misfire(),
                        s.source(), now, s.name()).execute();
    }

    public long delete(DbExecute db, String name) {
        return db.createDelete("DELETE FROM schedules WHERE name = ?").addParam(name).execute();
    }

    /** Deletes the schedules declared in YAML that it no longer declares. */
    public long deleteConfigExcept(DbExecute db, Collection<String> declared) {
        if (declared.isEmpty()) {
            return db.createDelete("DELETE FROM schedules WHERE source = 'config'").execute();
        }
        return db.createDelete("DELETE FROM schedules WHERE source = 'config' AND name NOT IN ("
                + JobStore.placeholders(declared.size()) + ")").params(List.copyOf(declared)).execute();
    }

    /**
     * Moves a schedule from the slot it had reached to a later one, if no replica moved it first
     * (compare-and-set); {@code jobId} null when the slot made no job. True when this call moved it.
     */
    public boolean advance(DbExecute db, String name, long fromSlot, long toSlot, String jobId, long now) {
        return db.createUpdate("UPDATE schedules SET last_slot_at = ?, last_job_id = COALESCE(?, last_job_id), "
                        + "last_fired_at = CASE WHEN ? THEN ? ELSE last_fired_at END WHERE name = ? AND last_slot_at = ?")
                .params(toSlot, jobId, jobId != null, now, name, fromSlot).execute() > 0;
    }

    /** The status of a job (the schedule's previous one), if it still exists. */
    public Optional<String> jobStatus(DbExecute db, String jobId) {
        return db.createGet("SELECT status FROM jobs WHERE id = ?").addParam(jobId).execute()
                .map(r -> Rows.string(r, "status"));
    }

    private static ScheduleRow row(io.helidon.dbclient.DbRow r) {
        return new ScheduleRow(Rows.string(r, "name"), Rows.string(r, "type"), Rows.string(r, "queue"),
                Rows.string(r, "payload"), Rows.string(r, "cron"), Rows.nullableLong(r, "every_ms"),
                Rows.string(r, "zone"), Rows.string(r, "overlap"), Rows.string(r, "misfire"), Rows.string(r, "source"),
                Rows.longValue(r, "created_at"), Rows.longValue(r, "updated_at"), Rows.longValue(r, "last_slot_at"),
                Rows.string(r, "last_job_id"), Rows.nullableLong(r, "last_fired_at"));
    }
}
