package io.shepherd.runtime.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.shepherd.runtime.store.Stores;

/** The gauges' figures, asked of the database (reads may be served by a replica). */
public final class DatabaseFigures implements RuntimeMetrics.Figures {
    /** The window of {@link #botFailureRate()}. */
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

    private final Stores stores;
    private final Clock clock;

    public DatabaseFigures(Stores stores, Clock clock) {
        this.stores = stores;
        this.clock = clock;
    }

    @Override
    public Map<String, Long> jobsByStatus() {
        return stores.database().read(db -> stores.jobs().countByStatus(db));
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
        return stores.database().read(db -> stores.recovery().failureRate(db, clock.millis() - FAILURE_WINDOW.toMillis()));
    }

    @Override
    public long lastSweepAtMillis() {
        return stores.recovery().lastSweepAt(stores.database().execute());
    }
}
