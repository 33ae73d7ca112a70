package io.shepherd.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;

/** Submit throughput (single POSTs, batches), submit → claimed latency at half load, the claim round trip. */
final class SubmitAndLatency {
    private final Bench bench;

    SubmitAndLatency(Bench bench) {
        this.bench = bench;
    }

    void run(double halfRate) throws Exception {
        submitThroughput();
        latency(halfRate);
    }

    private void submitThroughput() throws Exception {
        Processes.Runtime runtime = bench.processes.runtime(bench.freshDatabase(), "db:", "  pool-size: 16");
        Http http = runtime.http();
        double single = Bench.measure(Bench.RUNS, () -> {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            AtomicInteger left = new AtomicInteger(Bench.JOBS);
            long t0 = System.nanoTime();
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "none"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
            pool.shutdown();
            return Bench.JOBS / ((System.nanoTime() - t0) / 1e9);
        });
        double batch = Bench.measure(Bench.RUNS, () -> {
            long t0 = System.nanoTime();
            Bench.submitBatches(http, 5000);
            return 5000 / ((System.nanoTime() - t0) / 1e9);
        });
        bench.report.row("submit, single POSTs from 8 client threads", Bench.f(single) + " jobs/s", "");
        bench.report.row("submit, batches of 1,000", Bench.f(batch) + " jobs/s", "");
        runtime.process().kill();
    }

    /** Submit → claimed at half the single-claim maximum, 2 bots x 1; then the claim round trip as a bot sees it. */
    private void latency(double halfRate) throws Exception {
        String dbUrl = bench.freshDatabase();
        Processes.Runtime runtime = bench.processes.runtime(dbUrl, "db:", "  pool-size: 16");
        Http http = runtime.http();
        List<ChildProcess> bots = List.of(bench.processes.bot(runtime, 1, Map.of()), bench.processes.bot(runtime, 1, Map.of()));
        Bench.awaitBots(http, bots);
        try (Connection watch = DriverManager.getConnection(dbUrl);
             PreparedStatement unfinished = watch.prepareStatement(Bench.UNFINISHED)) {
            Bench.submitBatches(http, 2000); // warm-up, not measured
            Bench.drain(unfinished);
            long pacedFrom = System.currentTimeMillis();
            int count = (int) Math.max(200, Math.min(3000, halfRate * 10));
            long intervalNanos = (long) (1e9 / Math.max(1, halfRate));
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // not a spin: the machine has 2 cores
                }
                next += intervalNanos;
                http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "echo"));
            }
            Bench.drain(unfinished);
            List<Long> waits = new ArrayList<>();
            try (PreparedStatement q = watch.prepareStatement("SELECT e.at - j.created_at FROM job_events e "
                    + "JOIN jobs j ON j.id = e.job_id WHERE e.kind = 'claimed' AND j.type = 'echo' AND j.created_at >= ?")) {
                q.setLong(1, pacedFrom);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        waits.add(rs.getLong(1));
                    }
                }
            }
            bench.report.row(String.format("submit -> claimed by a bot, %.0f jobs/s (half the single-claim max)", halfRate),
                    String.format("p50 %.0f ms, p95 %.0f, p99 %.0f", Bench.percentile(waits, 0.5),
                            Bench.percentile(waits, 0.95), Bench.percentile(waits, 0.99)), count + " jobs, server clock");
        }
        for (ChildProcess b : bots) {
            b.kill();
        }

        // the claim round trip as a bot sees it (jobs waiting)
        Bench.submitBatches(http, 500);
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
        bench.report.row("claim round trip over HTTP (max 1, jobs waiting)",
                String.format("p50 %.2f ms, p95 %.2f ms", Bench.percentile(rtt, 0.5) / 1000,
                        Bench.percentile(rtt, 0.95) / 1000), "500 claims");
        runtime.process().kill();
    }
}
