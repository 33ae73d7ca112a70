package io.shepherd.plugins.api;

import java.util.Map;

/**
 * A read-only view of the runtime, shared by recovery policies and health checks (and exported
 * to scripts). Figures are read lazily: a plugin that does not look costs nothing.
 */
public interface RuntimeView {
    /** Now, from the runtime's clock, in epoch milliseconds. */
    long nowMillis();

    /**
     * Jobs by status: pending, claimed, completed, dead, cancelled. The runtime counts pending and
     * claimed when one of them is first read, and completed, dead and cancelled (most of a table
     * that keeps finished jobs for a day) only when one of those, or the whole map, is read: a check
     * that looks at the backlog never scans the finished jobs. Two halves read apart are two moments.
     */
    Map<String, Long> jobsByStatus();

    /** Bots by status: idle, busy, draining, lost, quarantined, offline. */
    Map<String, Long> botsByStatus();

    /** Age of the oldest claimable pending job, in milliseconds (0 when none). */
    long oldestPendingAgeMs();

    /** When the recovery scheduler last swept (any replica), in epoch milliseconds (0 when never). */
    long lastSweepAtMillis();
}
