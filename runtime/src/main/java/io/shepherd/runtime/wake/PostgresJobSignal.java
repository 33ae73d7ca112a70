package io.shepherd.runtime.wake;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Carries the wake-up signal between replicas through PostgreSQL LISTEN/NOTIFY. One dedicated
 * connection listens; notices are sent on pooled connections. When the listening connection
 * is lost it reconnects with backoff and wakes every local waiter, since notices may have been
 * missed meanwhile.
 */
public final class PostgresJobSignal extends JobSignal {
    static final String CHANNEL = "shepherd_jobs";
    private static final System.Logger LOG = System.getLogger(PostgresJobSignal.class.getName());

    private final String url;
    private final Properties connectionProperties;
    private final ConnectionSource pool;
    private final Clock clock;
    private final String replicaId = UUID.randomUUID().toString();
    private final Thread listener;
    private volatile boolean running = true;
    private volatile Connection listening;

    /** Hands out a pooled connection for sending notices. */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection get() throws SQLException;
    }

    public PostgresJobSignal(String url, String user, String password, ConnectionSource pool, Clock clock) {
        this.url = url;
        this.connectionProperties = new Properties();
        if (user != null) {
            connectionProperties.setProperty("user", user);
        }
        if (password != null) {
            connectionProperties.setProperty("password", password);
        }
        connectionProperties.setProperty("connectTimeout", "5");
        connectionProperties.setProperty("tcpKeepAlive", "true");
        this.pool = pool;
        this.clock = clock;
        this.listener = Thread.ofPlatform().daemon().name("shepherd-listen").unstarted(this::listen);
        this.listener.start();
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
            try (Connection c = DriverManager.getConnection(url, connectionProperties)) {
                listening = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                backoffMs = 100;
                wakeAll();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notices = pg.getNotifications(1000);
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
        Map<String, Long> byType = new java.util.HashMap<>();
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
        listener.interrupt();
        super.close();
    }
}
