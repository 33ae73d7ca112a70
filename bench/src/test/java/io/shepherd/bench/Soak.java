package io.shepherd.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;

/**
 * Running for months, compressed: retention under load on PostgreSQL.
 *
 * <ol>
 * <li><b>A large prune next to claims.</b> 200,000 finished jobs (and 600,000 events) a week old
 * are put in the table; a bot claims and completes jobs in a loop while retention deletes them
 * all. Claim latency with and without the prune running, and the prune's rate.</li>
 * <li><b>A steady load with retention on.</b> Echo bots work a steady stream of jobs for
 * {@code soak.minutes} (default 5) with completed jobs kept 30 s; every 15 s the harness samples
 * the rows and bytes of the jobs and events tables, dead tuples and autovacuum runs. The tables
 * must stay flat, and the claim's plan must stay an index scan of the pending jobs.</li>
 * </ol>
 */
final class Soak {
    private final Bench bench;

    Soak(Bench bench) {
        this.bench = bench;
    }

    /** One sample of the tables. */
    record Sample(long second, long jobs, long events, long jobsBytes, long eventsBytes, long deadTuples,
                  long autovacuums, long completed) {
    }

    void pruneNextToClaims() throws Exception {
        String url = bench.freshDatabase();
        Processes.Runtime runtime = bench.processes.runtime(url, "retention:", "  interval: PT1H", "  batch: 2000");
        Http http = runtime.http();
        long weekAgo = System.currentTimeMillis() - 8L * 24 * 3600 * 1000;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO jobs (id, type, queue, payload, priority, status, attempt, max_attempts, run_at, "
                    + "created_at, updated_at, result) SELECT 'old-' || g, 'echo', 'default', '{\"n\":1}', 0, "
                    + "'completed', 1, 5, " + weekAgo + ", " + weekAgo + ", " + weekAgo + " + g, '{\"n\":1}' "
                    + "FROM generate_series(1, 200000) g");
            s.execute("INSERT INTO job_events (job_id, at, kind, reason, attempt) SELECT 'old-' || g, " + weekAgo
                    + ", k, k, 1 FROM generate_series(1, 200000) g, (VALUES ('submitted'), ('claimed'), "
                    + "('completed')) AS kinds(k)");
            s.execute("ANALYZE jobs");
            s.execute("ANALYZE job_events");
        }
        TestBot bot = TestBot.register(http, "claimer", "echo");
        List<Long> quiet = claimLoop(http, bot, 1500, null);
        AtomicBoolean pruning = new AtomicBoolean(true);
        AtomicLong pruned = new AtomicLong();
        long t0 = System.nanoTime();
        Thread prune = Thread.ofPlatform().start(() -> {
            while (true) {
                JsonObject r = http.post("/v1/admin/recovery/prune", TestRuntime.ADMIN, Map.of()).json();
                int n = r.getJsonObject("jobs").getInt("completed");
                pruned.addAndGet(n);
                if (n == 0) {
                    break;
                }
            }
            pruning.set(false);
        });
        List<Long> during = claimLoop(http, bot, Integer.MAX_VALUE, pruning);
        prune.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        bench.report.row("retention: 200,000 finished jobs (+600,000 events) pruned next to claims",
                String.format("%,.0f jobs/s", pruned.get() / seconds),
                String.format("claim p50 %.1f ms / p95 %.1f ms while pruning (%d claims), %.1f / %.1f ms without",
                        Bench.percentile(during, 0.5) / 1000.0, Bench.percentile(during, 0.95) / 1000.0, during.size(),
                        Bench.percentile(quiet, 0.5) / 1000.0, Bench.percentile(quiet, 0.95) / 1000.0));
        if (pruned.get() != 200_000) {
            throw new AssertionError("pruned " + pruned.get() + " of 200,000");
        }
        runtime.process().kill();
    }

    /** Submit one, claim it (timed, µs), complete it; until {@code count} or while {@code go} holds. */
    private static List<Long> claimLoop(Http http, TestBot bot, int count, AtomicBoolean go) {
        List<Long> micros = new ArrayList<>();
        while (micros.size() < count && (go == null || go.get())) {
            String id = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "echo")).json().getString("id");
            long t = System.nanoTime();
            List<JsonObject> got = bot.claimJobs(1, 0);
            micros.add((System.nanoTime() - t) / 1000);
            for (JsonObject j : got) {
                bot.complete(j.getString("id"), j.getString("leaseToken"), Map.of());
            }
            if (got.isEmpty()) {
                throw new AssertionError("claimed nothing though " + id + " was pending");
            }
        }
        return micros;
    }

    void steadyLoad(int minutes, int jobsPerSecond) throws Exception {
        String url = bench.freshDatabase();
        Processes.Runtime runtime = bench.processes.runtime(url, "retention:", "  completed: PT30S",
                "  interval: PT5S", "  batch: 2000");
        Http http = runtime.http();
        Bench.awaitBots(http, List.of(bench.processes.bot(runtime, 8, Map.of()),
                bench.processes.bot(runtime, 8, Map.of())));
        AtomicBoolean submitting = new AtomicBoolean(true);
        Thread submitter = Thread.ofPlatform().start(() -> {
            long next = System.nanoTime();
            while (submitting.get()) {
                Bench.submitBatches(http, jobsPerSecond);
                next += 1_000_000_000L;
                long sleep = (next - System.nanoTime()) / 1_000_000;
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url)) {
            while (System.nanoTime() - start < minutes * 60_000_000_000L) {
                Thread.sleep(15_000);
                samples.add(sample(c, (System.nanoTime() - start) / 1_000_000_000L));
                System.out.println("soak " + samples.getLast());
            }
            submitting.set(false);
            submitter.join();
            String plan = claimPlan(c);
            report(samples, jobsPerSecond, minutes, plan);
        }
        runtime.process().kill();
    }

    private static Sample sample(Connection c, long second) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT (SELECT COUNT(*) FROM jobs), (SELECT COUNT(*) FROM job_events), "
                        + "pg_total_relation_size('jobs'), pg_total_relation_size('job_events'), "
                        + "(SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'jobs'), "
                        + "(SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 'jobs'), "
                        + "(SELECT COUNT(*) FROM jobs WHERE status = 'completed')")) {
            rs.next();
            return new Sample(second, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                    rs.getLong(6), rs.getLong(7));
        }
    }

    /** The claim's locking subquery as the runtime runs it, explained with its buffers. */
    private static String claimPlan(Connection c) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM jobs "
                + "WHERE status = 'pending' AND run_at <= ? AND type IN ('echo') ORDER BY priority DESC, run_at, id "
                + "LIMIT 10 FOR UPDATE SKIP LOCKED")) {
            ps.setLong(1, System.currentTimeMillis());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    private void report(List<Sample> samples, int rate, int minutes, String plan) {
        Sample third = samples.get(samples.size() / 3);
        Sample last = samples.getLast();
        long peakJobs = samples.stream().mapToLong(Sample::jobs).max().orElseThrow();
        bench.report.row(String.format("soak: %d jobs/s for %d min, completed jobs kept 30 s", rate, minutes),
                String.format("jobs table %,d rows / %.1f MiB at the end (%,d / %.1f MiB at a third)", last.jobs(),
                        last.jobsBytes() / 1048576.0, third.jobs(), third.jobsBytes() / 1048576.0),
                String.format("events %,d rows / %.1f MiB; peak %,d jobs; %d autovacuums of jobs; %,d dead tuples "
                        + "at the end", last.events(), last.eventsBytes() / 1048576.0, peakJobs, last.autovacuums(),
                        last.deadTuples()));
        System.out.println("claim plan after the soak:\n" + plan);
        if (last.jobs() > 2 * Math.max(third.jobs(), rate * 60L)) {
            throw new AssertionError("the jobs table grew: " + samples);
        }
        if (last.jobsBytes() > 2 * third.jobsBytes()) {
            throw new AssertionError("the jobs table's size grew: " + samples);
        }
        if (!plan.contains("jobs_claimable")) {
            throw new AssertionError("the claim no longer reads the pending index:\n" + plan);
        }
    }
}
