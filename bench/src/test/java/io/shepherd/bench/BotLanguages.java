package io.shepherd.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import jakarta.json.Json;

/**
 * The Java and the Python SDK side by side: their echo bots on no-op jobs, two processes of
 * concurrency 8 each, on one runtime and one database in the same run. Besides jobs/s, the bots'
 * own CPU per job and their resident memory, from /proc.
 */
final class BotLanguages {
    static final int BOTS = 2;
    static final int CONCURRENCY = 8;

    private final Bench bench;

    BotLanguages(Bench bench) {
        this.bench = bench;
    }

    /** What one language's bots did: jobs/s, the bots' CPU µs per job, the largest bot's RSS. */
    record Figures(double rate, double botCpuMicrosPerJob, double botRssMiB) {
    }

    void run() throws Exception {
        String db = bench.freshDatabase();
        Processes.Runtime runtime = bench.processes.runtime(db, "db:", "  pool-size: 16");
        Figures java = measure(runtime, db, false);
        Figures python = measure(runtime, db, true);
        for (var row : List.of(Map.entry("Java", java), Map.entry("Python", python))) {
            Figures f = row.getValue();
            bench.report.row("no-op jobs end to end, " + BOTS + " " + row.getKey() + " echo-bot processes x concurrency "
                    + CONCURRENCY, Bench.f(f.rate()) + " jobs/s", String.format("bots' CPU %.0f µs/job; bot RSS %.0f MiB",
                    f.botCpuMicrosPerJob(), f.botRssMiB()));
        }
        bench.report.row("Python SDK / Java SDK, same run", String.format("%.2fx", python.rate() / java.rate()),
                String.format("bots' CPU per job %.1fx", python.botCpuMicrosPerJob() / java.botCpuMicrosPerJob()));
        runtime.process().kill();
    }

    /** Median of {@link Bench#RUNS} runs of {@link Bench#JOBS} jobs, after a warm-up of 1,000. */
    private Figures measure(Processes.Runtime runtime, String dbUrl, boolean python) throws Exception {
        List<ChildProcess> bots = new ArrayList<>();
        for (int i = 0; i < BOTS; i++) {
            bots.add(python ? bench.processes.pythonBot(runtime, CONCURRENCY, Map.of())
                    : bench.processes.bot(runtime, CONCURRENCY, Map.of()));
        }
        Bench.awaitBots(runtime.http(), BOTS);
        List<Double> rates = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        double rss = 0;
        try (Connection c = DriverManager.getConnection(dbUrl); PreparedStatement unfinished = c.prepareStatement(Bench.UNFINISHED)) {
            Bench.submitBatches(runtime.http(), 1000); // warm-up
            Bench.drain(unfinished);
            for (int run = 0; run < Bench.RUNS; run++) {
                Instant runAt = Instant.now().plusMillis(1500);
                Bench.submitBatches(runtime.http(), Bench.JOBS, Json.createObjectBuilder().build(), runAt);
                long waitMs = runAt.toEpochMilli() - System.currentTimeMillis();
                if (waitMs > 0) {
                    Thread.sleep(waitMs);
                }
                double cpu0 = botsCpu(bots);
                long t0 = System.nanoTime();
                while (Bench.unfinished(unfinished) > 0) {
                    Thread.sleep(10);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                rates.add(Bench.JOBS / seconds);
                cpu.add((botsCpu(bots) - cpu0) / Bench.JOBS * 1e6);
                for (ChildProcess bot : bots) {
                    rss = Math.max(rss, Processes.rssMiB(bot.process().pid()));
                }
            }
        }
        for (ChildProcess bot : bots) {
            bot.terminate(Duration.ofSeconds(10)); // SIGTERM: they deregister, and the next bots start clean
        }
        return new Figures(Bench.median(rates), Bench.median(cpu), rss);
    }

    private static double botsCpu(List<ChildProcess> bots) throws Exception {
        double sum = 0;
        for (ChildProcess bot : bots) {
            sum += Processes.cpuSeconds(bot.process().pid());
        }
        return sum;
    }
}
