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
 * The Java and the Python SDK side by side: their echo bots on no-op jobs, two processes of
 * concurrency 8 each, on one runtime and one database in the same run. Cold: the first
 * {@link #COLD} jobs of freshly started bots (the JVM's compilers at work); warm: after
 * {@link #WARM_UP} more. Besides jobs/s, the bots' own CPU per job and their resident memory,
 * from /proc. The runtime warms up as the run goes on, so the languages take turns in the order
 * Java, Python, Python, Java, each figure the median over both of its turns.
 */
final class BotLanguages {
    static final int BOTS = 2;
    static final int CONCURRENCY = 8;
    static final int COLD = 2000;
    static final int WARM_UP = 10_000;
    static final int JOBS = 4000;

    private final Bench bench;

    BotLanguages(Bench bench) {
        this.bench = bench;
    }

    /** What one language's bots did, warm and cold: jobs/s, the bots' CPU µs per job, the largest bot's RSS. */
    record Figures(double rate, double botCpuMicrosPerJob, double botRssMiB, double coldRate, double coldCpuMicrosPerJob,
                   double runtimeCpuMicrosPerJob) {
    }

    void run() throws Exception {
        String db = bench.freshDatabase();
        Processes.Runtime runtime = bench.processes.runtime(db, "db:", "  pool-size: 16");
        List<Turn> javaTurns = new ArrayList<>();
        List<Turn> pythonTurns = new ArrayList<>();
        for (boolean python : new boolean[]{false, true, true, false}) {
            (python ? pythonTurns : javaTurns).add(measure(runtime, db, python));
        }
        Figures java = Turn.figures(javaTurns);
        Figures python = Turn.figures(pythonTurns);
        for (var row : List.of(Map.entry("Java", java), Map.entry("Python", python))) {
            Figures f = row.getValue();
            bench.report.row("no-op jobs end to end, " + BOTS + " " + row.getKey() + " echo-bot processes x concurrency "
                    + CONCURRENCY + ", warm", Bench.f(f.rate()) + " jobs/s", String.format(
                    "bots' CPU %.0f µs/job; runtime CPU %.0f µs/job; bot RSS %.0f MiB; cold (first %,d jobs, mean of 2) %s jobs/s, "
                    + "bots' CPU %.0f µs/job", f.botCpuMicrosPerJob(), f.runtimeCpuMicrosPerJob(), f.botRssMiB(), COLD,
                    Bench.f(f.coldRate()), f.coldCpuMicrosPerJob()));
        }
        bench.report.row("Python SDK / Java SDK, same run", String.format("%.2fx", python.rate() / java.rate()),
                String.format("bots' CPU per job %.1fx", python.botCpuMicrosPerJob() / java.botCpuMicrosPerJob()));
        runtime.process().terminate(Duration.ofSeconds(30)); // SIGTERM: a JFR recording (-Dbench.jfr) is written
    }

    /** One turn of one language's bots: cold {jobs/s, µs/job}, each warm run's, and the largest bot's RSS. */
    record Turn(double[] cold, List<Double> rates, List<Double> cpu, List<Double> runtimeCpu, double rss) {
        static Figures figures(List<Turn> turns) {
            List<Double> rates = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Double> runtimeCpu = new ArrayList<>();
            List<Double> coldRates = new ArrayList<>();
            List<Double> coldCpu = new ArrayList<>();
            double rss = 0;
            for (Turn t : turns) {
                rates.addAll(t.rates());
                cpu.addAll(t.cpu());
                runtimeCpu.addAll(t.runtimeCpu());
                coldRates.add(t.cold()[0]);
                coldCpu.add(t.cold()[1]);
                rss = Math.max(rss, t.rss());
            }
            return new Figures(Bench.median(rates), Bench.median(cpu), rss, mean(coldRates), mean(coldCpu),
                    Bench.median(runtimeCpu));
        }

        private static double mean(List<Double> values) {
            return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    /** Fresh bots: the first {@link #COLD} jobs, then {@link Bench#RUNS} runs of {@link #JOBS} after a warm-up. */
    private Turn measure(Processes.Runtime runtime, String dbUrl, boolean python) throws Exception {
        List<ChildProcess> bots = new ArrayList<>();
        for (int i = 0; i < BOTS; i++) {
            bots.add(python ? bench.processes.pythonBot(runtime, CONCURRENCY, Map.of())
                    : bench.processes.bot(runtime, CONCURRENCY, Map.of()));
        }
        Bench.awaitBots(runtime.http(), BOTS);
        List<Double> rates = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> runtimeCpu = new ArrayList<>();
        double[] cold;
        try (Connection c = DriverManager.getConnection(dbUrl); PreparedStatement unfinished = c.prepareStatement(Bench.UNFINISHED)) {
            cold = timed(runtime, unfinished, bots, COLD);
            Bench.submitBatches(runtime.http(), WARM_UP);
            Bench.drain(unfinished);
            for (int run = 0; run < Bench.RUNS; run++) {
                double[] warm = timed(runtime, unfinished, bots, JOBS);
                rates.add(warm[0]);
                cpu.add(warm[1]);
                runtimeCpu.add(warm[2]);
            }
        }
        double rss = 0;
        for (ChildProcess bot : bots) {
            rss = Math.max(rss, Processes.rssMiB(bot.process().pid()));
        }
        for (ChildProcess bot : bots) {
            bot.terminate(Duration.ofSeconds(10)); // SIGTERM: they deregister, and the next bots start clean
        }
        return new Turn(cold, rates, cpu, runtimeCpu, rss);
    }

    /**
     * {jobs/s, bots' CPU µs per job, the runtime's CPU µs per job} draining {@code jobs} jobs submitted with a runAt a moment
     * ahead, so they are all in the table before any is claimable; the clock starts at that runAt.
     */
    private static double[] timed(Processes.Runtime runtime, PreparedStatement unfinished, List<ChildProcess> bots,
                                  int jobs) throws Exception {
        Bench.submitAllDue(runtime.http(), jobs);
        double cpu0 = botsCpu(bots);
        double runtimeCpu0 = Processes.cpuSeconds(runtime.pid());
        long t0 = System.nanoTime();
        while (Bench.unfinished(unfinished) > 0) {
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new double[]{jobs / seconds, (botsCpu(bots) - cpu0) / jobs * 1e6,
                (Processes.cpuSeconds(runtime.pid()) - runtimeCpu0) / jobs * 1e6};
    }

    private static double botsCpu(List<ChildProcess> bots) throws Exception {
        double sum = 0;
        for (ChildProcess bot : bots) {
            sum += Processes.cpuSeconds(bot.process().pid());
        }
        return sum;
    }
}
