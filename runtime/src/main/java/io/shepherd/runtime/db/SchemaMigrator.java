package io.shepherd.runtime.db;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * Brings the schema up to date as soon as the database can be reached. A runtime started while
 * its database is down comes up anyway — {@code /livez} 200, {@code /ready} and the API 503 —
 * and becomes ready when the database arrives, instead of crash-looping.
 */
public final class SchemaMigrator implements Background {
    private static final System.Logger LOG = System.getLogger(SchemaMigrator.class.getName());

    private final Database database;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Thread thread;
    private volatile boolean closed;

    public SchemaMigrator(Database database) {
        this.database = database;
    }

    @Override
    public String name() {
        return "migrate";
    }

    /** Tries once right away (the usual case: ready on return); keeps trying in the background if it must. */
    @Override
    public void start() {
        if (attempt(true)) {
            return;
        }
        thread = Threads.start(name(), this::retry);
    }

    private void retry() {
        long backoffMs = 250;
        while (!closed) {
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            if (attempt(false)) {
                return;
            }
            backoffMs = Math.min(backoffMs * 2, 5000);
        }
    }

    private boolean attempt(boolean first) {
        try {
            database.migrate();
            if (!first) {
                LOG.log(System.Logger.Level.INFO, "Database reached and schema up to date; this replica is ready");
            }
            done.countDown();
            return true;
        } catch (RuntimeException e) {
            if (Database.isUnavailable(e)) {
                if (first) {
                    LOG.log(System.Logger.Level.WARNING, "Database not reachable (" + rootMessage(e) + "); serving 503 "
                            + "until it is, retrying in the background");
                }
            } else {
                LOG.log(System.Logger.Level.ERROR, "Migrating the schema failed; serving 503 and retrying", e);
            }
            return false;
        }
    }

    public boolean await(Duration timeout) throws InterruptedException {
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
