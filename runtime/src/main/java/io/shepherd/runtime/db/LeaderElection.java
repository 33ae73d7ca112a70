package io.shepherd.runtime.db;

/** Decides which replica sweeps. Asked once per tick; must not block for long. */
public interface LeaderElection extends AutoCloseable {
    /** Whether this replica is the leader now, taking the lead if nobody holds it. */
    boolean lead();

    @Override
    void close();

    /** A single process (embedded H2) is always its own leader. */
    static LeaderElection alone() {
        return new LeaderElection() {
            @Override
            public boolean lead() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }
}
