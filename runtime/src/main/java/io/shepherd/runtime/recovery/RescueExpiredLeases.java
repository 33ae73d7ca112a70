package io.shepherd.runtime.recovery;

import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Hands every claimed job whose lease expired (its bot stopped heartbeating) to its recovery
 * policy, and wakes the bots waiting for what came back.
 */
public final class RescueExpiredLeases {
    private final Stores stores;
    private final Policies policies;
    private final TakeBack takeBack;

    public RescueExpiredLeases(Stores stores, Policies policies, JobSignal signal, RuntimeMetrics metrics) {
        this.stores = stores;
        this.policies = policies;
        this.takeBack = new TakeBack(stores, policies, signal, metrics);
    }

    public record Result(int requeued, int deadLettered) {
    }

    /** One pass: leases that expired before {@code cutoff} are rescued; {@code now} stamps the changes. */
    public Result runOnce(long now, long cutoff, long lastSweepAt) {
        TakeBack.Result r = takeBack.run(now, policies.context(now, lastSweepAt),
                () -> stores.recovery().expiredLeases(stores.database().execute(), cutoff, TakeBack.BATCH),
                new TakeBack.Why(Reasons.LEASE_EXPIRED, "lease expired: its bot stopped heartbeating", cutoff));
        return new Result(r.requeued(), r.deadLettered());
    }
}
