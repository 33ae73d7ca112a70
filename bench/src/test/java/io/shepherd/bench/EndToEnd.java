package io.shepherd.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;

/**
 * End to end through the HTTP API with echo-bot processes (no-op handler): one runtime for every
 * configuration (it stays up while bots come and go, as in production), 1, 2 or 4 bots with
 * concurrency 1 (claims of 1) or 10 (claims of up to 10).
 */
final class EndToEnd {
    /** What the runs found; the runtime stays up for the idle-bot scenario. */
    record Result(double best1, double best10, double fourBotsOfOne, Processes.Runtime runtime) {
    }

    private final Bench bench;

    EndToEnd(Bench bench) {
        this.bench = bench;
    }

    Result run(double floor1, double floor10) throws Exception {
        double best1 = 0;
        double best10 = 0;
        double fourBotsOfOne = 0;
        double[] load = new double[2];
        String db = bench.freshDatabase();
        Processes.Runtime runtime = bench.processes.runtime(db, "db:", "  pool-size: 16");
        for (int bots : new int[]{1, 2, 4}) {
            for (int concurrency : new int[]{1, 10}) {
                double rate = jobsPerSecond(runtime, db, bots, concurrency, load);
                bench.report.row("end to end, " + bots + " bot process(es), claims of " + (concurrency == 1 ? "1" : "up to 10"),
                        Bench.f(rate) + " jobs/s", String.format("%.0f %% of the claim-1 floor%s", 100 * rate / floor1,
                                concurrency == 1 ? "" : String.format(", %.0f %% of the claim-10 floor", 100 * rate / floor10)));
                if (concurrency == 1) {
                    best1 = Math.max(best1, rate);
                    if (bots == 4) {
                        fourBotsOfOne = rate;
                    }
                } else {
                    best10 = Math.max(best10, rate);
                }
            }
        }
        bench.report.row("runtime RSS / CPU at full load (limits 512 MiB, 0.5 CPU)",
                String.format("%.0f MiB / %.2f cores", load[0], load[1]), "peak over the end-to-end runs");
        return new Result(best1, best10, fourBotsOfOne, runtime);
    }

    /**
     * Jobs/s draining {@link Bench#JOBS} pre-submitted jobs, median of runs; load[0] peak RSS MiB,
     * load[1] peak CPU cores. The jobs are submitted with a runAt a moment ahead, so they are all
     * in the table before any is claimable, and the clock starts at that runAt. A warm-up of
     * 1,000 jobs first, so the JIT compilers of every process are not what is measured.
     */
    private double jobsPerSecond(Processes.Runtime runtime, String dbUrl, int bots, int concurrency, double[] load)
            throws Exception {
        List<ChildProcess> started = new ArrayList<>();
        for (int i = 0; i < bots; i++) {
            started.add(bench.processes.bot(runtime, concurrency, Map.of()));
        }
        Bench.awaitBots(runtime.http(), started);
        List<Double> rates = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(dbUrl); PreparedStatement unfinished = c.prepareStatement(Bench.UNFINISHED)) {
            Bench.submitBatches(runtime.http(), 1000); // warm-up
            Bench.drain(unfinished);
            for (int run = 0; run < Bench.RUNS; run++) {
                Bench.submitAllDue(runtime.http(), Bench.JOBS);
                double cpu0 = Processes.cpuSeconds(runtime.pid());
                long t0 = System.nanoTime();
                while (Bench.unfinished(unfinished) > 0) {
                    Thread.sleep(10);
                    load[0] = Math.max(load[0], Processes.rssMiB(runtime.pid()));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                load[1] = Math.max(load[1], (Processes.cpuSeconds(runtime.pid()) - cpu0) / seconds);
                rates.add(Bench.JOBS / seconds);
            }
        }
        for (ChildProcess p : started) {
            p.terminate(Duration.ofSeconds(10)); // SIGTERM: they deregister, and the next bots start clean
        }
        return Bench.median(rates);
    }
}
