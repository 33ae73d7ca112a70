package io.shepherd.runtime.health;

import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariPoolMXBean;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.runtime.store.LazyRuntimeView;
import io.shepherd.runtime.store.ProbeStore;
import io.shepherd.runtime.store.Stores;

/** What health checks see of this replica: the lazy runtime view plus probes of its own parts. */
public final class RuntimeHealthContext extends LazyRuntimeView implements HealthContext {
    private final ProbeStore probes;
    private final Stores stores;
    private final Clock clock;
    private final Supplier<Recovery> recovery;
    private final Path dataDir;

    /** {@code recovery}: this replica's recovery scheduler as checks see it, asked when a check looks. */
    public RuntimeHealthContext(Stores stores, Clock clock, Supplier<Recovery> recovery, Path dataDir) {
        super(stores, clock.millis());
        this.stores = stores;
        this.probes = new ProbeStore(stores);
        this.clock = clock;
        this.recovery = recovery;
        this.dataDir = dataDir;
    }

    @Override
    public void pingDatabase() {
        probes.ping();
    }

    @Override
    public void claimRoundTrip() {
        probes.claimRoundTrip(clock.millis());
    }

    @Override
    public Recovery recovery() {
        return recovery.get();
    }

    @Override
    public Pool pool() {
        HikariPoolMXBean pool = stores.database().dataSource().getHikariPoolMXBean();
        if (pool == null) {
            return new Pool(0, 0, stores.database().dataSource().getMaximumPoolSize(), 0);
        }
        return new Pool(pool.getActiveConnections(), pool.getIdleConnections(),
                stores.database().dataSource().getMaximumPoolSize(), pool.getThreadsAwaitingConnection());
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }
}
