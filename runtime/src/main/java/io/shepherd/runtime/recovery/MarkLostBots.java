package io.shepherd.runtime.recovery;

import java.time.Duration;

import io.shepherd.runtime.store.Stores;

/** Bots without a heartbeat for {@code bots.lost-after} become {@code lost}. */
public final class MarkLostBots {
    private final Stores stores;
    private final Duration lostAfter;

    public MarkLostBots(Stores stores, Duration lostAfter) {
        this.stores = stores;
        this.lostAfter = lostAfter;
    }

    /** One pass, as of {@code now}; returns how many bots were marked lost. */
    public long runOnce(long now) {
        return stores.recovery().markLost(stores.database().execute(), now - lostAfter.toMillis());
    }
}
