package io.shepherd.runtime.recovery;

import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * The ceiling on an attempt: a claimed job that has run longer than its timeout is taken back
 * even while its bot heartbeats (a hung handler keeps its bot alive but never finishes), and goes
 * to its recovery policy with reason {@code timed-out}. The bot's next heartbeat names the job,
 * learns it no longer holds it, and stops the handler without reporting.
 */
public final class TimeOutJobs {
    private final Stores stores;
    private final Policies policies;
    private final TakeBack takeBack;

    public TimeOutJobs(Stores stores, Policies policies, JobSignal signal, RuntimeMetrics metrics) {
        this.stores = stores;
        this.policies = policies;
        this.takeBack = new TakeBack(stores, policies, signal, metrics);
    }

    /** One pass as of {@code now}; returns how many attempts were taken back. */
    public int runOnce(long now, long lastSweepAt) {
        TakeBack.Result r = takeBack.run(now, policies.context(now, lastSweepAt),
                () -> stores.recovery().timedOut(stores.database().execute(), now, TakeBack.BATCH),
                new TakeBack.Why(Reasons.TIMED_OUT, "timed out: the attempt ran longer than the job's timeout", null));
        return r.requeued() + r.deadLettered();
    }
}
