package io.shepherd.plugins.api;

import java.nio.file.Path;

/**
 * What a health check may look at: the read-only runtime view, and probes of the runtime's own
 * parts. The probes do the work (SQL stays in the runtime); a check decides what is healthy.
 */
public interface HealthContext extends RuntimeView {
    /** Runs a trivial statement on the primary database; throws when it cannot. */
    void pingDatabase() throws Exception;

    /**
     * Claims a job for real — the claim statement against the real tables — inside a transaction
     * that is rolled back; throws when claiming is broken.
     */
    void claimRoundTrip() throws Exception;

    /** The recovery scheduler of this replica. */
    Recovery recovery();

    /** The database connection pool of this replica. */
    Pool pool();

    /** The runtime's data directory. */
    Path dataDir();

    /**
     * @param leader      whether this replica leads recovery
     * @param enabled     whether this replica sweeps at all ({@code recovery.enabled})
     * @param intervalMs  {@code recovery.interval}
     * @param lastSweepAt when this replica last swept (0 when never)
     * @param leaderSince when this replica took the lead (0 when it does not lead)
     */
    record Recovery(boolean leader, boolean enabled, long intervalMs, long lastSweepAt, long leaderSince) {
    }

    /**
     * @param active  connections in use
     * @param idle    connections idle
     * @param max     the pool's size
     * @param waiting threads waiting for a connection
     */
    record Pool(int active, int idle, int max, int waiting) {
    }
}
