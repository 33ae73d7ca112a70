package io.shepherd.runtime.wake;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * Wakes long-polling claimers when jobs of their types become claimable: at once for jobs that
 * are due, at their {@code runAt} for delayed ones. This is the in-process signal; a database
 * shared by several replicas carries it to the others too (its dialect's signal extends this one).
 */
public class JobSignal implements Background {
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    /** Its thread starts with the first delayed wake-up. */
    private final ScheduledExecutorService timer = Threads.timer("wake-timer");

    @Override
    public String name() {
        return "wake";
    }

    /** Nothing runs until a delayed wake-up is scheduled; a signal that crosses replicas starts its listener here. */
    @Override
    public void start() {
    }

    /** Registers a claimer before it looks for jobs, so that no signal between look and wait is lost. */
    public Waiter register(Collection<String> types) {
        Waiter waiter = new Waiter(Set.copyOf(types), Thread.currentThread());
        waiters.add(waiter);
        return waiter;
    }

    /** Jobs of these types become claimable at the given epoch-millisecond times (now or later). */
    public void jobsAvailable(Map<String, Long> earliestRunAtByType, long now) {
        if (earliestRunAtByType.isEmpty()) {
            return;
        }
        wakeLocally(earliestRunAtByType, now);
        publish(earliestRunAtByType);
    }

    /** Wakes local waiters now or schedules it; used for this process's changes and for remote notices. */
    protected void wakeLocally(Map<String, Long> earliestRunAtByType, long now) {
        earliestRunAtByType.forEach((type, runAt) -> {
            long delay = runAt - now;
            if (delay <= 0) {
                wake(type);
            } else {
                timer.schedule(() -> wake(type), delay, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Wakes every waiter, e.g. after notices may have been missed. */
    protected void wakeAll() {
        waiters.forEach(Waiter::wake);
    }

    /** Tells other replicas; nothing to do in a single process. */
    protected void publish(Map<String, Long> earliestRunAtByType) {
    }

    private void wake(String type) {
        for (Waiter waiter : waiters) {
            if (waiter.types.contains(type)) {
                waiter.wake();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        wakeAll();
    }

    /** One claimer's place in line. Close it when done waiting. */
    public final class Waiter implements AutoCloseable {
        private final Set<String> types;
        private final Thread thread;
        private volatile boolean woken;

        private Waiter(Set<String> types, Thread thread) {
            this.types = types;
            this.thread = thread;
        }

        void wake() {
            woken = true;
            LockSupport.unpark(thread);
        }

        /** Parks until woken or until the time is up; returns whether it was woken. */
        public boolean await(long maxNanos) {
            long deadline = System.nanoTime() + maxNanos;
            while (!woken) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
            }
            return true;
        }

        @Override
        public void close() {
            waiters.remove(this);
        }
    }
}
