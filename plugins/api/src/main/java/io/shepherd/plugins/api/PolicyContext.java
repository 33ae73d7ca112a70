package io.shepherd.plugins.api;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A read-only view of the runtime that a policy may consult. Counts are read lazily, so a
 * policy that does not look costs nothing.
 */
public interface PolicyContext {
    /** Now, from the runtime's clock, in epoch milliseconds. */
    long nowMillis();

    /** Randomness for jitter (seedable in tests). */
    RandomGenerator random();

    /** Jobs by status: pending, claimed, completed, dead, cancelled. */
    Map<String, Long> jobsByStatus();

    /** Bots by status: idle, busy, draining, lost, quarantined, offline. */
    Map<String, Long> botsByStatus();

    /** Age of the oldest claimable pending job, in milliseconds (0 when none). */
    long oldestPendingAgeMs();

    /** When the recovery scheduler last swept, in epoch milliseconds (0 when never). */
    long lastSweepAtMillis();
}
