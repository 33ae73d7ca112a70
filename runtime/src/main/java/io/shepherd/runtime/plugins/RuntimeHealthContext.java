package io.shepherd.runtime.plugins;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariPoolMXBean;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.runtime.recovery.RecoveryScheduler;
import io.shepherd.runtime.store.ProbeStore;
import io.shepherd.runtime.store.Stores;

/** What health checks see of this replica: the lazy runtime view plus probes of its own parts. */
public final class RuntimeHealthContext extends LazyRuntimeView implements HealthContext {
    private final ProbeStore probes;
    private final Stores stores;
    private final Clock clock;
    private final Supplier<RecoveryScheduler.Status> recovery;
    private final boolean recoveryEnabled;
    private final Duration recoveryInterval;
    private final Path dataDir;

    public RuntimeHealthContext(Stores stores, Clock clock, Supplier<RecoveryScheduler.Status> recovery,
                                boolean recoveryEnabled, Duration recoveryInterval, Path dataDir) {
        super(stores, clock.millis());
        this.stores = stores;
        this.probes = new ProbeStore(stores);
        this.clock = clock;
        this.recovery = recovery;
        this.recoveryEnabled = recoveryEnabled;
        this.recoveryInterval = recoveryInterval;
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
        RecoveryScheduler.Status status = recovery.get();
        return new Recovery(status.leader(), recoveryEnabled, recoveryInterval.toMillis(), status.lastSweepAt(),
                status.leaderSince());
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
