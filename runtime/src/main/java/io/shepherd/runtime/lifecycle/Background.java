package io.shepherd.runtime.lifecycle;

/**
 * A part of the runtime that works on its own: a timer, a watcher, a listener, the HTTP server.
 * Every one has the same shape — built without side effects, started once by the wiring in the
 * order data flows, closed once in the reverse order — and a short name that its log lines and
 * its threads carry ({@code shepherd-recovery}), so a thread dump says whose a thread is.
 *
 * <p>Adding a background duty: implement this, take your threads from {@link Threads} with your
 * name, and hand the part to {@link Lifecycle#start} in {@code ShepherdServer} where its inputs
 * are ready.
 */
public interface Background extends AutoCloseable {
    /** Short and stable: {@code recovery}, {@code policy-watch}, {@code plugin-jars}. */
    String name();

    /** Starts the work; returns promptly (long work goes on the part's own threads). */
    void start();

    /** Stops the work and lets go of its threads; called once, after {@link #start()}. */
    @Override
    void close();

    /** A part made of two actions, e.g. a server that is started and stopped. */
    static Background of(String name, Runnable start, Runnable close) {
        return new Background() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() {
                start.run();
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
