package io.shepherd.runtime.recovery;

import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.runtime.store.Stores;

/** The read-only view a policy gets; each figure is read from the database at most once, when asked. */
public final class RuntimePolicyContext implements PolicyContext {
    private final long now;
    private final RandomGenerator random;
    private final Supplier<Map<String, Long>> jobs;
    private final Supplier<Map<String, Long>> bots;
    private final Supplier<Long> oldestPending;
    private final long lastSweepAt;

    public RuntimePolicyContext(Stores stores, long now, RandomGenerator random, long lastSweepAt) {
        this.now = now;
        this.random = random;
        this.lastSweepAt = lastSweepAt;
        this.jobs = once(() -> stores.jobs().countByStatus(stores.database().execute()));
        this.bots = once(() -> stores.bots().countByStatus(stores.database().execute()));
        this.oldestPending = once(() -> stores.jobs().oldestPendingRunAt(stores.database().execute(), now)
                .map(runAt -> Math.max(0, now - runAt)).orElse(0L));
    }

    private static <T> Supplier<T> once(Supplier<T> source) {
        return new Supplier<>() {
            private T value;
            private boolean done;

            @Override
            public synchronized T get() {
                if (!done) {
                    value = source.get();
                    done = true;
                }
                return value;
            }
        };
    }

    @Override
    public long nowMillis() {
        return now;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public Map<String, Long> jobsByStatus() {
        return jobs.get();
    }

    @Override
    public Map<String, Long> botsByStatus() {
        return bots.get();
    }

    @Override
    public long oldestPendingAgeMs() {
        return oldestPending.get();
    }

    @Override
    public long lastSweepAtMillis() {
        return lastSweepAt;
    }
}
