package io.shepherd.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;

/**
 * Registered bots with nothing to do, behaving as idle SDK bots do: heartbeating every 5 s, naming
 * their jobs (none), and holding a claim open (a long poll of 10 s, again and again): the runtime's
 * and PostgreSQL's CPU from {@code /proc} over 25 s after 8 s of settling, and the runtime's RSS.
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
        // and, as the SDKs do, each keeps a claim open: a long poll of 10 s (their default), again and again
        java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> pollers = new ArrayList<>();
        for (TestBot bot : bots) {
            pollers.add(Thread.ofVirtual().start(() -> {
                while (polling.get()) {
                    try {
                        http.post("/v1/bots/" + bot.id + "/exchange", bot.token, Http.obj("session", bot.session,
                                "reports", List.of(), "max", 8, "waitMs", 10_000));
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
        double cpu0 = Processes.cpuSeconds(runtime.pid());
        double db0 = Processes.treeCpuSeconds(bench.cluster.pid());
        long t0 = System.nanoTime();
        Thread.sleep(25_000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cores = (Processes.cpuSeconds(runtime.pid()) - cpu0) / seconds;
        double dbCores = (Processes.treeCpuSeconds(bench.cluster.pid()) - db0) / seconds;
        double rss = Processes.rssMiB(runtime.pid());
        beats.shutdownNow();
        polling.set(false);
        pollers.forEach(Thread::interrupt);
        bench.report.row(count + " idle bots, each heartbeating every 5 s and long-polling for work (10 s) as the SDKs do: "
                        + "runtime CPU / RSS", String.format("%.1f %% of a core / %.0f MiB", cores * 100, rss),
                String.format("PostgreSQL %.1f %% of a core; 25 s window, after %d s of settling", dbCores * 100,
                        settleSeconds));
    }
}
