package io.shepherd.runtime.store;

import java.util.Map;
import java.util.function.Supplier;

import io.shepherd.plugins.api.RuntimeView;
import io.shepherd.runtime.core.StatusCounts;

/**
 * The read-only runtime view handed to recovery policies, health checks and scripts, read from
 * the stores; each figure is read at most once, when asked, so a plugin that does not look costs
 * nothing.
 */
public class LazyRuntimeView implements RuntimeView {
    private final long now;
    private final Supplier<Map<String, Long>> jobs;
    private final Supplier<Map<String, Long>> bots;
    private final Supplier<Long> oldestPending;
    private final Supplier<Long> lastSweepAt;

    public LazyRuntimeView(Stores stores, long now) {
        this(stores, now, null);
    }

    /** {@code knownLastSweepAt} saves a read when the caller already has it (the sweep itself). */
    public LazyRuntimeView(Stores stores, long now, Long knownLastSweepAt) {
        this.now = now;
        this.jobs = once(() -> StatusCounts.jobs(stores.database().read(db -> stores.jobs().countByStatus(db))));
        this.bots = once(() -> StatusCounts.bots(stores.database().read(db -> stores.bots().countByStatus(db))));
        this.oldestPending = once(() -> stores.jobs().oldestPendingRunAt(stores.database().execute(), now)
                .map(runAt -> Math.max(0, now - runAt)).orElse(0L));
        this.lastSweepAt = knownLastSweepAt != null ? () -> knownLastSweepAt
                : once(() -> stores.recovery().lastSweepAt(stores.database().execute()));
    }

    static <T> Supplier<T> once(Supplier<T> source) {
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
        return lastSweepAt.get();
    }
}
