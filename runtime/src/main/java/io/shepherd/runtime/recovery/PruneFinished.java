package io.shepherd.runtime.recovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Retention;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.policy.PolicyBook;
import io.shepherd.runtime.store.BulkJobStore;
import io.shepherd.runtime.store.Stores;

/**
 * Retention: deletes finished jobs (with their events) and departed bots (with their tokens) once
 * they are older than their period, in batches of {@code retention.batch} rows, each batch its own
 * short transaction, so claims never wait behind a long delete. Operator actions go after
 * {@code retention.actions}. A job type whose policy names its
 * own period is pruned by a statement of its own; the others share one.
 */
public final class PruneFinished {
    /** At most this many batches per run: a backlog drains over several runs, never in one long burst. */
    static final int MAX_BATCHES_PER_RUN = 50;

    private final Stores stores;
    private final Policies policies;
    private final Retention retention;
    private final RuntimeMetrics metrics;

    public PruneFinished(Stores stores, Policies policies, Retention retention, RuntimeMetrics metrics) {
        this.stores = stores;
        this.policies = policies;
        this.retention = retention;
        this.metrics = metrics;
    }

    /** What one run deleted. */
    public record Pruned(Map<JobStatus, Integer> jobs, long bots, long actions) {
        public int jobCount() {
            return jobs.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** One run as of {@code now}: every finished status, then departed bots. */
    public Pruned runOnce(long now) {
        PolicyBook book = policies.book();
        Retention base = retention.with(book.defaults().retention());
        int[] budget = {MAX_BATCHES_PER_RUN};
        Map<JobStatus, Integer> deleted = new EnumMap<>(JobStatus.class);
        for (JobStatus status : Retention.FINISHED) {
            Optional<Duration> period = base.period(status);
            List<String> ownPeriod = new ArrayList<>();
            int n = 0;
            for (var entry : book.byType().entrySet()) {
                Optional<Duration> typePeriod = base.with(entry.getValue().retention()).period(status);
                if (!typePeriod.equals(period)) {
                    ownPeriod.add(entry.getKey());
                    if (typePeriod.isPresent()) {
                        n += drain(status, now - typePeriod.get().toMillis(), entry.getKey(), List.of(), budget);
                    }
                }
            }
            if (period.isPresent()) {
                n += drain(status, now - period.get().toMillis(), null, ownPeriod, budget);
            }
            deleted.put(status, n);
            metrics.pruned(status.wire(), n);
        }
        long bots = retention.botPeriod().map(period -> batches(budget, c -> stores.bots()
                .prune(stores.database().execute(), c, retention.batch()), now - period.toMillis())).orElse(0L);
        metrics.prunedBots(bots);
        long actions = retention.actionPeriod().map(period -> batches(budget, c -> stores.actions()
                .prune(stores.database().execute(), c, retention.batch()), now - period.toMillis())).orElse(0L);
        return new Pruned(deleted, bots, actions);
    }

    /** Deletes batch after batch (each of rows from before {@code cutoff}) until one is short or the budget is spent. */
    private long batches(int[] budget, java.util.function.LongUnaryOperator deleteBatch, long cutoff) {
        long total = 0;
        long batch;
        do {
            batch = deleteBatch.applyAsLong(cutoff);
            total += batch;
        } while (batch == retention.batch() && --budget[0] > 0);
        return total;
    }

    private int drain(JobStatus status, long cutoff, String onlyType, List<String> exceptTypes, int[] budget) {
        int total = 0;
        while (budget[0] > 0) {
            budget[0]--;
            BulkJobStore.Batch batch = stores.database().inTransaction(tx ->
                    stores.bulk().prune(tx, status, cutoff, onlyType, exceptTypes, retention.batch()));
            total += batch.deleted();
            if (batch.picked() < retention.batch()) {
                break;
            }
        }
        return total;
    }
}
