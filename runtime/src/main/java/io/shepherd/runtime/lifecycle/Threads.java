package io.shepherd.runtime.lifecycle;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads of the runtime's background parts: daemons (a part that forgets to close never keeps
 * the JVM alive) named {@code shepherd-<part>}, numbered when a part has several.
 */
public final class Threads {
    private Threads() {
    }

    /** Daemon threads named {@code shepherd-<name>}, then {@code shepherd-<name>-2}, ... */
    public static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            int n = count.incrementAndGet();
            Thread t = new Thread(r, "shepherd-" + name + (n == 1 ? "" : "-" + n));
            t.setDaemon(true);
            return t;
        };
    }

    /** One daemon thread that runs a part's timed work. */
    public static ScheduledExecutorService timer(String name) {
        return Executors.newSingleThreadScheduledExecutor(daemons(name));
    }

    /**
     * Stops a part's threads: what runs is interrupted, and this waits a few seconds for it to
     * end, so a part that is closed is done touching what it used.
     */
    public static void stop(ExecutorService threads) {
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code work} when the JVM shuts down (SIGTERM, SIGINT), on a thread named {@code shepherd-<name>}. */
    public static void atShutdown(String name, Runnable work) {
        Runtime.getRuntime().addShutdownHook(new Thread(work, "shepherd-" + name));
    }

    /** A daemon platform thread started now, for a part's long-running loop. */
    public static Thread start(String name, Runnable loop) {
        return Thread.ofPlatform().daemon().name("shepherd-" + name).start(loop);
    }
}
