package io.shepherd.runtime.recovery;

import java.time.Duration;

/**
 * No false rescue across an outage. When nobody swept for a while — the database was away, or
 * no replica led — live bots could not heartbeat either, so their leases ran out through no fault
 * of theirs. Leases that expired in that window get a grace of two heartbeat intervals after
 * sweeping resumes, time for live bots to check in; leases that had expired before the window
 * are rescued as usual.
 */
final class OutageGrace {
    private static final System.Logger LOG = System.getLogger(OutageGrace.class.getName());

    private final long gapMillis;
    private final long graceMillis;
    private long windowStart;
    private long graceUntil;

    /** A gap longer than three sweep intervals is a window; the grace is two heartbeat intervals. */
    OutageGrace(Duration sweepInterval, Duration heartbeatInterval) {
        this.gapMillis = 3 * sweepInterval.toMillis();
        this.graceMillis = 2 * heartbeatInterval.toMillis();
    }

    /**
     * The time up to which an expired lease or a silent bot counts, given when anyone last swept:
     * {@code now}, except during a grace, when it is the start of the window.
     */
    synchronized long effectiveNow(long now, long lastSweepAt) {
        if (lastSweepAt > 0 && now - lastSweepAt > gapMillis) {
            windowStart = lastSweepAt;
            graceUntil = now + graceMillis;
            LOG.log(System.Logger.Level.WARNING, "Nobody swept for " + (now - lastSweepAt) + " ms (database away or "
                    + "no leader); leases that expired meanwhile get " + graceMillis + " ms for their bots to check in");
        }
        return now < graceUntil ? Math.min(now, windowStart) : now;
    }

    synchronized long graceUntil() {
        return graceUntil;
    }
}
