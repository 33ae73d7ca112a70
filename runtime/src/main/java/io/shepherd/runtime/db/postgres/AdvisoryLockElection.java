package io.shepherd.runtime.db.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.shepherd.runtime.db.LeaderElection;

/**
 * Leadership is a session-level PostgreSQL advisory lock held on a connection of its own: the
 * replica whose {@code pg_try_advisory_lock} succeeded sweeps. If it dies, its connection — and
 * with it the lock — dies too, and another replica takes the lock at its next tick.
 */
final class AdvisoryLockElection implements LeaderElection {
    private static final System.Logger LOG = System.getLogger(AdvisoryLockElection.class.getName());
    /** "shepherd" in ASCII: the lock's key, shared by every replica of one database. */
    static final long LOCK_KEY = 0x7368657068657264L;

    private final PostgresDialect.Connector connector;
    private Connection connection;
    private boolean leader;

    AdvisoryLockElection(PostgresDialect.Connector connector) {
        this.connector = connector;
    }

    @Override
    public synchronized boolean lead() {
        try {
            if (leader) {
                if (connection.isValid(2)) {
                    return true;
                }
                LOG.log(System.Logger.Level.WARNING, "Lost the recovery lock's connection; no longer the leader");
                drop();
            }
            if (connection == null || connection.isClosed()) {
                connection = connector.connect();
            }
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, LOCK_KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    leader = rs.getBoolean(1);
                }
            }
            if (leader) {
                LOG.log(System.Logger.Level.INFO, "This replica now leads recovery");
            }
            return leader;
        } catch (SQLException e) {
            drop();
            return false;
        }
    }

    private void drop() {
        leader = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        drop();
    }
}
