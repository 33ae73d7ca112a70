package io.shepherd.bench;

import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;

/**
 * Registered bots with nothing to do, behaving as idle SDK bots do: each holds a claim open (a long
 * poll, again and again) of as long as the runtime says it holds one ({@code claimWaitMs} at
 * registration) and sends no heartbeats meanwhile — the runtime counts the poll as one. A runtime
 * that does not say so is met as the SDKs met it before: a 10 s poll and a heartbeat every 5 s. The
 * runtime's and PostgreSQL's CPU from {@code /proc} over 25 s after settling, the statements the
 * database ran, and the runtime's RSS.
 */
final class IdleBots {
    private final Bench bench;

    IdleBots(Bench bench) {
        this.bench = bench;
    }

    /**
     * {@code settleSeconds}: how long the bots run before the window; a runtime fresh from its start
     * needs most of a minute of this load before its JIT compilers are done with these paths.
     */
    void run(Processes.Runtime runtime, int count, int settleSeconds) throws Exception {
        Http http = runtime.http();
        List<TestBot> bots = Collections.synchronizedList(new ArrayList<>());
        AtomicLong claimWaitMs = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> registering = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            registering.add(pool.submit(() -> {
                Http.Response r = http.post("/v1/bots", TestRuntime.ENROLL,
                        Http.obj("name", "idle-" + n, "types", List.of("echo")));
                claimWaitMs.set(r.json().getJsonNumber("claimWaitMs") == null ? 0
                        : r.json().getJsonNumber("claimWaitMs").longValue());
                bots.add(TestBot.of(http, r.json()));
            }));
        }
        for (Future<?> f : registering) {
            f.get();
        }
        pool.shutdown();
        boolean pollIsBeat = claimWaitMs.get() > 0;
        long waitMs = pollIsBeat ? claimWaitMs.get() : 10_000;
        ScheduledExecutorService beats = Executors.newScheduledThreadPool(16);
        long spread = 5_000_000_000L / count;
        for (int i = 0; i < bots.size() && !pollIsBeat; i++) {
            TestBot bot = bots.get(i);
            beats.scheduleAtFixedRate(() -> {
                try {
                    bot.heartbeat(List.of()); // as the SDK did: it names the jobs it works on, here none
                } catch (RuntimeException ignored) {
                    // counted by the runtime's CPU anyway
                }
            }, i * spread, 5_000_000_000L, TimeUnit.NANOSECONDS);
        }
        // as the SDKs do, each keeps a claim open, again and again
        AtomicBoolean polling = new AtomicBoolean(true);
        List<Thread> pollers = new ArrayList<>();
        for (int i = 0; i < bots.size(); i++) {
            TestBot bot = bots.get(i);
            long offsetMs = i * waitMs / bots.size(); // bots started at different times poll out of step
            pollers.add(Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(offsetMs);
                } catch (InterruptedException stop) {
                    return;
                }
                while (polling.get()) {
                    try {
                        http.post("/v1/bots/" + bot.id + "/exchange", bot.token, Http.obj("session", bot.session,
                                "reports", List.of(), "max", 8, "waitMs", waitMs));
                    } catch (RuntimeException e) {
                        if (polling.get()) {
                            try {
                                Thread.sleep(1000);
                            } catch (InterruptedException stop) {
                                return;
                            }
                        }
                    }
                }
            }));
        }
        Thread.sleep(settleSeconds * 1000L); // settle
        boolean statements = Bench.statementsCounted(bench.cluster.url());
        if (statements) {
            try (var c = DriverManager.getConnection(bench.cluster.url()); var s = c.createStatement()) {
                s.execute("SELECT pg_stat_statements_reset()");
            }
        }
        double cpu0 = Processes.cpuSeconds(runtime.pid());
        double db0 = Processes.treeCpuSeconds(bench.cluster.pid());
        Map<String, Double> threads0 = Processes.threadCpuSeconds(runtime.pid());
        long t0 = System.nanoTime();
        Thread.sleep(25_000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (Boolean.getBoolean("bench.statements")) {
            // where the runtime's CPU went, by kind of thread
            Map<String, Double> threads = Processes.threadCpuSeconds(runtime.pid());
            System.out.println("idle bots: the runtime's threads over " + Math.round(seconds) + " s (% of a core):");
            threads.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), (e.getValue() - threads0.getOrDefault(e.getKey(), 0.0)) / seconds * 100))
                    .filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> System.out.printf("  %6.2f  %s%n", e.getValue(), e.getKey()));
        }
        double cores = (Processes.cpuSeconds(runtime.pid()) - cpu0) / seconds;
        double dbCores = (Processes.treeCpuSeconds(bench.cluster.pid()) - db0) / seconds;
        double rss = Processes.rssMiB(runtime.pid());
        String perSecond = statements ? statementsPerSecond(seconds) : "statements not counted";
        // the polls kept every bot live: none may show lost (no heartbeat of their own since they registered)
        int lost = http.get("/v1/bots?status=lost", TestRuntime.ADMIN).json()
                .getJsonArray("bots").size();
        beats.shutdownNow();
        polling.set(false);
        pollers.forEach(Thread::interrupt);
        // and what the same runtime costs once the bots are gone: its own duties (recovery sweeps,
        // health checks, metrics), after the polls it still held ran out
        Thread.sleep(waitMs + 5_000);
        double alone0 = Processes.cpuSeconds(runtime.pid());
        long a0 = System.nanoTime();
        Thread.sleep(20_000);
        double alone = (Processes.cpuSeconds(runtime.pid()) - alone0) / ((System.nanoTime() - a0) / 1e9);
        bench.report.row(count + " idle bots, each long-polling for work (" + waitMs / 1000 + " s) "
                        + (pollIsBeat ? "with no heartbeats (the poll is one)" : "and heartbeating every 5 s")
                        + " as the SDKs do: runtime CPU / RSS", String.format("%.1f %% of a core / %.0f MiB", cores * 100, rss),
                String.format("PostgreSQL %.1f %% of a core, %s; %d bots lost; 25 s window, after %d s of settling",
                        dbCores * 100, perSecond, lost, settleSeconds));
        bench.report.row("the same runtime once the bots are gone, its own duties only (recovery, health checks, "
                + "metrics): CPU", String.format("%.1f %% of a core", alone * 100), String.format(
                "so the idle bots cost it %.1f %% of a core; 20 s window", (cores - alone) * 100));
    }

    /**
     * The statements the database ran each second of the window (every database of the cluster,
     * this harness's own left out); with {@code -Dbench.statements=true} also the busiest of them.
     */
    private String statementsPerSecond(double seconds) throws Exception {
        String ours = "WHERE query NOT LIKE '%pg_stat_statements%'";
        try (var c = DriverManager.getConnection(bench.cluster.url()); var s = c.createStatement()) {
            if (Boolean.getBoolean("bench.statements")) {
                try (var rs = s.executeQuery("SELECT calls, round(total_exec_time::numeric, 1), "
                        + "left(regexp_replace(query, '\\s+', ' ', 'g'), 100) FROM pg_stat_statements " + ours
                        + " ORDER BY calls DESC LIMIT 12")) {
                    System.out.printf("idle bots' statements over %.0f s (calls, ms, query):%n", seconds);
                    while (rs.next()) {
                        System.out.printf("  %8d %9s  %s%n", rs.getLong(1), rs.getString(2), rs.getString(3));
                    }
                }
            }
            try (var rs = s.executeQuery("SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements " + ours)) {
                rs.next();
                return String.format("%.0f statements/s", rs.getLong(1) / seconds);
            }
        }
    }
}
