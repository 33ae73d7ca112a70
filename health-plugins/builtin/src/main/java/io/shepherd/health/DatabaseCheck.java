package io.shepherd.health;

import java.util.Map;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;

/** {@code database}: the primary answers a trivial statement. A replica that cannot reach it is not ready. */
public final class DatabaseCheck implements HealthCheck {
    @Override
    public String name() {
        return "database";
    }

    @Override
    public boolean readiness() {
        return true;
    }

    @Override
    public HealthStatus check(HealthContext context) throws Exception {
        long start = System.nanoTime();
        context.pingDatabase();
        return HealthStatus.healthy(Map.of("latencyMs", (System.nanoTime() - start) / 1_000_000));
    }
}
