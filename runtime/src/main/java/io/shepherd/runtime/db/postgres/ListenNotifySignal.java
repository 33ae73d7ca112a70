package io.shepherd.runtime.db.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.shepherd.runtime.lifecycle.Threads;
import io.shepherd.runtime.wake.JobSignal;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Carries the wake-up signal between replicas through PostgreSQL LISTEN/NOTIFY. One dedicated
 * connection listens; notices are sent on pooled connections. When the listening connection
 * is lost it reconnects with backoff and wakes every local waiter, since notices may have been
 * missed meanwhile.
 */
final class ListenNotifySignal extends JobSignal {
    static final String CHANNEL = "shepherd_jobs";
    private static final System.Logger LOG = System.getLogger(ListenNotifySignal.class.getName());

    /** Hands out a pooled connection for sending notices. */
    @FunctionalInterface
    interface PooledConnections {
        Connection get() throws SQLException;
    }

    /** How long one wait for notices lasts before the loop looks at whether it still runs. */
    private static final int LISTEN_WAIT_MILLIS = 10_000;

    private final PostgresDialect.Connector listenConnector;
    private final PooledConnections pool;
    private final Clock clock;
    private final String replicaId = UUID.randomUUID().toString();
    private volatile Thread listener;
    private volatile boolean running;
    private volatile Connection listening;

    ListenNotifySignal(PostgresDialect.Connector listenConnector, PooledConnections pool, Clock clock) {
        this.listenConnector = listenConnector;
        this.pool = pool;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "listen";
    }

    @Override
    public void start() {
        running = true;
        listener = Threads.start(name(), this::listen);
    }

    @Override
    protected void publish(Map<String, Long> earliestRunAtByType) {
        StringBuilder payload = new StringBuilder(replicaId);
        earliestRunAtByType.forEach((type, runAt) -> payload.append('\n').append(runAt).append(' ').append(type));
        if (payload.length() > 7900) {
            // NOTIFY payloads are limited to 8000 bytes; an empty notice wakes every waiter instead.
            payload.setLength(replicaId.length());
        }
        try (Connection c = pool.get(); PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, payload.toString());
            ps.execute();
        } catch (SQLException e) {
            // Other replicas still find the jobs at their next fallback poll.
            LOG.log(System.Logger.Level.DEBUG, "Could not notify other replicas: " + e.getMessage());
        }
    }

    private void listen() {
        long backoffMs = 100;
        while (running) {
            try (Connection c = listenConnector.connect()) {
                listening = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                backoffMs = 100;
                wakeAll();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    // a long wait: close() ends it by closing the connection; a wake-up a second
                    // cost an idle runtime 1 % of a core (code that runs once a second stays interpreted)
                    PGNotification[] notices = pg.getNotifications(LISTEN_WAIT_MILLIS);
                    if (notices != null) {
                        for (PGNotification notice : notices) {
                            onNotice(notice.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "LISTEN connection lost, reconnecting in " + backoffMs
                        + " ms: " + e.getMessage());
                wakeAll();
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5000);
            }
        }
    }

    private void onNotice(String payload) {
        String[] lines = payload.split("\n");
        if (lines[0].equals(replicaId)) {
            return;
        }
        if (lines.length == 1) {
            wakeAll();
            return;
        }
        Map<String, Long> byType = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int space = lines[i].indexOf(' ');
            if (space > 0) {
                byType.put(lines[i].substring(space + 1), Long.parseLong(lines[i].substring(0, space)));
            }
        }
        wakeLocally(byType, clock.millis());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = listening;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        Thread t = listener;
        if (t != null) {
            t.interrupt();
        }
        super.close();
    }
}
