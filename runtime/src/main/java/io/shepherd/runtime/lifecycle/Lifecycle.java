package io.shepherd.runtime.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The background parts of one runtime, in the order they were started; closing stops them in
 * the reverse order, so nothing is stopped while a part started after it still uses it. A part
 * that fails to close is logged and the rest are closed anyway.
 */
public final class Lifecycle implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Lifecycle.class.getName());

    private record Entry(String name, AutoCloseable part) {
    }

    private final Deque<Entry> open = new ArrayDeque<>();

    /** Starts the part now and keeps it for {@link #close()}. */
    public synchronized <T extends Background> T start(T part) {
        part.start();
        open.push(new Entry(part.name(), part));
        LOG.log(System.Logger.Level.DEBUG, "Started " + part.name());
        return part;
    }

    /** Keeps something that has nothing to start but must be closed in turn (a connection pool). */
    public synchronized <T extends AutoCloseable> T closing(String name, T resource) {
        open.push(new Entry(name, resource));
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!open.isEmpty()) {
            Entry entry = open.pop();
            try {
                entry.part().close();
                LOG.log(System.Logger.Level.DEBUG, "Closed " + entry.name());
            } catch (Exception | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "Closing " + entry.name() + " failed: " + e);
            }
        }
    }
}
