package io.shepherd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;

/**
 * Cold starts (issue 17, item 6): a runtime's start to its first {@code 200} on {@code /ready},
 * and a bot process's start to its first job completed (a fresh bot: it registers first), for the
 * Java echo bot without and with a JDK AOT cache (JEP 483/514/515: {@code -XX:AOTCacheOutput}
 * while a training run works, {@code -XX:AOTCache} after) trained in the same run by
 * {@code shepherd train}, as the images train theirs, and for the Python echo bot; and a fresh
 * runtime's first jobs, without and with its cache (the cache also holds method profiles, so the
 * JIT starts informed). The Java processes start from their jars, as users run them (an AOT cache
 * needs a class path of jars). Each figure is the median of {@link #TRIES}.
 */
final class ColdStart {
    static final int TRIES = 3;
    static final int TRAINING_JOBS = 2000;

    private final Bench bench;

    ColdStart(Bench bench) {
        this.bench = bench;
    }

    void run() throws Exception {
        Path aot = Files.createTempDirectory("shepherd-aot-");
        String db = bench.freshDatabase();

        // the runtime: plain, then trained, then from its cache
        List<Double> plain = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            plain.add(runtimeToReady(db, ""));
        }
        Path runtimeCache = aot.resolve("runtime.aot");
        bench.processes.train("-XX:AOTCacheOutput=" + runtimeCache + " -Xmx400m", "-Xmx256m", TRAINING_JOBS);
        requireCache(runtimeCache);
        List<Double> cached = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            cached.add(runtimeToReady(db, "-XX:AOTCache=" + runtimeCache));
        }
        bench.report.row("runtime start -> ready (PostgreSQL, schema already migrated)", String.format(
                "%.0f ms", Bench.median(plain)), String.format("with an AOT cache: %.0f ms (%s); starts: %s / %s",
                Bench.median(cached), size(runtimeCache), whole(plain), whole(cached)));

        // a fresh runtime's first jobs (its compilers at work), without and with the cache
        List<double[]> firstPlain = new ArrayList<>();
        List<double[]> firstCached = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            firstPlain.add(firstJobs(""));
            firstCached.add(firstJobs("-XX:AOTCache=" + runtimeCache));
        }
        bench.report.row("a fresh runtime's first " + String.format("%,d", BotLanguages.COLD) + " jobs, "
                + BotLanguages.BOTS + " Python echo bots x "
                + BotLanguages.CONCURRENCY, String.format("%s jobs/s, runtime %.0f µs/job", Bench.f(median(firstPlain, 0)),
                median(firstPlain, 2)), String.format("with the AOT cache: %s jobs/s, runtime %.0f µs/job (medians of %d)",
                Bench.f(median(firstCached, 0)), median(firstCached, 2), TRIES));

        // the bots, against one runtime that stays up
        Processes.Runtime runtime = bench.processes.runtime(db);
        List<Double> java = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            java.add(botToFirstJob(runtime, db, "java", ""));
        }
        Path botCache = aot.resolve("echo-bot.aot");
        bench.processes.train("-Xmx400m", "-XX:AOTCacheOutput=" + botCache + " -Xmx256m", TRAINING_JOBS);
        requireCache(botCache);
        List<Double> javaCached = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            javaCached.add(botToFirstJob(runtime, db, "java", "-XX:AOTCache=" + botCache));
        }
        List<Double> python = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            python.add(botToFirstJob(runtime, db, "python", ""));
        }
        bench.report.row("Java echo bot start -> first job completed (registering first)", String.format("%.0f ms",
                Bench.median(java)), String.format("with an AOT cache: %.0f ms (%s); starts: %s / %s",
                Bench.median(javaCached), size(botCache), whole(java), whole(javaCached)));
        bench.report.row("Python echo bot start -> first job completed (registering first)", String.format("%.0f ms",
                Bench.median(python)), "starts: " + whole(python));
        runtime.process().terminate(Duration.ofSeconds(30));
    }

    /**
     * A runtime from its jar (with {@code jvmOptions}) on a fresh database: {@link BotLanguages#timed}'s
     * figures for the first {@link BotLanguages#COLD} jobs two fresh Python bots work (no JIT of
     * their own, so the runtime's warm-up shows).
     */
    private double[] firstJobs(String jvmOptions) throws Exception {
        String db = bench.freshDatabase();
        Processes.Runtime runtime = bench.processes.startRuntimeJar(db, jvmOptions);
        runtime.process().awaitReady(runtime.http(), Duration.ofSeconds(90));
        List<ChildProcess> bots = BotLanguages.startBots(bench, runtime, true);
        try (Connection c = DriverManager.getConnection(db); PreparedStatement unfinished = c.prepareStatement(Bench.UNFINISHED)) {
            return BotLanguages.timed(runtime, bench.cluster.pid(), false, unfinished, bots, BotLanguages.COLD);
        } finally {
            for (ChildProcess bot : bots) {
                bot.terminate(Duration.ofSeconds(10));
            }
            runtime.process().terminate(Duration.ofSeconds(30));
        }
    }

    private static double median(List<double[]> runs, int figure) {
        return Bench.median(runs.stream().map(r -> r[figure]).toList());
    }

    /** Milliseconds from starting a runtime process to its first 200 on /ready; then it is stopped. */
    private double runtimeToReady(String db, String jvmOptions) throws Exception {
        long t0 = System.nanoTime();
        Processes.Runtime runtime = bench.processes.startRuntimeJar(db, jvmOptions);
        while (true) {
            if (!runtime.process().alive()) {
                throw new AssertionError("the runtime exited:\n" + runtime.process().output());
            }
            try {
                if (runtime.http().get("/ready", null).status() == 200) {
                    break;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            if (System.nanoTime() - t0 > Duration.ofSeconds(90).toNanos()) {
                throw new AssertionError("not ready in 90 s:\n" + runtime.process().output());
            }
            Thread.sleep(5);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        runtime.process().terminate(Duration.ofSeconds(30));
        return ms;
    }

    /** Milliseconds from starting a fresh bot process to the job submitted before it being completed. */
    private double botToFirstJob(Processes.Runtime runtime, String db, String language, String jvmOptions)
            throws Exception {
        Http.Response submitted = runtime.http().post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "echo"));
        String id = submitted.json().getString("id");
        try (Connection c = DriverManager.getConnection(db);
             PreparedStatement status = c.prepareStatement("SELECT status FROM jobs WHERE id = ?")) {
            status.setString(1, id);
            long t0 = System.nanoTime();
            ChildProcess bot = language.equals("python") ? bench.processes.pythonBot(runtime, 1, Map.of())
                    : bench.processes.botJar(runtime, 1, jvmOptions);
            while (true) {
                try (ResultSet rs = status.executeQuery()) {
                    if (rs.next() && rs.getString(1).equals("completed")) {
                        break;
                    }
                }
                if (!bot.alive() || System.nanoTime() - t0 > Duration.ofSeconds(60).toNanos()) {
                    throw new AssertionError("no first job from the " + language + " bot:\n" + bot.output());
                }
                Thread.sleep(5);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            bot.terminate(Duration.ofSeconds(10));
            return ms;
        }
    }

    private static void requireCache(Path cache) {
        if (!Files.exists(cache)) {
            throw new AssertionError("no AOT cache was written at " + cache);
        }
    }

    private static String size(Path file) throws Exception {
        return String.format("cache %.0f MiB", Files.size(file) / 1048576.0);
    }

    private static String whole(List<Double> values) {
        return values.stream().map(v -> String.format("%.0f", v)).toList().toString();
    }
}
