package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.db.Database;
import io.shepherd.runtime.db.DatabaseSettings;
import io.shepherd.runtime.db.Dialect;
import io.shepherd.runtime.db.Dialects;
import io.shepherd.runtime.store.JobStore;
import io.shepherd.runtime.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The claim's plan on PostgreSQL, as a pooled connection caches it: the claim is a prepared
 * statement, and its generic plan is made once — on a fresh start, while the job table is still
 * empty — and then kept as the table grows. Under the settings the runtime pins for claims that
 * plan must find the claimed jobs by primary key and the claimable ones through
 * {@code jobs_claimable}, never by reading the whole table (the benchmark caught a cached plan
 * doing that: 9–16 ms a claim over 50,000 jobs instead of 0.9 ms).
 */
class ClaimPlanTest {

    @Test
    void theGenericPlanOfAClaimMadeOnAnEmptyTableReadsNoWholeTable() throws Exception {
        try (TestDatabase db = TestDatabase.create("postgres")) {
            migrate(db);
            Dialect dialect = Dialects.forUrl(db.url());
            String pinned = genericPlan(db, dialect.claimPlanSettings());
            assertTrue(pinned.contains("jobs_claimable") && pinned.contains("jobs_pkey"), pinned);
            assertFalse(pinned.contains("Seq Scan on jobs"), "the claim under the runtime's pin:\n" + pinned);

            // without the pin on sequential scans, the same plan reads the whole table: what the pin is for
            Map<String, String> withoutSeqscan = new java.util.LinkedHashMap<>(dialect.claimPlanSettings());
            withoutSeqscan.remove("enable_seqscan");
            String unpinned = genericPlan(db, withoutSeqscan);
            assertTrue(unpinned.contains("Seq Scan on jobs"), "expected the hazard the pin prevents:\n" + unpinned);
        }
    }

    @Test
    void aClaimInOneRoundTripPinsItsPlanForItselfAloneAndRecordsItsEvents() throws Exception {
        try (TestDatabase db = TestDatabase.create("postgres")) {
            migrate(db);
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                insertBot(s);
                insertJobs(s, "VALUES ('low', 't', 'default', 0, 'pending', 0, 5, 0, 0, 0), "
                        + "('high', 't', 'default', 5, 'pending', 0, 5, 0, 0, 0), "
                        + "('other', 'u', 'default', 9, 'pending', 0, 5, 0, 0, 0)");
                JobStore store = new JobStore(Dialects.forUrl(db.url()));
                assertTrue(store.claimsAlone());
                List<String> claimed = store.claimAlone(c, "bot", "session", List.of("t"), List.of(), 5, 10L, 100L,
                        EventKind.CLAIMED).stream().map(j -> j.id() + "/" + j.status().wire() + "/" + j.claimedBy())
                        .toList();
                assertEquals(List.of("high/claimed/bot", "low/claimed/bot"), claimed, "priority first, own types only");
                assertTrue(c.getAutoCommit());
                try (ResultSet rs = s.executeQuery("SELECT current_setting('enable_sort'), "
                        + "current_setting('enable_seqscan'), (SELECT COUNT(*) FROM job_events WHERE kind = 'claimed')")) {
                    rs.next();
                    assertEquals("on", rs.getString(1), "the pin ended with the claim's implicit transaction");
                    assertEquals("on", rs.getString(2));
                    assertEquals(2, rs.getInt(3), "one claim event a job, in the same statement");
                }
                assertEquals(List.of(), store.claimAlone(c, "bot", "stale-session", List.of("t"), List.of(), 5, 10L,
                        100L, EventKind.CLAIMED), "a superseded session claims nothing");
            }
        }
    }

    /**
     * The claim's plan is made once per pooled connection, not once per claim: PostgreSQL would
     * otherwise plan the claim anew for its parameters (at least its first five server-side runs,
     * and every run while those plans look cheaper than the generic one), and that planning was a
     * fifth of a claim's cost (a claim of 8: 74 µs of backend CPU a job planned per call, 58 µs cached).
     * The pin makes the driver's prepared claim use its generic plan from its first server-side run.
     */
    @Test
    void aPooledConnectionPlansTheClaimOnceNotOnEveryCall() throws Exception {
        try (TestDatabase db = TestDatabase.create("postgres")) {
            migrate(db);
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                insertBot(s);
                insertJobs(s, "SELECT 'job-' || g, 't', 'default', 0, 'pending', 0, 5, 0, g, 0 FROM generate_series(1, 40) g");
                JobStore store = new JobStore(Dialects.forUrl(db.url()));
                int claimed = 0;
                for (int call = 0; call < 12; call++) { // the driver prepares a statement on the server from its 5th use
                    claimed += store.claimAlone(c, "bot", "session", List.of("t"), List.of(), 2, 10L, 100L,
                            EventKind.CLAIMED).size();
                }
                assertEquals(24, claimed);
                try (ResultSet rs = s.executeQuery("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                        + "WHERE statement LIKE '%UPDATE jobs SET status = ''claimed''%'")) {
                    assertTrue(rs.next(), "the driver prepared the claim on the server");
                    assertEquals(0, rs.getLong("custom_plans"), "no claim was planned for its own parameters");
                    assertTrue(rs.getLong("generic_plans") >= 7, "generic plans: " + rs.getLong("generic_plans"));
                }
                try (ResultSet rs = s.executeQuery("SELECT current_setting('plan_cache_mode')")) {
                    rs.next();
                    assertEquals("auto", rs.getString(1), "the connection's other statements plan as they always did");
                }
            }
        }
    }

    /** An idle bot 'bot' of type t, in session 'session'. */
    /** Jobs from {@code rows} (VALUES or a SELECT) of id, type, queue, priority, status, attempt, max_attempts, run_at, created_at, updated_at. */
    private static void insertJobs(Statement s, String rows) throws java.sql.SQLException {
        s.execute("INSERT INTO jobs (id, type, queue, priority, status, attempt, max_attempts, run_at, created_at, "
                + "updated_at) " + rows);
    }

    private static void insertBot(Statement s) throws java.sql.SQLException {
        s.execute("INSERT INTO bots (id, name, types, labels, token_hash, status, session, last_heartbeat_at, "
                + "registered_at) VALUES ('bot', 'bot', '[\"t\"]', '{}', 'x', 'idle', 'session', 0, 0)");
    }

    private static void migrate(TestDatabase db) {
        try (Database database = Database.open(new DatabaseSettings(db.url(), null, null, 2, Duration.ofSeconds(5),
                List.of()))) {
            database.migrate();
        }
    }

    /**
     * A batch completion finds its jobs by primary key, never through the partial lease index:
     * every job claimed and finished since the last vacuum leaves a dead entry there, and the
     * generic plan that walked it made each completion dearer through a benchmark run (0.7 → 2.8 ms
     * a batch of 8).
     */
    @Test
    void aBatchCompletionFindsItsJobsByPrimaryKey() throws Exception {
        try (TestDatabase db = TestDatabase.create("postgres")) {
            migrate(db);
            // statistics as a job table nearly always has them: taken before these jobs were claimed
            analysedBefore(db, "CASE WHEN g % 2 = 0 THEN 'pending' ELSE 'completed' END, 0, NULL",
                    "UPDATE jobs SET status = 'claimed', attempt = 1, claimed_by = 'bot', lease_token = 'token-' "
                            + "|| substr(id, 5) WHERE status = 'pending'");
            JobStore.CompleteAllStatement complete = new JobStore(Dialects.forUrl(db.url())).completeAllStatement(8);
            List<JobStore.Completion> completions = new java.util.ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                completions.add(new JobStore.Completion("job-" + 2 * i, "token-" + 2 * i, "{}"));
            }
            String plan = genericPlan(db, Map.of(), complete.sql(), complete.params("bot", completions, 1L));
            assertByPrimaryKey(plan);
        }
    }

    /**
     * A lease extension goes by primary key too, also for a bot the statistics do not know yet:
     * the holder index keeps an entry for every job a bot ever finished, and taken on the holder
     * alone it would walk them all.
     */
    @Test
    void aLeaseExtensionOfANewBotFindsItsJobsByPrimaryKey() throws Exception {
        try (TestDatabase db = TestDatabase.create("postgres")) {
            migrate(db);
            analysedBefore(db, "CASE WHEN g % 100 = 0 THEN 'claimed' ELSE 'completed' END, 1, 'old-bot'",
                    "UPDATE jobs SET claimed_by = 'new-bot', claim_session = 'session'");
            String sql = new JobStore(Dialects.forUrl(db.url())).extendLeasesStatement(2);
            List<Object> params = List.of(1L, "new-bot", "session", "job-100", "job-200");
            for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
                assertByPrimaryKey(mode + ":\n" + plan(db, Map.of(), sql, params, mode));
            }
        }
    }

    /**
     * 4,000 jobs ({@code statusAttemptHolder}: the SQL of their status, attempt and holder, by
     * {@code g}, 1 to 4,000), analysed, and then {@code change} made, which the statistics do not see.
     */
    private static void analysedBefore(TestDatabase db, String statusAttemptHolder, String change) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO jobs (id, type, queue, priority, status, attempt, claimed_by, max_attempts, run_at, "
                    + "created_at, updated_at) SELECT 'job-' || g, 't', 'default', 0, " + statusAttemptHolder
                    + ", 5, 0, g, 0 FROM generate_series(1, 4000) g");
            s.execute("ANALYZE jobs");
            s.execute(change);
        }
    }

    /** The plan finds its jobs by primary key, through neither the lease index nor the holder index. */
    private static void assertByPrimaryKey(String plan) {
        assertTrue(plan.contains("jobs_pkey"), plan);
        assertFalse(plan.contains("jobs_lease") || plan.contains("jobs_holder"), plan);
    }

    /** EXPLAIN of the claim's generic plan, on the empty table, under these settings. */
    private static String genericPlan(TestDatabase db, Map<String, String> settings) throws Exception {
        JobStore.ClaimStatement claim = new JobStore(Dialects.forUrl(db.url())).claimStatement(1);
        return genericPlan(db, settings, claim.sql(),
                claim.params("bot", "session", List.of("t"), 10, 0L, 1L, EventKind.CLAIMED));
    }

    /** EXPLAIN of a statement's generic plan under these settings, its JDBC parameters given as values. */
    private static String genericPlan(TestDatabase db, Map<String, String> settings, String statement,
                                      List<Object> params) throws Exception {
        return plan(db, settings, statement, params, "force_generic_plan");
    }

    /** EXPLAIN of a prepared statement under these settings and plan cache mode (generic or custom plans). */
    private static String plan(TestDatabase db, Map<String, String> settings, String statement, List<Object> params,
                               String planCacheMode) throws Exception {
        StringBuilder sql = new StringBuilder();
        int n = 0;
        for (char c : statement.toCharArray()) {
            sql.append(c == '?' ? "$" + (++n) : String.valueOf(c));
        }
        StringBuilder values = new StringBuilder();
        for (Object p : params) {
            values.append(values.isEmpty() ? "" : ", ")
                    .append(p instanceof String s ? "'" + s + "'" : String.valueOf(p));
        }
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (var setting : settings.entrySet()) {
                s.execute("SELECT set_config('" + setting.getKey() + "', '" + setting.getValue() + "', true)");
            }
            s.execute("SET LOCAL plan_cache_mode = " + planCacheMode);
            s.execute("PREPARE statement AS " + sql);
            try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE statement(" + values + ")")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            c.rollback();
        }
        return plan.toString();
    }
}
