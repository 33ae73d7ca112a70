package io.shepherd.runtime.db.h2;

import java.util.Locale;
import java.util.Map;

import io.shepherd.runtime.db.Dialect;

/**
 * Embedded H2 in PostgreSQL mode: one process owns the file, so it always leads recovery and its
 * wake-up signal never leaves the process (the defaults of {@link Dialect}).
 */
public final class H2Dialect implements Dialect {
    @Override
    public String name() {
        return "H2";
    }

    @Override
    public boolean accepts(String jdbcUrl) {
        return jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:");
    }

    /** No partial indexes: the status leads the claim and lease indexes instead. */
    @Override
    public Map<String, String> migrationPlaceholders() {
        return Map.of("text", "CHARACTER LARGE OBJECT",
                "claimable_index", "(status, priority DESC, run_at, id)",
                "lease_index", "(status, lease_expires_at)",
                "events_at_index", "(at)");
    }

    /** H2 reads the {@code FINAL TABLE} of the change. */
    @Override
    public String returning(String update, String columns) {
        return "SELECT " + columns + " FROM FINAL TABLE (" + update + ")";
    }

    /** H2 reads the {@code OLD TABLE} of a delete. */
    @Override
    public String returningDeleted(String delete, String columns) {
        return "SELECT " + columns + " FROM OLD TABLE (" + delete + ")";
    }

    @Override
    public String idIn(String lockingSubquery) {
        return "id IN (" + lockingSubquery + ")";
    }

    /** H2's locking subquery does not re-check the rows it skipped to, so the outer update does. */
    @Override
    public String claimedStillPending() {
        return " AND status = 'pending' ";
    }
}
