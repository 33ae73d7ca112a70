package io.shepherd.examples.health;

import java.util.List;
import java.util.Map;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthCheckProvider;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;

/** Adds a check named {@code example}: UP while the runtime has fewer than 10,000 pending jobs. */
public final class ExampleHealthPlugin implements HealthCheckProvider {
    static final long LIMIT = 10_000;

    @Override
    public List<HealthCheck> checks() {
        return List.of(new HealthCheck() {
            @Override
            public String name() {
                return "example";
            }

            @Override
            public HealthStatus check(HealthContext context) {
                long pending = context.jobsByStatus().getOrDefault("pending", 0L);
                Map<String, Object> details = Map.of("pending", pending, "limit", LIMIT);
                return pending < LIMIT ? HealthStatus.healthy(details) : HealthStatus.unhealthy(details);
            }
        });
    }
}
