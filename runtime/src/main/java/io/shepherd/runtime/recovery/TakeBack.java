package io.shepherd.runtime.recovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.RecoveryStore;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Takes claimed jobs back from their holders and hands each to its recovery policy, in batches
 * of one statement each, then wakes the bots waiting for what came back: what a rescue of
 * expired leases and a timeout share. Which jobs, and why, is the caller's.
 */
final class TakeBack {
    static final int BATCH = 500;
    static final int MAX_BATCHES_PER_RUN = 20;

    private final Stores stores;
    private final Policies policies;
    private final JobSignal signal;
    private final RuntimeMetrics metrics;

    TakeBack(Stores stores, Policies policies, JobSignal signal, RuntimeMetrics metrics) {
        this.stores = stores;
        this.policies = policies;
        this.signal = signal;
        this.metrics = metrics;
    }

    /** What to take back and why: {@code reason} names it in events, logs, metrics and the policy's facts. */
    record Why(String reason, String lastError, Long leaseCutoff) {
    }

    record Result(int requeued, int deadLettered) {
    }

    /** Takes back batches from {@code find} (which answers at most {@link #BATCH}) until it runs dry. */
    Result run(long now, PolicyContext context, Supplier<List<RecoveryStore.Orphan>> find, Why why) {
        int requeued = 0;
        int dead = 0;
        Map<String, Long> due = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
            List<RecoveryStore.Orphan> found = find.get();
            List<RecoveryStore.Orphan> orphans = found.stream().filter(o -> seen.add(o.id())).toList();
            if (orphans.isEmpty()) {
                break;
            }
            List<RecoveryStore.Verdict> verdicts = new ArrayList<>(orphans.size());
            for (RecoveryStore.Orphan o : orphans) {
                Decision d = policies.decide(new JobFacts(o.id(), o.type(), o.queue(), o.attempt(), o.maxAttempts(),
                        why.reason()), context);
                verdicts.add(d.action() == Decision.Action.DEAD
                        ? new RecoveryStore.Verdict(o, JobStatus.DEAD, now)
                        : new RecoveryStore.Verdict(o, JobStatus.PENDING, now + d.delayMs()));
            }
            List<RecoveryStore.Verdict> applied = stores.database().inTransaction(tx -> {
                Set<String> changed = new HashSet<>(stores.recovery().takeBack(tx, verdicts, why.lastError(),
                        why.leaseCutoff(), now));
                List<RecoveryStore.Verdict> done = verdicts.stream().filter(v -> changed.contains(v.orphan().id())).toList();
                List<JobEvent> events = new ArrayList<>(done.size());
                for (RecoveryStore.Verdict v : done) {
                    events.add(new JobEvent(v.orphan().id(), now, kind(v), why.reason(), v.orphan().holder(),
                            v.orphan().attempt()));
                }
                stores.jobs().recordEvents(tx, events);
                return done;
            });
            for (RecoveryStore.Verdict v : applied) {
                JobLog.event(v.orphan().logged(), kind(v), why.reason(), v.orphan().holder());
                if (v.status() == JobStatus.DEAD) {
                    dead++;
                } else {
                    requeued++;
                    due.merge(v.orphan().type(), v.runAt(), Math::min);
                }
            }
            if (found.size() < BATCH) {
                break;
            }
        }
        metrics.orphaned(why.reason(), requeued + dead);
        metrics.dead(dead);
        signal.jobsAvailable(due, now);
        return new Result(requeued, dead);
    }

    private static EventKind kind(RecoveryStore.Verdict v) {
        return v.status() == JobStatus.DEAD ? EventKind.DEAD_LETTERED : EventKind.REQUEUED;
    }
}
