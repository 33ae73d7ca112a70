package io.shepherd.runtime.db.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import com.zaxxer.hikari.HikariConfig;
import io.helidon.dbclient.DbExecute;
import io.shepherd.runtime.db.Database;
import io.shepherd.runtime.db.DatabaseSettings;
import io.shepherd.runtime.db.Dialect;
import io.shepherd.runtime.db.LeaderElection;
import io.shepherd.runtime.wake.JobSignal;

/**
 * PostgreSQL, the production database: partial indexes, {@code RETURNING} and data-modifying
 * {@code WITH}, a claim plan pinned against stale statistics, recovery led by the holder of an
 * advisory lock ({@link AdvisoryLockElection}), and wake-ups carried between replicas by
 * {@code LISTEN/NOTIFY} ({@link ListenNotifySignal}). Both of those hold a connection of their
 * own, outside the pool, set up in one place ({@link #dedicatedConnection}).
 */
public final class PostgresDialect implements Dialect {
    /**
     * Sorting, bitmap scans and sequential scans are off while claiming. A job table's statistics
     * are nearly always stale — they may say "no pending jobs" when a burst of ten thousand has
     * just arrived — and with them the planner sorts every pending job for each claim (measured:
     * 16 ms a claim instead of 0.1 ms); without those two plans it takes the first claimable jobs
     * straight off {@code jobs_claimable} in claim order and stops at the limit. Sequential scans:
     * the claim is a prepared statement, and the generic plan a pooled connection caches while the
     * table is still small (a fresh start) found the claimed ids by reading the whole table, and
     * kept doing so as it grew, until an ANALYZE happened to replan it (measured in the benchmark:
     * 9–16 ms a claim over 50,000 jobs instead of 0.9 ms); the primary key is always the way.
     * And under those pins the generic plan is the right one, so it is used from the first
     * server-side run ({@code plan_cache_mode}): left to choose, PostgreSQL planned each claim
     * anew for its parameters whenever those plans looked cheaper, and that planning was a fifth
     * of a claim's cost (a claim of 8 jobs: 74 µs of backend CPU a job, 58 µs with the cached plan).
     */
    private static final Map<String, String> CLAIM_PLAN = orderedMap("enable_sort", "off", "enable_bitmapscan", "off",
            "enable_seqscan", "off", "plan_cache_mode", "force_generic_plan");
    private static final String PIN_CLAIM_PLAN = pinStatement(CLAIM_PLAN);

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public boolean accepts(String jdbcUrl) {
        return jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:");
    }

    @Override
    public boolean servesReadReplicas() {
        return true;
    }

    /** The pool's name shows in {@code pg_stat_activity}, so an operator sees whose a connection is. */
    @Override
    public void configurePool(HikariConfig pool) {
        pool.addDataSourceProperty("ApplicationName", pool.getPoolName());
    }

    /**
     * Partial claim and lease indexes: small, a job leaving the state adds no entry to them, and
     * the planner can never pick one for a query about another state.
     */
    @Override
    public Map<String, String> migrationPlaceholders() {
        return Map.of("text", "TEXT",
                "claimable_index", "(priority DESC, run_at, id) WHERE status = 'pending'",
                "lease_index", "(lease_expires_at) WHERE status = 'claimed'",
                "events_at_index", "USING BRIN (at) WITH (autosummarize = on)");
    }

    @Override
    public String returning(String update, String columns) {
        return update + " RETURNING " + columns;
    }

    @Override
    public String returningDeleted(String delete, String columns) {
        return delete + " RETURNING " + columns;
    }

    @Override
    public Optional<String> updateAndInsert(String update, String columns, String insertFromChanged) {
        return Optional.of("WITH changed AS (" + update + " RETURNING " + columns + "), inserted AS ("
                + insertFromChanged + ") SELECT " + columns + " FROM changed");
    }

    /**
     * PostgreSQL may re-run an {@code IN (subquery ... LIMIT n)} per row and lock more than n
     * rows; {@code ARRAY(...)} is evaluated once.
     */
    @Override
    public String idIn(String lockingSubquery) {
        return "id = ANY(ARRAY(" + lockingSubquery + "))";
    }

    /**
     * {@code FOR UPDATE} already re-checks the newest version of each row it locks, and the
     * redundant condition would tempt the planner to find the rows through a status index
     * (walking every pending job) instead of the primary key.
     */
    @Override
    public String claimedStillPending() {
        return " ";
    }

    @Override
    public Map<String, String> claimPlanSettings() {
        return CLAIM_PLAN;
    }

    /** {@code set_config(..., true)}: for the current transaction only. */
    @Override
    public void pinClaimPlan(DbExecute db) {
        try (var rows = db.createNamedQuery("pin-claim-plan", PIN_CLAIM_PLAN).execute()) {
            rows.forEach(r -> { });
        }
    }

    /**
     * Both statements go in one request with one Sync: with autocommit, PostgreSQL runs them as one
     * implicit transaction, so {@code set_config(..., true)} holds for the claim and ends with it.
     */
    @Override
    public Optional<String> pinnedClaim(String claim) {
        return Optional.of(PIN_CLAIM_PLAN + "; " + claim);
    }

    @Override
    public LeaderElection leaderElection(DatabaseSettings settings) {
        return new AdvisoryLockElection(() -> dedicatedConnection(settings, "shepherd-leader", true));
    }

    @Override
    public JobSignal jobSignal(DatabaseSettings settings, Database database, Clock clock) {
        return new ListenNotifySignal(() -> dedicatedConnection(settings, "shepherd-listen", false),
                database::connection, clock);
    }

    /**
     * A connection outside the pool, for a part that holds one for as long as it lives: quick to
     * give up connecting, TCP keep-alive so a dead peer is noticed, named for
     * {@code pg_stat_activity}. A {@code socketTimeout} suits a part that only asks short
     * questions; a listener waits on its socket and must not have one.
     */
    static Connection dedicatedConnection(DatabaseSettings settings, String applicationName, boolean socketTimeout)
            throws SQLException {
        Properties properties = new Properties();
        if (settings.username() != null) {
            properties.setProperty("user", settings.username());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("connectTimeout", "5");
        if (socketTimeout) {
            properties.setProperty("socketTimeout", "10");
        }
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(settings.url(), properties);
    }

    /** Opens a dedicated connection; what the election and the listener are given. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private static String pinStatement(Map<String, String> settings) {
        StringBuilder sql = new StringBuilder("SELECT ");
        settings.forEach((name, value) -> sql.append(sql.length() > 7 ? ", " : "")
                .append("set_config('").append(name).append("', '").append(value).append("', true)"));
        return sql.toString();
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
