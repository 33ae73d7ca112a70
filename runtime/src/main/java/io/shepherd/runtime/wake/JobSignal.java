package io.shepherd.runtime.wake;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * Wakes long-polling claimers when jobs of their types become claimable: at once for jobs that
 * are due, at their {@code runAt} for delayed ones. This is the in-process signal; a database
 * shared by several replicas carries it to the others too (its dialect's signal extends this one).
 *
 * <p>What no signal tells (a limited queue's room freed by a completion, a delayed job another
 * replica took in before this one listened) is found by one look for all waiters of this replica
 * ({@link #lookEvery}), not by every waiter looking on its own: a thousand idle bots cost one
 * query a few seconds, not a thousand.
 */
public class JobSignal implements Background {
    private static final System.Logger LOG = System.getLogger(JobSignal.class.getName());
    /** How many job types {@link #lastHeard} keeps before it forgets them all. */
    private static final int MOST_TYPES_HEARD = 10_000;

    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    /** Its thread starts with the first delayed wake-up. */
    private final ScheduledExecutorService timer = Threads.timer("wake-timer");
    /** The look on behalf of every waiter; a thread of its own, so a slow database delays no timed wake-up. */
    private final ScheduledExecutorService looker = Threads.timer("wake-look");
    /** Counts the signals of this replica; {@link #lastHeard} keeps, by type, the count of its latest. */
    private final AtomicLong heard = new AtomicLong();
    private final Map<String, Long> lastHeard = new ConcurrentHashMap<>();
    /** The count of the latest signal to every type at once ({@link #wakeAll}). */
    private final AtomicLong lastHeardByAll = new AtomicLong();

    /** Which of the given job types have jobs a claim could take now. */
    public interface Look {
        Set<String> claimable(Set<String> types);
    }

    @Override
    public String name() {
        return "wake";
    }

    /** Nothing runs until a delayed wake-up is scheduled; a signal that crosses replicas starts its listener here. */
    @Override
    public void start() {
    }

    /**
     * Registers a claimer of this bot before it looks for jobs, so that no signal between look and
     * wait is lost; an operator's drain of the bot ends its wait ({@link #drained}).
     */
    public Waiter register(Collection<String> types, String botId) {
        Waiter waiter = new Waiter(Set.copyOf(types), botId, Thread.currentThread());
        waiters.add(waiter);
        return waiter;
    }

    /**
     * Where this replica's signals stand: taken before a claim that found nothing, so that a later
     * poll of the same bot can tell ({@link #quietSince}) whether anything was signalled since.
     */
    public long mark() {
        return heard.get();
    }

    /**
     * Whether no signal told of claimable jobs of any of {@code types} since {@code mark} — no
     * submit, retry, release, rescue, resumed queue or delayed job come due, on this replica or
     * (by its listener) another, and no fallback look that found some.
     */
    public boolean quietSince(long mark, Collection<String> types) {
        if (heard.get() == mark) {
            return true;
        }
        if (lastHeardByAll.get() > mark) {
            return false;
        }
        for (String type : types) {
            if (lastHeard.getOrDefault(type, 0L) > mark) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code duty} every {@code period} on the thread of the fallback look: work done for all
     * of this replica's waiting claimers at once. A duty that fails (the database is away: the
     * claims themselves will say so) is logged as {@code what} and runs again next time.
     */
    public void alongside(String what, Duration period, Runnable duty) {
        looker.scheduleWithFixedDelay(() -> {
            try {
                duty.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, what + " failed: " + e.getMessage());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Every {@code period}, while claimers wait here, asks {@code look} once which of their types
     * have claimable jobs, and wakes the waiters of those: the fallback for work no signal told.
     */
    public void lookEvery(Duration period, Look look) {
        alongside("The fallback look for work", period, () -> {
            Set<String> types = new HashSet<>();
            waiters.forEach(w -> types.addAll(w.types));
            if (!types.isEmpty()) {
                look.claimable(types).forEach(this::wake);
            }
        });
    }

    /** The bot was drained: its waiting claims (on this replica) end now and say so. */
    public void drained(String botId) {
        endWaits(botId, waiter -> waiter.drained = true);
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

    /**
     * The bot's session was superseded (or the bot is gone) while it waited: its waiting claims
     * (on this replica) end now, to be refused.
     */
    public void superseded(String botId) {
        endWaits(botId, waiter -> waiter.superseded = true);
    }

    /** Marks the bot's waiters (on this replica) with why their wait ends, then wakes them. */
    private void endWaits(String botId, Consumer<Waiter> why) {
        for (Waiter waiter : waiters) {
            if (botId.equals(waiter.botId)) {
                why.accept(waiter);
                waiter.wake();
            }
        }
    }

    /** Wakes every waiter, e.g. after notices may have been missed. */
    protected void wakeAll() {
        lastHeardByAll.accumulateAndGet(heard.incrementAndGet(), Math::max);
        waiters.forEach(Waiter::wake);
    }

    /** Tells other replicas; nothing to do in a single process. */
    protected void publish(Map<String, Long> earliestRunAtByType) {
    }

    private void wake(String type) {
        long count = heard.incrementAndGet(); // counted before any waiter is looked at
        if (lastHeard.size() >= MOST_TYPES_HEARD) {
            // as many job types as that: forgotten, and told as a signal to every type
            lastHeardByAll.accumulateAndGet(count, Math::max);
            lastHeard.clear();
        }
        lastHeard.merge(type, count, Math::max);
        for (Waiter waiter : waiters) {
            if (waiter.types.contains(type)) {
                waiter.wake();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        looker.shutdownNow();
        wakeAll();
    }

    /** One claimer's place in line. Close it when done waiting. */
    public final class Waiter implements AutoCloseable {
        private final Set<String> types;
        private final String botId;
        private final Thread thread;
        private volatile boolean woken;
        private volatile boolean drained;
        private volatile boolean superseded;

        private Waiter(Set<String> types, String botId, Thread thread) {
            this.types = types;
            this.botId = botId;
            this.thread = thread;
        }

        /** Whether an operator drained the bot while it waited. */
        public boolean drained() {
            return drained;
        }

        /** Whether the bot's session was found superseded (or the bot gone) while it waited. */
        public boolean superseded() {
            return superseded;
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
