package io.shepherd.runtime.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.shepherd.runtime.store.Stores;

/** The gauges' figures, asked of the database (counts by status may be served by a read replica). */
public final class DatabaseFigures implements RuntimeMetrics.Figures {
    /** The window of {@link #botFailureRate()}. */
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

    /**
     * How old an event must be before its outcome is counted once and kept (younger ones are
     * counted afresh at every read): an event is committed within moments of the time it bears;
     * this leaves room for a slow commit and for replicas' clocks a little apart.
     */
    static final Duration SETTLE = Duration.ofSeconds(10);

    private final Stores stores;
    private final Clock clock;
    /** Read from the primary: a slice once counted is kept, so it must not be read from a lagging replica. */
    private final FailureWindow failures;

    public DatabaseFigures(Stores stores, Clock clock) {
        this.stores = stores;
        this.clock = clock;
        this.failures = new FailureWindow(FAILURE_WINDOW, SETTLE,
                (from, to) -> stores.recovery().outcomes(stores.database().execute(), from, to));
    }

    @Override
    public Map<String, Long> unfinishedJobsByStatus() {
        return stores.database().read(db -> stores.jobs().countUnfinished(db));
    }

    @Override
    public Map<String, Long> finishedJobsByStatus() {
        return stores.database().read(db -> stores.jobs().countFinished(db));
    }

    @Override
    public Map<String, Long> botsByStatus() {
        return stores.database().read(db -> stores.bots().countByStatus(db));
    }

    @Override
    public long orphanedNow() {
        return stores.recovery().countExpiredLeases(stores.database().execute(), clock.millis());
    }

    @Override
    public double botFailureRate() {
        return failures.rate(clock.millis());
    }

    @Override
    public long lastSweepAtMillis() {
        return stores.recovery().lastSweepAt(stores.database().execute());
    }
}
