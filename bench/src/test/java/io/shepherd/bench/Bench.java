package io.shepherd.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * What every scenario of the benchmark shares: the private PostgreSQL cluster, the runtime and bot
 * processes, the report, and the arithmetic (medians of {@link #RUNS} runs, percentiles).
 */
final class Bench {
    static final int RUNS = 3;
    static final int JOBS = 2000;

    final TestCluster cluster;
    final Processes processes;
    final Report report;
    private int databases;

    Bench(TestCluster cluster, Processes processes, Report report) {
        this.cluster = cluster;
        this.processes = processes;
        this.report = report;
    }

    /** A new, empty database on the cluster; its JDBC URL. */
    String freshDatabase() throws Exception {
        String name = "bench_" + databases++;
        try (Connection c = DriverManager.getConnection(cluster.url()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return cluster.url(name);
    }

    /** Whether the cluster counts statements ({@code pg_stat_statements} loaded): then it is set up in this database. */
    static boolean statementsCounted(String db) throws Exception {
        try (Connection c = DriverManager.getConnection(db); var s = c.createStatement();
             var rs = s.executeQuery("SHOW shared_preload_libraries")) {
            rs.next();
            if (!rs.getString(1).contains("pg_stat_statements")) {
                return false;
            }
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            return true;
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static double percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * p) - 1));
    }

    /** The median of {@code runs} runs of a figure. */
    static double measure(int runs, Run run) throws Exception {
        List<Double> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            results.add(run.call());
        }
        return median(results);
    }

    @FunctionalInterface
    interface Run {
        double call() throws Exception;
    }

    static String f(double v) {
        return String.format("%,.0f", v);
    }

    /** Submits in batches of 1,000; with {@code runAt}, every job becomes claimable at that instant. */
    static void submitBatches(Http http, int jobs, JsonObject payload, Instant runAt) {
        for (int sent = 0; sent < jobs; sent += 1000) {
            JsonArrayBuilder batch = Json.createArrayBuilder();
            for (int i = 0; i < Math.min(1000, jobs - sent); i++) {
                var job = Json.createObjectBuilder().add("type", "echo").add("payload", payload);
                if (runAt != null) {
                    job.add("runAt", runAt.toString());
                }
                batch.add(job);
            }
            Http.Response r = http.post("/v1/jobs/batch", TestRuntime.CLIENT, Json.createObjectBuilder().add("jobs", batch).build());
            if (r.status() != 201) {
                throw new AssertionError("batch refused: " + r);
            }
        }
    }

    /**
     * Submits {@code jobs} no-op jobs due a moment ahead, so they are all in the table before any
     * is claimable, and returns when they are due: the caller's clock starts now.
     */
    static void submitAllDue(Http http, int jobs) throws InterruptedException {
        Instant runAt = Instant.now().plusMillis(1500 + jobs / 10); // batches of 1,000 go in at ~10,000 jobs/s
        submitBatches(http, jobs, Json.createObjectBuilder().build(), runAt);
        long waitMs = runAt.toEpochMilli() - System.currentTimeMillis();
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
    }

    static void submitBatches(Http http, int jobs) {
        submitBatches(http, jobs, Json.createObjectBuilder().build(), null);
    }

    /**
     * Whether any job is unfinished (1 or 0), asked of the database on a connection of the
     * harness's own. It stops at the first pending or claimed row it meets in the runtime's
     * claim index: the harness polls it every few milliseconds while it measures, and must not load
     * the database it measures (a count of every unfinished row took 5-10 % of PostgreSQL's time
     * in a run of 4,000 jobs).
     */
    static final String UNFINISHED = "SELECT CASE WHEN EXISTS (SELECT 1 FROM jobs WHERE status = 'pending') "
            + "OR EXISTS (SELECT 1 FROM jobs WHERE status = 'claimed') THEN 1 ELSE 0 END";

    static long unfinished(PreparedStatement query) throws Exception {
        try (ResultSet rs = query.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits until the database shows no job pending or claimed. */
    static void drain(PreparedStatement unfinished) throws Exception {
        while (unfinished(unfinished) > 0) {
            Thread.sleep(50);
        }
    }

    /**
     * Waits until the bots are registered and idle; fails at once, with its output, if one of them
     * exited (a Python bot without its packages exits before it registers).
     */
    static void awaitBots(Http http, List<ChildProcess> bots) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (http.get("/v1/bots?status=idle", TestRuntime.ADMIN).json().getJsonArray("bots").size() < bots.size()) {
            for (ChildProcess bot : bots) {
                if (!bot.alive()) {
                    throw new AssertionError("a bot exited before it registered:\n" + bot.output());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("bots did not register");
            }
            Thread.sleep(200);
        }
    }

    /** Where the report is written besides the console. */
    static Path results() {
        return Path.of("target", "bench-results.md");
    }
}
