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
 * Registered bots heartbeating every 5 s with nothing to do, naming their jobs (none) as the SDK
 * does, on a runtime that has been up for minutes (its JIT compilers done with the request paths,
 * as in production): the runtime's CPU from {@code /proc} over 25 s after 8 s of settling, and its RSS.
 */
final class IdleBots {
    private final Bench bench;

    IdleBots(Bench bench) {
        this.bench = bench;
    }

    void run(Processes.Runtime runtime, int count) throws Exception {
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
        bench.report.row(count + " idle bots heartbeating every 5 s: runtime CPU / RSS",
                String.format("%.1f %% of a core / %.0f MiB", cores * 100, rss),
                "25 s window, after 8 s; the runtime of the end-to-end runs");
    }
}
