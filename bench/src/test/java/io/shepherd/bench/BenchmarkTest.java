package io.shepherd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.shepherd.runtime.db.Database;
import io.shepherd.runtime.db.DatabaseSettings;
import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The benchmark: every figure the median of several runs, ratios within one run, all on a private
 * PostgreSQL cluster and real processes on loopback. Prints a table and writes
 * {@code target/bench-results.md}.
 */
class BenchmarkTest {
    static final int RUNS = 3;
    static final int JOBS = 2000;

    final List<String[]> rows = new ArrayList<>();
    final long began = System.nanoTime();
    TestCluster cluster;
    Path work;
    int databases;

    void row(String what, String figure, String note) {
        rows.add(new String[]{what, figure, note});
        System.out.printf("  %-62s %-22s %s   [%.0f s]%n", what, figure, note, (System.nanoTime() - began) / 1e9);
    }

    String freshDatabase() throws Exception {
        String name = "bench_" + databases++;
        try (Connection c = DriverManager.getConnection(cluster.url()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return cluster.url(name);
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

    static double measure(int runs, Callable run) throws Exception {
        List<Double> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            results.add(run.call());
        }
        return median(results);
    }

    @FunctionalInterface
    interface Callable {
        double call() throws Exception;
    }

    @Test
    @Tag("bench")
    void benchmark() throws Exception {
        long started = System.nanoTime();
        work = Files.createTempDirectory("shepherd-bench-");
        cluster = TestCluster.create();
        try (Processes processes = new Processes(work)) {
            System.out.printf("Shepherd benchmark: %d cores, %s, PostgreSQL private cluster (fsync off), loopback%n",
                    java.lang.Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

            // 1. the database's own floor: the claim statement and the completion, raw JDBC, 8 connections
            String floorDb = freshDatabase();
            double floor1 = measure(RUNS, () -> floor(floorDb, 8, 1, JOBS));
            double floor10 = measure(RUNS, () -> floor(floorDb, 8, 10, JOBS));
            row("raw SQL floor, claim 1 + complete, 8 connections", f(floor1) + " jobs/s", "");
            row("raw SQL floor, claim 10 + complete each, 8 connections", f(floor10) + " jobs/s", "");

            // 2. end to end through the HTTP API with echo bots (no-op handler)
            double best1 = 0;
            double best10 = 0;
            double e2e4x1 = 0;
            double peakRss = 0;
            double peakCpu = 0;
            // one runtime for every configuration, as in production: it stays up while bots come and go
            String e2eDb = freshDatabase();
            Processes.Runtime e2eRuntime = processes.runtime(e2eDb, "db:", "  pool-size: 16");
            for (int bots : new int[]{1, 2, 4}) {
                for (int concurrency : new int[]{1, 10}) {
                    double[] load = new double[2];
                    double rate = endToEnd(processes, e2eRuntime, e2eDb, bots, concurrency, load);
                    peakRss = Math.max(peakRss, load[0]);
                    peakCpu = Math.max(peakCpu, load[1]);
                    row("end to end, " + bots + " bot process(es), claims of " + (concurrency == 1 ? "1" : "up to 10"),
                            f(rate) + " jobs/s", String.format("%.0f %% of the claim-1 floor%s", 100 * rate / floor1,
                                    concurrency == 1 ? "" : String.format(", %.0f %% of the claim-10 floor", 100 * rate / floor10)));
                    if (concurrency == 1) {
                        best1 = Math.max(best1, rate);
                        if (bots == 4) {
                            e2e4x1 = rate;
                        }
                    } else {
                        best10 = Math.max(best10, rate);
                    }
                }
            }
            row("runtime RSS / CPU at full load (limits 512 MiB, 0.5 CPU)",
                    String.format("%.0f MiB / %.2f cores", peakRss, peakCpu), "peak over the end-to-end runs");

            // 3. submit throughput, latency at half load, claim round trip
            submitAndLatency(processes, best1 / 2);

            // 4. recovery: SIGKILL of a bot holding a job -> claimed again by another bot
            recovery(processes, "PT3S", "PT1S", "PT1S", 3, "tight lease (3 s, sweep 1 s)");
            recovery(processes, "PT30S", "PT5S", "PT5S", 2, "default lease (30 s, sweep 5 s)");

            // 5. 1,000 idle bots heartbeating every 5 s, on the runtime that has been up since the
            //    end-to-end runs (its JIT compilers done with the request paths, as in production)
            idleBots(e2eRuntime, 1000);
            e2eRuntime.process().kill();

            // 6. a peer on the same database: db-scheduler, the same no-op work with the same threads
            double peer = measure(RUNS, () -> dbScheduler(freshDatabase(), 4, JOBS));
            row("db-scheduler 16.7.1, " + JOBS + " no-op one-time tasks, 4 threads", f(peer) + " tasks/s",
                    String.format("Shepherd with 4 bots x 1: %s jobs/s (%.1fx)", f(e2e4x1), e2e4x1 / peer));
        } finally {
            cluster.close();
        }
        long wall = (System.nanoTime() - started) / 1_000_000_000;
        StringBuilder md = new StringBuilder("| what | figure | note |\n| --- | --- | --- |\n");
        for (String[] r : rows) {
            md.append("| ").append(r[0]).append(" | ").append(r[1]).append(" | ").append(r[2]).append(" |\n");
        }
        md.append("\n").append(java.lang.Runtime.getRuntime().availableProcessors()).append(" cores; wall time ")
                .append(wall).append(" s; medians of ").append(RUNS).append(" runs unless noted.\n");
        Files.writeString(Path.of("target", "bench-results.md"), md.toString());
        System.out.println(md);
    }

    static String f(double v) {
        return String.format("%,.0f", v);
    }

    // ---- 1. floor -------------------------------------------------------------------------------

    static final String CLAIM = "UPDATE jobs SET status = 'claimed', claimed_by = ?, claim_session = ?, claimed_at = ?, "
            + "lease_token = CAST(gen_random_uuid() AS VARCHAR), lease_expires_at = ?, attempt = attempt + 1, updated_at = ? "
            + "WHERE id = ANY(ARRAY(SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? AND type IN (?) "
            + "ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)) "
            + "AND EXISTS (SELECT 1 FROM bots WHERE bots.id = ? AND bots.session = ? AND bots.status IN ('idle', 'lost')) "
            + "RETURNING id, lease_token";
    static final String COMPLETE = "UPDATE jobs SET status = 'completed', result = NULL, lease_expires_at = NULL, "
            + "updated_at = ? WHERE id = ? AND status = 'claimed' AND lease_token = ?";

    double floor(String url, int threads, int batch, int jobs) throws Exception {
        try (Database db = Database.open(new DatabaseSettings(url, null, null, 2, Duration.ofSeconds(5), List.of()))) {
            db.migrate();
        }
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
                     PreparedStatement claim = c.prepareStatement(CLAIM);
                     PreparedStatement complete = c.prepareStatement(COMPLETE)) {
                    try (Statement pin = c.createStatement()) {
                        // the plan the runtime pins for its claims (Dialect.pinClaimPlan), for the whole session
                        pin.execute("SET enable_sort = off");
                        pin.execute("SET enable_bitmapscan = off");
                    }
                    while (true) {
                        long now = System.currentTimeMillis();
                        claim.setString(1, "floor");
                        claim.setString(2, "floor");
                        claim.setLong(3, now);
                        claim.setLong(4, now + 30_000);
                        claim.setLong(5, now);
                        claim.setLong(6, now);
                        claim.setString(7, "floor");
                        claim.setInt(8, batch);
                        claim.setString(9, "floor");
                        claim.setString(10, "floor");
                        List<String[]> got = new ArrayList<>();
                        try (ResultSet rs = claim.executeQuery()) {
                            while (rs.next()) {
                                got.add(new String[]{rs.getString(1), rs.getString(2)});
                            }
                        }
                        if (got.isEmpty()) {
                            return n;
                        }
                        for (String[] job : got) {
                            complete.setLong(1, System.currentTimeMillis());
                            complete.setString(2, job[0]);
                            complete.setString(3, job[1]);
                            n += complete.executeUpdate();
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

    // ---- 2. end to end --------------------------------------------------------------------------

    static void submitBatches(Http http, int jobs, JsonObject payload) {
        submitBatches(http, jobs, payload, null);
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
     * Jobs not finished yet, asked of the database on a connection of the harness's own, through
     * the runtime's partial indexes (cheap: the harness must not load the machine it measures).
     */
    static long unfinished(PreparedStatement query) throws Exception {
        try (ResultSet rs = query.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static final String UNFINISHED = "SELECT (SELECT COUNT(*) FROM jobs WHERE status = 'pending') "
            + "+ (SELECT COUNT(*) FROM jobs WHERE status = 'claimed')";

    static void awaitBots(Http http, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (http.get("/v1/bots?status=idle", TestRuntime.ADMIN).json().getJsonArray("bots").size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("bots did not register");
            }
            Thread.sleep(200);
        }
    }

    /**
     * Jobs/s draining {@link #JOBS} pre-submitted jobs, median of runs; load[0] peak RSS MiB,
     * load[1] peak CPU cores. The jobs are submitted with a runAt a moment ahead, so they are all
     * in the table before any is claimable, and the clock starts at that runAt. A warm-up of
     * 1,000 jobs first, so the JIT compilers of every process are not what is measured.
     */
    double endToEnd(Processes processes, Processes.Runtime runtime, String dbUrl, int bots, int concurrency,
                     double[] load) throws Exception {
        List<ChildProcess> started = new ArrayList<>();
        for (int i = 0; i < bots; i++) {
            started.add(processes.bot(runtime, concurrency, Map.of()));
        }
        awaitBots(runtime.http(), bots);
        List<Double> rates = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(dbUrl); PreparedStatement unfinished = c.prepareStatement(UNFINISHED)) {
            submitBatches(runtime.http(), 1000, Json.createObjectBuilder().build()); // warm-up
            while (unfinished(unfinished) > 0) {
                Thread.sleep(50);
            }
            for (int run = 0; run < RUNS; run++) {
                Instant runAt = Instant.now().plusMillis(1500);
                submitBatches(runtime.http(), JOBS, Json.createObjectBuilder().build(), runAt);
                long waitMs = runAt.toEpochMilli() - System.currentTimeMillis();
                if (waitMs > 0) {
                    Thread.sleep(waitMs);
                }
                double cpu0 = Processes.cpuSeconds(runtime.pid());
                long t0 = System.nanoTime();
                while (unfinished(unfinished) > 0) {
                    Thread.sleep(10);
                    load[0] = Math.max(load[0], Processes.rssMiB(runtime.pid()));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                load[1] = Math.max(load[1], (Processes.cpuSeconds(runtime.pid()) - cpu0) / seconds);
                rates.add(JOBS / seconds);
            }
        }
        for (ChildProcess p : started) {
            p.terminate(Duration.ofSeconds(10)); // SIGTERM: they deregister, and the next bots start clean
        }
        return median(rates);
    }

    // ---- 3. submit, latency ---------------------------------------------------------------------

    void submitAndLatency(Processes processes, double halfRate) throws Exception {
        Processes.Runtime submitRuntime = processes.runtime(freshDatabase(), "db:", "  pool-size: 16");
        Http submitHttp = submitRuntime.http();
        // single submissions from 8 client threads
        double single = measure(RUNS, () -> {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            AtomicInteger left = new AtomicInteger(JOBS);
            long t0 = System.nanoTime();
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        submitHttp.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "none"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
            pool.shutdown();
            return JOBS / ((System.nanoTime() - t0) / 1e9);
        });
        double batch = measure(RUNS, () -> {
            long t0 = System.nanoTime();
            submitBatches(submitHttp, 5000, Json.createObjectBuilder().build());
            return 5000 / ((System.nanoTime() - t0) / 1e9);
        });
        row("submit, single POSTs from 8 client threads", f(single) + " jobs/s", "");
        row("submit, batches of 1,000", f(batch) + " jobs/s", "");
        submitRuntime.process().kill();

        // submit -> handler start at half the single-claim maximum, 2 bots x 1
        String dbUrl = freshDatabase();
        Processes.Runtime runtime = processes.runtime(dbUrl, "db:", "  pool-size: 16");
        Http http = runtime.http();
        List<ChildProcess> bots = List.of(processes.bot(runtime, 1, Map.of()), processes.bot(runtime, 1, Map.of()));
        awaitBots(http, 2);
        Connection watch = DriverManager.getConnection(dbUrl);
        PreparedStatement unfinished = watch.prepareStatement(UNFINISHED);
        submitBatches(http, 2000, Json.createObjectBuilder().build()); // warm-up, not measured
        while (unfinished(unfinished) > 0) {
            Thread.sleep(50);
        }
        long pacedFrom = System.currentTimeMillis();
        int count = (int) Math.max(200, Math.min(3000, halfRate * 10));
        long intervalNanos = (long) (1e9 / Math.max(1, halfRate));
        long next = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait); // not a spin: the machine has 2 cores
            }
            next += intervalNanos;
            ids.add(http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "echo")).json().getString("id"));
        }
        while (unfinished(unfinished) > 0) {
            Thread.sleep(50);
        }
        List<Long> waits = new ArrayList<>();
        try (Connection c = watch; PreparedStatement q = c.prepareStatement("SELECT e.at - j.created_at FROM job_events e "
                + "JOIN jobs j ON j.id = e.job_id WHERE e.kind = 'claimed' AND j.type = 'echo' AND j.created_at >= ?")) {
            q.setLong(1, pacedFrom);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    waits.add(rs.getLong(1));
                }
            }
        }
        row(String.format("submit -> claimed by a bot, %.0f jobs/s (half the single-claim max)", halfRate),
                String.format("p50 %.0f ms, p95 %.0f, p99 %.0f", percentile(waits, 0.5), percentile(waits, 0.95),
                        percentile(waits, 0.99)), count + " jobs, server clock");
        for (ChildProcess b : bots) {
            b.kill();
        }

        // claim round trip as a bot sees it (jobs waiting)
        submitBatches(http, 500, Json.createObjectBuilder().build());
        TestBot bot = TestBot.register(http, "rtt", "echo");
        List<Long> rtt = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            long t0 = System.nanoTime();
            List<JsonObject> got = bot.claimJobs(1, 0);
            rtt.add((System.nanoTime() - t0) / 1000);
            if (!got.isEmpty()) {
                bot.complete(got.getFirst().getString("id"), got.getFirst().getString("leaseToken"), null);
            }
        }
        row("claim round trip over HTTP (max 1, jobs waiting)",
                String.format("p50 %.2f ms, p95 %.2f ms", percentile(rtt, 0.5) / 1000, percentile(rtt, 0.95) / 1000),
                "500 claims");
        runtime.process().kill();
    }

    // ---- 4. recovery ----------------------------------------------------------------------------

    void recovery(Processes processes, String lease, String heartbeat, String sweep, int kills, String label)
            throws Exception {
        String dbUrl = freshDatabase();
        Processes.Runtime runtime = processes.runtime(dbUrl, "lease:", "  ttl: " + lease, "heartbeat:",
                "  interval: " + heartbeat, "recovery:", "  interval: " + sweep);
        Http http = runtime.http();
        List<Long> times = new ArrayList<>();
        List<ChildProcess> bots = new ArrayList<>(List.of(processes.bot(runtime, 1, Map.of()),
                processes.bot(runtime, 1, Map.of())));
        awaitBots(http, 2);
        for (int k = 0; k < kills; k++) {
            String id = http.post("/v1/jobs", TestRuntime.CLIENT,
                    Http.obj("type", "echo", "payload", Http.obj("sleepMs", 600_000))).json().getString("id");
            String holder = null;
            long claimDeadline = System.nanoTime() + 120_000_000_000L;
            while (holder == null) {
                if (System.nanoTime() > claimDeadline) {
                    throw new AssertionError("the long job was never claimed");
                }
                JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
                if ("claimed".equals(job.getString("status"))) {
                    holder = job.getString("claimedBy");
                }
                Thread.sleep(20);
            }
            // kill the process whose state file names the holder
            ChildProcess victim = null;
            for (ChildProcess b : bots) {
                if (b.alive() && holder.equals(botIdOf(b))) {
                    victim = b;
                }
            }
            victim.kill();
            long t0 = System.nanoTime();
            while (true) {
                if (System.nanoTime() - t0 > 180_000_000_000L) {
                    throw new AssertionError("the killed bot's job never came back");
                }
                JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
                if ("claimed".equals(job.getString("status")) && !holder.equals(job.getString("claimedBy"))) {
                    break;
                }
                Thread.sleep(20);
            }
            times.add((System.nanoTime() - t0) / 1_000_000);
            bots.remove(victim);
            bots.add(processes.bot(runtime, 1, Map.of())); // a fresh bot takes the free place
            // free the bot that now holds the long job: cancelled, it is told on its next heartbeat
            http.post("/v1/jobs/" + id + "/cancel", TestRuntime.CLIENT, null);
            awaitBots(http, 2);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!http.get("/v1/bots?status=busy", TestRuntime.ADMIN).json().getJsonArray("bots").isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("a bot stayed busy after its job was cancelled");
                }
                Thread.sleep(100);
            }
        }
        row("recovery, SIGKILL of the holding bot -> claimed by another, " + label,
                String.format("p50 %.1f s", percentile(times, 0.5) / 1000.0), kills + " kills: " + times + " ms");
        for (ChildProcess b : bots) {
            b.kill();
        }
        runtime.process().kill();
    }

    /** The bot's id from state/bot.json in its working directory; null before it registered. */
    static String botIdOf(ChildProcess bot) throws Exception {
        Path cwd = Path.of("/proc", Long.toString(bot.process().pid()), "cwd").toRealPath();
        if (!Files.exists(cwd.resolve("state").resolve("bot.json"))) {
            return null;
        }
        try (var reader = Json.createReader(new java.io.StringReader(Files.readString(cwd.resolve("state").resolve("bot.json"))))) {
            return reader.readObject().getString("id");
        }
    }

    // ---- 5. idle bots ---------------------------------------------------------------------------

    void idleBots(Processes.Runtime runtime, int count) throws Exception {
        Http http = runtime.http();
        List<TestBot> bots = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> registering = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            registering.add(pool.submit(() -> bots.add(TestBot.register(http, "idle-" + n, "echo"))));
        }
        for (Future<?> f : registering) {
            f.get();
        }
        pool.shutdown();
        ScheduledExecutorService beats = Executors.newScheduledThreadPool(16);
        long spread = 5_000_000_000L / count;
        for (int i = 0; i < bots.size(); i++) {
            TestBot bot = bots.get(i);
            beats.scheduleAtFixedRate(() -> {
                try {
                    bot.heartbeat(List.of()); // as the SDK does: it names the jobs it works on, here none
                } catch (RuntimeException ignored) {
                    // counted by the runtime's CPU anyway
                }
            }, i * spread, 5_000_000_000L, TimeUnit.NANOSECONDS);
        }
        Thread.sleep(8_000); // settle
        double cpu0 = Processes.cpuSeconds(runtime.pid());
        long t0 = System.nanoTime();
        Thread.sleep(25_000);
        double cores = (Processes.cpuSeconds(runtime.pid()) - cpu0) / ((System.nanoTime() - t0) / 1e9);
        double rss = Processes.rssMiB(runtime.pid());
        beats.shutdownNow();
        row(count + " idle bots heartbeating every 5 s: runtime CPU / RSS",
                String.format("%.1f %% of a core / %.0f MiB", cores * 100, rss),
                "25 s window, after 8 s; the runtime of the end-to-end runs");
    }

    // ---- 6. db-scheduler ------------------------------------------------------------------------

    double dbScheduler(String url, int threads, int tasks) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE scheduled_tasks (task_name TEXT NOT NULL, task_instance TEXT NOT NULL, "
                    + "task_data BYTEA, execution_time TIMESTAMP WITH TIME ZONE NOT NULL, picked BOOLEAN NOT NULL, "
                    + "picked_by TEXT, last_success TIMESTAMP WITH TIME ZONE, last_failure TIMESTAMP WITH TIME ZONE, "
                    + "consecutive_failures INT, last_heartbeat TIMESTAMP WITH TIME ZONE, version BIGINT NOT NULL, "
                    + "priority SMALLINT, PRIMARY KEY (task_name, task_instance))");
            s.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
            s.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        CountDownLatch done = new CountDownLatch(tasks);
        OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> done.countDown());
        SchedulerClient client = SchedulerClient.Builder.create(ds, noop).build();
        Instant now = Instant.now();
        for (int i = 0; i < tasks; i++) {
            client.scheduleIfNotExists(noop.instance("t" + i), now);
        }
        Scheduler scheduler = Scheduler.create(ds, noop)
                .threads(threads)
                .pollingInterval(Duration.ofMillis(100))
                .pollUsingLockAndFetch(0.5, 1.0)
                .build();
        long t0 = System.nanoTime();
        scheduler.start();
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new AssertionError("db-scheduler did not finish");
        }
        double rate = tasks / ((System.nanoTime() - t0) / 1e9);
        scheduler.stop();
        return rate;
    }

}
