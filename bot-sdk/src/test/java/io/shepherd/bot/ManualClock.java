package io.shepherd.bot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time the test moves: a sleep returns at once, having moved the clock on by its length, and is
 * recorded. {@code onSleep} runs after each sleep (a test starts a runtime "later" with it).
 */
final class ManualClock implements BotClock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final List<Long> sleeps = new CopyOnWriteArrayList<>();
    volatile Runnable onSleep = () -> { };

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        sleeps.add(millis);
        nanos.addAndGet(millis * 1_000_000);
        onSleep.run();
        Thread.yield();
    }

    /** Milliseconds slept in all. */
    long slept() {
        return sleeps.stream().mapToLong(Long::longValue).sum();
    }
}
