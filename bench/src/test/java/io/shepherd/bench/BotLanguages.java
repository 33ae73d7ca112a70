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
 * {@link #COLD} jobs of freshly started bots (the JVM's compilers at work); warm: after their
 * compilers went quiet ({@link #WARM_UP_BATCH}). Besides jobs/s, the CPU per job of the bots, of the runtime and of
 * PostgreSQL (the whole cluster), from /proc, the database round trips per job (from
 * {@code pg_stat_statements}, when the cluster loads it) and the bots' resident memory. The runtime
 * serves {@link #RUNTIME_WARM_UP} jobs to Python bots first (its compilers at work: a fresh
 * runtime's CPU per job is several times its warm one), and the languages then take turns in the
 * order Java, Python, Python, Java, each figure the median over both of its turns. Then, in the
 * same run, what issue 17 measures them against: the raw two-statement SQL loop ({@link Floor}) and db-scheduler in
 * process, as it comes and tuned ({@link DbSchedulerPeer}).
 */
final class BotLanguages {
    /** Bot processes a language runs at once: 2, as issue 17 measures; {@code -Dbench.languageBots=N} to see what more give. */
    static final int BOTS = Integer.getInteger("bench.languageBots", 2);
    static final int CONCURRENCY = 8;
    static final int COLD = 2000;
    /**
     * Fresh bots' warm-up: batches of this many jobs until the bots' JIT compiler threads used less
     * than {@link #QUIET_COMPILERS} µs a job in one (Python bots have none: they stop after two),
     * at most {@link #WARM_UP_MAX} jobs. After a fixed 10,000 the Java bots' compilers were still
     * busy in the timed runs (29–129 µs of a bot's CPU per job in C2 threads, Helidon WebClient's
     * request methods compiled 35 s into a bot's life), a cost the Python bots never pay.
     */
    static final int WARM_UP_BATCH = 10_000;
    static final double QUIET_COMPILERS = 5;
    static final int WARM_UP_MAX = 150_000;
    static final int JOBS = 10_000;
    /** Jobs the runtime serves before the first turn, so that "warm" holds for the runtime as for the bots. */
    static final int RUNTIME_WARM_UP = 40_000;

    private final Bench bench;

    BotLanguages(Bench bench) {
        this.bench = bench;
    }

    /** What one language's bots did, warm and cold: jobs/s, the bots' CPU µs per job, the largest bot's RSS. */
    record Figures(double rate, double botCpuMicrosPerJob, double botRssMiB, double coldRate, double coldCpuMicrosPerJob,
                   double runtimeCpuMicrosPerJob, double dbCpuMicrosPerJob, double roundTripsPerJob, int warmedWith) {
    }

    /** The floor's jobs per run: enough for a second or two of work. */
    static final int FLOOR_JOBS = 10_000;

    void run() throws Exception {
        String db = bench.freshDatabase();
        boolean statements = Bench.statementsCounted(db);
        Processes.Runtime runtime = bench.processes.runtime(db, "db:", "  pool-size: 16");
        double[] fresh = warmUp(runtime, db, statements);
        List<Turn> javaTurns = new ArrayList<>();
        List<Turn> pythonTurns = new ArrayList<>();
        for (boolean python : new boolean[]{false, true, true, false}) {
            (python ? pythonTurns : javaTurns).add(measure(runtime, db, python, statements));
        }
        runtime.process().terminate(Duration.ofSeconds(30)); // SIGTERM: a JFR recording (-Dbench.jfr) is written
        double floor = Bench.measure(Bench.RUNS, () -> Floor.jobsPerSecond(bench.freshDatabase(), 8, 1, FLOOR_JOBS));
        DbSchedulerPeer peer = new DbSchedulerPeer(bench);
        double schedulerDefault = peer.measure(DbSchedulerPeer.Setup.DEFAULT);
        double schedulerTuned = peer.measure(DbSchedulerPeer.Setup.TUNED);

        Figures java = Turn.figures(javaTurns);
        Figures python = Turn.figures(pythonTurns);
        for (var row : List.of(Map.entry("Java", java), Map.entry("Python", python))) {
            Figures f = row.getValue();
            bench.report.row("no-op jobs end to end, " + BOTS + " " + row.getKey() + " echo-bot processes x concurrency "
                    + CONCURRENCY + ", warm (after up to " + String.format("%,d", f.warmedWith()) + " jobs, until their "
                    + "compilers were quiet)", Bench.f(f.rate()) + " jobs/s", String.format(
                    "%.2fx the raw SQL loop, %.2fx tuned db-scheduler; CPU per job: bots %.0f µs, runtime %.0f µs, "
                    + "PostgreSQL %.0f µs; %s database round trips per job; bot RSS %.0f MiB; cold (first %,d jobs, mean of 2) "
                    + "%s jobs/s, bots' CPU %.0f µs/job", f.rate() / floor, f.rate() / schedulerTuned,
                    f.botCpuMicrosPerJob(), f.runtimeCpuMicrosPerJob(), f.dbCpuMicrosPerJob(),
                    statements ? String.format("%.2f", f.roundTripsPerJob()) : "(pg_stat_statements not loaded)",
                    f.botRssMiB(), COLD, Bench.f(f.coldRate()), f.coldCpuMicrosPerJob()));
        }
        bench.report.row("a fresh runtime's first " + String.format("%,d", COLD) + " jobs, " + BOTS + " fresh Python echo bots x "
                + CONCURRENCY + " (then " + String.format("%,d", RUNTIME_WARM_UP - COLD) + " more before the turns above)",
                Bench.f(fresh[0]) + " jobs/s", String.format("CPU per job: runtime %.0f µs, bots %.0f µs, PostgreSQL %.0f µs",
                        fresh[2], fresh[1], fresh[3]));
        bench.report.row("Python SDK / Java SDK, same run", String.format("%.2fx", python.rate() / java.rate()),
                String.format("bots' CPU per job %.1fx", python.botCpuMicrosPerJob() / java.botCpuMicrosPerJob()));
        bench.report.row("raw SQL loop, same run: the runtime's claim (1 job) and completion statements, 8 connections, "
                + "no HTTP, no completion event", Bench.f(floor) + " jobs/s", "");
        for (var setup : List.of(Map.entry(DbSchedulerPeer.Setup.DEFAULT, schedulerDefault),
                Map.entry(DbSchedulerPeer.Setup.TUNED, schedulerTuned))) {
            bench.report.row("db-scheduler 16.7.1 in process, HikariCP, " + setup.getKey().words + ", "
                    + DbSchedulerPeer.TASKS + " no-op tasks, same run", Bench.f(setup.getValue()) + " tasks/s",
                    String.format("Shepherd over HTTP: Java bots %.2fx, Python bots %.2fx", java.rate() / setup.getValue(),
                            python.rate() / setup.getValue()));
        }
    }

    /** One turn of one language's bots: cold {jobs/s, µs/job}, each warm run's, and the largest bot's RSS. */
    record Turn(double[] cold, List<Double> rates, List<Double> cpu, List<Double> runtimeCpu, List<Double> dbCpu,
                List<Double> statements, double rss, int warmedWith) {
        static Figures figures(List<Turn> turns) {
            List<Double> rates = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Double> runtimeCpu = new ArrayList<>();
            List<Double> dbCpu = new ArrayList<>();
            List<Double> statements = new ArrayList<>();
            List<Double> coldRates = new ArrayList<>();
            List<Double> coldCpu = new ArrayList<>();
            double rss = 0;
            int warmedWith = 0;
            for (Turn t : turns) {
                warmedWith = Math.max(warmedWith, t.warmedWith());
                rates.addAll(t.rates());
                cpu.addAll(t.cpu());
                runtimeCpu.addAll(t.runtimeCpu());
                dbCpu.addAll(t.dbCpu());
                statements.addAll(t.statements());
                coldRates.add(t.cold()[0]);
                coldCpu.add(t.cold()[1]);
                rss = Math.max(rss, t.rss());
            }
            return new Figures(Bench.median(rates), Bench.median(cpu), rss, mean(coldRates), mean(coldCpu),
                    Bench.median(runtimeCpu), Bench.median(dbCpu), Bench.median(statements), warmedWith);
        }

        private static double mean(List<Double> values) {
            return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    /**
     * Two Python bots work {@link #RUNTIME_WARM_UP} jobs on the fresh runtime; of these only the first
     * {@link #COLD} are measured ({@link #timed}'s figures: the runtime cold).
     */
    private double[] warmUp(Processes.Runtime runtime, String dbUrl, boolean statements) throws Exception {
        List<ChildProcess> bots = startBots(bench, runtime, true);
        try (Connection c = DriverManager.getConnection(dbUrl); PreparedStatement unfinished = c.prepareStatement(Bench.UNFINISHED)) {
            double[] cold = timed(runtime, bench.cluster.pid(), statements, unfinished, bots, COLD);
            Bench.submitBatches(runtime.http(), RUNTIME_WARM_UP - COLD);
            Bench.drain(unfinished);
            for (ChildProcess bot : bots) {
                bot.terminate(Duration.ofSeconds(10));
            }
            return cold;
        }
    }

    /** {@link #BOTS} fresh echo-bot processes of concurrency {@link #CONCURRENCY}, once all are registered and idle. */
    static List<ChildProcess> startBots(Bench bench, Processes.Runtime runtime, boolean python) throws Exception {
        List<ChildProcess> bots = new ArrayList<>();
        for (int i = 0; i < BOTS; i++) {
            bots.add(python ? bench.processes.pythonBot(runtime, CONCURRENCY, Map.of())
                    : bench.processes.bot(runtime, CONCURRENCY, Map.of()));
        }
        Bench.awaitBots(runtime.http(), bots);
        return bots;
    }

    /** Fresh bots: the first {@link #COLD} jobs, then {@link Bench#RUNS} runs of {@link #JOBS} after a warm-up. */
    private Turn measure(Processes.Runtime runtime, String dbUrl, boolean python, boolean statements) throws Exception {
        List<ChildProcess> bots = startBots(bench, runtime, python);
        List<Double> rates = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> runtimeCpu = new ArrayList<>();
        List<Double> dbCpu = new ArrayList<>();
        List<Double> statementCounts = new ArrayList<>();
        double[] cold;
        int warmedWith;
        long postmaster = bench.cluster.pid();
        try (Connection c = DriverManager.getConnection(dbUrl); PreparedStatement unfinished = c.prepareStatement(Bench.UNFINISHED)) {
            cold = timed(runtime, postmaster, statements, unfinished, bots, COLD);
            warmedWith = warmUp(runtime, unfinished, bots);
            for (int run = 0; run < Bench.RUNS; run++) {
                double[] warm = timed(runtime, postmaster, statements, unfinished, bots, JOBS);
                rates.add(warm[0]);
                cpu.add(warm[1]);
                runtimeCpu.add(warm[2]);
                dbCpu.add(warm[3]);
                statementCounts.add(warm[4]);
            }
        }
        double rss = 0;
        for (ChildProcess bot : bots) {
            rss = Math.max(rss, Processes.rssMiB(bot.process().pid()));
        }
        for (ChildProcess bot : bots) {
            bot.terminate(Duration.ofSeconds(10)); // SIGTERM: they deregister, and the next bots start clean
        }
        return new Turn(cold, rates, cpu, runtimeCpu, dbCpu, statementCounts, rss, warmedWith);
    }

    /** Warm-up batches until the bots' compilers are quiet ({@link #WARM_UP_BATCH}); returns the jobs it took. */
    private static int warmUp(Processes.Runtime runtime, PreparedStatement unfinished, List<ChildProcess> bots)
            throws Exception {
        int done = 0;
        while (done < WARM_UP_MAX) {
            double compilers0 = compilerSeconds(bots);
            Bench.submitBatches(runtime.http(), WARM_UP_BATCH);
            Bench.drain(unfinished);
            done += WARM_UP_BATCH;
            double micros = (compilerSeconds(bots) - compilers0) / WARM_UP_BATCH * 1e6;
            if (Boolean.getBoolean("bench.statements")) {
                System.out.printf("warm-up: %,d jobs, the bots' compilers %.0f µs/job in the last %,d%n", done, micros,
                        WARM_UP_BATCH);
            }
            if (done >= 2 * WARM_UP_BATCH && micros < QUIET_COMPILERS) {
                break;
            }
        }
        return done;
    }

    /** CPU seconds the bots' live JIT compiler threads have used. */
    private static double compilerSeconds(List<ChildProcess> bots) throws Exception {
        double sum = 0;
        for (var e : botThreads(bots).entrySet()) {
            sum += e.getKey().contains("CompilerThre") ? e.getValue() : 0;
        }
        return sum;
    }

    /**
     * {jobs/s, and per job: bots' CPU µs, the runtime's CPU µs, PostgreSQL's CPU µs, statements}
     * draining {@code jobs} jobs submitted with a runAt a moment ahead, so they are all in the table
     * before any is claimable; the clock starts at that runAt, and stops at the first of the
     * harness's looks (every 20 ms) that finds none unfinished. PostgreSQL's CPU is the whole
     * cluster's less the backend that answers those looks. Before the jobs go in, the harness
     * vacuums the jobs table, as the raw loop runs on a fresh database each run: in a run of two
     * minutes autovacuum (one visit a minute to each database) vacuumed it once, and the claim's
     * index scan walked the dead entries of every job claimed so far (1,700 pages for 8 jobs at
     * 330,000 dead rows; PostgreSQL's CPU per job rose from ~100 to ~200 µs). Statements are what
     * the database ran for everyone but this harness (its own polling left out), BEGIN not counted:
     * the driver sends it with the transaction's first statement, in the same round trip.
     */
    static double[] timed(Processes.Runtime runtime, long postmaster, boolean statements,
                          PreparedStatement unfinished, List<ChildProcess> bots, int jobs) throws Exception {
        try (var s = unfinished.getConnection().createStatement()) {
            s.execute("VACUUM jobs"); // the raw loop's table is fresh each run: this one starts each run as clean
        }
        Bench.submitAllDue(runtime.http(), jobs);
        if (statements) {
            try (var s = unfinished.getConnection().createStatement()) {
                s.execute("SELECT pg_stat_statements_reset()");
            }
        }
        double cpu0 = botsCpu(bots);
        double runtimeCpu0 = Processes.cpuSeconds(runtime.pid());
        long harnessBackend = backendPid(unfinished);
        double dbCpu0 = Processes.treeCpuSeconds(postmaster) - Processes.cpuSeconds(harnessBackend);
        double machine0 = Processes.machineBusySeconds();
        boolean split = Boolean.getBoolean("bench.statements");
        Map<String, Double> dbKinds0 = split ? Processes.clusterCpuByKind(postmaster) : Map.of();
        Map<String, Double> runtimeThreads0 = split ? Processes.threadCpuSeconds(runtime.pid()) : Map.of();
        double[] runtimeModes0 = split ? Processes.userSystemSeconds(runtime.pid()) : null;
        Map<String, Double> botThreads0 = split ? botThreads(bots) : Map.of();
        long t0 = System.nanoTime();
        while (Bench.unfinished(unfinished) > 0) {
            Thread.sleep(20); // each look costs the database ~1 ms (dead index entries at the end of a run)
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double dbCpu = Processes.treeCpuSeconds(postmaster) - Processes.cpuSeconds(harnessBackend);
        double[] figures = {jobs / seconds, (botsCpu(bots) - cpu0) / jobs * 1e6,
                (Processes.cpuSeconds(runtime.pid()) - runtimeCpu0) / jobs * 1e6,
                (dbCpu - dbCpu0) / jobs * 1e6, Double.NaN,
                (Processes.machineBusySeconds() - machine0) / jobs * 1e6};
        if (Boolean.getBoolean("bench.statements")) {
            System.out.printf("%d jobs in %.2f s: bots %.0f, runtime %.0f, PostgreSQL %.0f, machine %.0f µs/job%n", jobs,
                    seconds, figures[1], figures[2], figures[3], figures[5]);
            StringBuilder kinds = new StringBuilder("  PostgreSQL by process (µs/job; live processes; backends include this harness's polling):");
            Processes.clusterCpuByKind(postmaster).forEach((kind, cpu) -> {
                double used = cpu - dbKinds0.getOrDefault(kind, 0.0);
                if (used > 0) {
                    kinds.append(String.format(" %s %.0f", kind, used / jobs * 1e6));
                }
            });
            System.out.println(kinds);
            System.out.println(byThread("runtime", runtimeThreads0, Processes.threadCpuSeconds(runtime.pid()), jobs));
            double[] runtimeModes = Processes.userSystemSeconds(runtime.pid());
            System.out.printf("  runtime in user mode / in the kernel (µs/job): %.0f / %.0f%n",
                    (runtimeModes[0] - runtimeModes0[0]) / jobs * 1e6, (runtimeModes[1] - runtimeModes0[1]) / jobs * 1e6);
            System.out.println(byThread("bots", botThreads0, botThreads(bots), jobs));
        }
        if (statements) {
            try (var s = unfinished.getConnection().createStatement(); var rs = s.executeQuery(
                    "SELECT COALESCE(SUM(calls) FILTER (WHERE query <> 'BEGIN'), 0), "
                            + "COALESCE(SUM(calls) FILTER (WHERE query = 'BEGIN'), 0), "
                            + "COALESCE(SUM(calls) FILTER (WHERE query LIKE 'SELECT set_config(%'), 0), "
                            + "COALESCE(SUM(calls) FILTER (WHERE query LIKE 'WITH changed AS (UPDATE jobs SET status = $%, "
                            + "result = CASE id%'), 0) "
                            + "FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' "
                            + "AND query NOT LIKE 'SELECT CASE WHEN EXISTS%'")) {
                rs.next();
                figures[4] = roundTrips(rs.getLong(1), rs.getLong(2), rs.getLong(3)) / (double) jobs;
                if (Boolean.getBoolean("bench.statements")) {
                    System.out.printf("  round trips per job: %.3f, or %.3f if every batch completion that could ride "
                            + "in its claim's request did%n", figures[4],
                            roundTripsAtLeast(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)) / (double) jobs);
                }
            }
            if (Boolean.getBoolean("bench.statements")) {
                try (var s = unfinished.getConnection().createStatement(); var rs = s.executeQuery(
                        "SELECT calls, round(total_exec_time::numeric, 1), left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
                                + "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12")) {
                    System.out.println("statements for " + jobs + " jobs (calls, ms, query):");
                    try (var t = unfinished.getConnection().createStatement(); var v = t.executeQuery(
                            "SELECT n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count, "
                                    + "pg_relation_size('jobs_claimable') / 8192 FROM pg_stat_user_tables WHERE relname = 'jobs'")) {
                        v.next();
                        System.out.printf("  jobs: %d live, %d dead rows; autovacuums %d, autoanalyzes %d; claim index %d pages%n",
                                v.getLong(1), v.getLong(2), v.getLong(3), v.getLong(4), v.getLong(5));
                    }
                    while (rs.next()) {
                        System.out.printf("  %8d %9s  %s%n", rs.getLong(1), rs.getString(2), rs.getString(3));
                    }
                }
            }
        }
        return figures;
    }

    /**
     * Round trips from what {@code pg_stat_statements} counts: every statement but BEGIN (the driver
     * sends BEGIN with a transaction's first statement), plus a COMMIT for each BEGIN (not counted
     * by the extension), less the claim plan pins sent in one request with their claim — those
     * outside a transaction (a pin inside one is a round trip of its own, as many as BEGINs at most).
     */
    static long roundTrips(long statements, long begins, long pins) {
        return statements + begins - Math.max(0, pins - begins);
    }

    /**
     * {@link #roundTrips}, less a batch completion for each claim sent alone, as far as there were
     * completions: a busy bot's exchange sends its completions in the same request as its claim
     * (one round trip), but {@code pg_stat_statements} cannot tell those from completions sent on
     * their own (a bot's reports that lingered with no claim to carry them). So the true count
     * lies between this and {@link #roundTrips}, which the table reports.
     */
    static long roundTripsAtLeast(long statements, long begins, long pins, long completions) {
        return roundTrips(statements, begins, pins) - Math.min(Math.max(0, pins - begins), completions);
    }

    /** The PostgreSQL backend serving the harness's connection: its CPU is left out of the database's. */
    private static long backendPid(PreparedStatement onConnection) throws Exception {
        try (var s = onConnection.getConnection().createStatement(); var rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The bots' CPU seconds by kind of thread, all bots added up. */
    private static Map<String, Double> botThreads(List<ChildProcess> bots) throws Exception {
        Map<String, Double> sum = new java.util.TreeMap<>();
        for (ChildProcess bot : bots) {
            Processes.threadCpuSeconds(bot.process().pid()).forEach((kind, cpu) -> sum.merge(kind, cpu, Double::sum));
        }
        return sum;
    }

    /** "  who by thread (µs/job): kind n ..." for the kinds that used at least 1 µs a job, the most first. */
    private static String byThread(String who, Map<String, Double> before, Map<String, Double> after, int jobs) {
        StringBuilder line = new StringBuilder("  " + who + " by thread (µs/job; threads that ended are not in it):");
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / jobs * 1e6))
                .filter(e -> e.getValue() >= 1).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> line.append(String.format(" %s %.0f", e.getKey(), e.getValue())));
        return line.toString();
    }

    private static double botsCpu(List<ChildProcess> bots) throws Exception {
        double sum = 0;
        for (ChildProcess bot : bots) {
            sum += Processes.cpuSeconds(bot.process().pid());
        }
        return sum;
    }
}
