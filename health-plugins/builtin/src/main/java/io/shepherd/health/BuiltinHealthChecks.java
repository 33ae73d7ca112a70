package io.shepherd.health;

import java.util.List;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthCheckProvider;

/** The runtime's own checks, provided like any plugin's. */
public final class BuiltinHealthChecks implements HealthCheckProvider {
    @Override
    public List<HealthCheck> checks() {
        return List.of(new DatabaseCheck(), new JobClaimCheck(), new RecoverySchedulerCheck(), new ResourcesCheck());
    }
}
