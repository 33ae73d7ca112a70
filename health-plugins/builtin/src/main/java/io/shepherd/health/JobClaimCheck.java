package io.shepherd.health;

import java.util.Map;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;

/**
 * {@code job-claim}: a real claim — the claim statement on the real tables — inside a transaction
 * that is rolled back. "Up" means bots can actually get work here, not merely that HTTP answers.
 */
public final class JobClaimCheck implements HealthCheck {
    @Override
    public String name() {
        return "job-claim";
    }

    @Override
    public boolean readiness() {
        return true;
    }

    @Override
    public HealthStatus check(HealthContext context) throws Exception {
        long start = System.nanoTime();
        context.claimRoundTrip();
        return HealthStatus.healthy(Map.of("roundTripMs", (System.nanoTime() - start) / 1_000_000));
    }
}
