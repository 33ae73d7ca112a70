package io.shepherd.runtime.store;

import java.util.Locale;
import java.util.Map;

/**
 * Everything that differs between PostgreSQL and embedded H2, in one place.
 * The schema and every other statement are shared.
 */
public enum Dialect {
    POSTGRESQL("TEXT"),
    H2("CHARACTER LARGE OBJECT");

    private final String textType;

    Dialect(String textType) {
        this.textType = textType;
    }

    public static Dialect forUrl(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw new IllegalArgumentException("Unsupported database URL (use jdbc:postgresql: or jdbc:h2:): " + jdbcUrl);
    }

    /**
     * Placeholders for the Flyway migrations, so both databases share one set of scripts.
     * {@code claimable_index} / {@code lease_index} narrow an index to the rows it serves where the
     * database can (PostgreSQL partial indexes): such an index is small, a job leaving the state
     * adds no entry to it, and the planner can never pick it for a query about another state.
     * H2 has no partial indexes and gets the status as the leading column instead.
     */
    public Map<String, String> migrationPlaceholders() {
        return switch (this) {
            case POSTGRESQL -> Map.of("text", textType,
                    "claimable_index", "(priority DESC, run_at, id) WHERE status = 'pending'",
                    "lease_index", "(lease_expires_at) WHERE status = 'claimed'");
            case H2 -> Map.of("text", textType,
                    "claimable_index", "(status, priority DESC, run_at, id)",
                    "lease_index", "(status, lease_expires_at)");
        };
    }

    /**
     * Turns an UPDATE into a statement that yields the updated rows: PostgreSQL appends
     * {@code RETURNING}, H2 reads the {@code FINAL TABLE} of the change.
     */
    public String returning(String update, String columns) {
        return switch (this) {
            case POSTGRESQL -> update + " RETURNING " + columns;
            case H2 -> "SELECT " + columns + " FROM FINAL TABLE (" + update + ")";
        };
    }

    /**
     * Within the current transaction, keeps PostgreSQL's planner on the claim index: the first
     * claimable jobs come straight off {@code jobs_claimable} in claim order and the scan stops
     * at the limit. A job queue's statistics are nearly always stale — they may say "no pending
     * jobs" when a burst of ten thousand has just arrived — and with them the planner sorts
     * every pending job for each claim (measured: 16 ms a claim instead of 0.1 ms). Sorting and
     * bitmap scans are switched off for this transaction only ({@code set_config(..., true)}).
     */
    public void pinClaimPlan(io.helidon.dbclient.DbExecute db) {
        if (this == POSTGRESQL) {
            try (var rows = db.createNamedQuery("pin-claim-plan", "SELECT set_config('enable_sort', 'off', true), "
                    + "set_config('enable_bitmapscan', 'off', true)").execute()) {
                rows.forEach(r -> { });
            }
        }
    }

    /**
     * The outer re-check that a job the locking subquery picked is still pending. PostgreSQL's
     * {@code FOR UPDATE} already re-checks the newest version of each row it locks, and the
     * redundant condition would tempt its planner to find the rows through a status index
     * (walking every pending job) instead of the primary key; H2 keeps it.
     */
    public String claimedStillPending() {
        return this == H2 ? " AND status = 'pending' " : " ";
    }

    /**
     * Matches {@code id} against a locking subquery that must run exactly once. PostgreSQL may
     * re-run an {@code IN (subquery ... LIMIT n)} per row and lock more than n rows, so it gets
     * {@code ARRAY(...)}, which is evaluated once.
     */
    public String idIn(String lockingSubquery) {
        return switch (this) {
            case POSTGRESQL -> "id = ANY(ARRAY(" + lockingSubquery + "))";
            case H2 -> "id IN (" + lockingSubquery + ")";
        };
    }
}
