package io.shepherd.runtime.store;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.shepherd.plugins.api.RuntimeView;
import io.shepherd.runtime.core.StatusCounts;

/**
 * The read-only runtime view handed to recovery policies, health checks and scripts, read from
 * the stores; each figure is read at most once, when asked, so a plugin that does not look costs
 * nothing. The jobs by status are read in two halves ({@link JobCounts}): a plugin that looks at
 * pending or claimed jobs only never counts the finished ones, most of the table.
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
        JobCounts jobCounts = new JobCounts(
                once(() -> stores.database().read(db -> stores.jobs().countUnfinished(db))),
                once(() -> stores.database().read(db -> stores.jobs().countFinished(db))));
        this.jobs = () -> jobCounts;
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

    /**
     * Every job status and its count, zeros included. Pending and claimed are counted (through
     * their PostgreSQL partial indexes) when one of them is first read; completed, dead and
     * cancelled, a scan of most of the table, only when one of them is read or the whole map is.
     */
    static final class JobCounts extends AbstractMap<String, Long> {
        private static final Set<String> STATUSES = Collections.unmodifiableSet(
                new LinkedHashSet<>(StatusCounts.JOB_STATUSES));
        private final Supplier<Map<String, Long>> unfinished;
        private final Supplier<Map<String, Long>> finished;

        JobCounts(Supplier<Map<String, Long>> unfinished, Supplier<Map<String, Long>> finished) {
            this.unfinished = unfinished;
            this.finished = finished;
        }

        @Override
        public Long get(Object status) {
            if (!STATUSES.contains(status)) {
                return null;
            }
            boolean done = StatusCounts.FINISHED_JOB_STATUSES.contains(status);
            return (done ? finished : unfinished).get().getOrDefault(status, 0L);
        }

        @Override
        public boolean containsKey(Object status) {
            return STATUSES.contains(status);
        }

        @Override
        public Set<String> keySet() {
            return STATUSES;
        }

        @Override
        public int size() {
            return STATUSES.size();
        }

        @Override
        public Set<Entry<String, Long>> entrySet() {
            Map<String, Long> all = new LinkedHashMap<>(unfinished.get());
            all.putAll(finished.get());
            return Collections.unmodifiableMap(StatusCounts.jobs(all)).entrySet();
        }
    }
}
