package io.shepherd.runtime.recovery;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.shepherd.runtime.db.Database;
import io.shepherd.runtime.db.LeaderElection;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.store.RecoveryStore;
import io.shepherd.runtime.store.Stores;

/**
 * Every {@code recovery.interval} the leading replica sweeps: it rescues expired leases, takes back
 * attempts that ran past their timeout, marks silent bots lost and quarantines bots that only
 * fail. Every {@code retention.interval} it also prunes what retention no longer keeps, on a
 * thread of its own so that a long prune never delays a rescue. The duties share this one life
 * cycle and one leader; each can also be run once on demand. Until the schema is migrated (the
 * database not reached yet) a tick does nothing.
 */
public final class RecoveryScheduler implements Background {
    private static final System.Logger LOG = System.getLogger(RecoveryScheduler.class.getName());

    private final Stores stores;
    private final Clock clock;
    private final Duration interval;
    private final LeaderElection election;
    private final String replicaId;
    private final RescueExpiredLeases rescue;
    private final MarkLostBots markLost;
    private final QuarantineBots quarantine;
    private final OutageGrace grace;
    private final PruneFinished prune;
    private final TimeOutJobs timeouts;
    private final Duration pruneInterval;
    private final ScheduledExecutorService timer = Threads.timer(name());
    private final ScheduledExecutorService pruneTimer = Threads.timer("retention");
    private volatile boolean pruneFailing;
    private final AtomicLong sweeps = new AtomicLong();
    private volatile long lastSweepAt;
    private volatile boolean leader;
    private final RuntimeMetrics metrics;
    private volatile long leaderSince;
    private volatile boolean failing;

    /** What one sweep did. */
    public record Sweep(int requeued, int deadLettered, long botsMarkedLost, int quarantined, int timedOut) {
    }

    /** What this replica's scheduler is doing. */
    public record Status(boolean leader, long sweeps, long lastSweepAt, long graceUntil, long leaderSince) {
    }

    public RecoveryScheduler(Stores stores, Clock clock, Duration interval, Duration heartbeatInterval,
                             LeaderElection election, String replicaId, RescueExpiredLeases rescue,
                             TimeOutJobs timeouts, MarkLostBots markLost, QuarantineBots quarantine, PruneFinished prune,
                             Duration pruneInterval, RuntimeMetrics metrics) {
        this.prune = prune;
        this.timeouts = timeouts;
        this.pruneInterval = pruneInterval;
        this.metrics = metrics;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("recovery.interval must be positive, was " + interval);
        }
        this.stores = stores;
        this.clock = clock;
        this.interval = interval;
        this.election = election;
        this.replicaId = replicaId;
        this.rescue = rescue;
        this.markLost = markLost;
        this.quarantine = quarantine;
        this.grace = new OutageGrace(interval, heartbeatInterval);
    }

    @Override
    public String name() {
        return "recovery";
    }

    /** Sweeps every interval from now on, whenever this replica leads. */
    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        pruneTimer.scheduleWithFixedDelay(this::pruneTick, pruneInterval.toMillis(), pruneInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Prunes when this replica led at its latest sweep; a failure is logged once until it recovers. */
    private void pruneTick() {
        if (!leader || !stores.database().migrated()) {
            return;
        }
        try {
            PruneFinished.Pruned pruned = pruneOnce();
            if (pruneFailing) {
                pruneFailing = false;
                LOG.log(System.Logger.Level.INFO, "Retention prunes again");
            }
            if (pruned.jobCount() + pruned.bots() > 0) {
                LOG.log(System.Logger.Level.INFO, "Retention pruned " + pruned.jobs() + " jobs and " + pruned.bots()
                        + " bots");
            }
        } catch (RuntimeException e) {
            if (!pruneFailing) {
                pruneFailing = true;
                LOG.log(System.Logger.Level.WARNING, "Retention failed"
                        + (Database.isUnavailable(e) ? " (database unreachable)" : "") + ": " + e.getMessage());
            }
        }
    }

    /** One retention run now, whether or not this replica leads (an admin's request, a test). */
    public PruneFinished.Pruned pruneOnce() {
        return prune.runOnce(clock.millis());
    }

    void tick() {
        if (!stores.database().migrated()) {
            return; // nothing to sweep until the database is reached and the schema is up to date
        }
        try {
            boolean leads = election.lead();
            if (leads && !leader) {
                leaderSince = clock.millis();
            }
            leader = leads;
            metrics.leading(leads);
            if (!leader) {
                leaderSince = 0;
                return;
            }
            runOnce();
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "Recovery sweeps resumed");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, "Recovery sweep failed"
                        + (Database.isUnavailable(e) ? " (database unreachable)" : "") + ": " + e.getMessage());
            }
        }
    }

    /** One sweep now, whether or not this replica leads (an admin's request); returns what it did. */
    public synchronized Sweep runOnce() {
        long now = clock.millis();
        var db = stores.database().execute();
        long lastShared = stores.recovery().lastSweepAt(db);
        long effectiveNow = grace.effectiveNow(now, lastShared);
        RescueExpiredLeases.Result rescued = rescue.runOnce(now, effectiveNow, lastShared);
        int timedOut = timeouts.runOnce(now, lastShared);
        long lost = markLost.runOnce(effectiveNow);
        int quarantined = quarantine.runOnce();
        stores.recovery().recordSweep(db, now, replicaId);
        sweeps.incrementAndGet();
        metrics.swept();
        lastSweepAt = now;
        Sweep sweep = new Sweep(rescued.requeued(), rescued.deadLettered(), lost, quarantined, timedOut);
        if (sweep.requeued() + sweep.deadLettered() + sweep.botsMarkedLost() + sweep.quarantined() + timedOut > 0) {
            LOG.log(System.Logger.Level.INFO, "Recovery sweep: " + sweep.requeued() + " requeued, "
                    + sweep.deadLettered() + " dead-lettered, " + timedOut + " timed out, " + sweep.botsMarkedLost()
                    + " bots lost, " + sweep.quarantined() + " bots quarantined");
        }
        return sweep;
    }

    /** The latest sweep of any replica (the leader's, as a rule), read from the database. */
    public RecoveryStore.LastSweep lastSweepAnywhere() {
        return stores.recovery().lastSweep(stores.database().execute());
    }

    /** This replica's name among the replicas (what {@link #lastSweepAnywhere} names). */
    public String replicaId() {
        return replicaId;
    }

    public Status status() {
        return new Status(leader, sweeps.get(), lastSweepAt, grace.graceUntil(), leaderSince);
    }

    @Override
    public void close() {
        Threads.stop(pruneTimer);
        Threads.stop(timer);
        election.close();
    }
}
