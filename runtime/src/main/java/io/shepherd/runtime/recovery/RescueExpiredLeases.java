package io.shepherd.runtime.recovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.RecoveryStore;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Hands every claimed job whose lease expired to its recovery policy, in batches of one
 * statement each, and wakes the bots waiting for what came back.
 */
public final class RescueExpiredLeases {
    static final int BATCH = 500;
    static final int MAX_BATCHES_PER_RUN = 20;

    private final Stores stores;
    private final Policies policies;
    private final JobSignal signal;
    private final RuntimeMetrics metrics;

    public RescueExpiredLeases(Stores stores, Policies policies, JobSignal signal, RuntimeMetrics metrics) {
        this.stores = stores;
        this.policies = policies;
        this.signal = signal;
        this.metrics = metrics;
    }

    public record Result(int requeued, int deadLettered) {
    }

    /** One pass: leases that expired before {@code cutoff} are rescued; {@code now} stamps the changes. */
    public Result runOnce(long now, long cutoff, long lastSweepAt) {
        int requeued = 0;
        int dead = 0;
        PolicyContext context = policies.context(now, lastSweepAt);
        Map<String, Long> due = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
            List<RecoveryStore.Orphan> orphans = stores.recovery().expiredLeases(stores.database().execute(), cutoff, BATCH);
            orphans = orphans.stream().filter(o -> seen.add(o.id())).toList();
            if (orphans.isEmpty()) {
                break;
            }
            List<RecoveryStore.Verdict> verdicts = new ArrayList<>(orphans.size());
            for (RecoveryStore.Orphan o : orphans) {
                Decision d = policies.decide(new JobFacts(o.id(), o.type(), o.queue(), o.attempt(), o.maxAttempts(),
                        JobFacts.LEASE_EXPIRED), context);
                verdicts.add(d.action() == Decision.Action.DEAD
                        ? new RecoveryStore.Verdict(o, JobStatus.DEAD, now)
                        : new RecoveryStore.Verdict(o, JobStatus.PENDING, now + d.delayMs()));
            }
            List<RecoveryStore.Verdict> applied = stores.database().inTransaction(tx -> {
                Set<String> changed = new HashSet<>(stores.recovery().rescue(tx, verdicts, cutoff, now));
                List<RecoveryStore.Verdict> done = verdicts.stream().filter(v -> changed.contains(v.orphan().id())).toList();
                List<JobEvent> events = new ArrayList<>(done.size());
                for (RecoveryStore.Verdict v : done) {
                    EventKind kind = v.status() == JobStatus.DEAD ? EventKind.DEAD_LETTERED : EventKind.REQUEUED;
                    events.add(new JobEvent(v.orphan().id(), now, kind, Reasons.LEASE_EXPIRED,
                            v.orphan().holder(), v.orphan().attempt()));
                }
                stores.jobs().recordEvents(tx, events);
                return done;
            });
            for (RecoveryStore.Verdict v : applied) {
                JobLog.event(v.orphan().logged(), v.status() == JobStatus.DEAD ? EventKind.DEAD_LETTERED : EventKind.REQUEUED,
                        Reasons.LEASE_EXPIRED, v.orphan().holder());
                if (v.status() == JobStatus.DEAD) {
                    dead++;
                } else {
                    requeued++;
                    due.merge(v.orphan().type(), v.runAt(), Math::min);
                }
            }
            if (orphans.size() < BATCH) {
                break;
            }
        }
        metrics.orphaned(Reasons.LEASE_EXPIRED, requeued + dead);
        metrics.dead(dead);
        signal.jobsAvailable(due, now);
        return new Result(requeued, dead);
    }
}
