package io.shepherd.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.db.Database;
import io.shepherd.runtime.db.DatabaseSettings;
import io.shepherd.runtime.db.Dialect;
import io.shepherd.runtime.db.Dialects;
import io.shepherd.runtime.store.JobStore;

/**
 * The database's own floor: the runtime's own claim statement ({@link JobStore#claimStatement},
 * which on PostgreSQL also records the claim events) and its completion statement
 * ({@link JobStore#completeStatement}), raw JDBC on a few connections, under the claim plan the
 * runtime pins ({@link Dialect#claimPlanSettings}), no HTTP and no completion event. Taking the
 * statements from the runtime means the floor cannot drift from what the runtime runs.
 */
final class Floor {
    private final Bench bench;

    Floor(Bench bench) {
        this.bench = bench;
    }

    /** Claims of 1 and of 10 on 8 connections; returns {claim-1 rate, claim-10 rate}. */
    double[] run() throws Exception {
        String url = bench.freshDatabase();
        double floor1 = Bench.measure(Bench.RUNS, () -> jobsPerSecond(url, 8, 1, Bench.JOBS));
        double floor10 = Bench.measure(Bench.RUNS, () -> jobsPerSecond(url, 8, 10, Bench.JOBS));
        bench.report.row("raw SQL floor, claim 1 + complete, 8 connections", Bench.f(floor1) + " jobs/s", "");
        bench.report.row("raw SQL floor, claim 10 + complete each, 8 connections", Bench.f(floor10) + " jobs/s", "");
        return new double[]{floor1, floor10};
    }

    static double jobsPerSecond(String url, int threads, int batch, int jobs) throws Exception {
        try (Database db = Database.open(new DatabaseSettings(url, null, null, 2, Duration.ofSeconds(5), List.of()))) {
            db.migrate();
        }
        Dialect dialect = Dialects.forUrl(url);
        JobStore store = new JobStore(dialect);
        JobStore.ClaimStatement claimStatement = store.claimStatement(1);
        String completeStatement = store.completeStatement();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("TRUNCATE jobs, job_events");
            s.execute("DELETE FROM bots");
            s.execute("INSERT INTO bots (id, name, types, labels, token_hash, status, session, last_heartbeat_at, "
                    + "registered_at) VALUES ('floor', 'floor', '[\"floor\"]', '{}', 'x', 'idle', 'floor', 0, 0)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (id, type, queue, priority, status, attempt, "
                    + "max_attempts, run_at, created_at, updated_at) VALUES (?, 'floor', 'default', 0, 'pending', 0, 5, 0, 0, 0)")) {
                for (int i = 0; i < jobs; i++) {
                    ps.setString(1, UUID.randomUUID().toString());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                int n = 0;
                try (Connection c = DriverManager.getConnection(url);
                     PreparedStatement claim = c.prepareStatement(claimStatement.sql());
                     PreparedStatement complete = c.prepareStatement(completeStatement)) {
                    try (Statement pin = c.createStatement()) {
                        // the runtime pins these per claim transaction; here for the whole session
                        for (Map.Entry<String, String> setting : dialect.claimPlanSettings().entrySet()) {
                            pin.execute("SET " + setting.getKey() + " = " + setting.getValue());
                        }
                    }
                    while (true) {
                        long now = System.currentTimeMillis();
                        List<Object> params = claimStatement.params("floor", "floor", List.of("floor"), batch, now,
                                now + 30_000, EventKind.CLAIMED);
                        for (int i = 0; i < params.size(); i++) {
                            claim.setObject(i + 1, params.get(i));
                        }
                        List<String[]> got = new ArrayList<>();
                        try (ResultSet rs = claim.executeQuery()) {
                            while (rs.next()) {
                                got.add(new String[]{rs.getString("id"), rs.getString("lease_token")});
                            }
                        }
                        if (got.isEmpty()) {
                            return n;
                        }
                        for (String[] job : got) {
                            complete.setNull(1, Types.VARCHAR);
                            complete.setLong(2, System.currentTimeMillis());
                            complete.setString(3, job[0]);
                            complete.setString(4, job[1]);
                            try (ResultSet rs = complete.executeQuery()) {
                                n += rs.next() ? 1 : 0;
                            }
                        }
                    }
                }
            }));
        }
        int total = 0;
        for (Future<Integer> f : done) {
            total += f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        if (total != jobs) {
            throw new AssertionError("floor completed " + total + " of " + jobs);
        }
        return jobs / seconds;
    }
}
